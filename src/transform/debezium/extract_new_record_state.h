// io.debezium.transforms.ExtractNewRecordState ("unwrap"): replaces a change event's envelope by its new
// row state (the `after` struct), as Debezium's does: delete.tombstone.handling.mode, add.fields /
// add.headers (with their prefixes and the source.* / transaction.* fields), route.by.field,
// drop.fields.header.name / drop.fields.from.key / drop.fields.keep.schema.compatible,
// replace.null.with.default. Records that are not change events (heartbeats, transaction metadata) pass
// unchanged.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "event/unwrap_mode.h"
#include "transform/transform.h"

namespace sluice::transform {

class ExtractNewRecordState final : public Transform {
 public:
  using Mode = event::UnwrapMode;
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;
  // The delete.tombstone.handling.mode when no other option is set (no add.fields, add.headers,
  // route.by.field, drop.fields.header.name): the configurations the event serializer writes unwrapped
  // itself (event::SerializerOptions::unwrap). Nullopt otherwise.
  std::optional<Mode> plain_mode() const;

  // One add.fields / add.headers entry: [struct.]field[:new_name].
  struct FieldReference {
    std::string parent;  // "source", "transaction", "" (a top-level field: op, ts_ms, ts_us, ts_ns)
    std::string field;
    std::string new_field;
  };

 private:
  // The schema of the added field (copySchemaBasics + optional), or null when the envelope has no such field.
  static SchemaPtr reference_schema(const FieldReference& ref, const Schema& envelope);
  static Json reference_value(const FieldReference& ref, const Schema& envelope, const Json& value);
  Data add_fields(const Data& unwrapped, const Data& envelope, const std::string& op);
  Result<bool> drop_fields(Record& record);

  Mode mode_ = Mode::kTombstone;
  std::vector<FieldReference> fields_;
  std::vector<FieldReference> headers_;
  std::string route_by_field_;
  std::string drop_fields_header_;
  bool drop_fields_from_key_ = false;
  bool drop_fields_keep_schema_compatible_ = true;
  // (unwrapped schema, op) -> schema with the added fields (Debezium's schemaUpdateCache).
  std::map<std::pair<const Schema*, std::string>, std::pair<SchemaPtr, SchemaPtr>> add_cache_;
  // schema -> schema with __deleted (InsertField's cache).
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> deleted_cache_;
};

}  // namespace sluice::transform
