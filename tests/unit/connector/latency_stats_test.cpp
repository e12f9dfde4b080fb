#include "connector/latency_stats.h"

#include <gtest/gtest.h>

namespace sluice::connector {
namespace {

// Times in unix µs around an arbitrary instant.
constexpr int64_t kT = 1'700'000'000'000'000;

TEST(LatencyStats, ReportsEachStageOfAnEvent) {
  LatencyStats s;
  s.begin(7, kT);
  // sent 1 ms after the commit, received 0.5 ms later, produced 0.2 ms later
  s.produced(kT, kT + 1000, kT + 1500, kT + 1700);
  // appended 3 ms after produce (at kT + 4.7 ms, the broker's ms clock: kT/1000 + 4 ms), acked at kT + 6 ms
  s.acked(7, 6000 - 1700, kT / 1000 + 4, kT + 6000);
  auto r = s.interval_report();
  EXPECT_NE(r.find("1 events"), std::string::npos) << r;
  EXPECT_NE(r.find("commit->sent 1.0/1.0/1.0/1.0"), std::string::npos) << r;
  EXPECT_NE(r.find("sent->received 0.5/0.5/0.5/0.5"), std::string::npos) << r;
  EXPECT_NE(r.find("received->produced 0.2/0.2/0.2/0.2"), std::string::npos) << r;
  EXPECT_NE(r.find("produced->appended 2.3/2.3/2.3/2.3"), std::string::npos) << r;
  EXPECT_NE(r.find("appended->acked 2.0/2.0/2.0/2.0"), std::string::npos) << r;
  EXPECT_NE(r.find("produced->acked 4.3/4.3/4.3/4.3"), std::string::npos) << r;
  EXPECT_NE(r.find("commit->acked 6.0/6.0/6.0/6.0"), std::string::npos) << r;
}

TEST(LatencyStats, WithoutLogAppendTimeTheBrokerStagesAreLeftOut) {
  LatencyStats s;
  s.begin(1, kT);
  s.produced(kT, kT, kT, kT);
  s.acked(1, 2000, -1, kT + 2000);
  auto r = s.interval_report();
  EXPECT_EQ(r.find("produced->appended"), std::string::npos) << r;
  EXPECT_NE(r.find("produced->acked 2.0"), std::string::npos) << r;
  EXPECT_NE(r.find("commit->acked 2.0"), std::string::npos) << r;
}

TEST(LatencyStats, IntervalsStartOverAndTheTotalKeepsAll) {
  LatencyStats s;
  s.begin(1, kT);
  s.produced(kT, kT, kT, kT + 1000);
  EXPECT_EQ(s.events(), 1u);
  (void)s.interval_report();
  EXPECT_EQ(s.events(), 0u);
  s.begin(2, kT);
  s.produced(kT, kT, kT, kT + 9000);
  auto total = s.total_report();
  EXPECT_NE(total.find("2 events"), std::string::npos) << total;
  EXPECT_NE(total.find("received->produced 1.0/9.0/9.0/9.0"), std::string::npos) << total;
}

TEST(LatencyStats, CommitTimesAreKeptOnlyForTransactionsInFlight) {
  LatencyStats s;
  s.begin(3, kT);
  s.begin(5, kT + 100);  // 4 was not a streamed transaction (snapshot, heartbeat)
  EXPECT_EQ(s.transactions_tracked(), 3u);
  s.acked(4, 10, -1, kT + 1000);  // unknown commit: no end-to-end sample
  s.acked(5, 10, -1, kT + 1100);
  auto r = s.interval_report();
  EXPECT_NE(r.find("commit->acked 1.0/1.0/1.0/1.0"), std::string::npos) << r;
  s.forget_before(5);
  EXPECT_EQ(s.transactions_tracked(), 1u);
  s.forget_before(6);
  EXPECT_EQ(s.transactions_tracked(), 0u);
  s.acked(5, 10, -1, kT + 2000);  // forgotten: ignored
  EXPECT_EQ(s.interval_report().find("commit->acked"), std::string::npos);
}

}  // namespace
}  // namespace sluice::connector
