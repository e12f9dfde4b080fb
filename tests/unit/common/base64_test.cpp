// common/base64.h: RFC 4648 encoding (standard, URL-safe) and decoding.
#include "common/base64.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("a"), "YQ==");
  EXPECT_EQ(base64_encode("ab"), "YWI=");
  EXPECT_EQ(base64_encode("abc"), "YWJj");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_encode("\xfb\xff", true), "-_8=");
}

TEST(Base64, DecodesWhatItEncodes) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  EXPECT_EQ(base64_decode(base64_encode(bytes, true)), bytes);
  EXPECT_EQ(base64_decode("YWRtaW46czNjcmV0"), std::optional<std::string>("admin:s3cret"));
}

TEST(Base64, StandardAlphabetRefusesUrlSafeCharacters) {
  EXPECT_EQ(base64_decode("-_8=", Base64Alphabet::kStandard), std::nullopt);
  EXPECT_EQ(base64_decode("+/8=", Base64Alphabet::kStandard), std::optional<std::string>("\xfb\xff"));
  EXPECT_EQ(base64_decode("!!"), std::nullopt);
}

}  // namespace
}  // namespace sluice
