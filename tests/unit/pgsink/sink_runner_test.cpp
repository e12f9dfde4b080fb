// The sink's Kafka consumer settings: sluice's defaults and the user's consumer.* overrides.
#include "pgsink/sink_runner.h"

#include <gtest/gtest.h>

namespace sluice::pgsink {
namespace {

SinkConfig parsed(config::Properties p) {
  p.emplace("topics", "a.public.t");
  p.emplace("connection.url", "jdbc:postgresql://db.example:5433/target");
  auto c = parse_sink_config(p);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return *c;
}

TEST(SinkRunner, ConsumerDefaultsOfASinkTask) {
  auto s = consumer_settings(parsed({{"name", "pg-sink"}, {"kafka.bootstrap.servers", "k1:9092"}}));
  EXPECT_EQ(s["bootstrap.servers"], "k1:9092");
  EXPECT_EQ(s["group.id"], "connect-pg-sink");
  EXPECT_EQ(s["group.instance.id"], "sluice-sink-pg-sink");
  EXPECT_EQ(s["auto.offset.reset"], "earliest");
  EXPECT_EQ(s["enable.auto.commit"], "false");
}

// Regression: with 16 MiB the prefetch queue held about two batches of 3.6 KB change events; librdkafka stops
// fetching for a second once the queue is over its bound, so the sink waited most of the time (bench S1:
// 8.4k rows/s with 16 MiB, 25k rows/s with 64 MiB, at the same CPU).
TEST(SinkRunner, PrefetchQueueOutlastsLibrdkafkasQueueFullBackoff) {
  auto s = consumer_settings(parsed({}));
  EXPECT_EQ(s["queued.max.messages.kbytes"], "65536");
}

TEST(SinkRunner, UserConsumerSettingsWin) {
  auto s = consumer_settings(parsed(
      {{"consumer.override.queued.max.messages.kbytes", "4096"}, {"consumer.override.group.id", "mine"}}));
  EXPECT_EQ(s["queued.max.messages.kbytes"], "4096");
  EXPECT_EQ(s["group.id"], "mine");
}

}  // namespace
}  // namespace sluice::pgsink
