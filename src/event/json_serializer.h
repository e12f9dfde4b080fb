// JsonSerializer: ChangeEvent -> Kafka message key and value bytes, exactly as Debezium's Postgres
// connector + Kafka Connect's JsonConverter produce them (schemas.enable true: {"schema":…,"payload":…}).
#pragma once

#include <optional>
#include <string>

#include "common/json_writer.h"
#include "common/result.h"
#include "event/change_event.h"
#include "event/unwrap_mode.h"

namespace sluice::event {

struct SerializerOptions {
  std::string server_name;               // topic.prefix -> source.name
  std::string database;                  // database.dbname -> source.db
  std::string version = SLUICE_VERSION;  // source.version
  bool key_schemas_enable = true;
  bool value_schemas_enable = true;
  int compat_minor = 7;  // sluice.compat.version (ConverterOptions::compat_minor): 3.5+ adds source.origin*
  // ExtractNewRecordState done while serializing (transform::Chain::take_serialized_unwrap): value() writes
  // the unwrapped record in this delete.tombstone.handling.mode, byte for byte what the transform makes of
  // the envelope.
  std::optional<UnwrapMode> unwrap;
};

// The payload of the io.debezium.connector.postgresql.Source struct (schema and table are "" for a logical
// decoding message). scratch is reused for source.sequence.
void write_source_payload(JsonWriter& w, const SerializerOptions& options, const Source& source,
                          std::string_view schema, std::string_view table, std::string& scratch);

class JsonSerializer {
 public:
  explicit JsonSerializer(SerializerOptions options);

  // Writes the key into out (cleared first). Returns false (and leaves out empty) when the key is null:
  // the table has no primary key.
  Result<bool> key(const ChangeEvent& event, std::string& out);
  // The key as a __debezium.newkey/oldkey header carries it: Kafka Connect's SimpleHeaderConverter writes
  // the key struct as bare JSON whatever key.converter.schemas.enable says.
  Result<bool> key_header(const ChangeEvent& event, std::string& out);
  // What value() wrote: a document, or (with SerializerOptions::unwrap) a Kafka null value or nothing (the
  // transform drops the record: a truncate, a delete in mode drop).
  enum class Written { kDocument, kNull, kDropped };
  // Writes the value envelope (or its unwrapped record) into out (cleared first). Errors are kData naming
  // table, column and value (out is left empty).
  Result<Written> value(const ChangeEvent& event, std::string& out);
  // With SerializerOptions::unwrap, the tombstone after a delete is dropped (all modes but
  // rewrite-with-tombstone).
  bool drops_tombstones() const;

 private:
  // deleted: the value of an added __deleted field (unwrap's rewrite modes), or null.
  Status write_row(const TableSchema& table, Row row, bool key_only, const char* deleted = nullptr);
  Result<Written> unwrapped_value(const ChangeEvent& event, std::string& out);
  Result<bool> write_key_document(const ChangeEvent& event, std::string& out, bool with_schema);
  void write_source(const ChangeEvent& event);

  SerializerOptions options_;
  StringSink sink_;
  JsonWriter writer_;    // reset onto the caller's buffer per message; keeps its stack allocation
  std::string scratch_;  // reused by value conversion
};

}  // namespace sluice::event
