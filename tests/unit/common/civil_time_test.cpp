// common/civil_time.h: days since the epoch <-> proleptic Gregorian dates.
#include "common/civil_time.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(CivilTime, KnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(0, 1, 1), -719528);  // 1 BC
  const CivilDate leap = civil_from_days(days_from_civil(2024, 2, 29));
  EXPECT_EQ(leap.year, 2024);
  EXPECT_EQ(leap.month, 2u);
  EXPECT_EQ(leap.day, 29u);
}

TEST(CivilTime, RoundTripsAcrossErasAndBeforeTheEpoch) {
  for (int64_t day = -1000000; day <= 3000000; day += 997) {
    const CivilDate c = civil_from_days(day);
    EXPECT_EQ(days_from_civil(c.year, c.month, c.day), day) << day;
    EXPECT_GE(c.month, 1u);
    EXPECT_LE(c.month, 12u);
  }
}

}  // namespace
}  // namespace sluice
