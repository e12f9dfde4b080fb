// Json: a small ordered JSON tree for records in transformation. Numbers keep their text as written (so a
// value that passes through a transform is written back byte for byte: Java's double format, int64
// precision) and object members keep their order (JsonConverter writes struct fields in schema order).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "common/result.h"

namespace sluice::transform {

struct JsonMember;

struct Json {
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // kString: the decoded string; kNumber: the number as written
  std::vector<Json> items;
  std::vector<JsonMember> members;  // kObject, in order (JsonMember is defined below: clang needs it so)

  static Json null();
  static Json string(std::string s);
  static Json number(std::string digits);
  static Json boolean_value(bool b);
  static Json object();
  static Json array();

  bool is_null() const { return kind == Kind::kNull; }
  bool is_object() const { return kind == Kind::kObject; }
  bool is_string() const { return kind == Kind::kString; }
  // Member of an object (nullptr when absent or not an object).
  const Json* find(std::string_view name) const;
  Json* find(std::string_view name);
  // Sets (replacing) or appends a member.
  void set(std::string_view name, Json value);
  bool erase(std::string_view name);

  // The value as Connect's SimpleHeaderConverter / Values.convertToString would print it: strings raw,
  // numbers and booleans as text, null as nullopt, structures as JSON.
  std::optional<std::string> to_display_string() const;
};

// One member of an object: its name and value, named as std::pair's (a pair of an incomplete Json cannot be a
// vector element under clang's libstdc++ checks).
struct JsonMember {
  std::string first;
  Json second;
  JsonMember() = default;
  JsonMember(std::string name, Json value) : first(std::move(name)), second(std::move(value)) {}
};

bool operator==(const Json& a, const Json& b);
inline bool operator==(const JsonMember& a, const JsonMember& b) {
  return a.first == b.first && a.second == b.second;
}

inline Json Json::null() {
  return {};
}
inline Json Json::string(std::string s) {
  Json j;
  j.kind = Kind::kString;
  j.text = std::move(s);
  return j;
}
inline Json Json::number(std::string digits) {
  Json j;
  j.kind = Kind::kNumber;
  j.text = std::move(digits);
  return j;
}
inline Json Json::boolean_value(bool b) {
  Json j;
  j.kind = Kind::kBool;
  j.boolean = b;
  return j;
}
inline Json Json::object() {
  Json j;
  j.kind = Kind::kObject;
  return j;
}
inline Json Json::array() {
  Json j;
  j.kind = Kind::kArray;
  return j;
}

// Parses one JSON document (kData error naming the offset on malformed input).
Result<Json> parse_json(std::string_view text);
void write_json(sluice::JsonWriter& w, const Json& value);
std::string to_json_text(const Json& value);

// The end (exclusive) of the JSON value that starts at text[pos] (after whitespace), or npos when the text
// is malformed there. Strings and nesting are skipped without building anything.
size_t skip_json_value(std::string_view text, size_t pos);

}  // namespace sluice::transform
