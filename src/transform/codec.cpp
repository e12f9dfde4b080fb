// Codec: JsonConverter documents <-> Data, with the schema text parsed once per distinct schema.
#include "transform/codec.h"

namespace sluice::transform {

Result<std::optional<Data>> Codec::decode(std::optional<std::string_view> bytes) {
  if (!bytes) return std::optional<Data>{};
  std::string_view text = *bytes;
  constexpr std::string_view kSchemaPrefix = "{\"schema\":";
  constexpr std::string_view kPayloadKey = ",\"payload\":";
  if (text.starts_with(kSchemaPrefix)) {
    size_t schema_end = skip_json_value(text, kSchemaPrefix.size());
    if (schema_end != std::string_view::npos && text.substr(schema_end).starts_with(kPayloadKey) &&
        text.ends_with('}')) {
      std::string_view schema_text = text.substr(kSchemaPrefix.size(), schema_end - kSchemaPrefix.size());
      std::string_view payload_text =
          text.substr(schema_end + kPayloadKey.size(), text.size() - 1 - schema_end - kPayloadKey.size());
      Data data;
      if (auto it = schemas_.find(schema_text); it != schemas_.end()) {
        data.schema = it->second;
      } else {
        auto json = parse_json(schema_text);
        if (!json) return json.error();
        auto schema = schema_from_json(*json);
        if (!schema) return schema.error();
        if (schemas_.size() >= kCacheSize) schemas_.clear();
        schemas_.emplace(std::string(schema_text), *schema);
        data.schema = *schema;
      }
      auto payload = parse_json(payload_text);
      if (!payload) return payload.error();
      data.payload = std::move(*payload);
      return std::optional<Data>(std::move(data));
    }
  }
  auto payload = parse_json(text);
  if (!payload) return payload.error();
  return std::optional<Data>(Data{nullptr, std::move(*payload)});
}

std::optional<std::string> Codec::encode(const std::optional<Data>& data, bool schemas_enable) {
  if (!data || (data->schema == nullptr && data->payload.is_null())) return std::nullopt;
  std::string out;
  sluice::StringSink sink{&out};
  sluice::JsonWriter w(sink);
  if (schemas_enable) {
    w.StartObject();
    sluice::write_key(w, "schema");
    if (data->schema) {
      sluice::write_raw(w, data->schema->json(), rapidjson::kObjectType);
    } else {
      w.Null();
    }
    sluice::write_key(w, "payload");
  }
  write_json(w, data->payload);
  if (schemas_enable) w.EndObject();
  return out;
}

}  // namespace sluice::transform
