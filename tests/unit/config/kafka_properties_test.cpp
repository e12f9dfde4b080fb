// Kafka client properties: Java client names (as Debezium users write them) become librdkafka's; secrets
// from sasl.jaas.config land in sasl.username/sasl.password; stores librdkafka cannot read are refused.
#include "config/kafka_properties.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/config.h"

namespace sluice::config {
namespace {

std::map<std::string, KafkaProperty> props(std::initializer_list<std::pair<const char*, const char*>> kv) {
  std::map<std::string, KafkaProperty> out;
  for (auto [k, v] : kv) out[k] = KafkaProperty{std::string("producer.") + k, v};
  return out;
}

std::string temp_file(const std::string& name, const std::string& content) {
  auto path = std::filesystem::temp_directory_path() / ("sluice-kafka-props-" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

TEST(KafkaProperties, ScramJaasBecomesUsernameAndPassword) {
  std::vector<std::string> warnings;
  auto r = to_librdkafka(
      props(
          {{"security.protocol", "SASL_SSL"},
           {"sasl.mechanism", "SCRAM-SHA-512"},
           {"sasl.jaas.config",
            R"(org.apache.kafka.common.security.scram.ScramLoginModule required username="sluice" password="p\"w;x";)"}}),
      warnings);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("security.protocol"), "sasl_ssl");
  EXPECT_EQ(r->at("sasl.mechanism"), "SCRAM-SHA-512");
  EXPECT_EQ(r->at("sasl.username"), "sluice");
  EXPECT_EQ(r->at("sasl.password"), "p\"w;x");
  EXPECT_EQ(r->count("sasl.jaas.config"), 0u);
  EXPECT_TRUE(warnings.empty());
}

TEST(KafkaProperties, PlainJaasImpliesPlainMechanism) {
  std::vector<std::string> warnings;
  auto r = to_librdkafka(props({{"sasl.jaas.config",
                                 "org.apache.kafka.common.security.plain.PlainLoginModule required\n  "
                                 "username=alice password=s3cret ;"}}),
                         warnings);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("sasl.mechanism"), "PLAIN");
  EXPECT_EQ(r->at("sasl.username"), "alice");
  EXPECT_EQ(r->at("sasl.password"), "s3cret");
}

TEST(KafkaProperties, JaasErrorsNameTheKeyNeverThePassword) {
  std::vector<std::string> warnings;
  auto no_mech = to_librdkafka(
      props(
          {{"sasl.jaas.config",
            R"(org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="hunter2";)"}}),
      warnings);
  ASSERT_FALSE(no_mech.ok());
  EXPECT_NE(no_mech.error().message.find("producer.sasl.jaas.config"), std::string::npos);
  EXPECT_NE(no_mech.error().message.find("SCRAM-SHA-512"), std::string::npos);
  EXPECT_EQ(no_mech.error().message.find("hunter2"), std::string::npos);

  for (const char* bad :
       {R"(org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="hunter2")",
        R"(org.apache.kafka.common.security.plain.PlainLoginModule username="u" password="hunter2";)",
        R"(org.apache.kafka.common.security.plain.PlainLoginModule required username="u";)",
        R"(org.apache.kafka.common.security.plain.PlainLoginModule required password="hunter2;)",
        R"(org.example.CustomLoginModule required password="hunter2";)"}) {
    auto r = to_librdkafka(props({{"sasl.jaas.config", bad}}), warnings);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("producer.sasl.jaas.config"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << r.error().message;
  }
  auto mismatch = to_librdkafka(
      props(
          {{"sasl.mechanism", "PLAIN"},
           {"sasl.jaas.config",
            R"(org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";)"}}),
      warnings);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("sasl.mechanism=PLAIN"), std::string::npos);
}

TEST(KafkaProperties, ExplicitCredentialsConflictingWithJaasAreRefused) {
  std::vector<std::string> warnings;
  auto r = to_librdkafka(
      props(
          {{"sasl.username", "bob"},
           {"sasl.jaas.config",
            R"(org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="p";)"}}),
      warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("producer.sasl.username and producer.sasl.jaas.config"), std::string::npos)
      << r.error().message;
}

TEST(KafkaProperties, InvalidProtocolAndMechanismNameKeyAndAllowed) {
  std::vector<std::string> warnings;
  auto p = to_librdkafka(props({{"security.protocol", "TLS"}}), warnings);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message,
            "invalid value for producer.security.protocol: 'TLS' (allowed: PLAINTEXT, SSL, SASL_PLAINTEXT, "
            "SASL_SSL)");
  auto m = to_librdkafka(props({{"sasl.mechanism", "SCRAM-SHA-1"}}), warnings);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("invalid value for producer.sasl.mechanism: 'SCRAM-SHA-1'"),
            std::string::npos);
}

TEST(KafkaProperties, PemStoresMapToLibrdkafkaLocations) {
  auto ca = temp_file("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  auto ks = temp_file("ks.pem", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
  std::vector<std::string> warnings;
  auto r = to_librdkafka(props({{"ssl.truststore.type", "PEM"},
                                {"ssl.truststore.location", ca.c_str()},
                                {"ssl.keystore.location", ks.c_str()},  // type recognised by content
                                {"ssl.key.password", "kpw"},
                                {"ssl.endpoint.identification.algorithm", ""}}),
                         warnings);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("ssl.ca.location"), ca);
  EXPECT_EQ(r->at("ssl.certificate.location"), ks);
  EXPECT_EQ(r->at("ssl.key.location"), ks);
  EXPECT_EQ(r->at("ssl.key.password"), "kpw");
  EXPECT_EQ(r->at("ssl.endpoint.identification.algorithm"), "none");
  EXPECT_EQ(r->count("ssl.truststore.location"), 0u);
  EXPECT_EQ(r->count("ssl.keystore.location"), 0u);

  auto inline_pem = to_librdkafka(props({{"ssl.truststore.type", "PEM"},
                                         {"ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----…"},
                                         {"ssl.keystore.type", "PEM"},
                                         {"ssl.keystore.certificate.chain", "-----BEGIN CERTIFICATE-----…"},
                                         {"ssl.keystore.key", "-----BEGIN PRIVATE KEY-----…"}}),
                                  warnings);
  ASSERT_TRUE(inline_pem.ok()) << inline_pem.error().message;
  EXPECT_EQ(inline_pem->at("ssl.ca.pem"), "-----BEGIN CERTIFICATE-----…");
  EXPECT_EQ(inline_pem->at("ssl.certificate.pem"), "-----BEGIN CERTIFICATE-----…");
  EXPECT_EQ(inline_pem->at("ssl.key.pem"), "-----BEGIN PRIVATE KEY-----…");
  std::remove(ca.c_str());
  std::remove(ks.c_str());
}

TEST(KafkaProperties, JksStoresAreRefusedWithHowToConvert) {
  auto jks = temp_file("store.jks", std::string("\xFE\xED\xFE\xED\x00\x00\x00\x02", 8));
  std::vector<std::string> warnings;
  auto t = to_librdkafka(props({{"ssl.truststore.location", jks.c_str()}}), warnings);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("producer.ssl.truststore.location"), std::string::npos);
  EXPECT_NE(t.error().message.find("JKS"), std::string::npos);
  EXPECT_NE(t.error().message.find("PEM"), std::string::npos);
  auto k = to_librdkafka(props({{"ssl.keystore.location", jks.c_str()}, {"ssl.keystore.password", "x"}}),
                         warnings);
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.error().message.find("JKS key store"), std::string::npos);
  auto p12 = to_librdkafka(props({{"ssl.keystore.type", "PKCS12"},
                                  {"ssl.keystore.location", jks.c_str()},
                                  {"ssl.keystore.password", "x"}}),
                           warnings);
  ASSERT_TRUE(p12.ok()) << p12.error().message;
  EXPECT_EQ(p12->at("ssl.keystore.location"), jks);
  EXPECT_EQ(p12->at("ssl.keystore.password"), "x");
  auto missing = to_librdkafka(props({{"ssl.truststore.location", "/nonexistent/ca.pem"}}), warnings);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(
                "invalid value for producer.ssl.truststore.location: '/nonexistent/ca.pem'"),
            std::string::npos);
  std::remove(jks.c_str());
}

