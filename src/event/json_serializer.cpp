// ChangeEvent -> JsonConverter key/value bytes; see json_serializer.h. Payload field order is the schema
// field order (Envelope: before, after, source, transaction, op, ts_ms, ts_us, ts_ns), as JsonConverter
// walks the Struct. Source values follow debezium 3.4 AbstractSourceInfoStructMaker +
// PostgresSourceInfoStructMaker.
#include "event/json_serializer.h"

#include <charconv>

#include <fmt/format.h>

#include "event/transaction_metadata.h"
#include "event/value_converter.h"

namespace sluice::event {
namespace {

int64_t floor_div_1000(int64_t v) {
  return v / 1000 - ((v % 1000 != 0) && (v < 0));
}

// SourceInfo.sequence(): Jackson's rendering of [lastCommitLsn, lsn] as decimal strings (or null).
void append_sequence(std::string& out, const std::optional<Lsn>& last_commit, const std::optional<Lsn>& lsn) {
  auto element = [&](const std::optional<Lsn>& v) {
    if (!v) return out.append("null"), void();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v->value()));  // Lsn.asLong()
    out.push_back('"');
    out.append(buf, r.ptr);
    out.push_back('"');
  };
  out.push_back('[');
  element(last_commit);
  out.push_back(',');
  element(lsn);
  out.push_back(']');
}

}  // namespace

JsonSerializer::JsonSerializer(SerializerOptions options) : options_(std::move(options)) {}

Status JsonSerializer::write_row(const TableSchema& table, Row row, bool key_only, const char* deleted) {
  const TableInfo& info = table.info();
  if (row.size() != info.columns.size()) {
    return Error::data(fmt::format("{}.{}: row has {} columns, relation has {}", info.schema, info.table,
                                   row.size(), info.columns.size()));
  }
  const auto& converters = table.converters();
  bool deleted_written = false;
  auto write_field = [&](const ColumnConverter& c) -> Status {
    write_key(writer_, c.name);
    if (deleted != nullptr && c.name == "__deleted") {  // InsertField replaces a column of that name
      writer_.String(deleted);
      deleted_written = true;
      return ok_status();
    }
    Status st = write_column_value(c, row[c.column_index], writer_, scratch_);
    if (!st.ok()) {
      return Error::data(
          fmt::format("{}.{} column {}: {}", info.schema, info.table, c.name, st.error().message));
    }
    return st;
  };
  writer_.StartObject();
  if (key_only) {
    for (size_t k : table.key_fields()) {
      if (Status st = write_field(converters[k]); !st.ok()) return st;
    }
  } else {
    for (const ColumnConverter& c : converters) {
      if (Status st = write_field(c); !st.ok()) return st;
    }
  }
  if (deleted != nullptr && !deleted_written) {
    write_key(writer_, "__deleted");
    writer_.String(deleted);
  }
  writer_.EndObject();
  return ok_status();
}

Result<bool> JsonSerializer::key(const ChangeEvent& event, std::string& out) {
  return write_key_document(event, out, options_.key_schemas_enable);
}

Result<bool> JsonSerializer::key_header(const ChangeEvent& event, std::string& out) {
  return write_key_document(event, out, false);
}

Result<bool> JsonSerializer::write_key_document(const ChangeEvent& event, std::string& out,
                                                bool with_schema) {
  out.clear();
  const TableSchema& table = *event.table;
  const std::optional<Row>& row = event.after ? event.after : event.before;
  if (!table.has_key() || !row) return false;
  sink_.out = &out;
  writer_.Reset(sink_);
  if (with_schema) {
    writer_.StartObject();
    write_key(writer_, "schema");
    write_raw(writer_, table.key_schema_json(), rapidjson::kObjectType);
    write_key(writer_, "payload");
  }
  if (Status st = write_row(table, *row, true); !st.ok()) {
    out.clear();
    return st.error();
  }
  if (with_schema) writer_.EndObject();
  return true;
}

void JsonSerializer::write_source(const ChangeEvent& event) {
  const TableInfo& info = event.table->info();
  write_source_payload(writer_, options_, event.source, info.schema, info.table, scratch_);
}

