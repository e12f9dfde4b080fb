// Read access to Connect JSON (JsonConverter documents) parsed by RapidJSON, shared by the record converter
// and the column type map: members, schema strings, and values back as JSON or number text.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <string>
#include <string_view>

namespace sluice::pgsink::json {

using JValue = rapidjson::Value;

inline std::string_view sv(const JValue& v) {
  return {v.GetString(), v.GetStringLength()};
}

inline const JValue* member(const JValue* obj, const char* name) {
  if (obj == nullptr || !obj->IsObject()) return nullptr;
  auto it = obj->FindMember(name);
  return it == obj->MemberEnd() ? nullptr : &it->value;
}

inline std::string_view schema_str(const JValue* schema, const char* key) {
  const JValue* v = member(schema, key);
  return v != nullptr && v->IsString() ? sv(*v) : std::string_view();
}

inline std::string json_text(const JValue& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

inline std::string number_text(const JValue& v) {
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  double d = v.GetDouble();
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, p);
}

// A field of a struct schema by name.
inline const JValue* field_schema(const JValue* struct_schema, std::string_view name) {
  const JValue* fields = member(struct_schema, "fields");
  if (fields == nullptr || !fields->IsArray()) return nullptr;
  for (const auto& f : fields->GetArray()) {
    const JValue* n = member(&f, "field");
    if (n != nullptr && n->IsString() && sv(*n) == name) return &f;
  }
  return nullptr;
}

}  // namespace sluice::pgsink::json
