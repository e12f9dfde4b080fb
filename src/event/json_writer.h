// RapidJSON Writer that appends straight into a caller-owned std::string (the Kafka message buffer), so a
// serialized event is built in place with no intermediate copy. RapidJSON escapes exactly as Jackson does
// (\" \\ \b \f \n \r \t, other control characters as \u00XX, everything else raw UTF-8).
#pragma once

#include <string>

#include <rapidjson/writer.h>

namespace sluice::event {

struct StringSink {
  using Ch = char;
  std::string* out = nullptr;
  void Put(char c) { out->push_back(c); }
  void Flush() {}
};

using JsonWriter = rapidjson::Writer<StringSink>;

// Writes a std::string_view as a JSON string.
inline void write_string(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void write_key(JsonWriter& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
// Splices pre-rendered JSON (a schema, a number in Java's format) into the output.
inline void write_raw(JsonWriter& w, std::string_view json, rapidjson::Type type) {
  w.RawValue(json.data(), json.size(), type);
}

}  // namespace sluice::event
