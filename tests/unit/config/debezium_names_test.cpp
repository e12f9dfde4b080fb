// Debezium configs carried over: 1.x names as aliases, Debezium Server files, and the refusal of unread
// keys that name a broker, a topic or a credential.
#include "config/debezium_names.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace sluice::config {
namespace {

Properties minimal() {
  return {{"database.hostname", "127.0.0.1"},
          {"database.user", "postgres"},
          {"database.dbname", "postgres"},
          {"topic.prefix", "myserver"}};
}

bool has_warning(const Config& c, std::string_view text) {
  for (const auto& w : c.warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(LegacyNames, WhitelistsAndBlacklistsAreAliasesWithWarnings) {
  auto p = minimal();
  p["schema.whitelist"] = "inventory";
  p["table.blacklist"] = "inventory\\.spatial_ref_sys";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->filter.captured("inventory", "customers"));
  EXPECT_FALSE(c->filter.captured("public", "customers"));
  EXPECT_FALSE(c->filter.captured("inventory", "spatial_ref_sys"));
  EXPECT_TRUE(has_warning(
      *c, "schema.whitelist is deprecated (Debezium 2.0 renamed it): read as schema.include.list"));
  EXPECT_TRUE(has_warning(*c, "table.blacklist is deprecated"));
  EXPECT_FALSE(has_warning(*c, "unknown property"));
}

TEST(LegacyNames, EveryRenameIsReadUnderItsNewName) {
  for (const auto& [old_name, new_name] : legacy_names()) {
    Properties p = {{std::string(old_name), "x"}};
    std::vector<std::string> warnings;
    auto out = apply_legacy_names(p, warnings);
    ASSERT_TRUE(out.ok()) << old_name;
    EXPECT_EQ(out->count(std::string(old_name)), 0u) << old_name;
    EXPECT_EQ(out->at(std::string(new_name)), "x") << old_name;
    ASSERT_EQ(warnings.size(), 1u);
  }
}

TEST(LegacyNames, OldAndNewNameTogetherExit2) {
  auto p = minimal();
  p["table.whitelist"] = "public.a";
  p["table.include.list"] = "public.b";
  auto c = parse_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(
      c.error().message.find("table.whitelist (its Debezium 1.x name) and table.include.list are both set"),
      std::string::npos)
      << c.error().message;
  auto q = minimal();
  q["database.server.name"] = "myserver";  // even the same value: one name only
  EXPECT_FALSE(parse_config(q).ok());
}

TEST(LegacyNames, OtherRenames) {
  auto p = minimal();
  p["heartbeat.topics.prefix"] = "hb";
  p["toasted.value.placeholder"] = "__toast";
  p["truncate.handling.mode"] = "include";
  p["snapshot.mode"] = "exported";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->heartbeat_topic_prefix, "hb");
  EXPECT_EQ(c->unavailable_value_placeholder, "__toast");
  EXPECT_FALSE(c->skip_truncate);
  EXPECT_EQ(c->snapshot_mode, SnapshotMode::kInitial);
  EXPECT_EQ(c->warnings.size(), 4u);
  p["skipped.operations"] = "t";
  EXPECT_FALSE(parse_config(p).ok());
}

TEST(LegacyNames, ColumnListsAreTheIncludeExcludeLists) {
  auto p = minimal();
  p["column.blacklist"] = "public.customers.ssn";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->column_rules, nullptr);
  EXPECT_FALSE(c->column_rules->included("public.customers.ssn"));
  EXPECT_TRUE(c->column_rules->included("public.customers.id"));
  p["column.whitelist"] = "public.customers.id";  // both lists: refused, naming the new names
  c = parse_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("column.include.list and column.exclude.list"), std::string::npos);
}

TEST(LegacyNames, DatabaseListIsCheckedAgainstDbname) {
  auto p = minimal();
  p["database.whitelist"] = "postgres";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(has_warning(*c, "captures one database"));
  p["database.whitelist"] = "inventory";
  EXPECT_FALSE(parse_config(p).ok());
}

TEST(UnreadKeys, NamingABrokerTopicOrCredentialIsAnError) {
  for (const char* key :
       {"database.history.kafka.bootstrap.servers", "schema.history.internal.kafka.topic",
        "value.converter.schema.registry.url", "notification.sink.topic.name",
        "value.converter.basic.auth.user.info", "database.history.consumer.sasl.jaas.config"}) {
    auto p = minimal();
    p[key] = "x";
    auto c = parse_config(p);
    ASSERT_FALSE(c.ok()) << key;
    EXPECT_NE(c.error().message.find(std::string("unknown property ") + key), std::string::npos);
  }
  auto p = minimal();
  p["some.tuning.knob"] = "1";
  p["topic.creation.default.partitions"] = "3";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(has_warning(*c, "unknown property some.tuning.knob (ignored)"));
  EXPECT_EQ(names_destination("poll.interval.ms"), std::nullopt);
  EXPECT_EQ(names_destination("foo.bootstrap.servers"), "a server");
}

TEST(UnreadKeys, ProducerBootstrapServersNameTheBrokers) {
  auto p = minimal();
  p["producer.override.bootstrap.servers"] = "broker1:9092";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->bootstrap_servers, "broker1:9092");
  EXPECT_EQ(c->signal_kafka_bootstrap, "broker1:9092");
  EXPECT_EQ(c->producer_properties.count("bootstrap.servers"), 0u);
  p["kafka.bootstrap.servers"] = "broker2:9092";
  EXPECT_FALSE(parse_config(p).ok());
}

