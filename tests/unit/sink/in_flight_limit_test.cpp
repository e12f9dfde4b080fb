// The queue bound between reading the WAL and Kafka's acknowledgement: InFlightLimit alone, and
// KafkaProducer::produce() blocking at max.queue.size / max.queue.size.in.bytes while no broker answers.
#include "sink/in_flight_limit.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sluice::sink
