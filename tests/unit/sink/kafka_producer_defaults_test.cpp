#include <gtest/gtest.h>

#include <poll.h>
#include <unistd.h>

#include <string>

#include "sink/kafka_producer.h"

namespace sluice::sink {
namespace {

struct NoReports : DeliveryHandler {
  void on_delivery(uint64_t, std::string_view, const char*) override {}
};

// The effective librdkafka setting of a producer made with these properties (no broker needed).
std::string effective(const std::map<std::string, std::string>& properties, const char* name) {
  NoReports reports;
  auto p = KafkaProducer::create("127.0.0.1:1", properties, &reports);
  EXPECT_TRUE(p.ok());
  if (!p.ok()) return "";
  char value[256];
  size_t size = sizeof(value);
  if (rd_kafka_conf_get(rd_kafka_conf((*p)->handle()), name, value, &size) != RD_KAFKA_CONF_OK) return "";
  return value;
}

TEST(KafkaProducerDefaults, UncompressedAsKafkaConnect) {
  EXPECT_EQ(effective({}, "compression.type"), "none");  // Kafka Connect's: kafkajs reads it
}

TEST(KafkaProducerDefaults, CompressionIsAnOptIn) {
  EXPECT_EQ(effective({{"compression.type", "lz4"}}, "compression.type"), "lz4");
  EXPECT_EQ(effective({{"compression.type", "zstd"}}, "compression.type"), "zstd");
}

TEST(KafkaProducerDefaults, DurableAndInOrder) {
  EXPECT_EQ(effective({}, "acks"), "-1");  // all
  EXPECT_EQ(effective({}, "max.in.flight.requests.per.connection"), "1");
  EXPECT_EQ(effective({}, "enable.idempotence"), "false");
  EXPECT_EQ(effective({{"enable.idempotence", "true"}}, "max.in.flight.requests.per.connection"), "5");
}

TEST(KafkaProducerWakeFd, BecomesReadableWhenAnEventWaitsForPoll) {
  // Nothing listens on port 1: the message times out after 500 ms and its failed delivery report is
  // queued for poll(), which must wake the fd (a connection error may come first; either wakes it).
  NoReports reports;
  auto p = KafkaProducer::create("127.0.0.1:1", {{"message.timeout.ms", "500"}}, &reports);
  ASSERT_TRUE(p.ok());
  const int fd = (*p)->wake_fd();
  ASSERT_GE(fd, 0);
  EXPECT_EQ((*p)->wake_fd(), fd) << "one pipe per producer";
  ASSERT_TRUE((*p)->produce("t", std::nullopt, std::string_view("v"), 1, {}, [] { return false; }).ok());
  pollfd pfd{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 10000), 1) << "no wake-up within 10 s";
  char buf[8];
  EXPECT_GT(::read(fd, buf, sizeof buf), 0);
  (*p)->poll(0);
}

}  // namespace
}  // namespace sluice::sink

namespace sluice::sink {
namespace {

TEST(CreateTopicError, AFencedBrokerPassesAFactorTooLargeDoesNot) {
  EXPECT_TRUE(create_topic_error_is_transient(
      RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR,
      "Unable to replicate the partition 1 time(s): All brokers are currently fenced."));
  EXPECT_FALSE(create_topic_error_is_transient(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR,
                                               "Unable to replicate the partition 3 time(s): The target "
                                               "replication factor of 3 cannot be reached because only 1 "
                                               "broker(s) are registered."));
  EXPECT_TRUE(create_topic_error_is_transient(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, ""));
  EXPECT_TRUE(create_topic_error_is_transient(RD_KAFKA_RESP_ERR_NOT_CONTROLLER, ""));
  EXPECT_FALSE(create_topic_error_is_transient(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, ""));
  EXPECT_FALSE(create_topic_error_is_transient(RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, ""));
}

}  // namespace
}  // namespace sluice::sink
