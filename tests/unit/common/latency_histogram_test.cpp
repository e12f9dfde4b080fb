#include "common/latency_histogram.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.99), 0u);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 20; ++v) h.record(v);
  EXPECT_EQ(h.percentile(0.5), 10u);
  EXPECT_EQ(h.percentile(1.0), 20u);
  EXPECT_EQ(h.max(), 20u);
}

TEST(LatencyHistogram, PercentilesWithinThreePercent) {
  LatencyHistogram h;
  for (int v = 1; v <= 100000; ++v) h.record(v * 10);  // 10 µs .. 1 s, uniform
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    double exact = q * 100000 * 10;
    double got = static_cast<double>(h.percentile(q));
    EXPECT_GE(got, exact * 0.999) << q;
    EXPECT_LE(got, exact * 1.03) << q;
  }
  EXPECT_EQ(h.max(), 1000000u);
  EXPECT_EQ(h.percentile(1.0), 1000000u);
}

TEST(LatencyHistogram, TailIsSeparatedFromTheBody) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) h.record(5000);   // 5 ms
  for (int i = 0; i < 10; ++i) h.record(200000);  // 200 ms: the slowest 1 %
  EXPECT_LE(h.percentile(0.5), 5200u);
  EXPECT_LE(h.percentile(0.99), 5200u);
  EXPECT_GE(h.percentile(0.995), 194000u);
  EXPECT_EQ(h.max(), 200000u);
}

TEST(LatencyHistogram, NegativeCountsAsZeroAndHugeValuesFit) {
  LatencyHistogram h;
  h.record(-5);
  h.record(INT64_MAX);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.percentile(0.5), 0u);
  EXPECT_EQ(h.max(), static_cast<uint64_t>(INT64_MAX));
  EXPECT_EQ(h.percentile(1.0), static_cast<uint64_t>(INT64_MAX));
}

TEST(LatencyHistogram, MergeAndReset) {
  LatencyHistogram a, b;
  a.record(100);
  b.record(300);
  b.record(500);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.max(), 500u);
  EXPECT_NEAR(static_cast<double>(a.percentile(0.5)), 300, 10);
  a.reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.max(), 0u);
}

}  // namespace
}  // namespace sluice
