// kafka_config_error: which librdkafka errors mean "the configuration is refused" (sluice stops) rather
// than "the broker is unavailable" (librdkafka retries).
#include <gtest/gtest.h>

#include "sink/kafka_producer.h"

namespace sluice::sink {
namespace {

TEST(KafkaConfigError, AuthenticationNamesTheSaslSettings) {
  auto m =
      kafka_config_error(RD_KAFKA_RESP_ERR__AUTHENTICATION,
                         "sasl_ssl://b:9093/bootstrap: SASL authentication error: Authentication failed: "
                         "Invalid username or password");
  EXPECT_NE(m.find("Kafka refused the SASL authentication"), std::string::npos) << m;
  EXPECT_NE(m.find("sasl.jaas.config"), std::string::npos) << m;
  EXPECT_EQ(m.find("2.6.1"), std::string::npos) << m;  // not SCRAM
}

TEST(KafkaConfigError, ScramMentionsTheLibrdkafkaLimitWhenItApplies) {
  auto m = kafka_config_error(RD_KAFKA_RESP_ERR__AUTHENTICATION,
                              "SASL authentication error: Authentication failed during authentication due to "
                              "invalid credentials with SASL mechanism SCRAM-SHA-512");
  EXPECT_EQ(m.find("older than 2.6.1") != std::string::npos, rd_kafka_version() < 0x020601ff) << m;
}

TEST(KafkaConfigError, TlsHandshakeAndAlertsAreConfigurationErrors) {
  EXPECT_NE(kafka_config_error(RD_KAFKA_RESP_ERR__SSL, "SSL handshake failed: certificate verify failed")
                .find("TLS connection to Kafka failed"),
            std::string::npos);
  EXPECT_NE(
      kafka_config_error(RD_KAFKA_RESP_ERR__TRANSPORT,
                         "ssl://b:9093/bootstrap: Receive failed: error:0A000412:SSL routines::sslv3 alert "
                         "bad certificate: SSL alert number 42")
          .find("TLS connection to Kafka failed"),
      std::string::npos);
}

TEST(KafkaConfigError, UnavailabilityIsNot) {
  EXPECT_EQ(kafka_config_error(RD_KAFKA_RESP_ERR__TRANSPORT,
                               "Connect to ipv4#127.0.0.1:9 failed: Connection refused"),
            "");
  EXPECT_EQ(kafka_config_error(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down"), "");
  EXPECT_EQ(kafka_config_error(RD_KAFKA_RESP_ERR__TRANSPORT, "Disconnected"), "");
}

}  // namespace
}  // namespace sluice::sink
