// Value conversion: one Postgres column, as pgoutput (or a snapshot query) prints it in text, becomes the
// value Debezium's PostgresValueConverter would put in the event, written as Kafka Connect's JsonConverter
// writes it, together with the matching JsonConverter field schema.
// Follows debezium 3.4-3.7 PostgresValueConverter / JdbcValueConverters (ConverterOptions::compat_minor picks
// the release where they differ) and the pgoutput column resolution in
// ReplicationMessageColumnValueResolver + PgOutputColumnValue (pgjdbc TypeInfoCache gives length/scale).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "common/result.h"
#include "decode/pgoutput.h"
#include "event/column_mask.h"
#include "event/table_schema.h"

namespace sluice::event {

// The Kafka Connect shape of a column or array element; chosen once from the Postgres type and the
// ConverterOptions modes (each mode of a type is its own kind, so a new mode is a new case).
enum class ValueKind : uint8_t {
  kBoolean,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kString,            // text, varchar, bpchar, "char", name, inet, cidr, macaddr(8), ranges: passed through
  kJson,              // io.debezium.data.Json
  kXml,               // io.debezium.data.Xml
  kUuid,              // io.debezium.data.Uuid
  kBytes,             // bytea, binary.handling.mode=bytes
  kBinaryString,      // bytea, binary.handling.mode=base64|base64-url-safe|hex (STRING)
  kDecimal,           // numeric(p,s) / money, decimal.handling.mode=precise: Connect Decimal
  kVariableDecimal,   // numeric without typmod, precise: io.debezium.data.VariableScaleDecimal
  kDecimalDouble,     // numeric / money, decimal.handling.mode=double
  kDecimalString,     // numeric / money, decimal.handling.mode=string
  kDate,              // io.debezium.time.Date (days)
  kTime,              // io.debezium.time.Time (ms of day)
  kMicroTime,         // io.debezium.time.MicroTime (us of day)
  kTimestamp,         // io.debezium.time.Timestamp (ms)
  kMicroTimestamp,    // io.debezium.time.MicroTimestamp (us)
  kConnectDate,       // time.precision.mode=connect: org.apache.kafka.connect.data.Date
  kConnectTime,       // ... org.apache.kafka.connect.data.Time (ms)
  kConnectTimestamp,  // ... org.apache.kafka.connect.data.Timestamp (ms)
  kZonedTimestamp,    // io.debezium.time.ZonedTimestamp (ISO string, UTC)
  kZonedTime,         // io.debezium.time.ZonedTime (ISO string, UTC)
  kMicroDuration,     // interval, interval.handling.mode=numeric: io.debezium.time.MicroDuration
  kInterval,          // interval, interval.handling.mode=string: io.debezium.time.Interval (ISO 8601)
  kBit,               // bit(1): BOOLEAN
  kBits,              // bit(n>1), varbit: io.debezium.data.Bits (BitSet.toByteArray, little-endian)
  kEnum,              // enum: io.debezium.data.Enum with the labels in "allowed"
  kLtree,             // ltree: io.debezium.data.Ltree
  kHstoreJson,        // hstore, hstore.handling.mode=json: io.debezium.data.Json of a HashMap
  kHstoreMap,         // hstore, hstore.handling.mode=map: MAP<STRING, optional STRING>
  kPoint,             // point: io.debezium.data.geometry.Point {x, y, wkb, srid}
  kGeometric,         // line, lseg, box, path, polygon, circle (Debezium 3.7+): event/geometry.h
  kTsvector,          // tsvector: io.debezium.data.Tsvector
  kUnknown,           // include.unknown.datatypes: the text form's UTF-8 bytes, in the binary.handling.mode
  kArray,             // one-dimensional array of `element`
};

struct TypeSpec {
  ValueKind kind = ValueKind::kString;
  uint32_t pg_type = 0;    // the Postgres type (for arrays: the array type)
  int32_t precision = -1;  // Decimal: connect.decimal.precision (-1: no parameter, as for money)
  int32_t scale = 0;       // Decimal: scale; ZonedTimestamp: fraction digits (0: none, trimmed)
  bool money = false;      // money text ("-$1,234.50") rather than numeric text
  ConverterOptions::BinaryMode binary = ConverterOptions::BinaryMode::kBytes;
  std::string allowed;  // kEnum: the labels joined with ','; kBits: precision holds the length
  // As an array element: not optional in the schema ("items") (Debezium's enum, tsvector and unknown-type
  // arrays) ...
  bool required = false;
  // ... and a NULL element makes the whole array null (those, and ltree arrays before Debezium 3.7).
  bool null_fails = false;
  // sluice.compat.version's minor (ConverterOptions::compat_minor), for the values whose mapping changed.
  int compat_minor = 7;
};

// A column.mask.* / column.truncate.* property applied to one character column (MaskStrings /
// TruncateColumn after the column's value converter). The masked forms of the values that do not depend on
// the row are rendered once.
struct ColumnMask {
  enum class Kind : uint8_t { kNone, kReplace, kHash, kTruncate };
  Kind kind = Kind::kNone;
  std::shared_ptr<const event::StringHasher> hasher;  // kHash
  // kHash: the column length (pgjdbc precision) the hex digest is cut to; kTruncate: N (UTF-16 units).
  size_t max_units = 0;
  std::string replace_json;   // kReplace: the value of every row, null included
  std::string toast_json;     // the unchanged-TOAST placeholder, masked
  std::string fallback_json;  // a null in a NOT NULL column (its default, else the type's fallback), masked
};

// How one column's text value becomes a Debezium value; chosen once per column from type + options.
struct ColumnConverter {
  size_t column_index = 0;  // position in TableInfo::columns and in a Row
  std::string name;
  bool optional = true;
  TypeSpec type;
  TypeSpec element;  // kArray only
  // This column's entry in a struct's "fields": its JsonConverter schema with "field":"<name>" last.
  std::string field_schema_json;
  // Its entry in the key struct's "fields" when that differs (Debezium's key fields get no column mapper,
  // so no source type parameters); empty: field_schema_json.
  std::string key_field_schema_json;
  // The JSON value for an unchanged TOAST column (pgoutput 'u'): the placeholder in the column's shape
  // where Debezium has one, else null.
  std::string unavailable_json;
  // The JSON value Debezium emits for a null in a NOT NULL column (e.g. non-key columns of a DELETE's
  // key-only old tuple): its per-type fallback. Column defaults are not modelled.
  std::string null_fallback_json;
  // The column default as Debezium's PostgresDefaultValueConverter reads it (JSON), or empty for none. It
  // is the schema's "default", and JsonConverter writes it in place of a null value (Struct.get).
  std::string default_json;
  ColumnMask mask;  // kNone unless a mask or truncation property matches the column
};

// The converter for a column, or nullopt when Debezium has no mapping for its type (the column is then
// dropped from schema and payload). With include.unknown.datatypes, scalar types without a mapping and arrays
// of non-builtin types (domains, composites, extension types) are kept as Debezium keeps them: binary
// (binary.handling.mode) holding the text form; builtin arrays without a mapping stay dropped.
std::optional<ColumnConverter> make_column_converter(const ColumnInfo& column, size_t column_index,
                                                     const ConverterOptions& options);

// Applies a mask or truncation property to a converter made by make_column_converter (its value and the
// schema's "masked" / "truncateLength" parameter), as Debezium's ColumnMappers would. Debezium masks only
// character columns (JDBC CHAR/VARCHAR: text, varchar, bpchar, "char", name, enums) and passes every other
// value through in clear: for such a column the result is Error::fatal naming the property and the column,
// so that a masked value is never published in clear. Truncation of a column no longer than N is no change.
Status apply_column_mask(ColumnConverter& converter, const ColumnInfo& column, const event::MaskSpec& spec,
                         std::shared_ptr<const event::StringHasher> hasher, std::string_view column_id);

// column.propagate.source.type / datatype.propagate.source.type on a converter made by
// make_column_converter: the __debezium.source.column.* parameters (event/source_type.h) in the value
// schema's field, after the type's own; the key schema's field is left as it was, as in Debezium.
void apply_source_type_parameters(ColumnConverter& converter, const ColumnInfo& column, bool from_stream);

// Writes one column value. Postgres values that Debezium cannot represent in the chosen mode (NaN in a
// precise decimal) are written as null, as Debezium's default event.converting.failure.handling.mode=warn
// does; a multidimensional array as one null per sub-array of its outer dimension (null with required
// elements). Text that is not valid Postgres output for the type
// is an Error::data naming the type and the text (the serializer adds table and column).
// scratch is a reusable buffer (its contents are clobbered).
Status write_column_value(const ColumnConverter& converter, const decode::TupleValue& value, JsonWriter& w,
                          std::string& scratch);

// Writes the JsonConverter schema of a type; field_name (if not empty) is appended as "field".
// extra_parameters: schema parameters after the type's own (a column mask's "masked" / "truncateLength").
void write_type_schema(JsonWriter& w, const TypeSpec& type, const TypeSpec* element, bool optional,
                       std::string_view field_name, std::string_view default_json = {},
                       const std::vector<std::pair<std::string, std::string>>& extra_parameters = {});

// The literal text of a column default expression as pg_get_expr prints it ("42", "'abc'::text",
// "(-1)", "true"), or nullopt for an expression (now(), nextval(...)) that is not a constant.
std::optional<std::string> default_literal(std::string_view expr);

}  // namespace sluice::event
