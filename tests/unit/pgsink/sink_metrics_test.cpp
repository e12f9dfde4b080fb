// SinkMetrics: the partition table and the consumer lag a scrape computes from the cached watermarks.
#include "pgsink/sink_metrics.h"

#include <gtest/gtest.h>

namespace sluice::pgsink {
namespace {

// Watermarks of a fake consumer: partition -> {low, high}; a partition not in the map is unknown.
SinkMetrics::WatermarkFn fake(std::map<TopicPartition, std::pair<int64_t, int64_t>>& marks) {
  return [&marks](const TopicPartition& tp, int64_t& low, int64_t& high) {
    auto it = marks.find(tp);
    if (it == marks.end()) return false;
    low = it->second.first;
    high = it->second.second;
    return true;
  };
}

TEST(SinkMetrics, LagIsTheHighWatermarkMinusTheNextOffsetToApply) {
  SinkMetrics m;
  std::map<TopicPartition, std::pair<int64_t, int64_t>> marks = {{{"t", 0}, {0, 100}}, {{"t", 1}, {0, 7}}};
  m.set_watermarks(fake(marks), true);
  m.assigned({"t", 0}, 40);  // 40 stored in the target
  m.assigned({"t", 1}, -1);  // none stored: auto.offset.reset=earliest starts at the low watermark
  m.assigned({"u", 0}, 5);   // its watermarks not known yet
  auto parts = m.partitions();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].tp, (TopicPartition{"t", 0}));
  EXPECT_EQ(parts[0].next_offset, 40);
  EXPECT_EQ(parts[0].high_watermark, 100);
  EXPECT_EQ(parts[0].lag, 60);
  EXPECT_EQ(parts[1].next_offset, -1);
  EXPECT_EQ(parts[1].lag, 7);
  EXPECT_EQ(parts[2].high_watermark, -1);
  EXPECT_EQ(parts[2].lag, -1);  // unknown, not 0

  m.applied({{{"t", 0}, 100}, {{"t", 1}, 7}, {{"gone", 3}, 9}});  // gone: not assigned, ignored
  marks[{"t", 0}] = {0, 90};                                      // a watermark seen before the commit
  parts = m.partitions();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].lag, 0);  // never negative
  EXPECT_EQ(parts[1].next_offset, 7);
  EXPECT_EQ(parts[1].lag, 0);

  m.revoked({"u", 0});
  EXPECT_EQ(m.partitions().size(), 2u);
}

TEST(SinkMetrics, WithoutEarliestAPartitionWithNothingStoredHasNoLag) {
  SinkMetrics m;
  std::map<TopicPartition, std::pair<int64_t, int64_t>> marks = {{{"t", 0}, {10, 50}}};
  m.set_watermarks(fake(marks), false);
  m.assigned({"t", 0}, -1);
  auto parts = m.partitions();
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].high_watermark, 50);
  EXPECT_EQ(parts[0].lag, -1);
}

TEST(SinkMetrics, ClosingTheConsumerForgetsItsPartitions) {
  SinkMetrics m;
  std::map<TopicPartition, std::pair<int64_t, int64_t>> marks = {{{"t", 0}, {0, 5}}};
  m.set_watermarks(fake(marks), true);
  m.assigned({"t", 0}, 2);
  ASSERT_EQ(m.partitions().size(), 1u);
  m.set_watermarks({}, true);
  EXPECT_TRUE(m.partitions().empty());
}

}  // namespace
}  // namespace sluice::pgsink
