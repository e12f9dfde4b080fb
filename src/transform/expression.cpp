// Expression: tokenizer, recursive-descent parser (depth and length bounded) and a tree-walking evaluator
// with Groovy's semantics for the forms it accepts.
#include "transform/expression.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/base64.h"
#include "common/utf16.h"
#include "transform/field_transforms.h"

namespace sluice::transform {

struct Expression::Node {
  enum class Op {
    kLiteral,
    kRoot,    // value key topic header
    kMember,  // children[0].text (safe: ?.)
    kIndex,   // children[0][children[1]]
    kCall,    // children[0].text(children[1..])
    kNot,
    kNeg,
    kAnd,
    kOr,
    kEq,
    kNe,
    kLt,
    kLe,
    kGt,
    kGe,
    kAdd,
    kSub,
    kTernary,
    kElvis,
  };
  Op op = Op::kLiteral;
  ExprValue literal;
  std::string name;
  bool safe = false;
  std::vector<std::unique_ptr<Node>> children;
};

namespace {

using Node = Expression::Node;
using Op = Node::Op;
using Kind = ExprValue::Kind;

struct Token {
  enum class Type { kEnd, kIdent, kString, kNumber, kPunct };
  Type type = Type::kEnd;
  std::string text;
  size_t pos = 0;
};

class Parser {
 public:
  Parser(const std::string& key, const std::string& text) : key_(key), text_(text) {}

  Result<std::unique_ptr<Node>> parse() {
    if (text_.size() > Expression::kMaxLength) {
      return fail(0, fmt::format("longer than {} characters", Expression::kMaxLength));
    }
    if (auto s = tokenize(); !s) return s.error();
    auto root = ternary(0);
    if (!root) return root.error();
    if (peek().type != Token::Type::kEnd)
      return fail(peek().pos, fmt::format("unexpected '{}'", peek().text));
    return root;
  }

 private:
  Error fail(size_t pos, const std::string& why) const {
    return Error::fatal(fmt::format(
        "invalid value for {}: '{}' is not an expression sluice evaluates: {} at position {} (sluice accepts "
        "value/key/topic/header, member access, literals, == != < <= > >= && || ! ?: + and the string "
        "methods "
        "startsWith endsWith contains equals toLowerCase toUpperCase length; see the README)",
        key_, text_, why, pos + 1));
  }

