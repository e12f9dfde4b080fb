// InsertField, MaskField, ValueToKey, Flatten, HeaderFrom, Cast, TimestampConverter and TimestampRouter as
// Kafka Connect's (connect/transforms, 4.x).
#include "transform/field_transforms.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "common/civil_time.h"

namespace sluice::transform {

namespace {

constexpr size_t kCacheLimit = 256;
constexpr std::string_view kDecimal = "org.apache.kafka.connect.data.Decimal";

std::optional<Data>& operating(Record& r, Part part) {
  return part == Part::kKey ? r.key : r.value;
}

SchemaPtr primitive_schema(const char* type, bool optional) {
  auto s = std::make_shared<Schema>();
  s->type = type;
  s->optional = optional;
  return s;
}

// org.apache.kafka.connect.data.Timestamp (int64, version 1).
SchemaPtr timestamp_schema(bool optional) {
  auto s = std::make_shared<Schema>();
  s->type = "int64";
  s->optional = optional;
  s->name = "org.apache.kafka.connect.data.Timestamp";
  s->version = 1;
  return s;
}

// What Requirements.requireStruct / requireMap say (Connect's DataException messages).
Error require_struct(const Json& value, std::string_view purpose) {
  return Error::data(fmt::format("Only Struct objects supported for [{}], found: {}", purpose,
                                 value.is_null() ? "null" : "a non-struct value"));
}
Error require_map(const std::optional<Data>& data, std::string_view purpose) {
  return Error::data(fmt::format("Only Map objects supported in absence of schema for [{}], found: {}",
                                 purpose, !data || data->payload.is_null() ? "null" : "a non-map value"));
}

// Values.convertToLong of a string: new BigDecimal(text).longValue() (digits after the point dropped).
std::optional<int64_t> parse_integral(const std::string& text) {
  std::string s = text;
  if (auto dot = s.find_first_of(".eE"); dot != std::string::npos) {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(d) || std::fabs(d) >= 9.2e18) return std::nullopt;
    return static_cast<int64_t>(std::trunc(d));
  }
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

int64_t narrow(int64_t v, const std::string& type) {  // Java's (byte) / (short) / (int) casts wrap
  if (type == "int8") return static_cast<int8_t>(v);
  if (type == "int16") return static_cast<int16_t>(v);
  if (type == "int32") return static_cast<int32_t>(v);
  return v;
}

}  // namespace

std::string java_float_text(double v, bool is_float) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto r = is_float
               ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v), std::chars_format::scientific)
               : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // [-]d[.ddd]e±XX, the shortest that round-trips
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  auto e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp = std::stoi(sci.substr(e + 1));
  std::string out = negative ? "-" : "";
  double magnitude = std::fabs(is_float ? static_cast<float>(v) : v);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exp >= 0) {
      std::string int_part = digits.substr(0, std::min<size_t>(digits.size(), exp + 1));
      while (static_cast<int>(int_part.size()) < exp + 1) int_part.push_back('0');
      std::string frac = digits.size() > static_cast<size_t>(exp + 1) ? digits.substr(exp + 1) : "0";
      out += int_part + "." + frac;
    } else {
      out += "0." + std::string(-exp - 1, '0') + digits;
    }
  } else {
    out +=
        digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" + std::to_string(exp);
  }
  return out;
}

// ---- InsertField
// -------------------------------------------------------------------------------------------

std::optional<InsertField::Spec> InsertField::parse_spec(const std::string& raw) {
  if (raw.empty()) return std::nullopt;
  if (raw.ends_with('?')) return Spec{raw.substr(0, raw.size() - 1), true};
  if (raw.ends_with('!')) return Spec{raw.substr(0, raw.size() - 1), false};
  return Spec{raw, true};
}