// Debezium Server's documented example (debezium-server.adoc), Postgres source and Kafka sink.
Properties server_file() {
  return {{"debezium.sink.type", "kafka"},
          {"debezium.sink.kafka.producer.bootstrap.servers", "127.0.0.1:39092"},
          {"debezium.sink.kafka.producer.key.serializer",
           "org.apache.kafka.common.serialization.StringSerializer"},
          {"debezium.sink.kafka.producer.value.serializer",
           "org.apache.kafka.common.serialization.StringSerializer"},
          {"debezium.sink.kafka.producer.linger.ms", "20"},
          {"debezium.source.connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
          {"debezium.source.offset.storage.file.filename", "data/offsets.dat"},
          {"debezium.source.offset.flush.interval.ms", "0"},
          {"debezium.source.database.hostname", "localhost"},
          {"debezium.source.database.port", "5432"},
          {"debezium.source.database.user", "postgres"},
          {"debezium.source.database.password", "postgres"},
          {"debezium.source.database.dbname", "postgres"},
          {"debezium.source.topic.prefix", "tutorial"},
          {"debezium.source.schema.include.list", "inventory"},
          {"debezium.format.value", "json"},
          {"debezium.format.value.schemas.enable", "false"},
          {"debezium.transforms", "unwrap"},
          {"debezium.transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState"},
          {"quarkus.log.console.json", "false"}};
}

TEST(DebeziumServer, FileIsReadAsItIs) {
  auto c = parse_config(server_file());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->hostname, "localhost");
  EXPECT_EQ(c->topic_prefix, "tutorial");
  EXPECT_EQ(c->bootstrap_servers, "127.0.0.1:39092");
  EXPECT_EQ(c->producer_properties.at("linger.ms"), "20");
  EXPECT_EQ(c->producer_properties.count("key.serializer"), 0u);
  EXPECT_EQ(c->offset_storage, OffsetStorage::kFile);
  EXPECT_EQ(c->offset_file, "data/offsets.dat");
  ASSERT_FALSE(c->transforms.empty());  // the chain writes its output with the converters' schemas.enable
  EXPECT_FALSE(c->transforms.value_schemas_enable);
  EXPECT_TRUE(c->filter.captured("inventory", "customers"));
  EXPECT_FALSE(c->filter.captured("public", "customers"));
  EXPECT_TRUE(has_warning(*c, "quarkus.*"));
  EXPECT_TRUE(has_warning(*c, "offset.flush.interval.ms is ignored"));
}

TEST(DebeziumServer, TransformsAreHandedOnUnderTheConnectorNames) {
  std::vector<std::string> warnings;
  auto out = from_debezium_server(server_file(), warnings);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->at("transforms"), "unwrap");
  EXPECT_EQ(out->at("transforms.unwrap.type"), "io.debezium.transforms.ExtractNewRecordState");
}

TEST(DebeziumServer, OffsetStoreClasses) {
  auto p = server_file();
  p["debezium.source.offset.storage"] = "org.apache.kafka.connect.storage.KafkaOffsetBackingStore";
  p.erase("debezium.source.offset.storage.file.filename");
  p["debezium.source.offset.storage.topic"] = "debezium-offsets";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->offset_storage, OffsetStorage::kKafka);
  EXPECT_EQ(c->offset_topic, "debezium-offsets");
  p["debezium.source.offset.storage"] = "io.debezium.storage.redis.offset.RedisOffsetBackingStore";
  EXPECT_FALSE(parse_config(p).ok());
}

TEST(DebeziumServer, RefusesWhatItCannotHonour) {
  auto p = server_file();
  p["debezium.sink.type"] = "pubsub";
  EXPECT_FALSE(parse_config(p).ok());
  p = server_file();
  p["debezium.format.value"] = "avro";
  EXPECT_FALSE(parse_config(p).ok());
  // The broker under a key sluice does not read: never the default localhost:9092.
  p = server_file();
  p.erase("debezium.sink.kafka.producer.bootstrap.servers");
  p["debezium.sink.kafka.bootstrap.servers"] = "elsewhere:9092";
  auto c = parse_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("debezium.sink.kafka.bootstrap.servers"), std::string::npos);
  // A key set both ways.
  p = server_file();
  p["topic.prefix"] = "other";
  EXPECT_FALSE(parse_config(p).ok());
}

TEST(DebeziumServer, MissingSourceKeyGetsAHint) {
  auto p = server_file();
  p.erase("debezium.source.database.hostname");
  auto c = parse_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("missing required property database.hostname"), std::string::npos);
  EXPECT_NE(c.error().message.find("debezium.source.<name>"), std::string::npos);
}

TEST(NewProperties, SlotAndTopicSettings) {
  auto p = minimal();
  auto d = parse_config(p);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->slot_drop_on_stop);
  EXPECT_FALSE(d->slot_takeover);
  EXPECT_FALSE(d->publication_autocreate_explicit);
  EXPECT_EQ(d->topic_delimiter, ".");
  p["slot.drop.on.stop"] = "true";
  p["slot.takeover"] = "true";
  p["topic.delimiter"] = "_";
  p["publication.autocreate.mode"] = "all_tables";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->slot_drop_on_stop);
  EXPECT_TRUE(c->slot_takeover);
  EXPECT_TRUE(c->publication_autocreate_explicit);
  EXPECT_EQ(c->topic_delimiter, "_");
  EXPECT_TRUE(c->warnings.empty());
  p["topic.delimiter"] = "/";
  EXPECT_FALSE(parse_config(p).ok());
}

}  // namespace
}  // namespace sluice::config
