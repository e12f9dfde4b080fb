// Lsn text round trips against Postgres' "%X/%X" form, and the strong id types.
#include "common/lsn.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace sluice {
namespace {

TEST(Lsn, ParsesAndPrintsZero) {
  auto lsn = Lsn::parse("0/0");
  ASSERT_TRUE(lsn.has_value());
  EXPECT_EQ(lsn->value(), 0u);
  EXPECT_FALSE(lsn->valid());
  EXPECT_EQ(lsn->str(), "0/0");
  EXPECT_EQ(Lsn().str(), "0/0");
}

TEST(Lsn, ParsesAndPrintsMaximum) {
  auto lsn = Lsn::parse("FFFFFFFF/FFFFFFFF");
  ASSERT_TRUE(lsn.has_value());
  EXPECT_EQ(lsn->value(), UINT64_MAX);
  EXPECT_EQ(lsn->str(), "FFFFFFFF/FFFFFFFF");
}

TEST(Lsn, SplitsHighAndLowHalves) {
  auto lsn = Lsn::parse("16/B374D848");
  ASSERT_TRUE(lsn.has_value());
  EXPECT_EQ(lsn->value(), 0x16B374D848u);
  EXPECT_EQ(Lsn(0x100000000u).str(), "1/0");
  EXPECT_EQ(Lsn(0xFFFFFFFFu).str(), "0/FFFFFFFF");
}

TEST(Lsn, PrintsUpperCaseWithoutLeadingZeros) {
  EXPECT_EQ(Lsn(0x152E280).str(), "0/152E280");
  auto lsn = Lsn::parse("00000000/0152e280");  // lower case and leading zeros are accepted
  ASSERT_TRUE(lsn.has_value());
  EXPECT_EQ(lsn->str(), "0/152E280");
}

TEST(Lsn, RoundTripsValues) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x152E280}, uint64_t{0xAB12CD},
                     uint64_t{0x1'0000'0000}, uint64_t{0xDEADBEEF'CAFEBABE}, UINT64_MAX - 1, UINT64_MAX}) {
    Lsn lsn(v);
    auto back = Lsn::parse(lsn.str());
    ASSERT_TRUE(back.has_value()) << lsn.str();
    EXPECT_EQ(*back, lsn) << lsn.str();
  }
}

TEST(Lsn, RejectsInvalidText) {
  for (const char* bad : {"", "/", "1/", "/1", "G/1", "1/G", "123456789/0", "0/123456789", "1", "1//1",
                          "1/1/1", " 1/1", "1/1 ", "-1/1", "+1/1", "0x1/1", "1:1"}) {
    EXPECT_FALSE(Lsn::parse(bad).has_value()) << '"' << bad << '"';
  }
  EXPECT_FALSE(Lsn::parse(std::string_view("1/1\0", 4)).has_value());
}

TEST(Lsn, OrdersNumerically) {
  EXPECT_LT(*Lsn::parse("0/FFFFFFFF"), *Lsn::parse("1/0"));
  EXPECT_LT(*Lsn::parse("0/152E280"), *Lsn::parse("0/152E2B0"));
  EXPECT_EQ(*Lsn::parse("a/b"), *Lsn::parse("A/B"));
  EXPECT_TRUE(Lsn(1).valid());
}

TEST(Xid, ComparesByValue) {
  EXPECT_EQ(Xid{731}, Xid{731});
  EXPECT_LT(Xid{731}, Xid{732});
  EXPECT_NE(Oid{16390}, Oid{16397});
}

}  // namespace
}  // namespace sluice
