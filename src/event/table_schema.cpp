// TableSchema::build: column converters plus the pre-rendered JsonConverter key and envelope schemas,
// following debezium 3.4 TableSchemaBuilder, Envelope/SchemaFactory (envelope v2, source v1) and
// PostgresSourceInfoStructMaker; topic and schema names as SchemaTopicNamingStrategy makes them.
#include "event/table_schema.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "event/value_converter.h"

namespace sluice::event {
namespace {

bool is_topic_char(char c) {
  return c == '.' || c == '_' || c == '-' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9');
}

// AbstractTopicNamingStrategy.sanitizedTopicName: each invalid Java char (UTF-16 unit) becomes '_', at most
// 249 characters. A UTF-8 sequence of 1-3 bytes is one UTF-16 unit, of 4 bytes (outside the BMP) two.
std::string sanitized_topic(std::string_view utf8) {
  constexpr size_t kMaxTopicLength = 249;
  std::string name;
  name.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (is_topic_char(static_cast<char>(c))) {
      name.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    size_t len = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    size_t n = 1;
    while (n < len && i + n < utf8.size() && (static_cast<unsigned char>(utf8[i + n]) & 0xC0) == 0x80) ++n;
    name.append(n == 4 ? 2 : 1, '_');  // an invalid sequence: one unit
    i += n;
  }
  if (name.size() > kMaxTopicLength) name.resize(kMaxTopicLength);
  if (name == ".") name = "_";
  if (name == "..") name = "__";
  return name;
}

void simple_field(JsonWriter& w, const char* type, bool optional, const char* field) {
  w.StartObject();
  write_key(w, "type");
  w.String(type);
  write_key(w, "optional");
  w.Bool(optional);
  write_key(w, "field");
  w.String(field);
  w.EndObject();
}

void struct_schema(JsonWriter& w, const std::vector<const std::string*>& fields, bool optional,
                   std::string_view name, std::string_view field) {
  w.StartObject();
  write_key(w, "type");
  w.String("struct");
  write_key(w, "fields");
  w.StartArray();
  for (const std::string* f : fields) write_raw(w, *f, rapidjson::kObjectType);
  w.EndArray();
  write_key(w, "optional");
  w.Bool(optional);
  write_key(w, "name");
  write_string(w, name);
  if (!field.empty()) {
    write_key(w, "field");
    write_string(w, field);
  }
  w.EndObject();
}

// io.debezium.connector.postgresql.Source (SchemaFactory.sourceInfoSchemaBuilder + Postgres fields).
void source_schema(JsonWriter& w, int compat_minor) {
  w.StartObject();
  write_key(w, "type");
  w.String("struct");
  write_key(w, "fields");
  w.StartArray();
  simple_field(w, "string", false, "version");
  simple_field(w, "string", false, "connector");
  simple_field(w, "string", false, "name");
  simple_field(w, "int64", false, "ts_ms");
  w.StartObject();  // SchemaFactory.snapshotRecordSchema()
  write_key(w, "type");
  w.String("string");
  write_key(w, "optional");
  w.Bool(true);
  write_key(w, "name");
  w.String("io.debezium.data.Enum");
  write_key(w, "version");
  w.Int(1);
  write_key(w, "parameters");
  w.StartObject();
  write_key(w, "allowed");
  w.String("true,first,first_in_data_collection,last_in_data_collection,last,false,incremental");
  w.EndObject();
  write_key(w, "default");
  w.String("false");
  write_key(w, "field");
  w.String("snapshot");
  w.EndObject();
  simple_field(w, "string", false, "db");
  simple_field(w, "string", true, "sequence");
  simple_field(w, "int64", true, "ts_us");
  simple_field(w, "int64", true, "ts_ns");
  simple_field(w, "string", false, "schema");
  simple_field(w, "string", false, "table");
  simple_field(w, "int64", true, "txId");
  simple_field(w, "int64", true, "lsn");
  simple_field(w, "int64", true, "xmin");
  if (compat_minor >= 5) {  // Debezium 3.5 (dbz#1528): the replication origin of the transaction
    simple_field(w, "string", true, "origin");
    simple_field(w, "int64", true, "origin_lsn");
  }
  w.EndArray();
  write_key(w, "optional");
  w.Bool(false);
  write_key(w, "name");
  w.String("io.debezium.connector.postgresql.Source");
  write_key(w, "version");
  w.Int(1);
  write_key(w, "field");
  w.String("source");
  w.EndObject();
}

// SchemaFactory.transactionBlockSchema().
void transaction_schema(JsonWriter& w) {
  w.StartObject();
  write_key(w, "type");
  w.String("struct");
  write_key(w, "fields");
  w.StartArray();
  simple_field(w, "string", false, "id");
  simple_field(w, "int64", false, "total_order");
  simple_field(w, "int64", false, "data_collection_order");
  w.EndArray();
  write_key(w, "optional");
  w.Bool(true);
  write_key(w, "name");
  w.String("event.block");
  write_key(w, "version");
  w.Int(1);
  write_key(w, "field");
  w.String("transaction");
  w.EndObject();
}

}  // namespace

TableSchema::~TableSchema() = default;

Result<std::shared_ptr<const TableSchema>> TableSchema::build(TableInfo info, std::string_view topic_prefix,
                                                              const ConverterOptions& options,
                                                              std::string_view topic_delimiter) {
  if (topic_prefix.empty() || !std::all_of(topic_prefix.begin(), topic_prefix.end(), is_topic_char)) {
    return Error::fatal(fmt::format(
        "topic.prefix '{}' is invalid: it must be non-empty and use only [a-zA-Z0-9._-]", topic_prefix));
  }
  std::shared_ptr<TableSchema> s(new TableSchema());
  s->options_ = options;
  s->topic_ = sanitized_topic(
      fmt::format("{}{}{}{}{}", topic_prefix, topic_delimiter, info.schema, topic_delimiter, info.table));
  s->name_prefix_ = s->topic_;  // recordSchemaPrefix defaults to the (sanitized) topic name

  const event::ColumnRules* rules = options.column_rules ? options.column_rules.get() : nullptr;
  for (size_t i = 0; i < info.columns.size(); ++i) {
    auto c = make_column_converter(info.columns[i], i, options);
    if (!c) continue;
    if (rules != nullptr && !rules->empty()) {
      // ColumnId.toString(): <schema>.<table>.<column>, as the filter and the mappers match it.
      const ColumnInfo& column = info.columns[i];
      const std::string id = fmt::format("{}.{}.{}", info.schema, info.table, column.name);
      if (!rules->included(id)) {
        if (column.key) {
          // Debezium's snapshot refuses it ("referenced as PRIMARY KEY, but a matching column is not
          // defined"); the key is built from it, so it cannot be left out.
          return Error::config_error(fmt::format(
              "column.include.list / column.exclude.list leaves out {}, a column of the message key of "
              "{}.{}: key columns cannot be left out (Debezium's snapshot fails on it); keep it, or key the "
              "table on other columns with message.key.columns",
              id, info.schema, info.table));
        }
        continue;
      }
      // ColumnMappers.fullyQualifiedColumnDatatype: <schema>.<table>.<Column.typeName()> (the JDBC name).
      const std::string datatype_id =
          fmt::format("{}.{}.{}", info.schema, info.table,
                      column.source_type.empty() ? column.type_name : column.source_type);
      const auto matching = rules->rules_for(id, datatype_id);
      const event::ColumnRules::Rule* rule = matching.empty() ? nullptr : matching.front();
      if (rule != nullptr && rule->spec.kind == event::MaskSpec::Kind::kPropagateSourceType) {
        // ColumnMappers.mapperFor takes the first matching rule only: a hash mask after it is not applied.
        for (const auto* later : matching) {
          if (later->spec.kind == event::MaskSpec::Kind::kHash) {
            return Error::config_error(fmt::format(
                "{} and {} both match column {}: Debezium applies only the first ({}) and would publish the "
                "column in clear; narrow {} so that it leaves the masked column out",
                rule->spec.key, later->spec.key, id, rule->spec.key, rule->spec.key));
          }
        }
        apply_source_type_parameters(*c, column, options.from_stream);
      } else if (rule != nullptr) {
        if (column.key) {
          return Error::config_error(fmt::format(
              "{} matches {}, a column of the message key of {}.{}: Debezium does not mask key fields and "
              "would publish it in clear in every key; narrow the pattern, or key the table on other columns "
              "with message.key.columns",
              rule->spec.key, id, info.schema, info.table));
        }
        if (Status st = apply_column_mask(*c, column, rule->spec, rule->hasher, id); !st.ok())
          return st.error();
      }
    }
    s->converters_.push_back(std::move(*c));
  }
  for (size_t i = 0; i < s->converters_.size(); ++i) {
    if (info.columns[s->converters_[i].column_index].key) s->key_fields_.push_back(i);
  }
  std::stable_sort(s->key_fields_.begin(), s->key_fields_.end(), [&](size_t a, size_t b) {
    auto pos = [&](size_t k) { return info.columns[s->converters_[k].column_index].key_position; };
    return pos(a) < pos(b);
  });
  s->has_key_ = !s->key_fields_.empty();

  std::vector<const std::string*> key_fields, value_fields;
  for (size_t k : s->key_fields_) {
    const ColumnConverter& c = s->converters_[k];
    key_fields.push_back(c.key_field_schema_json.empty() ? &c.field_schema_json : &c.key_field_schema_json);
  }
  static const std::string kDeletedField = R"({"type":"string","optional":true,"field":"__deleted"})";
  bool has_deleted = false;
  s->value_fields_json_ = s->value_fields_deleted_json_ = "[";
  for (const ColumnConverter& c : s->converters_) {
    value_fields.push_back(&c.field_schema_json);
    const char* sep = value_fields.size() > 1 ? "," : "";
    s->value_fields_json_.append(sep).append(c.field_schema_json);
    has_deleted = has_deleted || c.name == "__deleted";
    s->value_fields_deleted_json_.append(sep).append(c.name == "__deleted" ? kDeletedField
                                                                           : c.field_schema_json);
  }
  if (!has_deleted)
    s->value_fields_deleted_json_.append(value_fields.empty() ? "" : ",").append(kDeletedField);
  s->value_fields_json_ += ']';
  s->value_fields_deleted_json_ += ']';

  StringSink sink{&s->key_schema_json_};
  JsonWriter w(sink);
  if (s->has_key_) struct_schema(w, key_fields, false, s->name_prefix_ + ".Key", {});

  sink.out = &s->value_schema_json_;
  w.Reset(sink);
  const std::string value_name = s->name_prefix_ + ".Value";
  w.StartObject();
  write_key(w, "type");
  w.String("struct");
  write_key(w, "fields");
  w.StartArray();
  struct_schema(w, value_fields, true, value_name, "before");
  struct_schema(w, value_fields, true, value_name, "after");
  source_schema(w, options.compat_minor);
  transaction_schema(w);
  simple_field(w, "string", false, "op");
  simple_field(w, "int64", true, "ts_ms");
  simple_field(w, "int64", true, "ts_us");
  simple_field(w, "int64", true, "ts_ns");
  w.EndArray();
  write_key(w, "optional");
  w.Bool(false);
  write_key(w, "name");
  write_string(w, s->topic_ + ".Envelope");  // Envelope.schemaName(dataChangeTopic)
  write_key(w, "version");
  w.Int(2);
  w.EndObject();

  s->info_ = std::move(info);
  return std::shared_ptr<const TableSchema>(std::move(s));
}

}  // namespace sluice::event
