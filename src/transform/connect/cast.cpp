// Kafka Connect's Cast$Key / $Value. As Connect's (connect/transforms, 4.x).
#include "transform/connect/cast.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using namespace detail;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kCastOutputs = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";
constexpr std::string_view kCastInputs =
    "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]";

// Connect's type name of a schema type as JsonConverter writes it ("float" is FLOAT32).
std::string connect_type(const std::string& json_type) {
  if (json_type == "float") return "float32";
  if (json_type == "double") return "float64";
  return json_type;
}
std::string json_type_of(const std::string& connect) {
  if (connect == "float32") return "float";
  if (connect == "float64") return "double";
  return connect;
}
std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Java's (int) / (long) of a double: truncation, saturating, NaN 0.
int64_t java_d2l(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.223372036854775807e18) return INT64_MAX;
  if (d <= -9.223372036854775808e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}
int32_t java_d2i(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 2147483647.0) return INT32_MAX;
  if (d <= -2147483648.0) return INT32_MIN;
  return static_cast<int32_t>(d);
}

// Byte.parseByte / Short.parseShort / Integer.parseInt / Long.parseLong: an optional sign and decimal digits.
std::optional<int64_t> java_parse_int(const std::string& s, const std::string& type) {
  if (s.empty()) return std::nullopt;
  size_t start = s[0] == '+' || s[0] == '-' ? 1 : 0;
  if (start == s.size()) return std::nullopt;
  for (size_t i = start; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  int64_t v = 0;
  std::string digits = s[0] == '+' ? s.substr(1) : s;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return std::nullopt;
  if (narrow(v, type) != v) return std::nullopt;
  return v;
}

// Float.parseFloat / Double.parseDouble (surrounding whitespace, a trailing f/F/d/D; not hex).
std::optional<double> java_parse_double(const std::string& text) {
  std::string s = text;
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::nullopt;
  s = s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
  if (!s.empty() && std::strchr("fFdD", s.back()) != nullptr) s.pop_back();
  if (s == "NaN" || s == "+NaN" || s == "-NaN") return std::nan("");
  if (s == "Infinity" || s == "+Infinity") return HUGE_VAL;
  if (s == "-Infinity") return -HUGE_VAL;
  if (s.empty() || s.find_first_of("xXnNiI") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

}  // namespace

Result<Json> cast_value(const Schema* schema, const Json& value, const std::string& target) {
  if (value.is_null()) return Json::null();
  std::string from;
  if (schema != nullptr) {
    from = connect_type(schema->type);
  } else {
    switch (value.kind) {
      case Json::Kind::kBool:
        from = "boolean";
        break;
      case Json::Kind::kNumber:
        from = value.text.find_first_of(".eE") == std::string::npos ? "int64" : "float64";
        break;
      case Json::Kind::kString:
        from = "string";
        break;
      case Json::Kind::kArray:
        from = "array";
        break;
      default:
        from = "map";
        break;
    }
  }
  static const std::vector<std::string> kInputs = {"int8",    "int16",   "int32",  "int64", "float32",
                                                   "float64", "boolean", "string", "bytes"};
  if (std::find(kInputs.begin(), kInputs.end(), from) == kInputs.end()) {
    return Error::data(
        fmt::format("Cast transformation does not support casting from {}; supported types are {}",
                    upper(from), kCastInputs));
  }
  const std::string logical = schema != nullptr && schema->name ? *schema->name : "";
  if (logical == kDecimal ||
      ((logical == "org.apache.kafka.connect.data.Date" || logical == "org.apache.kafka.connect.data.Time" ||
        logical == "org.apache.kafka.connect.data.Timestamp") &&
       target == "string")) {
    return Error::data(fmt::format("Cast of a {} value is not implemented by sluice", logical));
  }
  const bool is_int = from == "int8" || from == "int16" || from == "int32" || from == "int64";
  const bool is_float = from == "float32" || from == "float64";
  auto out_of_range = [&](const std::string& text) {
    return Error::data(fmt::format("Value ({}) was out of range for requested data type", text));
  };
  if (from == "bytes" && target != "string") {
    return Error::data("Unexpected type in Cast transformation: class java.nio.HeapByteBuffer");
  }
  if (target == "string") {
    if (from == "boolean") return Json::string(value.boolean ? "true" : "false");
    return Json::string(value.text);  // Long/Float/Double.toString as written; a string; bytes' base64
  }
  // The source as Java holds it.
  int64_t as_long = 0;
  double as_double = 0;
  bool integral_source = false;
  if (is_int) {
    auto v = parse_integral(value.text);
    if (!v) return out_of_range(value.text);
    as_long = *v;
    as_double = static_cast<double>(*v);
    integral_source = true;
  } else if (is_float) {
    as_double = from == "float32" ? static_cast<double>(std::strtof(value.text.c_str(), nullptr))
                                  : std::strtod(value.text.c_str(), nullptr);
  } else if (from == "boolean") {
    as_long = value.boolean ? 1 : 0;
    as_double = static_cast<double>(as_long);
    integral_source = true;
  }
  if (target == "boolean") {
    if (from == "string") {
      std::string l = value.text;
      for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return Json::boolean_value(l == "true");
    }
    return Json::boolean_value((integral_source ? as_long : java_d2l(as_double)) != 0);
  }
  if (target == "float32" || target == "float64") {
    double d = as_double;
    if (from == "string") {
      auto p = java_parse_double(value.text);
      if (!p) return out_of_range(value.text);
      d = *p;
    }
    return Json::number(target == "float32" ? java_float_text(static_cast<float>(d), true)
                                            : java_float_text(d, false));
  }
  // int8 … int64
  int64_t v = 0;
  if (from == "string") {
    auto p = java_parse_int(value.text, target);
    if (!p) return out_of_range(value.text);
    v = *p;
  } else if (integral_source) {
    v = narrow(as_long, target);
  } else {
    v = target == "int64" ? java_d2l(as_double) : narrow(java_d2i(as_double), target);
  }
  return Json::number(std::to_string(v));
}

Result<std::unique_ptr<Transform>> Cast::create(Options& options, Part part) {
  auto t = std::make_unique<Cast>();
  t->part_ = part;
  if (!options.has("spec")) return options.missing("spec", "field:type,… or one type for the whole value");
  const std::string spec = options.str("spec");
  auto entries = options.list("spec");
  if (entries.empty()) return options.invalid("spec", spec, "at least one field to cast");
  static const std::vector<std::string> kOutputs = {"int8",    "int16",   "int32",   "int64",
                                                    "float32", "float64", "boolean", "string"};
  static const std::vector<std::string> kTypes = {"int8",    "int16",  "int32", "int64", "float32", "float64",
                                                  "boolean", "string", "bytes", "array", "map",     "struct"};
  for (const auto& entry : entries) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (true) {  // String.split(":"): trailing empty parts dropped
      auto colon = entry.find(':', pos);
      parts.push_back(entry.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
      if (colon == std::string::npos) break;
      pos = colon + 1;
    }
    while (!parts.empty() && parts.back().empty()) parts.pop_back();
    if (parts.empty() || parts.size() > 2)
      return options.invalid("spec", spec, "field:type pairs (one colon each) or a single type");
    std::string type = parts.back();
    auto b = type.find_first_not_of(' ');
    type = b == std::string::npos ? "" : type.substr(b, type.find_last_not_of(' ') - b + 1);
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
      return options.invalid(
          "spec", spec,
          fmt::format("types among {} (invalid type found in casting spec: {})", kCastOutputs, parts.back()));
    }
    if (std::find(kOutputs.begin(), kOutputs.end(), type) == kOutputs.end()) {
      return options.invalid(
          "spec", spec,
          fmt::format("types among {} (Cast does not support casting to {})", kCastOutputs, upper(type)));
    }
    if (parts.size() == 1) {
      t->whole_ = type;
    } else {
      std::string field = parts[0];
      auto fb = field.find_first_not_of(' ');
      field = fb == std::string::npos ? "" : field.substr(fb, field.find_last_not_of(' ') - fb + 1);
      t->casts_.emplace_back(field, type);
    }
  }
  if (t->whole_ && entries.size() > 1) {
    return options.invalid("spec", spec, "a single type to cast the entire value to, alone in the spec");
  }
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  return std::unique_ptr<Transform>(std::move(t));
}

const std::string* Cast::target(const std::string& field) const {
  const std::string* found = nullptr;  // a HashMap: the last entry for a field wins
  for (const auto& [f, type] : casts_) {
    if (f == field) found = &type;
  }
  return found;
}

Result<SchemaPtr> Cast::updated_schema(const SchemaPtr& schema) {
  auto it = cache_.find(schema.get());
  if (it != cache_.end()) return it->second.second;
  std::shared_ptr<Schema> s;
  if (whole_) {
    s = std::make_shared<Schema>(copy_schema_basics(*schema));
    s->type = json_type_of(*whole_);
    s->items = s->keys = s->values = nullptr;
  } else {
    s = std::make_shared<Schema>(copy_schema_basics(*schema));
    for (const auto& f : schema->fields) {
      const std::string* type = target(f.name);
      if (type == nullptr) {
        s->fields.push_back(f);
        continue;
      }
      auto fs = std::make_shared<Schema>();
      fs->type = json_type_of(*type);
      fs->optional = f.schema->optional;
      if (f.schema->default_value && !f.schema->default_value->is_null()) {
        auto d = cast_value(f.schema.get(), *f.schema->default_value, *type);
        if (!d) return d.error();
        fs->default_value = std::move(*d);
      }
      s->fields.push_back({f.name, std::move(fs)});
    }
  }
  s->optional = schema->optional;
  if (schema->default_value && !schema->default_value->is_null()) {
    if (!whole_)
      return Error::data("Cast of a struct schema with a default value is not implemented by sluice");
    auto d = cast_value(schema.get(), *schema->default_value, *whole_);
    if (!d) return d.error();
    s->default_value = std::move(*d);
  }
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_.emplace(schema.get(), std::make_pair(schema, SchemaPtr(s)));
  return SchemaPtr(s);
}

Result<bool> Cast::apply(Record& record) {
  static constexpr std::string_view kPurpose = "cast types";
  auto& data = operating(record, part_);
  if (!data || data->payload.is_null()) return true;  // Connect: a null key/value passes
  if (!data->schema) {
    if (whole_) {
      auto v = cast_value(nullptr, data->payload, *whole_);
      if (!v) return v.error();
      data->payload = std::move(*v);
      return true;
    }
    if (!data->payload.is_object()) return require_map(data, kPurpose);
    for (const auto& [field, type] : casts_) {
      const Json* v = data->payload.find(field);
      auto c = cast_value(nullptr, v != nullptr ? *v : Json::null(), *target(field));
      if (!c) return c.error();
      data->payload.set(field, std::move(*c));
    }
    return true;
  }
  auto updated = updated_schema(data->schema);
  if (!updated) return updated.error();
  if (whole_) {
    auto v = cast_value(data->schema.get(), data->payload, *whole_);
    if (!v) return v.error();
    data->payload = std::move(*v);
    data->schema = std::move(*updated);
    return true;
  }
  if (!data->schema->is_struct() || !data->payload.is_object())
    return require_struct(data->payload, kPurpose);
  for (const auto& f : data->schema->fields) {
    const std::string* type = target(f.name);
    if (type == nullptr) continue;
    Json* v = data->payload.find(f.name);
    if (v == nullptr) continue;
    auto c = cast_value(f.schema.get(), *v, *type);
    if (!c) return c.error();
    *v = std::move(*c);
  }
  data->schema = std::move(*updated);
  return true;
}

}  // namespace sluice::transform
