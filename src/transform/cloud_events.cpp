// CloudEvents structured JSON, as CloudEventsConverter writes it: the event struct through JsonConverter
// without schemas (field order: id source specversion type time datacontenttype, the extension attributes,
// data), `data` through JsonConverter with json.schemas.enable (an io.debezium.connector.postgresql.Data
// struct of before and after).
#include "transform/cloud_events.h"

#include <fmt/format.h>

#include <ctime>

#include "transform/codec.h"

namespace sluice::transform {

namespace {

// SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX") in UTC: XXX is Z.
std::string iso_time(int64_t ms) {
  int64_t secs = ms / 1000, rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(rem));
}

// Java's "" + value: null is "null", a number or string its text.
std::string java_text(const Json* v) {
  if (v == nullptr || v->is_null()) return "null";
  auto s = v->to_display_string();
  return s ? *s : "null";
}

// The extension attribute's value: an int64 as its text (CloudEvents has no 64-bit integers), others as
// they are; the types Debezium's convertToCeExtensionSchema accepts.
Result<Json> extension_value(const Field& field, const Json* v) {
  const std::string& type = field.schema->type;
  if (type != "boolean" && type != "int8" && type != "int16" && type != "int32" && type != "int64" &&
      type != "string") {
    return Error::data(
        fmt::format("Source field of type {} cannot be converted into CloudEvents extension attribute.",
                    type == "float"    ? "FLOAT32"
                    : type == "double" ? "FLOAT64"
                                       : type));
  }
  if (v == nullptr || v->is_null()) return Json::null();
  if (type == "int64") return Json::string(v->text);
  return *v;
}

}  // namespace

std::string cloud_events_extension_name(std::string_view name) {
  std::string out = "iodebezium";
  for (char c : name) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
  }
  return out;
}

Result<std::optional<std::string>> encode_cloud_event(const std::optional<Data>& value,
                                                      const CloudEventsOptions& options) {
  if (!value || !value->schema || value->payload.is_null()) return std::optional<std::string>();
  const Schema& schema = *value->schema;
  if (!schema.name || !schema.name->ends_with(".Envelope")) return std::optional<std::string>();
  if (!schema.is_struct() || !value->payload.is_object()) return Error::data("Mismatching schema");
  const Json& record = value->payload;
  const Field* source_field = schema.field("source");
  const Json* source = record.find("source");
  if (source_field == nullptr || source == nullptr || !source->is_object()) {
    return Error::data("CloudEvents converter: the change event has no source struct");
  }
  const Schema& source_schema = *source_field->schema;
  const std::string connector = java_text(source->find("connector"));
  if (connector != "postgresql") {
    return Error::data(fmt::format("No usable CloudEvents converters for connector type \"{}\"", connector));
  }
  const Json* ts = source->find("ts_ms");
  if (ts == nullptr || ts->kind != Json::Kind::kNumber) {
    return Error::data("CloudEvents converter: source.ts_ms is not a number");
  }

  Json ce = Json::object();
  ce.members.emplace_back(
      "id", Json::string(fmt::format("name:{};lsn:{};txId:{};sequence:{}", java_text(source->find("name")),
                                     java_text(source->find("lsn")), java_text(source->find("txId")),
                                     java_text(source->find("sequence")))));
  ce.members.emplace_back("source", Json::string("/debezium/postgresql/" + java_text(source->find("name"))));
  ce.members.emplace_back("specversion", Json::string("1.0"));
  ce.members.emplace_back("type", Json::string("io.debezium.connector.postgresql.DataChangeEvent"));
  ce.members.emplace_back("time", Json::string(iso_time(std::strtoll(ts->text.c_str(), nullptr, 10))));
  ce.members.emplace_back("datacontenttype", Json::string("application/json"));
  if (options.extension_attributes) {
    const Json* op = record.find("op");
    ce.members.emplace_back("iodebeziumop", op != nullptr ? *op : Json::null());
    for (const auto& f : source_schema.fields) {
      auto v = extension_value(f, source->find(f.name));
      if (!v) return v.error();
      ce.set(cloud_events_extension_name(f.name), std::move(*v));
    }
    // TransactionMonitor.TRANSACTION_BLOCK_SCHEMA: id, total_order, data_collection_order (always present,
    // null without transaction metadata).
    const Json* tx = schema.field("transaction") != nullptr ? record.find("transaction") : nullptr;
    if (tx != nullptr && !tx->is_object()) tx = nullptr;
    for (const char* name : {"id", "total_order", "data_collection_order"}) {
      const Json* v = tx != nullptr ? tx->find(name) : nullptr;
      Json out = Json::null();
      if (v != nullptr && !v->is_null()) out = std::string_view(name) == "id" ? *v : Json::string(v->text);
      ce.set(cloud_events_extension_name(std::string("tx") + name), std::move(out));
    }
  }

  // RecordAndMetadataBaseImpl.dataSchema(before, after): a required struct
  // io.debezium.connector.postgresql.Data.
  auto data_schema = std::make_shared<Schema>();
  data_schema->type = "struct";
  data_schema->name = "io.debezium.connector.postgresql.Data";
  Data data;
  data.payload = Json::object();
  for (const char* name : {"before", "after"}) {
    const Field* f = schema.field(name);
    if (f == nullptr)
      return Error::data(fmt::format("CloudEvents converter: the change event has no {} field", name));
    data_schema->fields.push_back(*f);
    const Json* v = record.find(name);
    data.payload.members.emplace_back(name, v != nullptr ? *v : Json::null());
  }
  data.schema = data_schema;
  auto data_text = Codec::encode(data, options.data_schemas);

  std::string out = to_json_text(ce);
  out.pop_back();  // the closing brace: `data` goes last
  out += R"(,"data":)";
  out += data_text ? *data_text : "null";
  out += '}';
  return std::optional<std::string>(std::move(out));
}

}  // namespace sluice::transform
