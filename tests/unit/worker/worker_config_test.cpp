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

TEST(WorkerConfig, ListenerCapsAndHeaderTimeout) {
  auto d = parse_worker_config({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->http.max_connections, 10000u);
  EXPECT_EQ(d->http.max_connections_per_address, 4096u);
  EXPECT_EQ(d->http.header_timeout_ms, 10000);
  auto w = parse_worker_config({{"rest.max.connections", "500"},
                                {"rest.max.connections.per.address", "20"},
                                {"rest.header.timeout.ms", "2500"}});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->http.max_connections, 500u);
  EXPECT_EQ(w->http.max_connections_per_address, 20u);
  EXPECT_EQ(w->http.header_timeout_ms, 2500);
  EXPECT_TRUE(w->warnings.empty());
  auto bad = parse_worker_config({{"rest.max.connections.per.address", "0"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("rest.max.connections.per.address"), std::string::npos);
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

TEST(WorkerConfig, SinksInheritConsumerDefaults) {
  auto w = parse_worker_config({{"bootstrap.servers", "k:1"},
                                {"producer.linger.ms", "7"},
                                {"consumer.max.poll.records", "100"},
                                {"consumer.fetch.min.bytes", "10"},
                                {"security.protocol", "SSL"},
                                {"value.converter.schemas.enable", "false"}});
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_TRUE(w->warnings.empty()) << w->warnings.front();
  auto p = sink_connector_properties(*w, {{"name", "s"}, {"consumer.override.fetch.min.bytes", "1"}});
  EXPECT_EQ(p.at("kafka.bootstrap.servers"), "k:1");
  EXPECT_EQ(p.at("consumer.max.poll.records"), "100");
  EXPECT_EQ(p.count("consumer.fetch.min.bytes"), 0u);  // the connector's override wins
  EXPECT_EQ(p.at("consumer.security.protocol"), "SSL");
  EXPECT_EQ(p.at("value.converter.schemas.enable"), "false");
  EXPECT_EQ(p.count("producer.linger.ms"), 0u);    // a source's
  EXPECT_EQ(p.count("offset.storage.topic"), 0u);  // a sink's offsets live in its target
  // and a source gets no consumer settings
  auto src = connector_properties(*w, {{"name", "c"}});
  EXPECT_EQ(src.count("consumer.max.poll.records"), 0u);
  EXPECT_EQ(src.at("producer.linger.ms"), "7");
}

const PropertyCheck* find(const Validation& v, const std::string& name) {
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

TEST(Plugins, SinkAndSourceListedWithTheirTypes) {
  auto plugins = connector_plugins();
  ASSERT_EQ(plugins.size(), 2u);
  EXPECT_EQ(plugins[0].class_name, "io.debezium.connector.jdbc.JdbcSinkConnector");
  EXPECT_EQ(plugins[0].type, "sink");
  EXPECT_EQ(plugins[1].class_name, "io.debezium.connector.postgresql.PostgresConnector");
  EXPECT_EQ(plugins[1].type, "source");
  for (const auto& p : plugins) {
    EXPECT_EQ(p.version, kDebeziumVersion);
    EXPECT_TRUE(is_sink_plugin(p.class_name) || is_postgres_plugin(p.class_name)) << p.class_name;
  }
}

TEST(Validation, SinkConfigErrorsArePerProperty) {
  auto v = validate_sink_config({{"name", "pg-sink"},
                                 {"connector.class", kSinkConnectorClass},
                                 {"insert.mode", "merge"},
                                 {"batch.size", "many"},
                                 {"connection.username", "u"}});
  EXPECT_EQ(v.connector_class, kSinkConnectorClass);
  ASSERT_NE(find(v, "insert.mode"), nullptr);
  ASSERT_EQ(find(v, "insert.mode")->errors.size(), 1u);
  EXPECT_NE(find(v, "insert.mode")->errors[0].find("'merge'"), std::string::npos);
  ASSERT_EQ(find(v, "batch.size")->errors.size(), 1u);
  EXPECT_NE(find(v, "batch.size")->errors[0].find("'many'"), std::string::npos);
  // topics (or topics.regex) and connection.url are required
  ASSERT_EQ(find(v, "topics")->errors.size(), 1u);
  EXPECT_NE(find(v, "topics")->errors[0].find("topics.regex"), std::string::npos);
  EXPECT_TRUE(find(v, "topics")->required);
  EXPECT_EQ(find(v, "topics")->group, "Common");
  ASSERT_EQ(find(v, "connection.url")->errors.size(), 1u);
  EXPECT_EQ(find(v, "connection.url")->group, "Connection");
  EXPECT_TRUE(find(v, "connection.username")->errors.empty());
  EXPECT_EQ(v.error_count(), 4);
  EXPECT_NE(invalid_config_message(v).find("contains the following 4 error(s)"), std::string::npos);
}

TEST(Validation, ValidSinkConfigHasNoErrors) {
  auto ok = validate_sink_config({{"name", "pg-sink"},
                                  {"connector.class", kSinkConnectorClass},
                                  {"topics.regex", "srv\\.public\\..*"},
                                  {"connection.url", "jdbc:postgresql://127.0.0.1:5432/target"},
                                  {"insert.mode", "upsert"},
                                  {"primary.key.mode", "record_key"},
                                  {"delete.enabled", "true"}});
  EXPECT_EQ(ok.error_count(), 0) << invalid_config_message(ok);
  // a rule across properties is the first one's error
  auto upsert = validate_sink_config({{"name", "pg-sink"},
                                      {"topics", "t"},
                                      {"connection.url", "jdbc:postgresql://h/db"},
                                      {"insert.mode", "upsert"}});
  ASSERT_EQ(upsert.error_count(), 1);
  EXPECT_NE(find(upsert, "insert.mode")->errors[0].find("primary.key.mode"), std::string::npos);
  EXPECT_TRUE(is_sink_plugin("JdbcSinkConnector"));
  EXPECT_TRUE(is_sink_plugin("JdbcSink"));
  EXPECT_TRUE(is_sink_plugin(kSinkConnectorClass));
  EXPECT_FALSE(is_sink_plugin(kConnectorClass));
  EXPECT_FALSE(is_postgres_plugin(kSinkConnectorClass));
}

}  // namespace
}  // namespace sluice::worker
