// The queue bound between reading the WAL and Kafka's acknowledgement: InFlightLimit alone, and
// KafkaProducer::produce() blocking at max.queue.size / max.queue.size.in.bytes while no broker answers.
#include "sink/in_flight_limit.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "sink/kafka_producer.h"

namespace sluice::sink {
namespace {

TEST(InFlightLimit, BoundsTheEventCount) {
  InFlightLimit l(3, 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(l.has_room(1000000));
    l.add(1000000);
  }
  EXPECT_FALSE(l.has_room(1));
  l.release(1000000);
  EXPECT_TRUE(l.has_room(1));
  EXPECT_EQ(l.events(), 2);
  EXPECT_EQ(l.bytes(), 2000000);
}

TEST(InFlightLimit, BoundsTheBytes) {
  InFlightLimit l(100, 50);
  l.add(20);
  EXPECT_TRUE(l.has_room(30));  // exactly full is allowed
  l.add(30);
  EXPECT_FALSE(l.has_room(1));
  l.release(20);
  EXPECT_TRUE(l.has_room(20));
  EXPECT_FALSE(l.has_room(21));
}

TEST(InFlightLimit, AnEmptyQueueTakesAnyMessage) {
  InFlightLimit l(10, 50);
  EXPECT_TRUE(l.has_room(1000));  // larger than the byte bound: sent alone, never stuck
  l.add(1000);
  EXPECT_FALSE(l.has_room(1));
  l.release(1000);
  EXPECT_EQ(l.events(), 0);
  EXPECT_EQ(l.bytes(), 0);
}

struct Reports : DeliveryHandler {
  int delivered = 0;
  int failed = 0;
  void on_delivery(uint64_t, std::string_view, const char* error) override { ++(error ? failed : delivered); }
};

// No broker listens on port 1 of the loopback: nothing is ever acknowledged.
Result<std::unique_ptr<KafkaProducer>> unreachable(Reports& reports, QueueLimits limits) {
  return KafkaProducer::create("127.0.0.1:1", {{"reconnect.backoff.max.ms", "1000"}}, &reports, limits);
}

TEST(KafkaProducerQueue, ProduceBlocksAtMaxQueueSize) {
  Reports reports;
  auto p = unreachable(reports, QueueLimits{5, 0, 2});
  ASSERT_TRUE(p.ok()) << p.error().message;
  int interruptions = 0;
  auto interrupt = [&] {
    ++interruptions;
    return true;
  };
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*p)->produce("t", std::string_view("k"), std::string_view("value"), 1, {}, interrupt).ok());
  }
  EXPECT_EQ(interruptions, 0);  // room for all five: no wait
  EXPECT_EQ((*p)->in_flight().events(), 5);
  EXPECT_EQ((*p)->in_flight().bytes(), 5 * 6);
  auto sixth = (*p)->produce("t", std::string_view("k"), std::string_view("value"), 1, {}, interrupt);
  ASSERT_FALSE(sixth.ok());  // waited for room until interrupted
  EXPECT_EQ(sixth.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(interruptions, 1);
  EXPECT_EQ((*p)->in_flight().events(), 5);

  // Failed (purged) messages leave the queue like acknowledged ones.
  rd_kafka_purge((*p)->handle(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  (*p)->poll(0);
  EXPECT_EQ(reports.failed, 5);
  EXPECT_EQ((*p)->in_flight().events(), 0);
  EXPECT_EQ((*p)->in_flight().bytes(), 0);
  EXPECT_TRUE((*p)->produce("t", std::nullopt, std::string_view("value"), 1, {}, interrupt).ok());
}

TEST(KafkaProducerQueue, ProduceBlocksAtMaxQueueSizeInBytes) {
  Reports reports;
  auto p = unreachable(reports, QueueLimits{1000, 100, 10});
  ASSERT_TRUE(p.ok()) << p.error().message;
  const std::string value(40, 'x');
  auto interrupt = [] { return true; };
  EXPECT_TRUE((*p)->produce("t", std::string_view("k"), std::string_view(value), 1, {}, interrupt).ok());
  EXPECT_TRUE((*p)->produce("t", std::string_view("k"), std::string_view(value), 1, {}, interrupt).ok());
  EXPECT_EQ((*p)->in_flight().bytes(), 82);
  EXPECT_FALSE((*p)->produce("t", std::string_view("k"), std::string_view(value), 1, {}, interrupt).ok());
  EXPECT_TRUE((*p)->produce("t", std::nullopt, std::string_view("x"), 1, {}, interrupt).ok());  // 83 bytes
  rd_kafka_purge((*p)->handle(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  (*p)->poll(0);
}

// Regression: librdkafka's own byte bound (4 MiB by default) must hold the largest message it accepts, or a
// message between the two (here 6 MB with message.max.bytes raised, as max.request.size does) waits for
// room forever.
TEST(KafkaProducerQueue, TakesAMessageAsLargeAsMessageMaxBytes) {
  Reports reports;
  auto p = KafkaProducer::create("127.0.0.1:1", {{"message.max.bytes", "16777216"}}, &reports, QueueLimits{});
  ASSERT_TRUE(p.ok()) << p.error().message;
  const std::string value(6 * 1000 * 1000, 'x');
  EXPECT_TRUE(
      (*p)->produce("t", std::string_view("k"), std::string_view(value), 1, {}, [] { return true; }).ok());
  rd_kafka_purge((*p)->handle(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  (*p)->poll(0);
  EXPECT_EQ(reports.failed, 1);
}

// Without exactly-once, one request in flight keeps the order (see kafka_producer.cpp); idempotence on
// request.
TEST(KafkaProducerQueue, OneRequestInFlightUnlessIdempotent) {
  auto setting = [](const std::map<std::string, std::string>& props, const char* name) {
    Reports reports;
    auto p = KafkaProducer::create("127.0.0.1:1", props, &reports, QueueLimits{});
    EXPECT_TRUE(p.ok());
    char buf[64];
    size_t size = sizeof buf;
    EXPECT_EQ(rd_kafka_conf_get(rd_kafka_conf((*p)->handle()), name, buf, &size), RD_KAFKA_CONF_OK);
    return std::string(buf);
  };
  EXPECT_EQ(setting({}, "enable.idempotence"), "false");
  EXPECT_EQ(setting({}, "max.in.flight.requests.per.connection"), "1");
  EXPECT_EQ(setting({{"enable.idempotence", "true"}}, "enable.idempotence"), "true");
  EXPECT_EQ(setting({{"enable.idempotence", "true"}}, "max.in.flight.requests.per.connection"), "5");
}

}  // namespace
}  // namespace sluice::sink
