// Debezium-format Kafka records -> SinkRecord (values as Postgres text input). See record.h.
#include "pgsink/record.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "pgsink/json_access.h"

namespace sluice::pgsink {
namespace {

using json::field_schema;
using json::json_text;
using json::JValue;
using json::member;
using json::number_text;
using json::schema_str;
using json::sv;

bool is_number_text(std::string_view s) {
  if (s.empty()) return false;
  double d;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string array_element_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

Status convert_value(const JValue* schema, const JValue& v, ColumnValue& out);

// Postgres array literal {…} of a JSON array, each element converted by the item schema (or by its JSON
// kind). Nested JSON arrays become nested dimensions.
Status array_literal(const JValue* item_schema, const JValue& arr, std::string& out) {
  out.push_back('{');
  bool first = true;
  for (const auto& e : arr.GetArray()) {
    if (!first) out.push_back(',');
    first = false;
    if (e.IsArray()) {
      if (auto s = array_literal(member(item_schema, "items") ? member(item_schema, "items") : item_schema, e,
                                 out);
          !s) {
        return s;
      }
      continue;
    }
    ColumnValue cv;
    if (auto s = convert_value(item_schema, e, cv); !s) return s;
    out += cv.text ? array_element_quote(*cv.text) : "NULL";
  }
  out.push_back('}');
  return ok_status();
}

// A value of a named (logical) schema: Debezium's and Connect's time, decimal, bits and geometry types.
// False: the name is not one of them (or the value not its form), and the schema type decides.
Result<bool> convert_named(const JValue* schema, std::string_view name, const JValue& v, ColumnValue& out) {
  auto expect_int = [&]() -> Result<int64_t> {
    if (v.IsInt64()) return v.GetInt64();
    return Error::data(fmt::format("expected an integer for {} ({}), got {}", out.name, name, json_text(v)));
  };
  if (name == "io.debezium.time.Date" || name == "org.apache.kafka.connect.data.Date") {
    auto n = expect_int();
    if (!n) return n.error();
    out.text = date_from_days(*n);
    return true;
  }
  int64_t time_unit = 0;  // micros per unit; negative: nanos
  if (name == "io.debezium.time.Time" || name == "org.apache.kafka.connect.data.Time") time_unit = 1000;
  if (name == "io.debezium.time.MicroTime") time_unit = 1;
  if (name == "io.debezium.time.NanoTime") time_unit = -1000;
  if (time_unit != 0) {
    auto n = expect_int();
    if (!n) return n.error();
    out.text = time_from_micros(time_unit > 0 ? *n * time_unit : *n / 1000);
    return true;
  }
  int64_t ts_unit = 0;
  if (name == "io.debezium.time.Timestamp" || name == "org.apache.kafka.connect.data.Timestamp")
    ts_unit = 1000;
  if (name == "io.debezium.time.MicroTimestamp") ts_unit = 1;
  if (name == "io.debezium.time.NanoTimestamp") ts_unit = -1000;
  if (ts_unit != 0) {
    auto n = expect_int();
    if (!n) return n.error();
    if (*n == std::numeric_limits<int64_t>::max()) {
      out.text = "infinity";
    } else if (*n == std::numeric_limits<int64_t>::min()) {
      out.text = "-infinity";
    } else {
      out.text = timestamp_from_micros(ts_unit > 0 ? *n * ts_unit : floor_div(*n, 1000));
    }
    return true;
  }
  if (name == "io.debezium.time.MicroDuration") {
    auto n = expect_int();
    if (!n) return n.error();
    out.text = fmt::format("{} microseconds", *n);
    return true;
  }
  if (name == "org.apache.kafka.connect.data.Decimal") {
    if (v.IsString()) {
      int32_t scale = 0;
      auto sc = schema_str(member(schema, "parameters"), "scale");
      std::from_chars(sc.data(), sc.data() + sc.size(), scale);
      auto d = decimal_from_base64(sv(v), scale);
      if (!d) return d.error();
      out.text = std::move(*d);
      return true;
    }
    if (v.IsNumber()) {  // JsonConverter decimal.format=NUMERIC
      out.text = number_text(v);
      return true;
    }
  }
  if (name == "io.debezium.data.VariableScaleDecimal" && v.IsObject()) {
    const JValue* sc = member(&v, "scale");
    const JValue* val = member(&v, "value");
    if (sc == nullptr || val == nullptr || !sc->IsInt() || !val->IsString()) {
      return Error::data(fmt::format("{}: VariableScaleDecimal needs scale and value", out.name));
    }
    auto d = decimal_from_base64(sv(*val), sc->GetInt());
    if (!d) return d.error();
    out.text = std::move(*d);
    return true;
  }
  if (name == "io.debezium.data.Bits" && v.IsString()) {
    auto bytes = base64_decode(sv(v));
    if (!bytes) return bytes.error();
    int64_t len = 0;
    auto l = schema_str(member(schema, "parameters"), "length");
    std::from_chars(l.data(), l.data() + l.size(), len);
    out.text = bits_text(*bytes, len);
    return true;
  }
  if (name == "io.debezium.data.geometry.Point" && v.IsObject()) {
    const JValue* x = member(&v, "x");
    const JValue* y = member(&v, "y");
    if (x != nullptr && y != nullptr && x->IsNumber() && y->IsNumber()) {
      out.text = fmt::format("({},{})", number_text(*x), number_text(*y));
      return true;
    }
  }
  if ((name == "io.debezium.data.geometry.Geometry" || name == "io.debezium.data.geometry.Geography") &&
      v.IsObject()) {
    const JValue* wkb = member(&v, "wkb");
    if (wkb != nullptr && wkb->IsString()) {
      auto bytes = base64_decode(sv(*wkb));
      if (!bytes) return bytes.error();
      std::string hex = bytea_hex(*bytes);
      out.text = hex.substr(2);  // PostGIS reads hex (E)WKB as geometry text input
      return true;
    }
  }
  return false;
}

Status convert_value(const JValue* schema, const JValue& v, ColumnValue& out) {
  out.schemaless = schema == nullptr;
  if (v.IsNull()) {
    out.text.reset();
    out.kind = JsonKind::kNull;
    return ok_status();
  }
  std::string_view type = schema_str(schema, "type");
  std::string_view name = schema_str(schema, "name");
  if (schema == nullptr) {
    if (v.IsBool()) {
      out.kind = JsonKind::kBool;
      out.text = v.GetBool() ? "true" : "false";
    } else if (v.IsInt64() || v.IsUint64()) {
      out.kind = JsonKind::kInt;
      out.text = number_text(v);
    } else if (v.IsNumber()) {
      out.kind = JsonKind::kDouble;
      out.text = number_text(v);
    } else if (v.IsString()) {
      out.kind = JsonKind::kString;
      out.text = std::string(sv(v));
    } else {
      out.kind = v.IsArray() ? JsonKind::kArray : JsonKind::kObject;
      out.text = json_text(v);
    }
    return ok_status();
  }
  if (!name.empty()) {
    auto named = convert_named(schema, name, v, out);
    if (!named) return named.error();
    if (*named) return ok_status();
  }
  if (type == "boolean" && v.IsBool()) {
    out.text = v.GetBool() ? "true" : "false";
  } else if ((type == "int8" || type == "int16" || type == "int32" || type == "int64") && v.IsNumber()) {
    out.text = number_text(v);
  } else if ((type == "float32" || type == "float64") && (v.IsNumber() || v.IsString())) {
    out.text = v.IsString() ? std::string(sv(v)) : number_text(v);
  } else if (type == "string" && v.IsString()) {
    out.text = std::string(sv(v));
  } else if (type == "bytes" && v.IsString()) {
    auto bytes = base64_decode(sv(v));
    if (!bytes) return bytes.error();
    out.text = bytea_hex(*bytes);
  } else if (type == "array" && v.IsArray()) {
    std::string lit;
    if (auto s = array_literal(member(schema, "items"), v, lit); !s) return s;
    out.text = std::move(lit);
  } else if (type == "map" || type == "struct") {
    out.kind = JsonKind::kObject;
    out.text = json_text(v);
  } else {
    return Error::data(
        fmt::format("value {} of {} does not match its schema type '{}'", json_text(v), out.name, type));
  }
  return ok_status();
}

// JsonConverter's {"schema":…,"payload":…} wrapper (schemas.enable=true), or the bare payload.
struct Unwrapped {
  const JValue* schema = nullptr;
  const JValue* payload = nullptr;
};
Unwrapped unwrap(const JValue& doc) {
  if (doc.IsObject() && doc.MemberCount() == 2 && doc.HasMember("schema") && doc.HasMember("payload")) {
    const JValue* s = &doc["schema"];
    return {s->IsObject() ? s : nullptr, &doc["payload"]};
  }
  return {nullptr, &doc};
}

// Fields of a struct payload with their schemas (in the schema's order when there is one).
Status struct_columns(const JValue* schema, const JValue& obj, std::vector<ColumnValue>& out) {
  if (!obj.IsObject()) return Error::data(fmt::format("expected a struct, got {}", json_text(obj)));
  const JValue* fields = member(schema, "fields");
  if (fields != nullptr && fields->IsArray()) {
    for (const auto& f : fields->GetArray()) {
      const JValue* n = member(&f, "field");
      if (n == nullptr || !n->IsString()) continue;
      ColumnValue cv;
      cv.name = std::string(sv(*n));
      const JValue* opt = member(&f, "optional");
      cv.optional = opt != nullptr && opt->IsBool() && opt->GetBool();
      cv.sql_type = column_type_of_schema(json_text(f));
      auto it = obj.FindMember(n->GetString());
      static const JValue kNull;
      if (auto s = convert_value(&f, it == obj.MemberEnd() ? kNull : it->value, cv); !s) return s;
      out.push_back(std::move(cv));
    }
    return ok_status();
  }
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    ColumnValue cv;
    cv.name = std::string(sv(it->name));
    if (auto s = convert_value(nullptr, it->value, cv); !s) return s;
    out.push_back(std::move(cv));
  }
  return ok_status();
}

std::string resolve_table(const SinkConfig& config, std::string_view topic, const JValue* source) {
  std::string topic_us(topic);
  std::replace(topic_us.begin(), topic_us.end(), '.', '_');
  std::string out;
  std::string_view f = config.collection_name_format;
  size_t i = 0;
  while (i < f.size()) {
    if (f.substr(i).starts_with("${topic}")) {
      out += topic_us;
      i += 8;
    } else if (f.substr(i).starts_with("${source.")) {
      size_t close = f.find('}', i);
      if (close == std::string_view::npos) {
        out += f.substr(i);
        break;
      }
      std::string field(f.substr(i + 9, close - i - 9));
      const JValue* v = member(source, field.c_str());
      if (v != nullptr && v->IsString()) out += sv(*v);
      i = close + 1;
    } else {
      out.push_back(f[i++]);
    }
  }
  return out;
}

void append_key_id(std::string& id, const ColumnValue& cv) {
  if (cv.text) {
    id.push_back('v');
    id += *cv.text;
  } else {
    id.push_back('n');
  }
  id.push_back('\x1f');
}

// primary.key.mode=record_key: the key's struct fields (those of primary.key.fields, when set), or a
// primitive key as the one primary.key.fields column.
Status record_key_columns(const SinkConfig& config, const Unwrapped& key,
                          std::vector<ColumnValue>& key_columns) {
  if (key.payload == nullptr) return Error::data("primary.key.mode=record_key, but the record has no key");
  if (key.payload->IsObject()) {
    std::vector<ColumnValue> cols;
    if (auto s = struct_columns(key.schema, *key.payload, cols); !s) return s;
    for (auto& c : cols) {
      if (!config.primary_key_fields.empty() &&
          std::find(config.primary_key_fields.begin(), config.primary_key_fields.end(), c.name) ==
              config.primary_key_fields.end()) {
        continue;
      }
      c.optional = false;
      key_columns.push_back(std::move(c));
    }
  } else {
    if (config.primary_key_fields.size() != 1) {
      return Error::data("a primitive record key needs exactly one primary.key.fields name");
    }
    ColumnValue c;
    c.name = config.primary_key_fields[0];
    if (auto s = convert_value(key.schema, *key.payload, c); !s) return s;
    c.sql_type = key.schema ? column_type_of_schema(json_text(*key.schema)) : "";
    c.optional = false;
    key_columns.push_back(std::move(c));
  }
  if (key_columns.empty()) return Error::data("the record key has none of the primary.key.fields");
  return ok_status();
}

}  // namespace

Status coerce_to_column(ColumnValue& cv, const TargetColumn& col) {
  if (!cv.schemaless || !cv.text) return ok_status();
  const std::string& t = col.type_name;
  auto as_int = [&]() -> std::optional<int64_t> {
    int64_t n = 0;
    const std::string& s = *cv.text;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return n;
  };
  if (cv.kind == JsonKind::kInt) {
    auto n = as_int();
    if (!n) return ok_status();
    if (t == "date") {
      cv.text = date_from_days(*n);
    } else if (t == "time" || t == "timetz" || t == "timestamp" || t == "timestamptz") {
      int32_t precision = col.typmod < 0 ? 6 : col.typmod;  // time/timestamp typmod is the precision
      int64_t micros = precision <= 3 ? *n * 1000 : *n;
      cv.text = t.starts_with("time") && !t.starts_with("timestamp") ? time_from_micros(micros)
                                                                     : timestamp_from_micros(micros);
      if (t == "timestamptz") *cv.text += "+00";
    } else if (t == "interval") {
      cv.text = fmt::format("{} microseconds", *n);
    }
    return ok_status();
  }
  if (cv.kind == JsonKind::kString) {
    if (t == "numeric" && !is_number_text(*cv.text) && *cv.text != "NaN") {
      int32_t scale = col.typmod >= 4 ? ((col.typmod - 4) & 0xffff) : 0;
      auto d = decimal_from_base64(*cv.text, scale);
      if (!d) return d.error();
      cv.text = std::move(*d);
    } else if (t == "bytea" && !cv.text->starts_with("\\x")) {
      auto b = base64_decode(*cv.text);
      if (!b) return b.error();
      cv.text = bytea_hex(*b);
    }
    return ok_status();
  }
  if (cv.kind == JsonKind::kObject || cv.kind == JsonKind::kArray) {
    rapidjson::Document d;
    d.Parse(cv.text->data(), cv.text->size());
    if (d.HasParseError()) return ok_status();
    if (t == "numeric" && d.IsObject() && d.HasMember("scale") && d.HasMember("value") &&
        d["scale"].IsInt() && d["value"].IsString()) {
      auto r = decimal_from_base64(sv(d["value"]), d["scale"].GetInt());
      if (!r) return r.error();
      cv.text = std::move(*r);
    } else if (!t.empty() && t[0] == '_' && d.IsArray()) {
      std::string lit;
      if (auto s = array_literal(nullptr, d, lit); !s) return s;
      cv.text = std::move(lit);
    } else if (t == "point" && d.IsObject() && d.HasMember("x") && d.HasMember("y") && d["x"].IsNumber() &&
               d["y"].IsNumber()) {
      cv.text = fmt::format("({},{})", number_text(d["x"]), number_text(d["y"]));
    } else if (t == "hstore" && d.IsObject()) {
      std::string lit;
      for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
        if (!lit.empty()) lit += ',';
        lit += array_element_quote(sv(it->name)) + "=>";
        lit += it->value.IsNull()     ? "NULL"
               : it->value.IsString() ? array_element_quote(sv(it->value))
                                      : array_element_quote(json_text(it->value));
      }
      cv.text = std::move(lit);
    }
  }
  return ok_status();
}

