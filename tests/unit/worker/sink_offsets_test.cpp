// A sink connector's offsets in Kafka Connect's REST shapes (KIP-875, SinkUtils).
#include "worker/sink_offsets.h"

#include <gtest/gtest.h>

namespace sluice::worker {
namespace {

using json = nlohmann::json;

TEST(SinkOffsets, ConnectsShapeSortedByTopicAndPartition) {
  SinkPositions p = {{{"srv.public.b", 0}, 7}, {{"srv.public.a", 1}, 12}, {{"srv.public.a", 0}, 3}};
  auto j = sink_offsets_json(p);
  EXPECT_EQ(j, json::parse(R"([
    {"partition":{"kafka_topic":"srv.public.a","kafka_partition":0},"offset":{"kafka_offset":3}},
    {"partition":{"kafka_topic":"srv.public.a","kafka_partition":1},"offset":{"kafka_offset":12}},
    {"partition":{"kafka_topic":"srv.public.b","kafka_partition":0},"offset":{"kafka_offset":7}}])"));
  EXPECT_EQ(sink_offsets_json({}), json::array());
}

TEST(SinkOffsets, ParsesNumbersNumericStringsAndResets) {
  auto c = parse_sink_offsets(json::parse(R"([
    {"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":10}},
    {"partition":{"kafka_topic":"t","kafka_partition":"1"},"offset":{"kafka_offset":"20"}},
    {"partition":{"kafka_topic":"t","kafka_partition":2},"offset":null},
    {"partition":{"kafka_topic":"u","kafka_partition":0}}])"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->size(), 4u);
  EXPECT_EQ(c->at({"t", 0}), 10);
  EXPECT_EQ(c->at({"t", 1}), 20);
  EXPECT_FALSE(c->at({"t", 2}).has_value());
  EXPECT_FALSE(c->at({"u", 0}).has_value());
}

TEST(SinkOffsets, ConnectsBadRequestMessages) {
  auto error = [](const char* text) {
    auto c = parse_sink_offsets(json::parse(text));
    EXPECT_FALSE(c.ok()) << text;
    return c.ok() ? std::string() : c.error().message;
  };
  EXPECT_EQ(error(R"([{"partition":{"kafka_topic":"t"},"offset":{"kafka_offset":1}}])"),
            "The partition for a sink connector offset must contain the keys 'kafka_topic' and "
            "'kafka_partition'");
  EXPECT_EQ(error(R"([{"partition":{"server":"s"},"offset":{"lsn":1}}])"),
            "The partition for a sink connector offset must contain the keys 'kafka_topic' and "
            "'kafka_partition'");
  EXPECT_EQ(error(R"([{"partition":{"kafka_topic":null,"kafka_partition":0}}])"),
            "Kafka topic names must be valid strings and may not be null");
  EXPECT_EQ(error(R"([{"partition":{"kafka_topic":"t","kafka_partition":null}}])"),
            "Kafka partitions must be valid numbers and may not be null");
  EXPECT_EQ(error(R"([{"partition":{"kafka_topic":"t","kafka_partition":"zero"}}])"),
            "Failed to parse the following Kafka partition value in the provided offsets: 'zero'. Partition "
            "values for sink connectors need to be integers.");
  EXPECT_EQ(error(R"([{"partition":{"kafka_topic":"t","kafka_partition":1.5}}])"),
            "Failed to parse the following Kafka partition value in the provided offsets: '1.5'. Partition "
            "values for sink connectors need to be integers.");
  EXPECT_EQ(error(R"([{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"offset":1}}])"),
            "The offset for a sink connector should either be null or contain the key 'kafka_offset'");
  EXPECT_EQ(
      error(R"([{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":"x1"}}])"),
      "Failed to parse the following Kafka offset value in the provided offsets: 'x1'. Offset values "
      "for sink connectors need to be integers.");
  EXPECT_EQ(error(R"([{"offset":{"kafka_offset":1}}])"),
            "The partition for a sink connector offset cannot be null or missing");
}

}  // namespace
}  // namespace sluice::worker
