// common/utf16.h: UTF-8 text measured as Java's UTF-16 strings.
#include "common/utf16.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Utf16, LengthCountsSupplementaryCharactersTwice) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\xc3\xa9"), 1u);          // é
  EXPECT_EQ(utf16_length("\xe2\x82\xac"), 1u);      // €
  EXPECT_EQ(utf16_length("\xf0\x9f\x98\x80"), 2u);  // 😀
}

TEST(Utf16, TruncateNeverSplitsACharacter) {
  const std::string s =
      "a\xf0\x9f\x98\x80"
      "b";
  EXPECT_EQ(truncate_utf16(s, 1), "a");
  EXPECT_EQ(truncate_utf16(s, 2), "a");  // the emoji needs 2 units
  EXPECT_EQ(truncate_utf16(s, 3), "a\xf0\x9f\x98\x80");
  EXPECT_EQ(truncate_utf16(s, 10), s);
}

TEST(Utf16, JavaStringHash) {
  EXPECT_EQ(java_string_hash(""), 0);
  EXPECT_EQ(java_string_hash("a"), 97);
  EXPECT_EQ(java_string_hash("bb"), 3136);
  EXPECT_EQ(java_string_hash("hello"), 99162322);
  // "😀".hashCode() in Java: the surrogate pair D83D DE00.
  EXPECT_EQ(java_string_hash("\xf0\x9f\x98\x80"), 0xD83D * 31 + 0xDE00);
}

}  // namespace
}  // namespace sluice
