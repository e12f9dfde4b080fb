// RapidJSON Writer that appends straight into a caller-owned std::string (the Kafka message buffer), so a
// serialized event is built in place with no intermediate copy. RapidJSON escapes exactly as Jackson does
// (\" \\ \b \f \n \r \t, other control characters as \u00XX, everything else raw UTF-8).
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/writer.h>

namespace sluice {

struct StringSink {
  using Ch = char;
  std::string* out = nullptr;
  void Put(char c) { out->push_back(c); }
  void Flush() {}
};

// Writer reserves before it writes a string or number (found by argument-dependent lookup): make that one
// std::string reserve, a no-op once the reused message buffer has grown, instead of nothing.
inline void PutReserve(StringSink& s, size_t count) {
  s.out->reserve(s.out->size() + count);
}

class JsonWriter : public rapidjson::Writer<StringSink> {
 public:
  using rapidjson::Writer<StringSink>::Writer;
  StringSink& sink() { return *os_; }
};

// True when RapidJSON's default escaping leaves s as it is: no control character, '"' or '\\'.
inline bool json_plain(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == '"' || c == '\\') return false;
  }
  return true;
}

// Writes a std::string_view as a JSON string. Strings that need no escaping (nearly all: names, numbers
// in text, timestamps) are appended in one go after the separator; the rest go through RapidJSON's
// escaping, which writes a character at a time. The bytes are the same either way.
inline void write_string(JsonWriter& w, std::string_view s) {
  if (!json_plain(s)) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return;
  }
  w.RawValue("", 0, rapidjson::kStringType);
  std::string& out = *w.sink().out;
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
}
inline void write_key(JsonWriter& w, std::string_view s) {
  write_string(w, s);  // Writer::Key is Writer::String; the writer tracks key/value alternation itself
}
// Splices pre-rendered JSON (a schema, a number in Java's format) into the output.
inline void write_raw(JsonWriter& w, std::string_view json, rapidjson::Type type) {
  // An empty RawValue writes just the separator the writer's state calls for; the text is then appended
  // in one go (RapidJSON copies raw values a character at a time, which dominated serialization when the
  // multi-kilobyte schemas are enabled).
  w.RawValue("", 0, type);
  w.sink().out->append(json);
}

}  // namespace sluice
