// Expression: a tree-walking evaluator with Groovy's semantics for the forms the parser
// (expression_parser.cpp) accepts.
#include "transform/expression.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/base64.h"
#include "common/utf16.h"
#include "transform/connect/field_support.h"
#include "transform/expression_tree.h"

namespace sluice::transform {

namespace {

using Node = Expression::Node;
using Op = Node::Op;
using Kind = ExprValue::Kind;

std::optional<std::string> schema_parameter(const Schema& s, std::string_view name) {
  if (!s.parameters) return std::nullopt;
  for (const auto& [k, v] : *s.parameters) {
    if (k == name) return v;
  }
  return std::nullopt;
}

// A JSON value (with its schema, when it has one) as an expression value.
Result<ExprValue> from_json(const Json& json, const Schema* schema) {
  ExprValue v;
  if (json.is_null()) return v;
  auto number = [&](const std::string& text) {
    int64_t i = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), i);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) {
      v.kind = Kind::kInt;
      v.integer = i;
    } else {
      v.kind = Kind::kDouble;
      v.real = std::strtod(text.c_str(), nullptr);
    }
  };
  if (schema != nullptr && schema->type == "bytes") {
    // A Decimal (decimal.handling.mode=precise) is a BigDecimal to a script: its unscaled two's-complement
    // bytes, base64 in JSON; compared as a double here.
    if (schema->name && *schema->name == "org.apache.kafka.connect.data.Decimal" && json.is_string()) {
      auto bytes = base64_decode(json.text, Base64Alphabet::kStandard);
      auto scale = schema_parameter(*schema, "scale");
      if (bytes && !bytes->empty() && bytes->size() <= 16 && scale) {
        long double unscaled = static_cast<signed char>((*bytes)[0]);
        for (size_t i = 1; i < bytes->size(); ++i) {
          unscaled = unscaled * 256 + static_cast<unsigned char>((*bytes)[i]);
        }
        v.kind = Kind::kDouble;
        v.real = static_cast<double>(unscaled / std::pow(10.0L, std::atoi(scale->c_str())));
        return v;
      }
    }
    return Error::data("a bytes value (other than a Decimal) cannot be used in a sluice expression");
  }
  switch (json.kind) {
    case Json::Kind::kBool:
      v.kind = Kind::kBool;
      v.boolean = json.boolean;
      return v;
    case Json::Kind::kNumber:
      number(json.text);
      return v;
    case Json::Kind::kString:
      v.kind = Kind::kString;
      v.text = json.text;
      return v;
    default:
      v.kind = Kind::kStruct;
      v.json = &json;
      v.schema = schema;
      return v;
  }
}

bool truth(const ExprValue& v) {
  switch (v.kind) {
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return v.boolean;
    case Kind::kInt:
      return v.integer != 0;
    case Kind::kDouble:
      return v.real != 0;
    case Kind::kString:
      return !v.text.empty();
    case Kind::kStruct:
      // Groovy: an empty map or list is false, a Struct is true.
      if (v.schema == nullptr || v.schema->type != "struct") {
        return v.json->is_object() ? !v.json->members.empty() : !v.json->items.empty();
      }
      return true;
    default:
      return true;
  }
}

bool is_number(const ExprValue& v) {
  return v.kind == Kind::kInt || v.kind == Kind::kDouble;
}
double as_double(const ExprValue& v) {
  return v.kind == Kind::kInt ? static_cast<double>(v.integer) : v.real;
}

std::string kind_name(const ExprValue& v) {
  switch (v.kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "a boolean";
    case Kind::kInt:
    case Kind::kDouble:
      return "a number";
    case Kind::kString:
      return "a string";
    case Kind::kStruct:
      return "a struct";
    default:
      return "a header";
  }
}

bool equal(const ExprValue& a, const ExprValue& b) {
  if (a.kind == Kind::kNull || b.kind == Kind::kNull) return a.kind == b.kind;
  if (is_number(a) && is_number(b)) {
    if (a.kind == Kind::kInt && b.kind == Kind::kInt) return a.integer == b.integer;
    return as_double(a) == as_double(b);
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::kBool:
      return a.boolean == b.boolean;
    case Kind::kString:
      return a.text == b.text;
    case Kind::kStruct:
      return *a.json == *b.json;
    default:
      return false;
  }
}

// compareTo, with Groovy's nulls (null is less than any value); kData for values that do not compare.
Result<int> compare(const ExprValue& a, const ExprValue& b) {
  if (a.kind == Kind::kNull || b.kind == Kind::kNull) {
    return (a.kind == Kind::kNull ? 0 : 1) - (b.kind == Kind::kNull ? 0 : 1);
  }
  if (is_number(a) && is_number(b)) {
    if (a.kind == Kind::kInt && b.kind == Kind::kInt)
      return a.integer < b.integer ? -1 : a.integer > b.integer;
    double x = as_double(a), y = as_double(b);
    return x < y ? -1 : x > y;
  }
  if (a.kind == Kind::kString && b.kind == Kind::kString) {
    int c = a.text.compare(b.text);
    return c < 0 ? -1 : c > 0;
  }
  return Error::data(fmt::format("cannot compare {} with {}", kind_name(a), kind_name(b)));
}

