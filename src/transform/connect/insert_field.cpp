// Kafka Connect's InsertField$Key / $Value: the record's topic, partition, offset, timestamp and a static As
// Connect's (connect/transforms, 4.x).
#include "transform/connect/insert_field.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using namespace detail;  // NOLINT(google-build-using-namespace)

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

}  // namespace sluice::transform
