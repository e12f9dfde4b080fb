// common/text.h: trim.
#include "common/text.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Text, TrimDropsSurroundingWhiteSpace) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("\f\va\v"), "a");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("x"), "x");
}

}  // namespace
}  // namespace sluice
