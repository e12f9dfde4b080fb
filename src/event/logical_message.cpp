// MessageSerializer: see logical_message.h. Schemas as Debezium 3.4.3-3.7.1 + JsonConverter wrote them
// (PostgresSchemaFactory.logicalDecodingMessageMonitor*Schema; content is a string in base64/hex modes).
#include "event/logical_message.h"

#include "event/java_format.h"
#include "event/transaction_metadata.h"

namespace sluice::event {
namespace {

constexpr std::string_view kKeySchema =
    R"({"type":"struct","fields":[{"type":"string","optional":true,"field":"prefix"}],"optional":false,"nam)"
    R"(e":"io.debezium.connector.postgresql.MessageKey","version":1})";
// The value schema up to the content field, the content field per binary.handling.mode, and the rest.
constexpr std::string_view kValueSchemaHead =
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"op"},{"type":"int64","optional)"
    R"(":true,"field":"ts_ms"},{"type":"struct","fields":[{"type":"string","optional":false,"field":"versio)"
    R"(n"},{"type":"string","optional":false,"field":"connector"},{"type":"string","optional":false,"field")"
    R"(:"name"},{"type":"int64","optional":false,"field":"ts_ms"},{"type":"string","optional":true,"name":")"
    R"(io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last)"
    R"(_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},{"type":"string",)"
    R"("optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence"},{"type":"int64",)"
    R"("optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"},{"type":"string",")"
    R"(optional":false,"field":"schema"},{"type":"string","optional":false,"field":"table"},{"type":"int64")"
    R"(,"optional":true,"field":"txId"},{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","opt)"
    R"(ional":true,"field":"xmin"})";
// Debezium 3.5+ (sluice.compat.version): the source's replication origin fields.
constexpr std::string_view kOriginFields =
    R"(,{"type":"string","optional":true,"field":"origin"},{"type":"int64","optional":true,"field":"origin_lsn"})";
constexpr std::string_view kValueSchemaMiddle =
    R"(],"optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"},)"
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},)"
    R"({"type":"int64","optional":false,"field":"total_order"},{"type":"int64","optional":false,"field":"da)"
    R"(ta_collection_order"}],"optional":true,"name":"event.block","version":1,"field":"transaction"},{"typ)"
    R"(e":"struct","fields":[{"type":"string","optional":true,"field":"prefix"},)";
constexpr std::string_view kContentBytes = R"({"type":"bytes","optional":true,"field":"content"})";
constexpr std::string_view kContentString = R"({"type":"string","optional":true,"field":"content"})";
constexpr std::string_view kValueSchemaTail =
    R"(],"optional":false,"name":"io.debezium.connector.postgresql.Message","version":1,"field":"message"}])"
    R"(,"optional":false,"name":"io.debezium.connector.postgresql.MessageValue","version":1})";

}  // namespace

void MessageSerializer::key(std::string_view prefix, std::string& out) const {
  out.clear();
  StringSink sink{&out};
  JsonWriter w(sink);
  if (options_.key_schemas_enable) {
    w.StartObject();
    write_key(w, "schema");
    write_raw(w, kKeySchema, rapidjson::kObjectType);
    write_key(w, "payload");
  }
  w.StartObject();
  write_key(w, "prefix");
  write_string(w, prefix);
  w.EndObject();
  if (options_.key_schemas_enable) w.EndObject();
}

void MessageSerializer::value(std::string_view prefix, std::string_view content, const Source& source,
                              int64_t ts_us, const TransactionBlock* transaction, std::string& out) {
  using BinaryMode = ConverterOptions::BinaryMode;
  out.clear();
  StringSink sink{&out};
  JsonWriter w(sink);
  if (options_.value_schemas_enable) {
    w.StartObject();
    write_key(w, "schema");
    scratch_.assign(kValueSchemaHead);
    if (options_.compat_minor >= 5) scratch_.append(kOriginFields);
    scratch_.append(kValueSchemaMiddle);
    scratch_.append(binary_ == BinaryMode::kBytes ? kContentBytes : kContentString);
    scratch_.append(kValueSchemaTail);
    write_raw(w, scratch_, rapidjson::kObjectType);
    write_key(w, "payload");
  }
  w.StartObject();
  write_key(w, "op");
  w.String("m");
  write_key(w, "ts_ms");
  w.Int64(ts_us / 1000 - ((ts_us % 1000 != 0) && (ts_us < 0)));
  write_key(w, "source");
  write_source_payload(w, options_, source, "", "", scratch_);
  write_key(w, "transaction");
  if (transaction != nullptr) {
    write_transaction_block(w, *transaction);
  } else {
    w.Null();
  }
  write_key(w, "message");
  w.StartObject();
  write_key(w, "prefix");
  write_string(w, prefix);
  write_key(w, "content");
  scratch_.clear();
  switch (binary_) {
    case BinaryMode::kBytes:  // JsonConverter writes bytes as base64
    case BinaryMode::kBase64:
      javafmt::append_base64(scratch_, content);
      break;
    case BinaryMode::kBase64UrlSafe:
      javafmt::append_base64(scratch_, content, true);
      break;
    case BinaryMode::kHex:
      javafmt::append_hex(scratch_, content);
      break;
  }
  write_string(w, scratch_);
  w.EndObject();
  w.EndObject();
  if (options_.value_schemas_enable) w.EndObject();
}

}  // namespace sluice::event
