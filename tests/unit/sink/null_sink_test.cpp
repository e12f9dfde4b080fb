// NullSink: every produced message is acknowledged (in order, on the polling thread) at the next poll().
#include "sink/null_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sluice::sink {
namespace {

struct Recorder : DeliveryHandler {
  std::vector<std::pair<uint64_t, std::string>> delivered;
  void on_delivery(uint64_t opaque, std::string_view topic, const char* error) override {
    EXPECT_EQ(error, nullptr);
    delivered.emplace_back(opaque, std::string(topic));
  }
};

const std::function<bool()> kNever = [] { return false; };

TEST(NullSink, AcknowledgesEveryMessageAtTheNextPoll) {
  Recorder rec;
  NullSink sink(&rec);
  ASSERT_TRUE(sink.ensure_topic("p.public.a", 1000).ok());
  ASSERT_TRUE(sink.produce("p.public.a", std::string_view("k1"), std::string_view("v1"), 7, {}, kNever).ok());
  ASSERT_TRUE(sink.produce("p.public.b", std::nullopt, std::string_view("v2"), 8, {}, kNever).ok());
  ASSERT_TRUE(
      sink.produce("p.public.a", std::string_view("k1"), std::nullopt, 9, {}, kNever).ok());  // tombstone
  EXPECT_EQ(sink.out_queue_len(), 3);
  EXPECT_TRUE(rec.delivered.empty());  // nothing is reported from inside produce()

  EXPECT_EQ(sink.poll(0), 3);
  EXPECT_EQ(sink.out_queue_len(), 0);
  ASSERT_EQ(rec.delivered.size(), 3u);
  EXPECT_EQ(rec.delivered[0], (std::pair<uint64_t, std::string>{7, "p.public.a"}));
  EXPECT_EQ(rec.delivered[1], (std::pair<uint64_t, std::string>{8, "p.public.b"}));
  EXPECT_EQ(rec.delivered[2], (std::pair<uint64_t, std::string>{9, "p.public.a"}));
  EXPECT_EQ(sink.messages(), 3u);
  EXPECT_EQ(sink.bytes(), 2u + 2u + 2u + 2u);
  EXPECT_EQ(sink.poll(0), 0);
}

TEST(NullSink, FlushDeliversEverythingAndCountsHeaders) {
  Recorder rec;
  NullSink sink(&rec);
  std::vector<KafkaHeader> headers{{"__debezium.oldkey", "{}"}};
  for (uint64_t i = 0; i < 1000; ++i) {
    ASSERT_TRUE(sink.produce("t", std::string_view("k"), std::string_view("value"), i, headers, kNever).ok());
  }
  EXPECT_TRUE(sink.flush(0));
  EXPECT_EQ(sink.out_queue_len(), 0);
  ASSERT_EQ(rec.delivered.size(), 1000u);
  for (uint64_t i = 0; i < 1000; ++i) EXPECT_EQ(rec.delivered[i].first, i);
  EXPECT_EQ(sink.bytes(), 1000u * (1 + 5 + 17 + 2));
}

// A handler that produces while being called back (as the connector may, via emit after an ack) must not
// invalidate the batch being served; the new message is reported at the following poll.
TEST(NullSink, ProduceFromInsideDeliveryIsReportedNextPoll) {
  struct Reentrant : DeliveryHandler {
    NullSink* sink = nullptr;
    int calls = 0;
    void on_delivery(uint64_t opaque, std::string_view, const char*) override {
      ++calls;
      if (opaque == 1) {
        EXPECT_TRUE(sink->produce("t", std::nullopt, std::string_view("x"), 2, {}, kNever).ok());
      }
    }
  } handler;
  NullSink sink(&handler);
  handler.sink = &sink;
  ASSERT_TRUE(sink.produce("t", std::nullopt, std::string_view("x"), 1, {}, kNever).ok());
  EXPECT_EQ(sink.poll(0), 1);
  EXPECT_EQ(sink.out_queue_len(), 1);
  EXPECT_EQ(sink.poll(0), 1);
  EXPECT_EQ(handler.calls, 2);
}

}  // namespace
}  // namespace sluice::sink