  Status tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token t;
      t.pos = i;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
        size_t j = i;
        while (j < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[j])) || text_[j] == '_' || text_[j] == '$'))
          ++j;
        t.type = Token::Type::kIdent;
        t.text = text_.substr(i, j - i);
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        size_t j = i;
        while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        if (j + 1 < text_.size() && text_[j] == '.' &&
            std::isdigit(static_cast<unsigned char>(text_[j + 1]))) {
          ++j;
          while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        }
        if (j < text_.size() && std::isalpha(static_cast<unsigned char>(text_[j]))) {
          return fail(j, "a number suffix (such as 10L or 1.5d)");
        }
        t.type = Token::Type::kNumber;
        t.text = text_.substr(i, j - i);
        i = j;
      } else if (c == '\'' || c == '"') {
        std::string s;
        size_t j = i + 1;
        bool closed = false;
        while (j < text_.size()) {
          char d = text_[j];
          if (d == c) {
            closed = true;
            ++j;
            break;
          }
          if (d == '\\') {
            if (j + 1 >= text_.size()) break;
            char e = text_[j + 1];
            switch (e) {
              case 'n':
                s += '\n';
                break;
              case 't':
                s += '\t';
                break;
              case '\\':
              case '\'':
              case '"':
                s += e;
                break;
              default:
                return fail(j, fmt::format("the escape \\{}", e));
            }
            j += 2;
            continue;
          }
          if (c == '"' && d == '$') return fail(j, "a GString interpolation ($ in a double-quoted string)");
          s += d;
          ++j;
        }
        if (!closed) return fail(i, "an unterminated string");
        t.type = Token::Type::kString;
        t.text = std::move(s);
        i = j;
      } else {
        static const char* kPuncts[] = {"===", "!==", "==", "!=", "<=", ">=", "&&", "||",
                                        "?.",  "?:",  "(",  ")",  "[",  "]",  ".",  "<",
                                        ">",   "!",   "?",  ":",  "+",  "-",  ","};
        const char* match = nullptr;
        for (const char* p : kPuncts) {
          if (text_.compare(i, std::strlen(p), p) == 0) {
            match = p;
            break;
          }
        }
        if (match == nullptr) return fail(i, fmt::format("the character '{}'", c));
        t.type = Token::Type::kPunct;
        t.text = match;
        i += t.text.size();
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.pos = text_.size();
    tokens_.push_back(end);
    return ok_status();
  }

  const Token& peek() const { return tokens_[at_]; }
  bool is(const char* punct) const { return peek().type == Token::Type::kPunct && peek().text == punct; }
  bool accept(const char* punct) {
    if (!is(punct)) return false;
    ++at_;
    return true;
  }

  static std::unique_ptr<Node> binary(Op op, std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->children.push_back(std::move(a));
    n->children.push_back(std::move(b));
    return n;
  }

  Status deeper(int depth) const {
    if (depth > Expression::kMaxDepth) {
      return fail(peek().pos, fmt::format("nested deeper than {} levels", Expression::kMaxDepth));
    }
    return ok_status();
  }

  Result<std::unique_ptr<Node>> ternary(int depth) {
    if (auto s = deeper(depth); !s) return s.error();
    auto cond = logical_or(depth + 1);
    if (!cond) return cond;
    if (accept("?:")) {
      auto other = ternary(depth + 1);
      if (!other) return other;
      return binary(Op::kElvis, std::move(*cond), std::move(*other));
    }
    if (!accept("?")) return cond;
    auto yes = ternary(depth + 1);
    if (!yes) return yes;
    if (!accept(":")) return fail(peek().pos, "a ':' of the ?: operator");
    auto no = ternary(depth + 1);
    if (!no) return no;
    auto n = std::make_unique<Node>();
    n->op = Op::kTernary;
    n->children.push_back(std::move(*cond));
    n->children.push_back(std::move(*yes));
    n->children.push_back(std::move(*no));
    return n;
  }

  Result<std::unique_ptr<Node>> logical_or(int depth) {
    auto left = logical_and(depth + 1);
    if (!left) return left;
    while (accept("||")) {
      auto right = logical_and(depth + 1);
      if (!right) return right;
      left = binary(Op::kOr, std::move(*left), std::move(*right));
    }
    return left;
  }

  Result<std::unique_ptr<Node>> logical_and(int depth) {
    auto left = equality(depth + 1);
    if (!left) return left;
    while (accept("&&")) {
      auto right = equality(depth + 1);
      if (!right) return right;
      left = binary(Op::kAnd, std::move(*left), std::move(*right));
    }
    return left;
  }

  Result<std::unique_ptr<Node>> equality(int depth) {
    auto left = relational(depth + 1);
    if (!left) return left;
    while (true) {
      Op op;
      if (accept("==") || accept("===")) {
        op = Op::kEq;
      } else if (accept("!=") || accept("!==")) {
        op = Op::kNe;
      } else {
        return left;
      }
      auto right = relational(depth + 1);
      if (!right) return right;
      left = binary(op, std::move(*left), std::move(*right));
    }
  }

  Result<std::unique_ptr<Node>> relational(int depth) {
    auto left = additive(depth + 1);
    if (!left) return left;
    while (true) {
      Op op;
      if (accept("<=")) {
        op = Op::kLe;
      } else if (accept(">=")) {
        op = Op::kGe;
      } else if (accept("<")) {
        op = Op::kLt;
      } else if (accept(">")) {
        op = Op::kGt;
      } else {
        return left;
      }
      auto right = additive(depth + 1);
      if (!right) return right;
      left = binary(op, std::move(*left), std::move(*right));
    }
  }

  Result<std::unique_ptr<Node>> additive(int depth) {
    auto left = unary(depth + 1);
    if (!left) return left;
    while (true) {
      Op op;
      if (accept("+")) {
        op = Op::kAdd;
      } else if (accept("-")) {
        op = Op::kSub;
      } else {
        return left;
      }
      auto right = unary(depth + 1);
      if (!right) return right;
      left = binary(op, std::move(*left), std::move(*right));
    }
  }

  Result<std::unique_ptr<Node>> unary(int depth) {
    if (auto s = deeper(depth); !s) return s.error();
    for (auto [punct, op] : {std::pair{"!", Op::kNot}, std::pair{"-", Op::kNeg}}) {
      if (accept(punct)) {
        auto operand = unary(depth + 1);
        if (!operand) return operand;
        auto n = std::make_unique<Node>();
        n->op = op;
        n->children.push_back(std::move(*operand));
        return n;
      }
    }
    return postfix(depth + 1);
  }

  Result<std::unique_ptr<Node>> postfix(int depth) {
    auto node = primary(depth + 1);
    if (!node) return node;
    while (true) {
      bool safe = false;
      if (accept(".") || (safe = accept("?."))) {
        if (peek().type != Token::Type::kIdent) return fail(peek().pos, "a field name after '.'");
        std::string name = peek().text;
        ++at_;
        if (accept("(")) {
          static const char* kMethods[] = {"startsWith",  "endsWith",    "contains", "equals",
                                           "toLowerCase", "toUpperCase", "length",   "trim"};
          bool known = false;
          for (const char* m : kMethods) known = known || name == m;
          if (!known) return fail(tokens_[at_ - 2].pos, fmt::format("the method {}()", name));
          auto call = std::make_unique<Node>();
          call->op = Op::kCall;
          call->name = name;
          call->safe = safe;
          call->children.push_back(std::move(*node));
          if (!accept(")")) {
            while (true) {
              auto arg = ternary(depth + 1);
              if (!arg) return arg;
              call->children.push_back(std::move(*arg));
              if (accept(")")) break;
              if (!accept(",")) return fail(peek().pos, "',' or ')' in the method's arguments");
            }
          }
          size_t args = call->children.size() - 1;
          bool one = name == "startsWith" || name == "endsWith" || name == "contains" || name == "equals";
          if (args != (one ? 1u : 0u)) {
            return fail(peek().pos, fmt::format("{}() with {} argument(s)", name, args));
          }
          node = std::move(call);
          continue;
        }
        auto m = std::make_unique<Node>();
        m->op = Op::kMember;
        m->name = std::move(name);
        m->safe = safe;
        m->children.push_back(std::move(*node));
        node = std::move(m);
      } else if (accept("[")) {
        auto index = ternary(depth + 1);
        if (!index) return index;
        if (!accept("]")) return fail(peek().pos, "a closing ']'");
        node = binary(Op::kIndex, std::move(*node), std::move(*index));
      } else {
        return node;
      }
    }
  }

  Result<std::unique_ptr<Node>> primary(int depth) {
    if (auto s = deeper(depth); !s) return s.error();
    const Token t = peek();
    auto n = std::make_unique<Node>();
    switch (t.type) {
      case Token::Type::kEnd:
        return fail(t.pos, "the expression ends early");
      case Token::Type::kString:
        ++at_;
        n->literal.kind = Kind::kString;
        n->literal.text = t.text;
        return n;
      case Token::Type::kNumber: {
        ++at_;
        if (t.text.find('.') != std::string::npos) {
          n->literal.kind = Kind::kDouble;
          n->literal.real = std::strtod(t.text.c_str(), nullptr);
        } else {
          n->literal.kind = Kind::kInt;
          auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n->literal.integer);
          if (r.ec != std::errc()) return fail(t.pos, "an integer beyond 64 bits");
        }
        return n;
      }
      case Token::Type::kIdent:
        ++at_;
        if (t.text == "true" || t.text == "false") {
          n->literal.kind = Kind::kBool;
          n->literal.boolean = t.text == "true";
          return n;
        }
        if (t.text == "null" || t.text == "undefined") return n;
        if (t.text == "value" || t.text == "key" || t.text == "topic" || t.text == "header") {
          n->op = Op::kRoot;
          n->name = t.text;
          return n;
        }
        return fail(t.pos, fmt::format("the name '{}' (the record is value, key, topic and header)", t.text));
      case Token::Type::kPunct:
        if (accept("(")) {
          auto inner = ternary(depth + 1);
          if (!inner) return inner;
          if (!accept(")")) return fail(peek().pos, "a closing ')'");
          return inner;
        }
        return fail(t.pos, fmt::format("unexpected '{}'", t.text));
    }
    return fail(t.pos, "unexpected input");
  }

  const std::string& key_;
  const std::string& text_;
  std::vector<Token> tokens_;
  size_t at_ = 0;
};

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
  Parser parser(key, text);
  auto root = parser.parse();
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
