// Parsers of Postgres' text output (event/pg_text.h): accepted forms and rejections, including inputs the
// fuzzer (tests/fuzz/pg_text_fuzz.cpp) found.
#include "event/pg_text.h"

#include <gtest/gtest.h>

#include <limits>

namespace sluice::event::pgtext {
namespace {

TEST(PgText, Interval) {
  auto iv = parse_interval("1 year 2 mons -3 days -04:05:06.7");
  ASSERT_TRUE(iv.has_value());
  EXPECT_EQ(iv->years, 1);
  EXPECT_EQ(iv->months, 2);
  EXPECT_EQ(iv->days, -3);
  EXPECT_EQ(iv->hours, -4);
  EXPECT_EQ(iv->minutes, -5);
  EXPECT_EQ(iv->whole_seconds, -6);
  EXPECT_EQ(iv->micros, -700000);
  EXPECT_FALSE(parse_interval("").has_value());
  EXPECT_FALSE(parse_interval("1 fortnight").has_value());
}

// Regression (pg_text_fuzz, corpus regress-interval-trailing-space): a trailing separator read one byte
// past the end of the text.
TEST(PgText, IntervalTrailingSeparatorIsRejected) {
  EXPECT_FALSE(parse_interval("1 mon ").has_value());
  EXPECT_FALSE(parse_interval("1 mon  ").has_value());
  EXPECT_FALSE(parse_interval("00:00:01 ").has_value());
}

// Regression (pg_text_fuzz, corpus regress-timestamp-year-overflow): a large year overflowed the int64
// microseconds (signed overflow). Postgres prints years up to 294276, past int64 microseconds since 1970
// (292277 AD): the seconds' microseconds saturate and the fraction wraps, as Debezium's
// Conversions.toEpochMicros (issue 15: Debezium 3.4 streams -9223372036853775810 for this value); the day and
// time stay exact.
TEST(PgText, TimestampBeyondInt64MicrosSaturates) {
  auto max = parse_timestamp("294276-12-31 23:59:59.999999+00", true);
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->epoch_micros, std::numeric_limits<int64_t>::min() + 999998);  // Long.MAX_VALUE + 999999
  EXPECT_EQ(max->epoch_day, 106762939);  // Debezium: 9224318015999999 ms
  EXPECT_EQ(max->day_micros, 86399999999);
  auto shifted = parse_timestamp("2024-01-01 23:00:00-02", true);  // 2024-01-02T01:00Z
  ASSERT_TRUE(shifted.has_value());
  EXPECT_EQ(shifted->epoch_day, 19724);
  EXPECT_EQ(shifted->day_micros, 3600000000);
  auto earlier = parse_timestamp("2024-01-02 01:00:00+05", true);  // 2024-01-01T20:00Z
  ASSERT_TRUE(earlier.has_value());
  EXPECT_EQ(earlier->epoch_day, 19723);
  EXPECT_EQ(earlier->day_micros, 72000000000);
  auto big = parse_timestamp("1900190-01-01 00:00:00", false);
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->epoch_micros, std::numeric_limits<int64_t>::max());
  auto bc = parse_timestamp("4713-01-01 00:00:00+00 BC", true);
  ASSERT_TRUE(bc.has_value());
  EXPECT_EQ(bc->epoch_micros, -210863520000000000);
  auto ok = parse_timestamp("292277-01-01 00:00:00", false);
  ASSERT_TRUE(ok.has_value());
  EXPECT_LT(ok->epoch_micros, std::numeric_limits<int64_t>::max());
}

TEST(PgText, ArrayReaderElements) {
  ArrayReader r(R"({a,"b c",NULL,"x\"y","NULL"})");
  ASSERT_EQ(r.shape(), ArrayReader::Shape::kOneDim);
  std::vector<std::pair<std::string, bool>> got;
  std::string_view item;
  bool is_null = false;
  while (r.next(item, is_null)) got.emplace_back(std::string(item), is_null);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(got, (std::vector<std::pair<std::string, bool>>{
                     {"a", false}, {"b c", false}, {"NULL", true}, {"x\"y", false}, {"NULL", false}}));
  EXPECT_EQ(ArrayReader("{{1},{2}}").shape(), ArrayReader::Shape::kMultiDim);
  EXPECT_EQ(ArrayReader("{").shape(), ArrayReader::Shape::kInvalid);
  ArrayReader unterminated(R"({"a})");
  EXPECT_FALSE(unterminated.next(item, is_null));
  EXPECT_TRUE(unterminated.failed());
}

TEST(PgText, ByteaAndPoint) {
  std::string out;
  EXPECT_TRUE(decode_bytea_hex("\\x00ff", out));
  EXPECT_EQ(out, std::string("\0\xff", 2));
  EXPECT_FALSE(decode_bytea_hex("\\x0", out));
  EXPECT_FALSE(decode_bytea_hex("\\xzz", out));
  double x = 0, y = 0;
  EXPECT_TRUE(parse_point("(1.5,-2)", x, y));
  EXPECT_EQ(x, 1.5);
  EXPECT_EQ(y, -2);
  EXPECT_FALSE(parse_point("(1.5,", x, y));
}

}  // namespace
}  // namespace sluice::event::pgtext
