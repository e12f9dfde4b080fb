// Kafka Connect's MaskField$Key / $Value: the listed fields replaced by their type's empty value or a As
// Connect's (connect/transforms, 4.x).
#include "transform/connect/mask_field.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using namespace detail;  // NOLINT(google-build-using-namespace)

Result<std::unique_ptr<Transform>> MaskField::create(Options& options, Part part) {
  auto t = std::make_unique<MaskField>();
  t->part_ = part;
  if (!options.has("fields")) return options.missing("fields", "the names of the fields to mask");
  t->fields_ = options.list("fields");
  if (t->fields_.empty())
    return options.invalid("fields", options.str("fields"),
                           "a non-empty comma-separated list of field names");
  if (options.has("replacement")) {
    auto r = options.str("replacement");
    if (r.empty()) return options.invalid("replacement", r, "a non-empty string");
    t->replacement_ = r;
  }
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  return std::unique_ptr<Transform>(std::move(t));
}

bool MaskField::is_masked(const std::string& name) const {
  return std::find(fields_.begin(), fields_.end(), name) != fields_.end();
}

Result<Json> MaskField::masked(const Json& value, const Schema* schema) const {
  if (value.is_null()) return Json::null();
  // The Java class Connect sees for the value, by schema (or, schemaless, by the JSON that JsonConverter
  // would have read: integers Long, other numbers Double).
  std::string type;
  if (schema != nullptr) {
    type = schema->type;
    if (schema->name && *schema->name == kDecimal) type = "decimal";
    if (schema->name && (*schema->name == "org.apache.kafka.connect.data.Timestamp" ||
                         *schema->name == "org.apache.kafka.connect.data.Date" ||
                         *schema->name == "org.apache.kafka.connect.data.Time")) {
      type = "date";
    }
  } else {
    switch (value.kind) {
      case Json::Kind::kBool:
        type = "boolean";
        break;
      case Json::Kind::kNumber:
        type = value.text.find_first_of(".eE") == std::string::npos ? "int64" : "float64";
        break;
      case Json::Kind::kString:
        type = "string";
        break;
      case Json::Kind::kArray:
        type = "array";
        break;
      default:
        type = "map";
        break;
    }
  }
  const bool integral = type == "int8" || type == "int16" || type == "int32" || type == "int64";
  const bool floating = type == "float32" || type == "float64" || type == "float" || type == "double";
  if (!replacement_) {
    if (type == "boolean") return Json::boolean_value(false);
    if (integral || type == "date") return Json::number("0");
    if (floating) return Json::number("0.0");
    if (type == "string") return Json::string("");
    if (type == "array") return Json::array();
    if (type == "map")
      return schema != nullptr && schema->keys && schema->keys->type != "string" ? Json::array()
                                                                                 : Json::object();
    if (type == "decimal") {
      // BigDecimal.ZERO (scale 0): JsonConverter accepts it only for a Decimal schema of scale 0.
      std::string scale;
      if (schema->parameters) {
        for (const auto& [k, v] : *schema->parameters) {
          if (k == "scale") scale = v;
        }
      }
      if (scale != "0") return Error::data("BigDecimal has mismatching scale value for given Decimal schema");
      return Json::string("AA==");  // BigInteger.ZERO.toByteArray(), base64
    }
    return Error::data(fmt::format("Cannot mask value of type: {}", type == "struct"
                                                                        ? "class org.apache.kafka."
                                                                          "connect.data.Struct"
                                                                        : type));
  }
  const std::string& rep = *replacement_;
  if (type == "string") return Json::string(rep);
  if (integral) {
    auto v = parse_integral(rep);
    if (!v) return Error::data(fmt::format("Unable to convert {} (class java.lang.String) to a number", rep));
    return Json::number(std::to_string(narrow(*v, type)));
  }
  if (floating) {
    char* end = nullptr;
    double d = std::strtod(rep.c_str(), &end);
    if (end != rep.c_str() + rep.size()) {
      return Error::data(fmt::format("Unable to convert {} (class java.lang.String) to a number", rep));
    }
    return Json::number(java_float_text(d, type == "float32" || type == "float"));
  }
  return Error::data(fmt::format("Cannot mask value of type {} with custom replacement.", type));
}

Result<bool> MaskField::apply(Record& record) {
  static constexpr std::string_view kPurpose = "mask fields";
  auto& data = operating(record, part_);
  if (!data || !data->schema) {  // schemaless: every listed field is put (null when absent)
    if (!data || !data->payload.is_object()) return require_map(data, kPurpose);
    for (const auto& name : fields_) {
      const Json* v = data->payload.find(name);
      auto m = masked(v != nullptr ? *v : Json::null(), nullptr);
      if (!m) return m.error();
      data->payload.set(name, std::move(*m));
    }
    return true;
  }
  if (!data->schema->is_struct() || !data->payload.is_object())
    return require_struct(data->payload, kPurpose);
  for (const auto& f : data->schema->fields) {
    if (!is_masked(f.name)) continue;
    Json* v = data->payload.find(f.name);
    if (v == nullptr) continue;
    auto m = masked(*v, f.schema.get());
    if (!m) return m.error();
    *v = std::move(*m);
  }
  return true;
}

}  // namespace sluice::transform