Result<std::unique_ptr<Transform>> InsertField::create(Options& options, Part part) {
  auto t = std::make_unique<InsertField>();
  t->part_ = part;
  t->topic_ = parse_spec(options.str("topic.field"));
  t->partition_ = parse_spec(options.str("partition.field"));
  t->offset_ = parse_spec(options.str("offset.field"));
  t->timestamp_ = parse_spec(options.str("timestamp.field"));
  t->static_ = parse_spec(options.str("static.field"));
  bool has_static_value = options.has("static.value");
  t->static_value_ = options.str("static.value");
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  if (!t->topic_ && !t->partition_ && !t->offset_ && !t->timestamp_ && !t->static_) {
    return Error::fatal(
        fmt::format("invalid configuration of {}: no field insertion configured (set one of topic.field, "
                    "partition.field, "
                    "offset.field, timestamp.field, static.field)",
                    options.key("*")));
  }
  if (t->static_ && !has_static_value)
    return options.missing("static.value", "the value of static.field " + t->static_->name);
  return std::unique_ptr<Transform>(std::move(t));
}

Result<SchemaPtr> InsertField::updated_schema(const SchemaPtr& schema) {
  auto it = cache_.find(schema.get());
  if (it != cache_.end()) return it->second.second;
  auto s = std::make_shared<Schema>(copy_schema_basics(*schema));
  s->fields = schema->fields;
  std::optional<std::string> duplicate;
  auto add = [&](const std::optional<Spec>& spec, SchemaPtr field_schema) {
    if (!spec) return;
    if (s->field(spec->name) != nullptr) duplicate = spec->name;
    s->fields.push_back({spec->name, std::move(field_schema)});
  };
  add(topic_, primitive_schema("string", topic_ && topic_->optional));
  add(partition_, primitive_schema("int32", partition_ && partition_->optional));
  add(offset_, primitive_schema("int64", offset_ && offset_->optional));
  add(timestamp_, timestamp_schema(timestamp_ && timestamp_->optional));
  add(static_, primitive_schema("string", static_ && static_->optional));
  if (duplicate)  // SchemaBuilder.field's SchemaBuilderException
    return Error::data(fmt::format("Cannot create field because of field name duplication {}", *duplicate));
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_.emplace(schema.get(), std::make_pair(schema, SchemaPtr(s)));
  return SchemaPtr(s);
}

Result<bool> InsertField::apply(Record& record) {
  static constexpr std::string_view kPurpose = "field insertion";
  auto& data = operating(record, part_);
  if (!data || data->payload.is_null()) return true;  // Connect: a null key/value passes
  if (offset_) {
    return Error::data(
        fmt::format("Only SinkRecord supported for {}, found: "
                    "org.apache.kafka.connect.source.SourceRecord",
                    kPurpose));
  }
  if (!data->schema) {  // schemaless: the map plus the fields (a null partition / timestamp is not put)
    if (!data->payload.is_object()) return require_map(data, kPurpose);
    if (topic_) data->payload.set(topic_->name, Json::string(record.topic));
    if (partition_ && record.partition) {
      data->payload.set(partition_->name, Json::number(std::to_string(*record.partition)));
    }
    if (timestamp_ && record.timestamp_ms) {
      data->payload.set(timestamp_->name, Json::number(std::to_string(*record.timestamp_ms)));
    }
    if (static_) data->payload.set(static_->name, Json::string(static_value_));
    return true;
  }
  if (!data->schema->is_struct()) return require_struct(data->payload, kPurpose);
  if (!data->payload.is_object()) return require_struct(data->payload, kPurpose);
  auto updated_or = updated_schema(data->schema);
  if (!updated_or) return updated_or.error();
  SchemaPtr updated = std::move(*updated_or);
  // A required metadata field without a value (the partition, the timestamp) fails as Connect's struct
  // validation does.
  for (const auto* spec : {&partition_, &timestamp_}) {
    const bool known = spec == &partition_ ? record.partition.has_value() : record.timestamp_ms.has_value();
    if (*spec && !(*spec)->optional && !known) {
      return Error::data(
          fmt::format("Conversion error: null value for field that is required and has no default value: {}",
                      (*spec)->name));
    }
  }
  Json out = Json::object();
  out.members.reserve(updated->fields.size());
  auto& members = data->payload.members;
  for (size_t i = 0; i < data->schema->fields.size(); ++i) {
    const auto& f = data->schema->fields[i];
    // Members come in schema order (JsonConverter's): look further only when they do not.
    Json* v =
        i < members.size() && members[i].first == f.name ? &members[i].second : data->payload.find(f.name);
    out.members.emplace_back(f.name, v != nullptr ? std::move(*v) : Json::null());
  }
  if (topic_) out.members.emplace_back(topic_->name, Json::string(record.topic));
  if (partition_) {
    out.members.emplace_back(
        partition_->name, record.partition ? Json::number(std::to_string(*record.partition)) : Json::null());
  }
  if (timestamp_) {
    out.members.emplace_back(timestamp_->name, record.timestamp_ms
                                                   ? Json::number(std::to_string(*record.timestamp_ms))
                                                   : Json::null());
  }
  if (static_) out.members.emplace_back(static_->name, Json::string(static_value_));
  data->schema = std::move(updated);
  data->payload = std::move(out);
  return true;
}

