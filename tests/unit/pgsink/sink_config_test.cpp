// SinkConfig: Debezium JDBC sink names and defaults, connection.url forms, rejections naming the key.
#include "pgsink/sink_config.h"

#include <gtest/gtest.h>

namespace sluice::pgsink {
namespace {

config::Properties minimal() {
  return {{"topics", "a.public.t, a.public.u"},
          {"connection.url", "jdbc:postgresql://db.example:5433/target"}};
}

TEST(SinkConfig, DebeziumDefaults) {
  auto c = parse_sink_config(minimal());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->topics, (std::vector<std::string>{"a.public.t", "a.public.u"}));
  EXPECT_EQ(c->insert_mode, InsertMode::kInsert);
  EXPECT_EQ(c->primary_key_mode, PrimaryKeyMode::kNone);
  EXPECT_EQ(c->schema_evolution, SchemaEvolution::kNone);
  EXPECT_EQ(c->collection_name_format, "${topic}");
  EXPECT_EQ(c->batch_size, 500);
  EXPECT_EQ(c->use_time_zone, "UTC");
  EXPECT_FALSE(c->delete_enabled);
  EXPECT_FALSE(c->quote_identifiers);
  EXPECT_EQ(c->group_id, "connect-sluice-sink");
  EXPECT_EQ(c->errors_tolerance, ErrorsTolerance::kNone);
}

TEST(SinkConfig, ConnectorSettingsAndAliases) {
  auto p = minimal();
  p["name"] = "pg-sink";
  p["connector.class"] = "io.debezium.connector.jdbc.JdbcSinkConnector";
  p["insert.mode"] = "UPSERT";
  p["primary.key.mode"] = "record_key";
  p["delete.enabled"] = "true";
  p["table.name.format"] = "${source.schema}.${source.table}";
  p["database.time_zone"] = "Europe/Zagreb";
  p["errors.tolerance"] = "all";
  p["errors.deadletterqueue.topic.name"] = "dlq";
  p["consumer.override.max.poll.records"] = "1000";
  p["consumer.override.fetch.min.bytes"] = "1";
  auto c = parse_sink_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->insert_mode, InsertMode::kUpsert);
  EXPECT_EQ(c->primary_key_mode, PrimaryKeyMode::kRecordKey);
  EXPECT_TRUE(c->delete_enabled);
  EXPECT_EQ(c->collection_name_format, "${source.schema}.${source.table}");
  EXPECT_EQ(c->use_time_zone, "Europe/Zagreb");
  EXPECT_EQ(c->group_id, "connect-pg-sink");
  EXPECT_EQ(c->dlq_topic, "dlq");
  EXPECT_EQ(c->consumer_properties.at("fetch.min.bytes"), "1");
  p["collection.name.format"] = "x_${topic}";
  EXPECT_EQ(parse_sink_config(p)->collection_name_format, "x_${topic}");  // the new name wins
}

TEST(SinkConfig, Rejections) {
  auto p = minimal();
  p["insert.mode"] = "merge";
  auto c = parse_sink_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("insert.mode"), std::string::npos);
  p = minimal();
  p["insert.mode"] = "upsert";
  EXPECT_FALSE(parse_sink_config(p).ok());  // upsert needs a primary key mode
  p = minimal();
  p["delete.enabled"] = "true";
  p["primary.key.mode"] = "record_value";
  p["primary.key.fields"] = "id";
  EXPECT_FALSE(parse_sink_config(p).ok());  // deletes need record_key
  p = minimal();
  p["topics.regex"] = "a\\..*";
  EXPECT_FALSE(parse_sink_config(p).ok());  // both topics and topics.regex
  p = minimal();
  p.erase("connection.url");
  EXPECT_FALSE(parse_sink_config(p).ok());
  p = minimal();
  p["batch.size"] = "0";
  EXPECT_FALSE(parse_sink_config(p).ok());
}

TEST(SinkConfig, MetricsListeners) {
  auto p = minimal();
  auto c = parse_sink_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->metrics_listeners, "");  // off by default
  p["metrics.listeners"] = " http://127.0.0.1:8083 ";
  c = parse_sink_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->metrics_listeners, "http://127.0.0.1:8083");
  EXPECT_TRUE(c->warnings.empty());  // a known property
  p["metrics.listeners"] = "127.0.0.1:8083";
  c = parse_sink_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("metrics.listeners"), std::string::npos);
  EXPECT_NE(c.error().message.find("127.0.0.1:8083"), std::string::npos);
  p["metrics.listeners"] = "http://127.0.0.1:8083";
  p["metrics.listeners.max.connections.per.address"] = "16";
  p["metrics.listeners.header.timeout.ms"] = "2000";
  c = parse_sink_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->warnings.empty());
  EXPECT_EQ(c->metrics_max_connections, std::nullopt);  // the listener's default
  EXPECT_EQ(c->metrics_max_connections_per_address, std::optional<int64_t>(16));
  EXPECT_EQ(c->metrics_header_timeout_ms, std::optional<int64_t>(2000));
  p["metrics.listeners.header.timeout.ms"] = "5";
  EXPECT_FALSE(parse_sink_config(p).ok());
}

TEST(SinkConfig, JdbcUrlToLibpq) {
  std::vector<std::string> w;
  auto kv = parse_connection_url(
      "jdbc:postgresql://h1:5433,h2/target?user=u&password=p%40ss&sslmode=require&currentSchema=inv&"
      "ApplicationName=app&prepareThreshold=0",
      w);
  ASSERT_TRUE(kv.ok()) << kv.error().message;
  EXPECT_EQ(kv->at("host"), "h1,h2");
  EXPECT_EQ(kv->at("port"), "5433,5432");
  EXPECT_EQ(kv->at("dbname"), "target");
  EXPECT_EQ(kv->at("user"), "u");
  EXPECT_EQ(kv->at("password"), "p@ss");
  EXPECT_EQ(kv->at("sslmode"), "require");
  EXPECT_EQ(kv->at("application_name"), "app");
  EXPECT_EQ(kv->at("__search_path"), "inv");
  ASSERT_EQ(w.size(), 1u);  // prepareThreshold has no libpq equivalent
  EXPECT_NE(w[0].find("prepareThreshold"), std::string::npos);

  auto p = minimal();
  p["connection.url"] = "jdbc:postgresql://127.0.0.1:25432/target";
  p["connection.username"] = "postgres";
  p["connection.password"] = "it's";
  auto c = parse_sink_config(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->conninfo(),
            "application_name='sluice-sink' dbname='target' host='127.0.0.1' password='it\\'s' port='25432' "
            "user='postgres'");
  EXPECT_FALSE(parse_connection_url("jdbc:mysql://h/db", w).ok());
  auto libpq = parse_connection_url("host=127.0.0.1 dbname=t", w);
  ASSERT_TRUE(libpq.ok());
  EXPECT_EQ(libpq->at("dbname"), "host=127.0.0.1 dbname=t");
}

}  // namespace
}  // namespace sluice::pgsink
