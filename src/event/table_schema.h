// TableSchema: one captured table as Debezium sees it (columns with their Kafka Connect types) plus the
// pre-rendered JsonConverter schemas for its key and value envelope. Built once per Relation message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/lsn.h"
#include "common/result.h"
#include "event/column_mask.h"

namespace sluice::event {

struct ConverterOptions {
  enum class DecimalMode { kPrecise, kDouble, kString };
  enum class TimePrecisionMode { kAdaptive, kAdaptiveTimeMicroseconds, kConnect };
  enum class BinaryMode { kBytes, kBase64, kBase64UrlSafe, kHex };
  enum class IntervalMode { kNumeric, kString };
  enum class HstoreMode { kJson, kMap };
  DecimalMode decimal = DecimalMode::kPrecise;
  TimePrecisionMode time_precision = TimePrecisionMode::kAdaptive;
  BinaryMode binary = BinaryMode::kBytes;
  IntervalMode interval = IntervalMode::kNumeric;
  HstoreMode hstore = HstoreMode::kJson;
  std::string unavailable_value_placeholder = "__debezium_unavailable_value";
  // include.unknown.datatypes: keep columns of types Debezium has no converter for (see value_converter.h).
  bool include_unknown_datatypes = false;
  // sluice.compat.version: the Debezium 3.x minor release whose mappings to follow
  // (config::kNewestCompatMinor by default); older ones keep the mappings that changed since (README: what
  // changed between 3.4 and 3.7).
  int compat_minor = 7;
  // column.include.list / column.exclude.list and the column.mask.* / column.truncate.* properties (null:
  // none): applied once, where the table's converters and value schema are built.
  std::shared_ptr<const event::ColumnRules> column_rules;
  // The schema is built for a pgoutput Relation message (streaming) rather than from the catalog read of a
  // snapshot: Debezium's source type lengths and scales differ between the two (event/source_type.h).
  bool from_stream = false;
};

// A column as read from the catalog, in pgoutput column order.
struct ColumnInfo {
  std::string name;
  Oid type;              // pg_type oid; for a domain, the base type
  int32_t typmod = -1;   // atttypmod (-1: none)
  bool optional = true;  // !pg_attribute.attnotnull
  bool key = false;      // part of the primary key (Debezium builds the key from the primary key)
  // 1-based position in the primary key (pg_index.indkey order): Debezium orders the key struct's fields
  // by it (JDBC KEY_SEQ). 0 = unknown: key fields follow column order.
  int16_t key_position = 0;
  // Non-builtin types (extensions, enums) are mapped by name and kind: pg_type.typname / typtype.
  std::string type_name;
  char type_kind = 'b';
  std::vector<std::string> enum_values;  // type_kind 'e' (or an enum array): the labels, in sort order
  // An array of a non-builtin type: the element's typtype (e: enum, d: domain, c: composite, b: base) and
  // typname; 0 for every other type.
  char element_kind = 0;
  std::string element_name;
  std::optional<std::string> default_expr;  // the column default as pg_get_expr prints it
  // pgjdbc's TYPE_NAME for the column (event/source_type.h jdbc_type_name): the declared type's typname (a
  // domain's own name, _int4 for int4[]) or serial / bigserial / smallserial. Empty: unknown, type_name.
  std::string source_type;
  bool domain = false;  // declared with a domain: type and typmod are its base type's
};

struct TableInfo {
  Oid oid;
  std::string schema;
  std::string table;
  char replica_identity = 'd';
  std::vector<ColumnInfo> columns;
};

// How one column's text value becomes a Debezium value; chosen once per column from type + options.
// Complete type in event/value_converter.h.
struct ColumnConverter;

class TableSchema {
 public:
  // Fails (kFatal) on an invalid topic prefix, on a column filter that leaves out a key column and on a
  // mask that matches a key column or a column Debezium would not mask (both would be published in clear);
  // unsupported column types are dropped from the schema (as Debezium does without
  // include.unknown.datatypes), and so are the columns options.column_rules leaves out.
  // topic_delimiter (topic.delimiter) joins prefix, schema and table in the topic and schema names.
  static Result<std::shared_ptr<const TableSchema>> build(TableInfo info, std::string_view topic_prefix,
                                                          const ConverterOptions& options,
                                                          std::string_view topic_delimiter = ".");
  ~TableSchema();

  const TableInfo& info() const { return info_; }
  const std::string& topic() const { return topic_; }                     // <prefix>.<schema>.<table>
  const std::string& schema_name_prefix() const { return name_prefix_; }  // <prefix>.<schema>.<table>
  bool has_key() const { return has_key_; }
  // JsonConverter schema JSON of the key struct ("<prefix>.<s>.<t>.Key") and the value envelope.
  const std::string& key_schema_json() const { return key_schema_json_; }
  const std::string& value_schema_json() const { return value_schema_json_; }
  // The "fields" array of the row struct ("<prefix>.<s>.<t>.Value"), and the same with the optional string
  // field __deleted (last, or in place of a column of that name): what an unwrapped value's schema lists
  // (SerializerOptions::unwrap; ExtractNewRecordState's rewrite modes add __deleted).
  const std::string& value_fields_json() const { return value_fields_json_; }
  const std::string& value_fields_deleted_json() const { return value_fields_deleted_json_; }
  // One converter per column Debezium can represent, in column order (unsupported types are absent).
  const std::vector<ColumnConverter>& converters() const { return converters_; }
  // Indices into converters() of the key fields, in key order.
  const std::vector<size_t>& key_fields() const { return key_fields_; }
  const ConverterOptions& options() const { return options_; }

 private:
  TableSchema() = default;
  TableInfo info_;
  std::string topic_;
  std::string name_prefix_;
  bool has_key_ = false;
  std::string key_schema_json_;
  std::string value_schema_json_;
  std::string value_fields_json_;
  std::string value_fields_deleted_json_;
  std::vector<ColumnConverter> converters_;
  std::vector<size_t> key_fields_;
  ConverterOptions options_;
};

}  // namespace sluice::event
