// io.debezium.transforms.outbox.EventRouter (the outbox pattern): a created outbox row becomes an event on
// the topic its route.by.field names (through route.topic.regex / route.topic.replacement), keyed by
// table.field.event.key, valued {payload, additional envelope fields} (or the bare payload), with an `id`
// header; deletes are dropped, updates per table.op.invalid.behavior. Follows Debezium's
// EventRouterDelegate, EventRouterConfigDefinition and JsonSchemaData (table.expand.json.payload).
#pragma once

#include <re2/re2.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transform/transform.h"

namespace sluice::transform {

class EventRouter final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;

  enum class Placement { kHeader, kEnvelope, kPartition };
  struct AdditionalField {
    Placement placement;
    std::string field;
    std::string alias;
  };

 private:
  Result<std::optional<int64_t>> event_timestamp(const Data& envelope, const Schema& event_schema,
                                                 const Json& after) const;
  Status expand_json_payload(Json& payload, SchemaPtr& payload_schema) const;
  Result<SchemaPtr> value_schema(const SchemaPtr& payload_schema, const Schema& event_schema,
                                 std::optional<int64_t> version, const std::string& routed);
  Result<SchemaPtr> build_value_schema(const SchemaPtr& payload_schema, const Schema& event_schema,
                                       const std::string& routed) const;

  std::string field_id_, field_key_, field_payload_, field_timestamp_, field_schema_version_, route_by_;
  std::vector<AdditionalField> additional_;
  bool ignore_missing_additional_ = false;
  bool only_headers_ = true;
  bool tombstone_on_empty_ = false;
  bool expand_json_ = false;
  bool json_null_as_bytes_ = false;
  bool json_empty_array_as_strings_ = false;
  enum class OnUpdate { kWarn, kError, kFatal } on_update_ = OnUpdate::kWarn;
  std::unique_ptr<RE2> route_regex_;
  std::string route_replacement_;  // RE2 rewrite form
  // Debezium's caches: by the payload schema (its value, not the routed topic: the first topic's name
  // sticks), or by the schema version when table.field.event.schema.version is set.
  std::map<std::string, SchemaPtr> by_payload_schema_;
  std::map<int64_t, SchemaPtr> by_version_;
};

// JsonSchemaData.toConnectSchema of one parsed JSON document (table.expand.json.payload) under `name`:
// nullptr when it gives none (an empty array or a null, ignored); kData where Debezium's inference throws (a
// mixed array: Debezium then keeps the string).
Result<SchemaPtr> infer_json_schema(const std::string& name, const Json& document, bool null_as_bytes,
                                    bool empty_array_as_strings);
// JsonSchemaData.toConnectData: the document's values in that schema's form; kData where Connect's Struct
// validation refuses one (Debezium then fails the record).
Result<Json> json_to_connect_value(const Json& document, const Schema& schema);

}  // namespace sluice::transform
