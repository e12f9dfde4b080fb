// Worker properties (Kafka Connect's names) and connector config validation per property.
#include "worker/worker_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "worker/validation.h"

namespace sluice::worker {
namespace {

TEST(WorkerConfig, ConnectDistributedPropertiesRunAsIs) {
  // The keys of Kafka's config/connect-distributed.properties.
  config::Properties p = {{"bootstrap.servers", "k1:9092,k2:9092"},
                          {"group.id", "connect-cluster"},
                          {"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
                          {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
                          {"key.converter.schemas.enable", "true"},
                          {"value.converter.schemas.enable", "false"},
                          {"offset.storage.topic", "connect-offsets"},
                          {"offset.storage.replication.factor", "1"},
                          {"config.storage.topic", "connect-configs"},
                          {"config.storage.replication.factor", "1"},
                          {"status.storage.topic", "connect-status"},
                          {"status.storage.replication.factor", "1"},
                          {"offset.flush.interval.ms", "10000"},
                          {"listeners", "HTTP://:8083"},
                          {"plugin.path", "/usr/share/java"}};
  p["listeners"] = "http://:8083";
  auto w = parse_worker_config(p);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->bootstrap_servers, "k1:9092,k2:9092");
  EXPECT_EQ(w->config_topic.name, "connect-configs");
  EXPECT_EQ(w->config_topic.partitions, 1);
  EXPECT_EQ(w->offset_topic.partitions, 25);
  EXPECT_EQ(w->status_topic.partitions, 5);
  EXPECT_EQ(w->offset_topic.replication_factor, 1);
  EXPECT_EQ(w->http.host, "0.0.0.0");
  EXPECT_EQ(w->http.port, 8083);
  EXPECT_EQ(w->offset_flush_interval_ms, 10000);
  EXPECT_TRUE(w->warnings.empty()) << w->warnings.front();
  EXPECT_EQ(w->worker_id(), "127.0.0.1:8083");
  EXPECT_EQ(w->connector_defaults.at("value.converter.schemas.enable"), "false");
}

TEST(WorkerConfig, DefaultsAndAdvertisedAddress) {
  auto w = parse_worker_config({});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->http.host, "127.0.0.1");  // loopback by default
  EXPECT_EQ(w->http.port, 8083);
  EXPECT_EQ(w->group_id, "connect-cluster");
  auto a = parse_worker_config({{"rest.advertised.host.name", "w1.example"},
                                {"rest.advertised.port", "9000"},
                                {"rest.advertised.listener", "https"}});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->worker_id(), "w1.example:9000");
  EXPECT_EQ(a->advertised_url(), "https://w1.example:9000");
}

TEST(WorkerConfig, UnknownKeysWarnedBadValuesNamed) {
  auto w = parse_worker_config({{"bogus.key", "1"}});
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->warnings.size(), 1u);
  EXPECT_NE(w->warnings[0].find("bogus.key"), std::string::npos);
  auto bad = parse_worker_config({{"status.storage.partitions", "many"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("status.storage.partitions"), std::string::npos);
  auto same = parse_worker_config({{"config.storage.topic", "t"}, {"offset.storage.topic", "t"}});
  EXPECT_FALSE(same.ok());
  auto https = parse_worker_config({{"listeners", "https://127.0.0.1:8443"}});
  ASSERT_FALSE(https.ok());
  EXPECT_NE(https.error().message.find("listeners.https.ssl.keystore.location"), std::string::npos);
  auto conv = parse_worker_config({{"value.converter", "io.confluent.connect.avro.AvroConverter"}});
  ASSERT_TRUE(conv.ok());
  EXPECT_NE(conv->warnings.at(0).find("JsonConverter"), std::string::npos);
}

TEST(WorkerConfig, BasicAuthFile) {
  auto path = std::string(::testing::TempDir()) + "/sluice-users.properties";
  std::ofstream(path) << "# Connect's PropertyFileLoginModule format\nadmin: s3cret,admin\nops = pw2\n";
  auto w = parse_worker_config({{"rest.basic.auth.file", path}});
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->http.basic_auth, (std::map<std::string, std::string>{{"admin", "s3cret"}, {"ops", "pw2"}}));
  EXPECT_FALSE(parse_worker_config({{"rest.basic.auth.file", path + ".missing"}}).ok());
}

TEST(WorkerConfig, ConnectorsInheritWorkerDefaults) {
  auto w = parse_worker_config({{"bootstrap.servers", "k:1"},
                                {"offset.storage.topic", "offs"},
                                {"producer.compression.type", "zstd"},
                                {"producer.linger.ms", "7"},
                                {"security.protocol", "SSL"},
                                {"key.converter.schemas.enable", "false"}});
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto p = connector_properties(*w, {{"name", "c"}, {"producer.override.linger.ms", "1"}});
  EXPECT_EQ(p.at("kafka.bootstrap.servers"), "k:1");
  EXPECT_EQ(p.at("offset.storage.topic"), "offs");
  EXPECT_EQ(p.at("producer.compression.type"), "zstd");
  EXPECT_EQ(p.count("producer.linger.ms"), 0u);  // the connector's override wins
  EXPECT_EQ(p.at("producer.security.protocol"), "SSL");
  EXPECT_EQ(p.at("key.converter.schemas.enable"), "false");
  auto own = connector_properties(
      *w, {{"kafka.bootstrap.servers", "other:1"}, {"key.converter.schemas.enable", "true"}});
  EXPECT_EQ(own.at("kafka.bootstrap.servers"), "other:1");
  EXPECT_EQ(own.at("key.converter.schemas.enable"), "true");
}

const server::PropertyCheck* find(const server::Validation& v, const std::string& name) {
  for (const auto& p : v.properties) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(Validation, EveryPropertyErrorIsListed) {
  auto v = validate_connector_config({{"name", "c"},
                                      {"connector.class", kConnectorClass},
                                      {"database.port", "http"},
                                      {"snapshot.mode", "sometimes"},
                                      {"database.user", "postgres"}});
  ASSERT_NE(find(v, "database.port"), nullptr);
  EXPECT_EQ(find(v, "database.port")->errors.size(), 1u);
  EXPECT_NE(find(v, "database.port")->errors[0].find("'http'"), std::string::npos);
  EXPECT_EQ(find(v, "snapshot.mode")->errors.size(), 1u);
  EXPECT_EQ(find(v, "database.hostname")->errors,
            std::vector<std::string>{"missing required property database.hostname"});
  EXPECT_TRUE(find(v, "database.hostname")->required);
  EXPECT_FALSE(find(v, "database.hostname")->value.has_value());
  EXPECT_TRUE(find(v, "database.user")->errors.empty());
  EXPECT_EQ(find(v, "database.user")->value, "postgres");
  EXPECT_EQ(v.error_count(), 5);  // port, snapshot.mode, hostname, dbname, topic.prefix
  auto msg = invalid_config_message(v);
  EXPECT_NE(msg.find("contains the following 5 error(s)"), std::string::npos);
}

TEST(Validation, ValidConfigHasNoErrors) {
  auto v = validate_connector_config({{"name", "c"},
                                      {"connector.class", kConnectorClass},
                                      {"database.hostname", "h"},
                                      {"database.user", "u"},
                                      {"database.dbname", "d"},
                                      {"database.password", "${env:SLUICE_TEST_UNSET_FOR_VALIDATION_X}"},
                                      {"topic.prefix", "p"}});
  // An unset ${env:…} is an error of that property, named without its value.
  ASSERT_EQ(v.error_count(), 1);
  EXPECT_EQ(find(v, "database.password")->errors.size(), 1u);
  auto ok = validate_connector_config({{"name", "c"},
                                       {"database.hostname", "h"},
                                       {"database.user", "u"},
                                       {"database.dbname", "d"},
                                       {"topic.prefix", "p"}});
  EXPECT_EQ(ok.error_count(), 0);
  auto unnamed = validate_connector_config(
      {{"database.hostname", "h"}, {"database.user", "u"}, {"database.dbname", "d"}, {"topic.prefix", "p"}});
  EXPECT_EQ(find(unnamed, "name")->errors.size(), 1u);
  EXPECT_TRUE(is_postgres_plugin("PostgresConnector"));
  EXPECT_TRUE(is_postgres_plugin(kConnectorClass));
  EXPECT_FALSE(is_postgres_plugin("io.confluent.connect.jdbc.JdbcSourceConnector"));
}

}  // namespace
}  // namespace sluice::worker