// Groovy's toString of a value, for string concatenation.
std::string to_text(const ExprValue& v) {
  switch (v.kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return v.boolean ? "true" : "false";
    case Kind::kInt:
      return std::to_string(v.integer);
    case Kind::kDouble:
      return java_float_text(v.real, false);
    case Kind::kString:
      return v.text;
    case Kind::kStruct:
      return to_json_text(*v.json);
    default:
      return "header";
  }
}

class Evaluator {
 public:
  explicit Evaluator(const Record& record) : record_(record) {}

  Result<ExprValue> eval(const Node& n) {
    switch (n.op) {
      case Op::kLiteral:
        return n.literal;
      case Op::kRoot:
        return root(n.name);
      case Op::kMember: {
        auto target = eval(*n.children[0]);
        if (!target) return target;
        if (target->kind == Kind::kNull) {
          if (n.safe) return ExprValue{};
          return Error::data(fmt::format("Cannot get property '{}' on null object", n.name));
        }
        return member(*target, n.name);
      }
      case Op::kIndex: {
        auto target = eval(*n.children[0]);
        if (!target) return target;
        auto index = eval(*n.children[1]);
        if (!index) return index;
        if (target->kind == Kind::kNull) return Error::data("Cannot get an element of a null object");
        if (index->kind == Kind::kString) return member(*target, index->text);
        if (index->kind == Kind::kInt && target->kind == Kind::kStruct &&
            target->json->kind == Json::Kind::kArray) {
          const auto& items = target->json->items;
          int64_t i =
              index->integer < 0 ? index->integer + static_cast<int64_t>(items.size()) : index->integer;
          if (i < 0 || i >= static_cast<int64_t>(items.size())) return ExprValue{};
          return from_json(items[static_cast<size_t>(i)],
                           target->schema ? target->schema->items.get() : nullptr);
        }
        return Error::data(fmt::format("cannot index {} with {}", kind_name(*target), kind_name(*index)));
      }
      case Op::kCall:
        return call(n);
      case Op::kNot: {
        auto v = eval(*n.children[0]);
        if (!v) return v;
        return boolean(!truth(*v));
      }
      case Op::kNeg: {
        auto v = eval(*n.children[0]);
        if (!v) return v;
        if (v->kind == Kind::kInt) {
          v->integer = -v->integer;
        } else if (v->kind == Kind::kDouble) {
          v->real = -v->real;
        } else {
          return Error::data(fmt::format("cannot negate {}", kind_name(*v)));
        }
        return v;
      }
      case Op::kAnd:
      case Op::kOr: {
        auto a = eval(*n.children[0]);
        if (!a) return a;
        bool t = truth(*a);
        if (n.op == Op::kAnd ? !t : t) return boolean(t);
        auto b = eval(*n.children[1]);
        if (!b) return b;
        return boolean(truth(*b));
      }
      case Op::kTernary: {
        auto c = eval(*n.children[0]);
        if (!c) return c;
        return eval(*n.children[truth(*c) ? 1 : 2]);
      }
      case Op::kElvis: {
        auto a = eval(*n.children[0]);
        if (!a) return a;
        if (truth(*a)) return a;
        return eval(*n.children[1]);
      }
      default:
        break;
    }
    auto a = eval(*n.children[0]);
    if (!a) return a;
    auto b = eval(*n.children[1]);
    if (!b) return b;
    switch (n.op) {
      case Op::kEq:
        return boolean(equal(*a, *b));
      case Op::kNe:
        return boolean(!equal(*a, *b));
      case Op::kAdd:
      case Op::kSub:
        return arithmetic(n.op, *a, *b);
      default: {
        auto c = compare(*a, *b);
        if (!c) return c.error();
        switch (n.op) {
          case Op::kLt:
            return boolean(*c < 0);
          case Op::kLe:
            return boolean(*c <= 0);
          case Op::kGt:
            return boolean(*c > 0);
          default:
            return boolean(*c >= 0);
        }
      }
    }
  }

 private:
  static ExprValue boolean(bool b) {
    ExprValue v;
    v.kind = Kind::kBool;
    v.boolean = b;
    return v;
  }

  static Result<ExprValue> arithmetic(Op op, const ExprValue& a, const ExprValue& b) {
    ExprValue v;
    if (op == Op::kAdd && (a.kind == Kind::kString || b.kind == Kind::kString)) {
      v.kind = Kind::kString;
      v.text = to_text(a) + to_text(b);
      return v;
    }
    if (!is_number(a) || !is_number(b)) {
      return Error::data(fmt::format("cannot {} {} and {}", op == Op::kAdd ? "add" : "subtract", kind_name(a),
                                     kind_name(b)));
    }
    if (a.kind == Kind::kInt && b.kind == Kind::kInt) {
      v.kind = Kind::kInt;
      v.integer = static_cast<int64_t>(
          op == Op::kAdd ? static_cast<uint64_t>(a.integer) + static_cast<uint64_t>(b.integer)
                         : static_cast<uint64_t>(a.integer) - static_cast<uint64_t>(b.integer));
      return v;
    }
    v.kind = Kind::kDouble;
    v.real = op == Op::kAdd ? as_double(a) + as_double(b) : as_double(a) - as_double(b);
    return v;
  }

