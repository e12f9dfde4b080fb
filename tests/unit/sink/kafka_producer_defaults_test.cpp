#include <gtest/gtest.h>

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

TEST(KafkaProducerDefaults, CompressesWithLz4) {
  EXPECT_EQ(effective({}, "compression.type"), "lz4");
}

TEST(KafkaProducerDefaults, CompressionCanBeTurnedOffOrChanged) {
  EXPECT_EQ(effective({{"compression.type", "none"}}, "compression.type"), "none");
  EXPECT_EQ(effective({{"compression.type", "zstd"}}, "compression.type"), "zstd");
}

TEST(KafkaProducerDefaults, DurableAndInOrder) {
  EXPECT_EQ(effective({}, "acks"), "-1");  // all
  EXPECT_EQ(effective({}, "max.in.flight.requests.per.connection"), "1");
  EXPECT_EQ(effective({}, "enable.idempotence"), "false");
  EXPECT_EQ(effective({{"enable.idempotence", "true"}}, "max.in.flight.requests.per.connection"), "5");
}

}  // namespace
}  // namespace sluice::sink
