// The sink's Kafka consumer settings: sluice's defaults and the user's consumer.* overrides.
#include "pgsink/sink_runner.h"

#include <gtest/gtest.h>

namespace sluice::pgsink {
namespace {

SinkConfig parsed(config::Properties p) {
  if (!p.count("topics.regex")) p.emplace("topics", "a.public.t");
  p.emplace("connection.url", "jdbc:postgresql://db.example:5433/target");
  auto c = parse_sink_config(p);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return *c;
}

TEST(SinkRunner, ConsumerDefaultsOfASinkTask) {
  auto s = consumer_settings(parsed({{"name", "pg-sink"}, {"kafka.bootstrap.servers", "k1:9092"}}));
  EXPECT_EQ(s["bootstrap.servers"], "k1:9092");
  EXPECT_EQ(s["group.id"], "connect-pg-sink");
  EXPECT_TRUE(s["group.instance.id"].starts_with("sluice-sink-pg-sink-")) << s["group.instance.id"];
  EXPECT_EQ(s["group.instance.id"].size(), std::string("sluice-sink-pg-sink-").size() + 8);
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

// Regression: a sink restarted under the same name on other topics (within the old member's session) was
// given its previous static member's assignment back, partitions of the old topics, and consumed nothing.
TEST(SinkRunner, StaticMemberIdFollowsTheSubscription) {
  auto a = parsed({{"name", "s"}});
  auto same = parsed({{"name", "s"}});
  auto other = parsed({{"name", "s"}, {"topics", "b.public.t"}});
  auto regex = parsed({{"name", "s"}, {"topics.regex", "a\\.public\\.t"}});
  EXPECT_EQ(static_member_id(a), static_member_id(same));  // a restart keeps its partitions at once
  EXPECT_NE(static_member_id(a), static_member_id(other));
  EXPECT_NE(static_member_id(a), static_member_id(regex));
  EXPECT_NE(static_member_id(a), static_member_id(parsed({{"name", "t"}})));
}

// sluice connect's sinks are dynamic members, as Connect's sink tasks: a stopped sink leaves its group, so
// the group's offsets can be reset or altered (DELETE/PATCH /connectors/{name}/offsets).
TEST(SinkRunner, DynamicMembershipHasNoInstanceId) {
  auto c = parsed({{"name", "pg-sink"}});
  c.static_membership = false;
  auto s = consumer_settings(c);
  EXPECT_EQ(s.count("group.instance.id"), 0u);
  EXPECT_EQ(s["group.id"], "connect-pg-sink");
  c.consumer_properties["group.instance.id"] = "mine";  // the user's own static id is kept
  EXPECT_EQ(consumer_settings(c)["group.instance.id"], "mine");
}

TEST(SinkRunner, UserConsumerSettingsWin) {
  auto s = consumer_settings(parsed(
      {{"consumer.override.queued.max.messages.kbytes", "4096"}, {"consumer.override.group.id", "mine"}}));
  EXPECT_EQ(s["queued.max.messages.kbytes"], "4096");
  EXPECT_EQ(s["group.id"], "mine");
}

}  // namespace
}  // namespace sluice::pgsink