void write_source_payload(JsonWriter& w, const SerializerOptions& options, const Source& src,
                          std::string_view schema, std::string_view table, std::string& scratch) {
  w.StartObject();
  write_key(w, "version");
  write_string(w, options.version);
  write_key(w, "connector");
  w.String("postgresql");
  write_key(w, "name");
  write_string(w, options.server_name);
  write_key(w, "ts_ms");
  w.Int64(floor_div_1000(src.ts_us));
  write_key(w, "snapshot");
  write_string(w, src.snapshot);
  write_key(w, "db");
  write_string(w, options.database);
  write_key(w, "sequence");
  scratch.clear();
  append_sequence(scratch, src.last_commit_lsn, src.sequence_lsn ? src.sequence_lsn : src.lsn);
  write_string(w, scratch);
  write_key(w, "ts_us");
  w.Int64(src.ts_us);
  write_key(w, "ts_ns");
  w.Int64(src.ts_us * 1000);
  write_key(w, "schema");
  write_string(w, schema);
  write_key(w, "table");
  write_string(w, table);
  write_key(w, "txId");
  if (src.tx_id) {
    w.Int64(*src.tx_id);
  } else {
    w.Null();
  }
  write_key(w, "lsn");
  if (src.lsn) {
    w.Int64(static_cast<int64_t>(src.lsn->value()));
  } else {
    w.Null();
  }
  write_key(w, "xmin");  // only set with xmin.fetch.interval.ms, which sluice does not support
  w.Null();
  if (options.compat_minor >= 5) {
    write_key(w, "origin");
    if (src.origin.empty()) {
      w.Null();
    } else {
      write_string(w, src.origin);
    }
    write_key(w, "origin_lsn");
    if (src.origin_lsn) {
      w.Int64(static_cast<int64_t>(src.origin_lsn->value()));
    } else {
      w.Null();
    }
  }
  w.EndObject();
}

bool JsonSerializer::drops_tombstones() const {
  return options_.unwrap && *options_.unwrap != UnwrapMode::kRewriteWithTombstone;
}

// ExtractNewRecordState over the envelope value() would write, without building it: ExtractField "after"
// (or "before" for a delete in the rewrite modes), its schema rebuilt by copySchemaBasics (required), plus
// __deleted in the rewrite modes; a delete in mode tombstone keeps the after field's own schema (optional)
// with a null payload.
Result<JsonSerializer::Written> JsonSerializer::unwrapped_value(const ChangeEvent& event, std::string& out) {
  using Mode = UnwrapMode;
  const Mode mode = *options_.unwrap;
  const bool rewrite = mode == Mode::kRewrite || mode == Mode::kRewriteWithTombstone;
  const std::optional<Row>* row = &event.after;
  if (!event.after) {
    if (!event.before) return Written::kDropped;  // a truncate
    if (mode == Mode::kDrop) return Written::kDropped;
    if (mode == Mode::kDeleteToTombstone) return Written::kNull;
    if (rewrite) row = &event.before;
    if (!rewrite && !options_.value_schemas_enable) {
      out = "null";
      return Written::kDocument;
    }
  }
  const TableSchema& table = *event.table;
  sink_.out = &out;
  writer_.Reset(sink_);
  JsonWriter& w = writer_;
  if (options_.value_schemas_enable) {
    w.StartObject();
    write_key(w, "schema");
    w.StartObject();
    write_key(w, "type");
    w.String("struct");
    write_key(w, "fields");
    write_raw(w, rewrite ? table.value_fields_deleted_json() : table.value_fields_json(),
              rapidjson::kArrayType);
    write_key(w, "optional");
    w.Bool(!*row);
    write_key(w, "name");
    scratch_.assign(table.schema_name_prefix()).append(".Value");
    write_string(w, scratch_);
    w.EndObject();
    write_key(w, "payload");
  }
  if (!*row) {
    w.Null();
  } else if (Status st = write_row(table, **row, false, rewrite ? (event.after ? "false" : "true") : nullptr);
             !st.ok()) {
    out.clear();
    return st.error();
  }
  if (options_.value_schemas_enable) w.EndObject();
  return Written::kDocument;
}

Result<JsonSerializer::Written> JsonSerializer::value(const ChangeEvent& event, std::string& out) {
  out.clear();
  if (options_.unwrap) return unwrapped_value(event, out);
  const TableSchema& table = *event.table;
  sink_.out = &out;
  writer_.Reset(sink_);
  JsonWriter& w = writer_;
  if (options_.value_schemas_enable) {
    w.StartObject();
    write_key(w, "schema");
    write_raw(w, table.value_schema_json(), rapidjson::kObjectType);
    write_key(w, "payload");
  }
  w.StartObject();
  for (const auto& [name, row] : {std::pair{"before", &event.before}, std::pair{"after", &event.after}}) {
    write_key(w, name);
    if (!*row) {
      w.Null();
    } else if (Status st = write_row(table, **row, false); !st.ok()) {
      out.clear();
      return st.error();
    }
  }
  write_key(w, "source");
  write_source(event);
  write_key(w, "transaction");
  if (event.transaction != nullptr) {
    write_transaction_block(w, *event.transaction);
  } else {
    w.Null();  // provide.transaction.metadata=false, snapshot reads
  }
  write_key(w, "op");
  const char op = static_cast<char>(event.op);
  w.String(&op, 1);
  write_key(w, "ts_ms");
  w.Int64(floor_div_1000(event.ts_us));
  write_key(w, "ts_us");
  w.Int64(event.ts_us);
  write_key(w, "ts_ns");
  w.Int64(event.ts_us * 1000);
  w.EndObject();
  if (options_.value_schemas_enable) w.EndObject();
  return Written::kDocument;
}

}  // namespace sluice::event
