// Kafka record -> SinkRecord: what one Debezium-format record (full envelope or ExtractNewRecordState's
// unwrapped row; JsonConverter with schemas on or off) asks of the target table, with every value already
// in Postgres' text input form. Pure: no I/O. Follows Debezium's JDBC sink (JdbcKafkaSinkRecord, the
// Postgres dialect's type bindings) for which records are writes, deletes, truncates or skipped, and how
// Connect/Debezium logical types map back to column types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pgsink/sink_config.h"
#include "pgsink/text_input.h"  // the text input helpers the tests call beside convert_record

namespace sluice::pgsink {

// The JSON kind of a value that arrived without a schema (schemas off): the target column's type decides
// how it is read (coerce_to_column).
enum class JsonKind { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

struct ColumnValue {
  std::string name;
  std::optional<std::string> text;  // Postgres text input; nullopt = NULL
  std::string sql_type;             // column type for CREATE TABLE / ADD COLUMN ("" when schemaless)
  bool optional = true;
  bool schemaless = false;
  JsonKind kind = JsonKind::kNull;
};

enum class RecordOp { kWrite, kDelete, kTruncate, kSkip };

struct KafkaRecord {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
};

struct SinkRecord {
  RecordOp op = RecordOp::kSkip;
  std::string table;                // collection.name.format resolved, e.g. public.customers
  std::vector<ColumnValue> key;     // primary key columns, in key order
  std::vector<ColumnValue> values;  // the other columns (writes only)
  std::string key_id;               // identity of the key (reduction of several changes to one row)
  std::string skip_reason;          // why a kSkip record is skipped (debug logging)
};

// Converts one record. Errors are kData, with the reason (the caller adds topic, partition and offset).
Result<SinkRecord> convert_record(const SinkConfig& config, const KafkaRecord& record);

// The Postgres column type of a Connect schema (JsonConverter schema JSON text of one field), as Debezium's
// Postgres dialect creates it: int32 -> integer, io.debezium.time.MicroTimestamp -> timestamp,
// org.apache.kafka.connect.data.Decimal(scale, connect.decimal.precision) -> numeric(p,s), Json -> json, ….
std::string column_type_of_schema(std::string_view field_schema_json);

// Target column (from the catalog) a schemaless value is written into.
struct TargetColumn {
  std::string type_name;  // pg_type.typname: int4, numeric, _int4, timestamptz, …
  int32_t typmod = -1;    // atttypmod
};
// Reads a schemaless value by the target column's type, as the source connector wrote it (Debezium's
// defaults: adaptive time precision, precise decimals, bytes as base64): an integer into a date column is
// days since the epoch, into time/timestamp(p) milliseconds (p <= 3) or microseconds, into interval
// microseconds; a base64 string into numeric(p,s) is a Decimal's unscaled value, into bytea bytes; an
// object {scale,value} into numeric a VariableScaleDecimal; a JSON array into an array column an array.
// Other values stay as they are. Errors are kData.
Status coerce_to_column(ColumnValue& value, const TargetColumn& column);

}  // namespace sluice::pgsink