TEST(KafkaProperties, JavaOnlySettingsAreDroppedWithAWarning) {
  std::vector<std::string> warnings;
  auto r = to_librdkafka(props({{"ssl.enabled.protocols", "TLSv1.3"}, {"linger.ms", "20"}}), warnings);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count("ssl.enabled.protocols"), 0u);
  EXPECT_EQ(r->at("linger.ms"), "20");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("producer.ssl.enabled.protocols"), std::string::npos);
}

TEST(KafkaProperties, PrefixesOfConfigAllReachTheClient) {
  Properties p = {
      {"database.hostname", "h"},
      {"database.user", "u"},
      {"database.dbname", "d"},
      {"topic.prefix", "p"},
      {"producer.override.security.protocol", "SASL_SSL"},
      {"kafka.sasl.mechanism", "scram-sha-256"},
      {"producer.sasl.jaas.config",
       R"(org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="pw";)"},
      {"producer.linger.ms", "7"}};
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->producer_properties.at("security.protocol"), "sasl_ssl");
  EXPECT_EQ(c->producer_properties.at("sasl.mechanism"), "SCRAM-SHA-256");
  EXPECT_EQ(c->producer_properties.at("sasl.username"), "u");
  EXPECT_EQ(c->producer_properties.at("sasl.password"), "pw");
  EXPECT_EQ(c->producer_properties.at("linger.ms"), "7");
  p["kafka.linger.ms"] = "8";
  auto conflict = parse_config(p);
  ASSERT_FALSE(conflict.ok());
  EXPECT_NE(conflict.error().message.find("kafka.linger.ms and producer.linger.ms"), std::string::npos)
      << conflict.error().message;
}

}  // namespace
}  // namespace sluice::config