// ---- MaskField
// ---------------------------------------------------------------------------------------------

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

// ---- ValueToKey
// --------------------------------------------------------------------------------------------

Result<std::unique_ptr<Transform>> ValueToKey::create(Options& options) {
  auto t = std::make_unique<ValueToKey>();
  if (!options.has("fields")) return options.missing("fields", "the value fields that form the key");
  t->fields_ = options.list("fields");
  if (t->fields_.empty())
    return options.invalid("fields", options.str("fields"),
                           "a non-empty comma-separated list of field names");
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> ValueToKey::apply(Record& record) {
  static constexpr std::string_view kPurpose = "copying fields from value to key";
  auto& value = record.value;
  if (!value || !value->schema) {  // schemaless (a tombstone too: Connect fails on it)
    if (!value || !value->payload.is_object()) return require_map(value, kPurpose);
    Json key = Json::object();
    for (const auto& name : fields_) {
      const Json* v = value->payload.find(name);
      key.set(name, v != nullptr ? *v : Json::null());
    }
    record.key = Data{nullptr, std::move(key)};
    return true;
  }
  if (!value->schema->is_struct() || !value->payload.is_object())
    return require_struct(value->payload, kPurpose);
  auto it = cache_.find(value->schema.get());
  if (it == cache_.end()) {
    auto s = std::make_shared<Schema>();
    s->type = "struct";
    for (const auto& name : fields_) {
      const Field* f = value->schema->field(name);
      if (f == nullptr) return Error::data(fmt::format("Field does not exist: {}", name));
      s->fields.push_back({name, f->schema});
    }
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(value->schema.get(), std::make_pair(value->schema, SchemaPtr(s))).first;
  }
  Json key = Json::object();
  for (const auto& name : fields_) {
    const Json* v = value->payload.find(name);
    key.members.emplace_back(name, v != nullptr ? *v : Json::null());
  }
  record.key = Data{it->second.second, std::move(key)};
  return true;
}

// ---- Flatten ----------------------------------------------------------------------------------------------

Result<std::unique_ptr<Transform>> Flatten::create(Options& options, Part part) {
  auto t = std::make_unique<Flatten>();
  t->part_ = part;
  t->delimiter_ = options.str("delimiter", ".");  // trimmed, as ConfigDef trims a STRING
  return std::unique_ptr<Transform>(std::move(t));
}

Status Flatten::build_schema(const Schema& schema, const std::string& prefix, Schema& out, bool optional,
                             const Json* parent_default) const {
  for (const auto& f : schema.fields) {
    const std::string field_name = name(prefix, f.name);
    const bool field_optional = optional || f.schema->optional;
    const Json* field_default = nullptr;
    if (f.schema->default_value && !f.schema->default_value->is_null()) {
      field_default = &*f.schema->default_value;
    } else if (parent_default != nullptr) {
      field_default = parent_default->find(f.name);
      if (field_default != nullptr && field_default->is_null()) field_default = nullptr;
    }
    const std::string& type = f.schema->type;
    if (type == "struct") {
      if (auto s = build_schema(*f.schema, field_name, out, field_optional, field_default); !s) return s;
    } else if (type == "map") {
      return Error::data(fmt::format(
          "Flatten transformation does not support MAP for record with schemas (for field {}).", field_name));
    } else {
      if (out.field(field_name) != nullptr) {
        return Error::data(
            fmt::format("Cannot create field because of field name duplication {}", field_name));
      }
      auto fs = std::make_shared<Schema>(copy_schema_basics(*f.schema));
      fs->optional = field_optional;
      if (field_default != nullptr) fs->default_value = *field_default;
      out.fields.push_back({field_name, std::move(fs)});
    }
  }
  return ok_status();
}

// Appends the leaf values in the order build_schema appends the leaf fields (a null struct: nulls).
void Flatten::build_value(const Schema& schema, Json& value, const std::string& prefix,
                          const Schema& out_schema, Json& out) const {
  for (const auto& f : schema.fields) {
    const std::string field_name = name(prefix, f.name);
    Json* v = value.is_object() ? value.find(f.name) : nullptr;
    if (f.schema->type == "struct") {
      Json none;
      build_value(*f.schema, v != nullptr ? *v : none, field_name, out_schema, out);
    } else {
      out.members.emplace_back(field_name, v != nullptr ? std::move(*v) : Json::null());
    }
  }
}

Status Flatten::build_schemaless(Json& value, const std::string& prefix, Json& out) const {
  for (auto& [k, v] : value.members) {
    const std::string field_name = name(prefix, k);
    if (v.is_object()) {
      if (auto s = build_schemaless(v, field_name, out); !s) return s;
    } else {
      out.set(field_name, std::move(v));
    }
  }
  return ok_status();
}

Result<bool> Flatten::apply(Record& record) {
  static constexpr std::string_view kPurpose = "flattening";
  auto& data = operating(record, part_);
  if (!data || data->payload.is_null()) return true;  // Connect: a null key/value passes, schema and all
  if (!data->schema) {
    if (!data->payload.is_object()) return require_map(data, kPurpose);
    Json out = Json::object();
    if (auto s = build_schemaless(data->payload, "", out); !s) return s.error();
    data->payload = std::move(out);
    return true;
  }
  if (!data->schema->is_struct()) return require_struct(data->payload, kPurpose);
  auto it = cache_.find(data->schema.get());
  if (it == cache_.end()) {
    auto s = std::make_shared<Schema>(copy_schema_basics(*data->schema));
    const Json* def = data->schema->default_value ? &*data->schema->default_value : nullptr;
    if (auto st = build_schema(*data->schema, "", *s, data->schema->optional, def); !st) return st.error();
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(data->schema.get(), std::make_pair(data->schema, SchemaPtr(s))).first;
  }
  const Schema& updated = *it->second.second;
  if (!data->payload.is_null()) {
    if (!data->payload.is_object()) return require_struct(data->payload, kPurpose);
    Json out = Json::object();
    out.members.reserve(updated.fields.size());
    build_value(*data->schema, data->payload, "", updated, out);
    // Struct.get: a null field with a default reads as the default (JsonConverter writes it).
    for (size_t i = 0; i < updated.fields.size(); ++i) {
      auto& v = out.members[i].second;
      if (v.is_null() && updated.fields[i].schema->default_value)
        v = *updated.fields[i].schema->default_value;
    }
    data->payload = std::move(out);
  }
  data->schema = it->second.second;
  return true;
}

// ---- HeaderFrom -------------------------------------------------------------------------------------------

Result<std::unique_ptr<Transform>> HeaderFrom::create(Options& options, Part part) {
  auto t = std::make_unique<HeaderFrom>();
  t->part_ = part;
  for (const char* option : {"fields", "headers", "operation"}) {
    if (!options.has(option))
      return options.missing(option, "fields, headers (as many) and operation (move, copy)");
  }
  t->fields_ = options.list("fields");
  if (t->fields_.empty())
    return options.invalid("fields", options.str("fields"),
                           "a non-empty comma-separated list of field names");
  t->headers_ = options.list("headers");
  if (t->headers_.empty())
    return options.invalid("headers", options.str("headers"),
                           "a non-empty comma-separated list of header names");
  if (t->headers_.size() != t->fields_.size()) {
    return options.invalid("headers", options.str("headers"),
                           fmt::format("as many header names as fields ({})", t->fields_.size()));
  }
  auto op = options.str("operation");
  if (op != "move" && op != "copy") return options.invalid("operation", op, "move, copy");
  t->move_ = op == "move";
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> HeaderFrom::apply(Record& record) {
  const std::string purpose = move_ ? "header move" : "header copy";
  auto& data = operating(record, part_);
  auto header_text = [](const Json* v) { return v != nullptr ? v->to_display_string().value_or("") : ""; };
  if (!data || !data->schema) {
    if (!data || !data->payload.is_object()) return require_map(data, purpose);
    for (size_t i = 0; i < fields_.size(); ++i) {
      record.headers.push_back({headers_[i], header_text(data->payload.find(fields_[i]))});
    }
    if (move_) {
      for (const auto& f : fields_) data->payload.erase(f);
    }
    return true;
  }
  if (!data->schema->is_struct() || !data->payload.is_object()) return require_struct(data->payload, purpose);
  for (size_t i = 0; i < fields_.size(); ++i) {
    const Field* f = data->schema->field(fields_[i]);
    if (f == nullptr)  // Connect: a NullPointerException on the field's schema
      return Error::data(fmt::format("HeaderFrom: the record has no field {}", fields_[i]));
    const Json* v = data->payload.find(fields_[i]);
    record.headers.push_back({headers_[i], header_text(v), f->schema, v != nullptr ? *v : Json::null()});
  }
  if (!move_) return true;
  auto it = cache_.find(data->schema.get());
  if (it == cache_.end()) {
    auto s = std::make_shared<Schema>(copy_schema_basics(*data->schema));
    for (const auto& f : data->schema->fields) {
      if (std::find(fields_.begin(), fields_.end(), f.name) == fields_.end()) s->fields.push_back(f);
    }
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(data->schema.get(), std::make_pair(data->schema, SchemaPtr(s))).first;
  }
  for (const auto& f : fields_) data->payload.erase(f);
  data->schema = it->second.second;
  return true;
}

// ---- Cast -------------------------------------------------------------------------------------------------

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

// ---- TimestampConverter -----------------------------------------------------------------------------------

namespace {

constexpr std::string_view kTimestampName = "org.apache.kafka.connect.data.Timestamp";
constexpr std::string_view kDateName = "org.apache.kafka.connect.data.Date";
constexpr std::string_view kTimeName = "org.apache.kafka.connect.data.Time";
constexpr int64_t kMsPerDay = 86400000;

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::string padded(int64_t v, int count) {
  std::string digits = std::to_string(v);
  if (static_cast<int>(digits.size()) < count) digits.insert(0, count - digits.size(), '0');
  return digits;
}

}  // namespace

// A SimpleDateFormat pattern (the letters sluice implements), compiled; kFatal naming the option.
Result<std::vector<TimestampConverter::Token>> compile_date_format(const Options& options,
                                                                   const std::string& option,
                                                                   const std::string& p) {
  std::vector<TimestampConverter::Token> out;
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\'') {
      if (i + 1 < p.size() && p[i + 1] == '\'') {  // '' is a quote
        out.push_back({0, 0, "'"});
        i += 2;
        continue;
      }
      auto close = p.find('\'', i + 1);
      if (close == std::string::npos) return options.invalid(option, p, "a pattern whose quotes are closed");
      out.push_back({0, 0, p.substr(i + 1, close - i - 1)});
      i = close + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < p.size() && p[j] == c) ++j;
      int count = static_cast<int>(j - i);
      if (std::strchr("yMdHmsS", c) == nullptr || (c == 'M' && count > 2) || (c == 'y' && count == 2)) {
        return options.invalid(option, p,
                               "a SimpleDateFormat pattern of y (not yy), M, MM, d, H, m, s, S and quoted "
                               "text (sluice implements "
                               "these letters)");
      }
      out.push_back({c, count, ""});
      i = j;
    } else {
      out.push_back({0, 0, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

// Formats ms since the epoch (UTC) with a compiled pattern.
Result<std::string> format_date(const std::vector<TimestampConverter::Token>& format, int64_t ms) {
  const int64_t days = floor_div(ms, kMsPerDay);
  int64_t rest = ms - days * kMsPerDay;
  const CivilDate civil = civil_from_days(days);
  const int64_t y = civil.year, mo = civil.month, d = civil.day;
  if (y < 1) return Error::data("formatting a year before 1 AD is not implemented by sluice");
  std::string out;
  for (const auto& tok : format) {
    switch (tok.letter) {
      case 0:
        out += tok.literal;
        break;
      case 'y':
        out += padded(y, tok.count);
        break;
      case 'M':
        out += padded(mo, tok.count);
        break;
      case 'd':
        out += padded(d, tok.count);
        break;
      case 'H':
        out += padded(rest / 3600000, tok.count);
        break;
      case 'm':
        out += padded(rest / 60000 % 60, tok.count);
        break;
      case 's':
        out += padded(rest / 1000 % 60, tok.count);
        break;
      default:
        out += padded(rest % 1000, tok.count);
        break;
    }
  }
  return out;
}

Result<std::unique_ptr<Transform>> TimestampConverter::create(Options& options, Part part) {
  auto t = std::make_unique<TimestampConverter>();
  t->part_ = part;
  t->field_ = options.str("field");
  if (!options.has("target.type"))
    return options.missing("target.type", "string, unix, Date, Time or Timestamp");
  t->type_ = options.str("target.type");
  if (t->type_ != "string" && t->type_ != "unix" && t->type_ != "Date" && t->type_ != "Time" &&
      t->type_ != "Timestamp") {
    return options.invalid("target.type", t->type_, "string, unix, Date, Time, Timestamp");
  }
  t->pattern_ = options.str("format");
  t->unit_ = options.str("unix.precision", "milliseconds");
  if (t->unit_ != "seconds" && t->unit_ != "milliseconds" && t->unit_ != "microseconds" &&
      t->unit_ != "nanoseconds") {
    return options.invalid("unix.precision", t->unit_, "nanoseconds, microseconds, milliseconds, seconds");
  }
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  if (t->type_ == "string" && t->pattern_.empty())
    return options.missing("format", "a SimpleDateFormat pattern, required with target.type=string");
  auto compiled = compile_date_format(options, "format", t->pattern_);
  if (!compiled) return compiled.error();
  t->format_ = std::move(*compiled);
  return std::unique_ptr<Transform>(std::move(t));
}

SchemaPtr TimestampConverter::target_schema(bool optional) const {
  auto s = std::make_shared<Schema>();
  s->optional = optional;
  if (type_ == "string") {
    s->type = "string";
  } else if (type_ == "unix") {
    s->type = "int64";
  } else {
    s->type = type_ == "Timestamp" ? "int64" : "int32";
    s->name = std::string(type_ == "Timestamp" ? kTimestampName : type_ == "Date" ? kDateName : kTimeName);
    s->version = 1;
  }
  return s;
}

Result<Json> TimestampConverter::convert(const Schema* schema, const Json& value) const {
  if (value.is_null()) return Json::null();
  // The input's kind, from the schema (Connect's timestampTypeFromSchema) or, schemaless, the value.
  std::string from;
  if (schema != nullptr) {
    const std::string name = schema->name.value_or("");
    if (name == kTimestampName) {
      from = "Timestamp";
    } else if (name == kDateName) {
      from = "Date";
    } else if (name == kTimeName) {
      from = "Time";
    } else if (schema->type == "int64") {
      from = "unix";
    } else if (schema->type == "string") {
      from = "string";
    } else {
      return Error::data(
          fmt::format("Schema {} does not correspond to a known timestamp type format", schema->json()));
    }
  } else if (value.kind == Json::Kind::kNumber && value.text.find_first_of(".eE") == std::string::npos) {
    from = "unix";
  } else if (value.is_string()) {
    from = "string";
  } else {
    return Error::data("TimestampConverter does not support this value type");
  }
  // toRaw: the instant in epoch milliseconds.
  int64_t ms = 0;
  if (from == "string") {
    if (format_.empty()) {
      return Error::data(
          "TimestampConverter requires format option to be specified when using string timestamps");
    }
    const std::string& text = value.text;
    int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0;
    size_t pos = 0;
    auto fail = [&] {
      return Error::data(
          fmt::format("Could not parse timestamp: value ({}) does not match pattern ({})", text, pattern_));
    };
    for (size_t i = 0; i < format_.size(); ++i) {
      const Token& tok = format_[i];
      if (tok.letter == 0) {
        if (text.compare(pos, tok.literal.size(), tok.literal) != 0) return fail();
        pos += tok.literal.size();
        continue;
      }
      const bool abutting = i + 1 < format_.size() && format_[i + 1].letter != 0;
      size_t end = pos;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) &&
             (!abutting || end - pos < static_cast<size_t>(tok.count)))
        ++end;
      if (end == pos || end - pos > 18) return fail();
      int64_t v = std::stoll(text.substr(pos, end - pos));
      pos = end;
      switch (tok.letter) {
        case 'y':
          y = v;
          break;
        case 'M':
          mo = v;
          break;
        case 'd':
          d = v;
          break;
        case 'H':
          h = v;
          break;
        case 'm':
          mi = v;
          break;
        case 's':
          sec = v;
          break;
        default:
          frac = v;
          break;  // S: milliseconds
      }
    }
    // Lenient, as SimpleDateFormat: out-of-range fields roll over.
    int64_t m0 = mo - 1;
    y += floor_div(m0, 12);
    m0 -= floor_div(m0, 12) * 12;
    ms = (days_from_civil(y, static_cast<unsigned>(m0 + 1), 1) + d - 1) * kMsPerDay + h * 3600000 +
         mi * 60000 + sec * 1000 + frac;
  } else {
    auto v = parse_integral(value.text);
    if (!v) return Error::data(fmt::format("Expected a number for a {} timestamp", from));
    ms = *v;
    if (from == "Date") ms = *v * kMsPerDay;
    if (from == "unix") {
      if (unit_ == "seconds") ms = *v * 1000;
      if (unit_ == "microseconds") ms = *v / 1000;  // TimeUnit.toMillis truncates toward zero
      if (unit_ == "nanoseconds") ms = *v / 1000000;
    }
  }
  // toType.
  if (type_ == "Timestamp") return Json::number(std::to_string(ms));
  if (type_ == "Date") return Json::number(std::to_string(floor_div(ms, kMsPerDay)));
  if (type_ == "Time") return Json::number(std::to_string(ms - floor_div(ms, kMsPerDay) * kMsPerDay));
  if (type_ == "unix") {
    int64_t out = ms;
    if (unit_ == "seconds") out = ms / 1000;
    if (unit_ == "microseconds") out = ms * 1000;
    if (unit_ == "nanoseconds") out = ms * 1000000;
    return Json::number(std::to_string(out));
  }
  auto text = format_date(format_, ms);
  if (!text) return text.error();
  return Json::string(std::move(*text));
}

Result<bool> TimestampConverter::apply(Record& record) {
  static constexpr std::string_view kPurpose = "converting timestamp formats";
  auto& data = operating(record, part_);
  if (!data) return true;
  if (!data->schema) {
    if (data->payload.is_null() || field_.empty()) {
      auto v = convert(nullptr, data->payload);
      if (!v) return v.error();
      data->payload = std::move(*v);
      return true;
    }
    if (!data->payload.is_object()) return require_map(data, kPurpose);
    Json* f = data->payload.find(field_);
    auto v = convert(nullptr, f != nullptr ? *f : Json::null());
    if (!v) return v.error();
    data->payload.set(field_, std::move(*v));
    return true;
  }
  if (field_.empty()) {
    auto v = convert(data->schema.get(), data->payload);
    if (!v) return v.error();
    data->payload = std::move(*v);
    data->schema = target_schema(data->schema->optional);
    return true;
  }
  if (!data->schema->is_struct()) return require_struct(data->payload, kPurpose);
  auto it = cache_.find(data->schema.get());
  if (it == cache_.end()) {
    if (data->schema->default_value && !data->schema->default_value->is_null())
      return Error::data(
          "TimestampConverter on a struct schema with a default value is not implemented by sluice");
    auto s = std::make_shared<Schema>(copy_schema_basics(*data->schema));
    for (const auto& f : data->schema->fields) {
      s->fields.push_back(f.name == field_ ? Field{f.name, target_schema(f.schema->optional)} : f);
    }
    s->optional = data->schema->optional;
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(data->schema.get(), std::make_pair(data->schema, SchemaPtr(s))).first;
  }
  if (!data->payload.is_null()) {
    if (!data->payload.is_object()) return require_struct(data->payload, kPurpose);
    if (const Field* f = data->schema->field(field_)) {
      if (Json* v = data->payload.find(field_)) {
        auto c = convert(f->schema.get(), *v);
        if (!c) return c.error();
        *v = std::move(*c);
      }
    }
  }
  data->schema = it->second.second;
  return true;
}

// ---- TimestampRouter
// ---------------------------------------------------------------------------------------

Result<std::unique_ptr<Transform>> TimestampRouter::create(Options& options) {
  auto t = std::make_unique<TimestampRouter>();
  t->topic_format_ = options.str("topic.format", "${topic}-${timestamp}");
  t->timestamp_format_ = options.str("timestamp.format", "yyyyMMdd");
  auto compiled = compile_date_format(options, "timestamp.format", t->timestamp_format_);
  if (!compiled) return compiled.error();
  t->format_ = std::move(*compiled);
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> TimestampRouter::apply(Record& record) {
  // A source record's timestamp is what the connector set: Debezium sets none (nor does sluice); an
  // EventRouter before sets one.
  if (!record.timestamp_ms) {
    return Error::data(
        fmt::format("Timestamp missing on record: SourceRecord{{topic='{}', timestamp=null}}", record.topic));
  }
  auto ts = format_date(format_, *record.timestamp_ms);
  if (!ts) return ts.error();
  std::string topic = topic_format_;
  for (auto [placeholder, text] : {std::pair<std::string, std::string>{"${topic}", record.topic},
                                   std::pair<std::string, std::string>{"${timestamp}", *ts}}) {
    for (size_t at = topic.find(placeholder); at != std::string::npos;
         at = topic.find(placeholder, at + text.size())) {
      topic.replace(at, placeholder.size(), text);
    }
  }
  record.topic = std::move(topic);
  return true;
}

}  // namespace sluice::transform
