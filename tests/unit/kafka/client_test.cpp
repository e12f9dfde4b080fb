// The client factory's pure parts: how properties are layered and how a refused one is reported.
#include "kafka/client.h"

#include <gtest/gtest.h>

namespace sluice::kafka {
namespace {

TEST(KafkaClient, SecretValuesAreNamedNotShown) {
  EXPECT_EQ(shown_value("sasl.password", "hunter2"), "(secret)");
  EXPECT_EQ(shown_value("ssl.key.pem", "-----BEGIN"), "(secret)");
  EXPECT_EQ(shown_value("client.secret", "x"), "(secret)");
  EXPECT_EQ(shown_value("acks", "all"), "'all'");
}

TEST(KafkaClient, RefusedUserPropertyNamesKeyValueAndOrigin) {
  EXPECT_EQ(refused_property(ClientType::kProducer, "acks", "most", "Invalid value", true,
                             "passed through as producer.{} / kafka.{}"),
            "invalid Kafka producer property acks='most': Invalid value (passed through as producer.acks / "
            "kafka.acks)");
  EXPECT_EQ(refused_property(ClientType::kConsumer, "sasl.password", "pw", "bad", true, ""),
            "invalid Kafka consumer property sasl.password=(secret): bad");
}

TEST(KafkaClient, RefusedOwnPropertyShowsTheValue) {
  EXPECT_EQ(refused_property(ClientType::kProducer, "linger.ms", "-1", "out of range", false, ""),
            "cannot set Kafka property linger.ms='-1': out of range");
}

TEST(KafkaClient, MakeConfFailsOnTheFirstRefusedProperty) {
  ClientSpec spec;
  spec.type = ClientType::kProducer;
  spec.layers.push_back(Layer::of({{"acks", "all"}}));
  Layer user = Layer::of({{"no.such.property", "1"}}, true);
  spec.layers.push_back(user);
  auto conf = make_conf(spec);
  ASSERT_FALSE(conf);
  EXPECT_NE(conf.error().message.find("invalid Kafka producer property no.such.property='1'"),
            std::string::npos)
      << conf.error().message;
}

TEST(KafkaClient, MakeConfSkipsRefusedPassedThroughProperties) {
  ClientSpec spec;
  Layer passed = Layer::of({{"no.such.property", "1"}});
  passed.skip_refused = true;
  spec.layers.push_back(passed);
  spec.layers.push_back(Layer::of({{"group.id", "g"}}));
  auto conf = make_conf(spec);
  ASSERT_TRUE(conf) << conf.error().message;
  char value[64];
  size_t size = sizeof(value);
  ASSERT_EQ(rd_kafka_conf_get(conf->get(), "group.id", value, &size), RD_KAFKA_CONF_OK);
  EXPECT_STREQ(value, "g");
}

TEST(KafkaClient, LaterLayersOverrideEarlierOnes) {
  ClientSpec spec;
  spec.layers.push_back(Layer::of({{"client.id", "sluice"}}));
  spec.layers.push_back(Layer::of({{"client.id", "mine"}}, true));
  auto conf = make_conf(spec);
  ASSERT_TRUE(conf);
  char value[64];
  size_t size = sizeof(value);
  ASSERT_EQ(rd_kafka_conf_get(conf->get(), "client.id", value, &size), RD_KAFKA_CONF_OK);
  EXPECT_STREQ(value, "mine");
}

TEST(KafkaClient, SecurityPropertiesKeepsOnlySecuritySettings) {
  auto s = security_properties({{"security.protocol", "SASL_SSL"},
                                {"sasl.mechanism", "PLAIN"},
                                {"ssl.ca.location", "/ca"},
                                {"acks", "1"}});
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.count("acks"), 0u);
}

}  // namespace
}  // namespace sluice::kafka