  Result<ExprValue> root(const std::string& name) {
    ExprValue v;
    if (name == "topic") {
      v.kind = Kind::kString;
      v.text = record_.topic;
      return v;
    }
    if (name == "header") {
      v.kind = Kind::kHeaders;
      v.record = &record_;
      return v;
    }
    const auto& data = name == "value" ? record_.value : record_.key;
    if (!data) return v;
    return from_json(data->payload, data->schema.get());
  }

  Result<ExprValue> member(const ExprValue& target, const std::string& name) {
    if (target.kind == Kind::kHeaders) {
      const Header* found = nullptr;
      for (const auto& h : target.record->headers) {
        if (h.name == name) found = &h;  // a HashMap of the headers: the last one of a name
      }
      ExprValue v;
      if (found == nullptr) return v;
      v.kind = Kind::kHeader;
      v.text = found->value;
      return v;
    }
    if (target.kind == Kind::kHeader) {
      if (name != "value") {
        return Error::data(
            fmt::format("No such property: {} of a header (sluice headers have a value)", name));
      }
      ExprValue v;
      v.kind = Kind::kString;
      v.text = target.text;
      return v;
    }
    if (target.kind != Kind::kStruct || !target.json->is_object()) {
      return Error::data(fmt::format("No such property: {} of {}", name, kind_name(target)));
    }
    const Schema* child_schema = nullptr;
    if (target.schema != nullptr) {
      if (target.schema->type == "struct") {
        const Field* f = target.schema->field(name);
        if (f == nullptr) return Error::data(fmt::format("{} is not a valid field name", name));
        child_schema = f->schema.get();
      } else if (target.schema->type == "map") {
        child_schema = target.schema->values.get();
      }
    }
    const Json* child = target.json->find(name);
    if (child == nullptr) return ExprValue{};
    return from_json(*child, child_schema);
  }

  Result<ExprValue> call(const Node& n) {
    auto target = eval(*n.children[0]);
    if (!target) return target;
    if (target->kind == Kind::kNull) {
      if (n.safe) return ExprValue{};
      return Error::data(fmt::format("Cannot invoke method {}() on null object", n.name));
    }
    if (n.name == "equals") {
      auto arg = eval(*n.children[1]);
      if (!arg) return arg;
      return boolean(equal(*target, *arg));
    }
    if (target->kind != Kind::kString) {
      return Error::data(fmt::format("No signature of method {}() for {}", n.name, kind_name(*target)));
    }
    const std::string& s = target->text;
    ExprValue v;
    if (n.name == "toLowerCase" || n.name == "toUpperCase") {
      v.kind = Kind::kString;
      v.text = s;
      for (auto& c : v.text) {
        c = static_cast<char>(n.name == "toLowerCase" ? std::tolower(static_cast<unsigned char>(c))
                                                      : std::toupper(static_cast<unsigned char>(c)));
      }
      return v;
    }
    if (n.name == "trim") {
      auto b = s.find_first_not_of(" \t\r\n");
      auto e = s.find_last_not_of(" \t\r\n");
      v.kind = Kind::kString;
      v.text = b == std::string::npos ? "" : s.substr(b, e - b + 1);
      return v;
    }
    if (n.name == "length") {
      v.kind = Kind::kInt;
      v.integer = static_cast<int64_t>(utf16_length(s));  // UTF-16 code units, as String.length()
      return v;
    }
    auto arg = eval(*n.children[1]);
    if (!arg) return arg;
    if (arg->kind != Kind::kString) {
      return Error::data(fmt::format("{}() takes a string, not {}", n.name, kind_name(*arg)));
    }
    const std::string& a = arg->text;
    if (n.name == "startsWith") return boolean(s.starts_with(a));
    if (n.name == "endsWith") return boolean(s.ends_with(a));
    return boolean(s.find(a) != std::string::npos);  // contains
  }

  const Record& record_;
};

}  // namespace

Expression::~Expression() = default;

Result<std::shared_ptr<const Expression>> Expression::compile(const std::string& key,
                                                              const std::string& text) {
  auto root = parse_expression(key, text);
  if (!root) return root.error();
  auto e = std::make_shared<Expression>();
  e->text_ = text;
  e->root_ = std::move(*root);
  return std::shared_ptr<const Expression>(std::move(e));
}

Result<ExprValue> Expression::evaluate(const Record& record) const {
  Evaluator evaluator(record);
  return evaluator.eval(*root_);
}

std::string describe(const ExprValue& v) {
  if (v.kind == ExprValue::Kind::kString) return "'" + v.text + "'";
  return to_text(v);
}

}  // namespace sluice::transform