Result<SinkRecord> convert_record(const SinkConfig& config, const KafkaRecord& rec) {
  SinkRecord out;
  rapidjson::Document value_doc, key_doc;
  Unwrapped value, key;
  if (rec.value) {
    value_doc.Parse(rec.value->data(), rec.value->size());
    if (value_doc.HasParseError()) return Error::data("the record value is not JSON");
    value = unwrap(value_doc);
    if (value.payload->IsNull()) value.payload = nullptr;
  }
  if (rec.key) {
    key_doc.Parse(rec.key->data(), rec.key->size());
    if (key_doc.HasParseError()) return Error::data("the record key is not JSON");
    key = unwrap(key_doc);
    if (key.payload->IsNull()) key.payload = nullptr;
  }

  // The envelope (Debezium's change event) or an unwrapped row.
  const JValue* row = nullptr;
  const JValue* row_schema = nullptr;
  const JValue* source = nullptr;
  bool is_delete = false;
  if (value.payload != nullptr) {
    std::string_view schema_name = schema_str(value.schema, "name");
    const JValue* op = member(value.payload, "op");
    bool envelope = value.schema != nullptr
                        ? schema_name.ends_with("Envelope")
                        : (op != nullptr && op->IsString() && value.payload->IsObject() &&
                           (value.payload->HasMember("after") || value.payload->HasMember("before")));
    if (envelope) {
      if (op == nullptr || !op->IsString()) return Error::data("the change event has no op");
      source = member(value.payload, "source");
      std::string_view o = sv(*op);
      if (o == "c" || o == "r" || o == "u") {
        row = member(value.payload, "after");
        row_schema = field_schema(value.schema, "after");
        if (row == nullptr || !row->IsObject()) return Error::data(fmt::format("op '{}' without after", o));
      } else if (o == "d") {
        is_delete = true;
        row = member(value.payload, "before");
        if (row != nullptr && !row->IsObject()) row = nullptr;
        row_schema = field_schema(value.schema, "before");
      } else if (o == "t") {
        out.table = resolve_table(config, rec.topic, source);
        if (!config.truncate_enabled) {
          out.skip_reason = "truncate (truncate.enabled=false)";
          return out;
        }
        out.op = RecordOp::kTruncate;
        return out;
      } else {
        out.skip_reason = fmt::format("op '{}'", o);
        return out;
      }
    } else {
      row = value.payload;
      row_schema = value.schema;
      if (!row->IsObject()) return Error::data("the record value is neither a change event nor a struct");
    }
  } else {
    is_delete = true;  // tombstone, or ExtractNewRecordState's delete (drop.tombstones=false)
  }
  if (source == nullptr && config.collection_name_format.find("${source.") != std::string::npos) {
    // A tombstone or an unwrapped row has no source block to name the table (Debezium skips it too).
    out.skip_reason = "no source block for collection.name.format ${source.*}";
    return out;
  }
  out.table = resolve_table(config, rec.topic, source);
  if (out.table.empty()) return Error::data("collection.name.format resolves to an empty table name");
  if (is_delete && !config.delete_enabled) {
    out.skip_reason = "delete (delete.enabled=false)";
    return out;
  }

  // Primary key columns.
  switch (config.primary_key_mode) {
    case PrimaryKeyMode::kNone:
      if (is_delete) {
        out.skip_reason = "delete without primary key";
        return out;
      }
      break;
    case PrimaryKeyMode::kKafka: {
      ColumnValue t{"__connect_topic", std::string(rec.topic), "text", false};
      ColumnValue p{"__connect_partition", std::to_string(rec.partition), "integer", false};
      ColumnValue o{"__connect_offset", std::to_string(rec.offset), "bigint", false};
      out.key = {t, p, o};
      if (is_delete) {
        out.skip_reason = "delete with primary.key.mode=kafka";
        return out;
      }
      break;
    }
    case PrimaryKeyMode::kRecordKey:
      if (auto s = record_key_columns(config, key, out.key); !s) return s.error();
      break;
    case PrimaryKeyMode::kRecordValue:
      break;
  }

  std::vector<ColumnValue> cols;
  if (row != nullptr) {
    if (auto s = struct_columns(row_schema, *row, cols); !s) return s.error();
  }
  if (config.primary_key_mode == PrimaryKeyMode::kRecordValue) {
    for (const auto& f : config.primary_key_fields) {
      auto it = std::find_if(cols.begin(), cols.end(), [&](const ColumnValue& c) { return c.name == f; });
      if (it == cols.end()) return Error::data(fmt::format("primary key field '{}' is not in the value", f));
      it->optional = false;
      out.key.push_back(std::move(*it));
      cols.erase(it);
    }
  }
  for (const auto& k : out.key) append_key_id(out.key_id, k);
  if (is_delete) {
    out.op = RecordOp::kDelete;
    return out;
  }
  for (auto& c : cols) {
    if (std::any_of(out.key.begin(), out.key.end(), [&](const ColumnValue& k) { return k.name == c.name; })) {
      continue;
    }
    out.values.push_back(std::move(c));
  }
  out.op = RecordOp::kWrite;
  return out;
}

}  // namespace sluice::pgsink
