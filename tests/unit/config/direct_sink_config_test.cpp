// Direct sink settings: Debezium Server's names and defaults, Debezium Server files, offsets never in a
// Kafka the sink does not use, and rejections that name the key.
#include "config/config.h"

#include <gtest/gtest.h>

namespace sluice::config {
namespace {

Properties base(std::initializer_list<std::pair<const std::string, std::string>> extra) {
  Properties p{{"database.hostname", "127.0.0.1"},
               {"database.user", "postgres"},
               {"database.dbname", "postgres"},
               {"topic.prefix", "inv"}};
  for (const auto& [k, v] : extra) p[k] = v;
  return p;
}

std::string error_of(const Properties& p) {
  auto c = parse_config(p);
  return c.ok() ? std::string("<accepted>") : c.error().message;
}

TEST(DirectSinkConfig, HttpDefaultsAreDebeziumServers) {
  auto c = parse_config(base({{"sink.type", "http"}, {"debezium.sink.http.url", "http://127.0.0.1:9/x"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sink_type, SinkType::kHttp);
  EXPECT_EQ(c->direct.http.timeout_ms, 60000);
  EXPECT_EQ(c->direct.http.retries, 5);
  EXPECT_EQ(c->direct.http.retry_interval_ms, 1000);
  EXPECT_EQ(c->direct.http.headers_prefix, "X-DEBEZIUM-");
  EXPECT_TRUE(c->direct.http.headers_encode_base64);
  EXPECT_FALSE(c->direct.http.batch);
  EXPECT_EQ(c->direct.http.batch_max_size, 200);
  EXPECT_EQ(c->direct.http.idempotency_prefix, "inv");
  EXPECT_EQ(c->offset_storage, OffsetStorage::kNone);  // no Kafka: the slot keeps the position
  EXPECT_TRUE(c->warnings.empty() || c->warnings.front().find("unknown") == std::string::npos);
}

TEST(DirectSinkConfig, HttpAuthAndHeaders) {
  auto c = parse_config(base({{"sink.type", "http"},
                              {"debezium.sink.http.url", "https://h/x"},
                              {"debezium.sink.http.authentication.type", "bearer"},
                              {"sluice.sink.http.authentication.bearer.token", "t0k"},
                              {"sluice.sink.http.header.X-Team", "cdc"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->direct.http.auth, "bearer");
  EXPECT_EQ(c->direct.http.static_headers.at("X-Team"), "cdc");
  EXPECT_NE(error_of(base({{"sink.type", "http"},
                           {"debezium.sink.http.url", "https://h/x"},
                           {"debezium.sink.http.authentication.type", "bearer"}}))
                .find("sluice.sink.http.authentication.bearer.token"),
            std::string::npos);
  EXPECT_NE(error_of(base({{"sink.type", "http"},
                           {"debezium.sink.http.url", "https://h/x"},
                           {"debezium.sink.http.authentication.type", "jwt"}}))
                .find("debezium.sink.http.authentication.type: 'jwt'"),
            std::string::npos);
}

TEST(DirectSinkConfig, RejectionsNameTheKey) {
  EXPECT_NE(error_of(base({{"sink.type", "http"}})).find("debezium.sink.http.url"), std::string::npos);
  EXPECT_NE(error_of(base({{"sink.type", "http"}, {"debezium.sink.http.url", "ftp://x"}}))
                .find("invalid value for debezium.sink.http.url: 'ftp://x'"),
            std::string::npos);
  EXPECT_NE(error_of(base({{"sink.type", "http"},
                           {"debezium.sink.http.url", "http://x"},
                           {"debezium.sink.http.timeout.ms", "soon"}}))
                .find("debezium.sink.http.timeout.ms: 'soon'"),
            std::string::npos);
  EXPECT_NE(error_of(base({{"sink.type", "redis"}, {"debezium.sink.redis.address", "h:99999"}}))
                .find("debezium.sink.redis.address: 'h:99999'"),
            std::string::npos);
  EXPECT_NE(error_of(base({{"sink.type", "file"}})).find("sluice.sink.file.path"), std::string::npos);
  EXPECT_NE(error_of(base({{"sink.type", "file"},
                           {"sluice.sink.file.path", "-"},
                           {"sluice.sink.file.rotate.bytes", "100"}}))
                .find("sluice.sink.file.rotate.bytes"),
            std::string::npos);
  // Another sink's setting: the destination would be ignored.
  EXPECT_NE(error_of(base({{"sink.type", "file"},
                           {"sluice.sink.file.path", "/tmp/x"},
                           {"debezium.sink.redis.address", "h:1"}}))
                .find("debezium.sink.redis.address configures the redis sink, but sink.type is file"),
            std::string::npos);
  EXPECT_NE(
      error_of(
          base({{"sink.type", "file"}, {"sluice.sink.file.path", "/tmp/x"}, {"sluice.sink.file.pth", "y"}}))
          .find("unknown property sluice.sink.file.pth"),
      std::string::npos);
  EXPECT_NE(
      error_of(
          base({{"sink.type", "file"}, {"sluice.sink.file.path", "/tmp/x"}, {"offset.storage", "kafka"}}))
          .find("offset.storage"),
      std::string::npos);
}

TEST(DirectSinkConfig, RedisAndNatsNamesAndDefaults) {
  auto r = parse_config(base({{"sink.type", "redis"},
                              {"debezium.sink.redis.address", "127.0.0.1:6380"},
                              {"debezium.sink.redis.message.format", "extended"},
                              {"sluice.sink.redis.maxlen", "5000"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->direct.redis.host, "127.0.0.1");
  EXPECT_EQ(r->direct.redis.port, 6380);
  EXPECT_TRUE(r->direct.redis.extended);
  EXPECT_EQ(r->direct.redis.null_key, "default");
  EXPECT_EQ(r->direct.redis.batch_size, 500);
  EXPECT_EQ(r->direct.redis.maxlen, 5000);

  auto n = parse_config(base({{"sink.type", "nats-jetstream"},
                              {"debezium.sink.nats-jetstream.url", "nats://127.0.0.1:4222"},
                              {"debezium.sink.nats-jetstream.create-stream", "true"}}));
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(n->sink_type, SinkType::kNats);
  EXPECT_EQ(n->direct.nats.stream_name, "DebeziumStream");
  EXPECT_EQ(n->direct.nats.subjects, "*.*.*");
  EXPECT_FALSE(n->direct.nats.file_storage);
}

TEST(DirectSinkConfig, DebeziumServerFileSelectsTheSink) {
  Properties p{{"debezium.sink.type", "http"},
               {"debezium.sink.http.url", "http://127.0.0.1:8080/events"},
               {"debezium.sink.http.retries", "-1"},
               {"debezium.source.connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
               {"debezium.source.database.hostname", "127.0.0.1"},
               {"debezium.source.database.user", "postgres"},
               {"debezium.source.database.dbname", "postgres"},
               {"debezium.source.topic.prefix", "inv"},
               {"debezium.source.offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore"},
               {"debezium.source.offset.storage.file.filename", "/tmp/offsets.dat"}};
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sink_type, SinkType::kHttp);
  EXPECT_EQ(c->direct.http.url, "http://127.0.0.1:8080/events");
  EXPECT_EQ(c->direct.http.retries, -1);
  EXPECT_EQ(c->offset_storage, OffsetStorage::kFile);
}

}  // namespace
}  // namespace sluice::config

namespace sluice::config {
namespace {

TEST(DirectSinkConfig, DebeziumSettingsWithoutUseWarnTyposAreRefused) {
  auto c = parse_config(base({{"sink.type", "redis"},
                              {"debezium.sink.redis.address", "127.0.0.1:6379"},
                              {"debezium.sink.redis.memory.limit.mb", "100"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_FALSE(c->warnings.empty());
  EXPECT_NE(c->warnings.back().find("debezium.sink.redis.memory.limit.mb is ignored"), std::string::npos);
  EXPECT_NE(error_of(base({{"sink.type", "redis"},
                           {"debezium.sink.redis.address", "127.0.0.1:6379"},
                           {"debezium.sink.redis.adress", "x"}}))
                .find("unknown property debezium.sink.redis.adress"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::config
