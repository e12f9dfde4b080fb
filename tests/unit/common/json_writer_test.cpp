// JsonWriter helpers: the fast paths (plain strings and raw values appended in one go) write exactly the
// bytes RapidJSON's own String/RawValue write, separators included.
#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <rapidjson/stringbuffer.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

// The same document through the helpers and through plain RapidJSON.
void expect_same(const std::vector<std::string>& strings) {
  std::string fast;
  StringSink sink{&fast};
  JsonWriter w(sink);
  rapidjson::StringBuffer ref_buf;
  rapidjson::Writer<rapidjson::StringBuffer> ref(ref_buf);
  w.StartObject();
  ref.StartObject();
  for (const auto& s : strings) {
    write_key(w, s);
    ref.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    w.StartArray();
    ref.StartArray();
    write_string(w, s);
    ref.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    write_raw(w, R"({"a":[1,2]})", rapidjson::kObjectType);
    ref.RawValue(R"({"a":[1,2]})", 11, rapidjson::kObjectType);
    write_string(w, s);
    ref.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    w.EndArray();
    ref.EndArray();
  }
  w.EndObject();
  ref.EndObject();
  EXPECT_EQ(fast, std::string(ref_buf.GetString(), ref_buf.GetSize()));
}

TEST(JsonWriter, PlainStringsAndRawValuesMatchRapidJson) {
  expect_same({"id", "", "2024-05-01T10:11:12Z", "ünïcödé €", "with space/slash", "x"});
}

TEST(JsonWriter, StringsNeedingEscapesMatchRapidJson) {
  expect_same(
      {"quote\"d", "back\\slash", "tab\there", std::string("nul\0byte", 8), "line\nbreak", "\x1f", "\x7f"});
  EXPECT_TRUE(json_plain("plain text é"));
  EXPECT_FALSE(json_plain("a\"b"));
  EXPECT_FALSE(json_plain("a\\b"));
  EXPECT_FALSE(json_plain("a\nb"));
}

}  // namespace
}  // namespace sluice
