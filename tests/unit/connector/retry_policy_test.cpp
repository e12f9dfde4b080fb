// RetryPolicy: capped exponential backoff, the retry limit, and the reset after progress.
#include "connector/retry_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::connector {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, DoublesUpToTheCap) {
  RetryPolicy p(-1, milliseconds(300), milliseconds(2000));
  std::vector<int64_t> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(p.next().value().count());
  EXPECT_EQ(delays, (std::vector<int64_t>{300, 600, 1200, 2000, 2000, 2000}));
  EXPECT_EQ(p.retries(), 6);
}

TEST(RetryPolicy, UnlimitedNeverGivesUp) {
  RetryPolicy p(-1, milliseconds(1), milliseconds(1));
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(p.next().has_value());
}

TEST(RetryPolicy, GivesUpAfterMaxRetries) {
  RetryPolicy p(3, milliseconds(100), milliseconds(10000));
  EXPECT_TRUE(p.next());
  EXPECT_TRUE(p.next());
  EXPECT_TRUE(p.next());
  EXPECT_FALSE(p.next());
  EXPECT_EQ(p.retries(), 3);
}

TEST(RetryPolicy, ZeroMeansNoRetry) {
  RetryPolicy p(0, milliseconds(100), milliseconds(100));
  EXPECT_FALSE(p.next());
}

TEST(RetryPolicy, ProgressResetsCountAndDelay) {
  RetryPolicy p(2, milliseconds(100), milliseconds(10000));
  EXPECT_EQ(p.next()->count(), 100);
  EXPECT_EQ(p.next()->count(), 200);
  EXPECT_FALSE(p.next());
  p.reset();
  EXPECT_EQ(p.retries(), 0);
  EXPECT_EQ(p.next()->count(), 100);
}

TEST(RetryPolicy, ConstantDelayWhenInitialEqualsMax) {
  RetryPolicy p(-1, milliseconds(2500), milliseconds(2500));
  EXPECT_EQ(p.next()->count(), 2500);
  EXPECT_EQ(p.next()->count(), 2500);
}

}  // namespace
}  // namespace sluice::connector
