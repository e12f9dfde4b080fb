// Kafka Connect's Flatten$Key / $Value. As Connect's (connect/transforms, 4.x).
#include "transform/connect/flatten.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using namespace detail;  // NOLINT(google-build-using-namespace)

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

}  // namespace sluice::transform
