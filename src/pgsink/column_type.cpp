// Connect schema -> Postgres column type, as Debezium's Postgres dialect creates columns. See record.h.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "pgsink/json_access.h"
#include "pgsink/record.h"

namespace sluice::pgsink {

using json::json_text;
using json::JValue;
using json::member;
using json::schema_str;

std::string column_type_of_schema(std::string_view field_schema_json) {
  rapidjson::Document d;
  d.Parse(field_schema_json.data(), field_schema_json.size());
  if (d.HasParseError() || !d.IsObject()) return "text";
  const JValue* s = &d;
  std::string_view type = schema_str(s, "type"), name = schema_str(s, "name");
  const JValue* params = member(s, "parameters");
  auto src_type = schema_str(params, "__debezium.source.column.type");
  if (!src_type.empty()) {  // column.propagate.source.type: the source column's own type
    std::string t(src_type);
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    auto len = schema_str(params, "__debezium.source.column.length");
    auto scale = schema_str(params, "__debezium.source.column.scale");
    if ((t == "varchar" || t == "bpchar" || t == "bit" || t == "varbit") && !len.empty() &&
        len != "2147483647") {
      return fmt::format("{}({})", t, len);
    }
    if (t == "numeric" && !len.empty() && len != "0" && len != "131089") {
      return scale.empty() ? fmt::format("numeric({})", len) : fmt::format("numeric({},{})", len, scale);
    }
    if ((t == "timestamp" || t == "timestamptz" || t == "time" || t == "timetz") && !scale.empty()) {
      return fmt::format("{}({})", t, scale);
    }
    return t;
  }
  if (!name.empty()) {
    if (name == "io.debezium.time.Date" || name == "org.apache.kafka.connect.data.Date") return "date";
    if (name == "io.debezium.time.Time" || name == "org.apache.kafka.connect.data.Time") return "time(3)";
    if (name == "io.debezium.time.MicroTime" || name == "io.debezium.time.NanoTime") return "time";
    if (name == "io.debezium.time.Timestamp" || name == "org.apache.kafka.connect.data.Timestamp") {
      return "timestamp(3)";
    }
    if (name == "io.debezium.time.MicroTimestamp" || name == "io.debezium.time.NanoTimestamp")
      return "timestamp";
    if (name == "io.debezium.time.ZonedTimestamp") return "timestamptz";
    if (name == "io.debezium.time.ZonedTime") return "timetz";
    if (name == "io.debezium.time.MicroDuration" || name == "io.debezium.time.Interval") return "interval";
    if (name == "org.apache.kafka.connect.data.Decimal") {
      auto p = schema_str(params, "connect.decimal.precision");
      auto sc = schema_str(params, "scale");
      if (!p.empty()) return fmt::format("numeric({},{})", p, sc.empty() ? "0" : sc);
      return "numeric";
    }
    if (name == "io.debezium.data.VariableScaleDecimal") return "numeric";
    if (name == "io.debezium.data.Json") return "json";
    if (name == "io.debezium.data.Uuid") return "uuid";
    if (name == "io.debezium.data.Xml") return "xml";
    if (name == "io.debezium.data.Enum" || name == "io.debezium.data.EnumSet") return "text";
    if (name == "io.debezium.data.Ltree") return "ltree";
    if (name == "io.debezium.data.Tsvector") return "tsvector";
    if (name == "io.debezium.data.Bits") {
      auto len = schema_str(params, "length");
      return len.empty() ? "bit varying" : fmt::format("bit({})", len);
    }
    if (name == "io.debezium.data.geometry.Point") return "point";
    if (name == "io.debezium.data.geometry.Geometry") return "geometry";
    if (name == "io.debezium.data.geometry.Geography") return "geography";
  }
  if (type == "boolean") return "boolean";
  if (type == "int8" || type == "int16") return "smallint";
  if (type == "int32") return "integer";
  if (type == "int64") return "bigint";
  if (type == "float32") return "real";
  if (type == "float64") return "double precision";
  if (type == "bytes") return "bytea";
  if (type == "array") {
    const JValue* items = member(s, "items");
    if (items != nullptr) {
      std::string elem = column_type_of_schema(json_text(*items));
      if (elem.ends_with("[]")) return elem;
      return elem + "[]";
    }
    return "text[]";
  }
  if (type == "map" || type == "struct") return "jsonb";
  return "text";
}

}  // namespace sluice::pgsink
