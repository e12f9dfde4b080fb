// Config: the three input forms, Debezium defaults, and rejections that name key, value and allowed set.
#include "config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sluice::config {
namespace {

Properties minimal() {
  return {{"database.hostname", "127.0.0.1"},
          {"database.user", "postgres"},
          {"database.dbname", "postgres"},
          {"topic.prefix", "myserver"}};
}

TEST(ConfigLoad, KafkaConnectRegistrationJson) {
  auto p = parse_properties_text(R"({"name":"customers-connector","config":{
    "connector.class":"io.debezium.connector.postgresql.PostgresConnector","plugin.name":"pgoutput",
    "database.hostname":"127.0.0.1","database.port":"5432","database.user":"postgres",
    "database.password":"postgres","database.dbname":"postgres","topic.prefix":"myserver",
    "table.include.list":"public.customers"}})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->at("name"), "customers-connector");
  auto c = parse_config(*p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->name, "customers-connector");
  EXPECT_EQ(c->port, 5432);
  EXPECT_EQ(c->topic_prefix, "myserver");
  EXPECT_TRUE(c->filter.captured("public", "customers"));
  EXPECT_FALSE(c->filter.captured("public", "customers2"));
  EXPECT_FALSE(c->filter.captured("public", "orders"));
  EXPECT_TRUE(c->warnings.empty());
}

TEST(ConfigLoad, FlatJsonAcceptsNumbersAndBooleans) {
  auto p = parse_properties_text(
      R"({"database.hostname":"h","database.port":6543,"database.user":"u","database.dbname":"d",
          "topic.prefix":"p","tombstones.on.delete":false})");
  ASSERT_TRUE(p.ok());
  auto c = parse_config(*p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->port, 6543);
  EXPECT_FALSE(c->tombstones_on_delete);
}

TEST(ConfigLoad, JavaProperties) {
  auto p = parse_properties_text(
      "# comment\n! also comment\ndatabase.hostname = db.local\ndatabase.user: repl\n"
      "database.dbname inventory\ntopic.prefix=a\\\n  b\npassword=p\\u0041ss\n");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->at("database.hostname"), "db.local");
  EXPECT_EQ(p->at("database.user"), "repl");
  EXPECT_EQ(p->at("database.dbname"), "inventory");
  EXPECT_EQ(p->at("topic.prefix"), "ab");
  EXPECT_EQ(p->at("password"), "pAss");
}

TEST(ConfigLoad, InvalidJsonIsReported) {
  auto p = parse_properties_text("{\"a\":");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("not valid JSON"), std::string::npos);
}

TEST(ConfigParse, DebeziumDefaults) {
  auto c = parse_config(minimal());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->port, 5432);
  EXPECT_EQ(c->slot_name, "debezium");
  EXPECT_EQ(c->publication_name, "dbz_publication");
  EXPECT_EQ(c->publication_autocreate, AutocreateMode::kAllTables);
  EXPECT_EQ(c->snapshot_mode, SnapshotMode::kInitial);
  EXPECT_TRUE(c->tombstones_on_delete);
  EXPECT_TRUE(c->key_schemas_enable);
  EXPECT_TRUE(c->value_schemas_enable);
  EXPECT_TRUE(c->skip_truncate);
  EXPECT_EQ(c->status_update_interval_ms, 10000);
  EXPECT_EQ(c->sslmode, "prefer");
  EXPECT_EQ(c->latency_log_interval_ms, 0);  // sluice: off
}

TEST(ConfigParse, LatencyLogInterval) {
  auto p = minimal();
  p["latency.log.interval.ms"] = "5000";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->latency_log_interval_ms, 5000);
  EXPECT_TRUE(c->warnings.empty());
}

// sluice.compat.version: the Debezium release whose event format to follow (the newest checked by default).
TEST(ConfigParse, CompatVersion) {
  auto p = minimal();
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->compat_minor, kNewestCompatMinor);
  EXPECT_EQ(c->compat_minor, 7);
  for (auto [text, minor] : {std::pair{"3.4", 4}, std::pair{"3.4.3.Final", 4}, std::pair{" 3.6.1.Final", 6},
                             std::pair{"3.7", 7}}) {
    p["sluice.compat.version"] = text;
    c = parse_config(p);
    ASSERT_TRUE(c.ok()) << text << ": " << c.error().message;
    EXPECT_EQ(c->compat_minor, minor) << text;
    EXPECT_TRUE(c->warnings.empty()) << text;
  }
  for (const char* bad : {"3.3", "3.8", "2.7", "4.0", "3", "3.x", "latest", ""}) {
    p["sluice.compat.version"] = bad;
    c = parse_config(p);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.error().message.find("sluice.compat.version"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("3.4 to 3.7"), std::string::npos) << c.error().message;
  }
}

TEST(ConfigParse, LegacyServerNameIsAcceptedWithWarning) {
  auto p = minimal();
  p.erase("topic.prefix");
  p["database.server.name"] = "legacy";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->topic_prefix, "legacy");
  ASSERT_EQ(c->warnings.size(), 1u);
}

TEST(ConfigParse, NeverIsAnAliasOfNoData) {
  auto p = minimal();
  p["snapshot.mode"] = "never";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->snapshot_mode, SnapshotMode::kNoData);
}

TEST(ConfigParse, SnapshotSettings) {
  auto c = parse_config(minimal());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->snapshot_fetch_size, 10240);
  EXPECT_EQ(c->snapshot_max_threads, 1);
  EXPECT_TRUE(c->snapshot_select_overrides.empty());
  auto p = minimal();
  p["snapshot.mode"] = "initial_only";
  p["snapshot.fetch.size"] = "500";
  p["snapshot.max.threads"] = "4";
  p["snapshot.include.collection.list"] = "public\\.a.*";
  p["snapshot.select.statement.overrides"] = "public.a1, s.b";
  p["snapshot.select.statement.overrides.public.a1"] = "SELECT * FROM public.a1 WHERE id > 3";
  p["snapshot.select.statement.overrides.s.b"] = "SELECT * FROM s.b";
  c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->snapshot_mode, SnapshotMode::kInitialOnly);
  EXPECT_EQ(c->snapshot_fetch_size, 500);
  EXPECT_EQ(c->snapshot_max_threads, 4);
  EXPECT_TRUE(c->snapshot_include.captured("public", "a1"));
  EXPECT_FALSE(c->snapshot_include.captured("public", "b"));
  EXPECT_EQ(c->snapshot_select_overrides.at("public.a1"), "SELECT * FROM public.a1 WHERE id > 3");
  EXPECT_EQ(c->snapshot_select_overrides.size(), 2u);
  EXPECT_TRUE(c->warnings.empty());
  p["snapshot.mode"] = "always";
  EXPECT_EQ(parse_config(p)->snapshot_mode, SnapshotMode::kAlways);
}

TEST(ConfigParse, SignalsAndIncrementalSnapshots) {
  auto c = parse_config(minimal());
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->signal_data_collection.empty());
  EXPECT_TRUE(c->signal_source);
  EXPECT_FALSE(c->signal_kafka);
  EXPECT_EQ(c->incremental_chunk_size, 1024);
  EXPECT_EQ(c->snapshot_isolation, IsolationMode::kSerializable);
  EXPECT_EQ(c->signal_kafka_topic, c->topic_prefix + "-signal");
  EXPECT_EQ(c->signal_kafka_bootstrap, c->bootstrap_servers);
  auto p = minimal();
  p["signal.data.collection"] = "public.debezium_signal";
  p["signal.enabled.channels"] = "source, kafka";
  p["signal.kafka.topic"] = "sig";
  p["signal.kafka.bootstrap.servers"] = "other:9092";
  p["incremental.snapshot.chunk.size"] = "50";
  p["incremental.snapshot.watermarking.strategy"] = "insert_delete";
  p["snapshot.isolation.mode"] = "read_committed";
  p["read.only"] = "true";
  c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->signal_data_collection, "public.debezium_signal");
  EXPECT_TRUE(c->signal_source && c->signal_kafka && c->read_only);
  EXPECT_EQ(c->signal_kafka_topic, "sig");
  EXPECT_EQ(c->signal_kafka_bootstrap, "other:9092");
  EXPECT_EQ(c->incremental_chunk_size, 50);
  EXPECT_EQ(c->watermark_strategy, WatermarkStrategy::kInsertDelete);
  EXPECT_EQ(c->snapshot_isolation, IsolationMode::kReadCommitted);
  EXPECT_TRUE(c->warnings.empty());
  p["signal.enabled.channels"] = "source";
  auto ro = parse_config(p);
  ASSERT_FALSE(ro.ok());
  EXPECT_NE(ro.error().message.find("read.only=true needs the Kafka signal channel"), std::string::npos);
}

TEST(ConfigParse, RejectionsNameKeyValueAndAllowed) {
  struct Case {
    const char* key;
    const char* value;
    const char* expect;
  } cases[] = {
      {"plugin.name", "decoderbufs", "invalid value for plugin.name: 'decoderbufs' (allowed: pgoutput"},
      {"snapshot.mode", "sometimes",
       "invalid value for snapshot.mode: 'sometimes' (allowed: initial, no_data, never, when_needed, "
       "initial_only, always)"},
      {"snapshot.fetch.size", "0", "invalid value for snapshot.fetch.size: '0' (allowed: an integer from 1"},
      {"snapshot.isolation.mode", "snapshot",
       "invalid value for snapshot.isolation.mode: 'snapshot' (allowed: serializable, repeatable_read, "
       "read_committed, read_uncommitted)"},
      {"signal.data.collection", "debezium_signal",
       "invalid value for signal.data.collection: 'debezium_signal' (allowed: <schema>.<table>)"},
      {"signal.enabled.channels", "source,jmx", "invalid value for signal.enabled.channels: 'source,jmx'"},
      {"incremental.snapshot.chunk.size", "0", "invalid value for incremental.snapshot.chunk.size: '0'"},
      {"incremental.snapshot.watermarking.strategy", "x",
       "invalid value for incremental.snapshot.watermarking.strategy: 'x' (allowed: insert_insert, "
       "insert_delete)"},
      {"snapshot.max.threads", "x",
       "invalid value for snapshot.max.threads: 'x' (allowed: an integer from 1 to 64)"},
      {"snapshot.include.collection.list", "public.(",
       "snapshot.include.collection.list: pattern 'public.(' is not a valid regular expression"},
      {"snapshot.select.statement.overrides", "public.t",
       "snapshot.select.statement.overrides names public.t but snapshot.select.statement.overrides.public.t"},
      {"publication.autocreate.mode", "x", "allowed: all_tables, filtered, disabled"},
      {"database.port", "70000",
       "invalid value for database.port: '70000' (allowed: an integer from 1 to 65535)"},
      {"tombstones.on.delete", "yes", "invalid value for tombstones.on.delete: 'yes' (allowed: true, false)"},
      {"table.include.list", "public.(",
       "table.include.list: pattern 'public.(' is not a valid regular expression"},
      {"status.update.interval.ms", "-5", "status.update.interval.ms"},
      {"latency.log.interval.ms", "-1",
       "invalid value for latency.log.interval.ms: '-1' (allowed: an integer from 0 to 3600000)"},
      {"database.sslmode", "maybe", "database.sslmode"},
      {"slot.name", "Bad-Slot", "invalid value for slot.name: 'Bad-Slot'"},
      {"skipped.operations", "c,x", "skipped.operations"},
  };
  for (const auto& k : cases) {
    auto p = minimal();
    p[k.key] = k.value;
    auto c = parse_config(p);
    ASSERT_FALSE(c.ok()) << k.key;
    EXPECT_NE(c.error().message.find(k.expect), std::string::npos) << c.error().message;
  }
}

TEST(ConfigParse, MissingRequiredKeys) {
  for (const char* key : {"database.hostname", "database.user", "database.dbname", "topic.prefix"}) {
    auto p = minimal();
    p.erase(key);
    auto c = parse_config(p);
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

TEST(ConfigParse, IncludeAndExcludeTogetherAreRejected) {
  auto p = minimal();
  p["table.include.list"] = "public.a";
  p["table.exclude.list"] = "public.b";
  EXPECT_FALSE(parse_config(p).ok());
}

TEST(ConfigParse, UnknownKeysWarnAndKafkaKeysPassThrough) {
  auto p = minimal();
  p["kafka.bootstrap.servers"] = "127.0.0.1:29092";
  p["producer.linger.ms"] = "20";
  p["kafka.compression.type"] = "lz4";
  p["frobnicate"] = "1";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bootstrap_servers, "127.0.0.1:29092");
  EXPECT_EQ(c->producer_properties.at("linger.ms"), "20");
  EXPECT_EQ(c->producer_properties.at("compression.type"), "lz4");
  EXPECT_EQ(c->producer_properties.count("bootstrap.servers"), 0u);
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_NE(c->warnings[0].find("frobnicate"), std::string::npos);
}

TEST(TableFilter, AnchoredMatchesAndSystemSchemas) {
  auto f = TableFilter::create("", "", "public\\.cust.*,inventory\\.orders", "");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->captured("public", "customers"));
  EXPECT_TRUE(f->captured("inventory", "orders"));
  EXPECT_FALSE(f->captured("inventory", "orders_archive"));
  EXPECT_FALSE(f->captured("xpublic", "customers"));
  auto all = TableFilter::create("", "", "", "");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->captured("public", "t"));
  EXPECT_FALSE(all->captured("pg_catalog", "pg_class"));
  EXPECT_FALSE(all->captured("information_schema", "tables"));
  auto schemas = TableFilter::create("", "audit", "", "");
  ASSERT_TRUE(schemas.ok());
  EXPECT_FALSE(schemas->captured("audit", "log"));
  EXPECT_TRUE(schemas->captured("public", "log"));
}

TEST(ConfigConninfo, QuotesValuesAndAddsReplication) {
  auto p = minimal();
  p["database.password"] = "it's";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok());
  auto s = c->conninfo(true);
  EXPECT_NE(s.find("password='it\\'s'"), std::string::npos) << s;
  EXPECT_NE(s.find("replication=database"), std::string::npos);
  EXPECT_EQ(c->conninfo(false).find("replication"), std::string::npos);
}

}  // namespace
}  // namespace sluice::config

namespace sluice::config {
namespace {

const char* fake_env(const char* name) {
  std::string_view n = name;
  if (n == "PGPASS") return "s3cret";
  if (n == "HOST") return "db.example";
  return nullptr;
}

TEST(ConfigProviders, EnvReferencesAreResolved) {
  auto r = resolve_providers({{"database.password", "${env:PGPASS}"},
                              {"database.hostname", "${env:HOST}:x"},
                              {"other", "plain ${notaprovider} value"}},
                             fake_env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("database.password"), "s3cret");
  EXPECT_EQ(r->at("database.hostname"), "db.example:x");
  EXPECT_EQ(r->at("other"), "plain ${notaprovider} value");
}

TEST(ConfigProviders, MissingEnvNamesKeyAndVariableButNoSecret) {
  auto r = resolve_providers({{"database.password", "${env:NOPE}"}}, fake_env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "database.password: environment variable NOPE referenced as ${env:NOPE} is not set");
}

TEST(ConfigProviders, FileReferences) {
  auto path = testing::TempDir() + "sluice-secrets.properties";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("db.password=from-file\n", f);
    std::fclose(f);
  }
  auto r = resolve_providers({{"database.password", "${file:" + path + ":db.password}"}}, fake_env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("database.password"), "from-file");
  auto missing = resolve_providers({{"database.password", "${file:" + path + ":nokey}"}}, fake_env);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("key 'nokey' not found"), std::string::npos);
}

TEST(ConfigProviders, ProviderDeclarationsAreAcceptedSilently) {
  auto p = minimal();
  p["config.providers"] = "env,file";
  p["config.providers.env.class"] = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->warnings.empty());
}

TEST(ConfigParse, SinkType) {
  auto p = minimal();
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->sink_type, SinkType::kKafka);
  p["sink.type"] = "null";
  c = parse_config(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->sink_type, SinkType::kNull);
  EXPECT_TRUE(c->warnings.empty());
  p["sink.type"] = "kinesis";
  c = parse_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("sink.type"), std::string::npos);
}

}  // namespace
}  // namespace sluice::config

namespace sluice::config {
namespace {

TEST(ConfigParse, MessagePrefixesAndTransactionMetadata) {
  auto p = minimal();
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->provide_transaction_metadata);
  EXPECT_EQ(c->transaction_topic, "transaction");
  EXPECT_TRUE(c->message_prefixes.passes("anything"));
  p["provide.transaction.metadata"] = "true";
  p["topic.transaction"] = "tx";
  p["message.prefix.include.list"] = "audit.*, outbox";
  c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->provide_transaction_metadata);
  EXPECT_EQ(c->transaction_topic, "tx");
  EXPECT_TRUE(c->message_prefixes.passes("audit-1"));
  EXPECT_TRUE(c->message_prefixes.passes("outbox"));
  EXPECT_FALSE(c->message_prefixes.passes("outbox2"));  // whole-string match
  p.erase("message.prefix.include.list");
  p["message.prefix.exclude.list"] = "noise";
  c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->message_prefixes.passes("noise"));
  EXPECT_TRUE(c->message_prefixes.passes("audit"));
  p["message.prefix.include.list"] = "a";
  c = parse_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("message.prefix.include.list"), std::string::npos);
  p.erase("message.prefix.include.list");
  p["message.prefix.exclude.list"] = "(";
  c = parse_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("message.prefix.exclude.list"), std::string::npos);
}

TEST(ConfigParse, SkippedOperationsRejectsMessagesAsDebezium) {
  auto p = minimal();
  p["skipped.operations"] =
      "m";  // Debezium 3.4: "Invalid operation"; messages are filtered by prefix instead
  EXPECT_FALSE(parse_config(p).ok());
}

TEST(ConfigParse, ExactlyOnceSupport) {
  auto p = minimal();
  p["name"] = "inventory";
  auto off = parse_config(p);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->exactly_once_support, ExactlyOnceSupport::kSupported);
  EXPECT_FALSE(off->exactly_once);

  p["exactly.once.support"] = "required";
  auto on = parse_config(p);
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on->exactly_once);
  EXPECT_EQ(on->transactional_id, "sluice-inventory-myserver");
  EXPECT_EQ(on->transaction_interval_ms, 100);

  p["producer.transactional.id"] = "tx-1";
  p["transaction.boundary.interval.ms"] = "250";
  auto named = parse_config(p);
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->transactional_id, "tx-1");
  EXPECT_EQ(named->transaction_interval_ms, 250);
  EXPECT_EQ(named->producer_properties.count("transactional.id"), 0u);  // set only in exactly-once mode

  p["offset.storage"] = "none";
  auto impossible = parse_config(p);
  ASSERT_FALSE(impossible.ok());
  EXPECT_NE(impossible.error().message.find("exactly.once.support=required is impossible"),
            std::string::npos);
  p["exactly.once.support"] = "requested";
  auto fallback = parse_config(p);
  ASSERT_TRUE(fallback.ok());
  EXPECT_FALSE(fallback->exactly_once);
  EXPECT_FALSE(fallback->warnings.empty());

  p["exactly.once.support"] = "maybe";
  EXPECT_FALSE(parse_config(p).ok());
}

}  // namespace
}  // namespace sluice::config

// TLS to Postgres: Debezium's database.ssl* names reach libpq's conninfo; files are checked up front.
namespace sluice::config {
namespace {

std::string pem_file(const std::string& name, const std::string& content) {
  auto path = std::filesystem::temp_directory_path() / ("sluice-config-tls-" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

Properties tls_minimal() {
  return {{"database.hostname", "db.example"},
          {"database.user", "repl"},
          {"database.dbname", "inventory"},
          {"topic.prefix", "p"}};
}

TEST(ConfigTls, SslSettingsReachEveryConnection) {
  auto ca = pem_file("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  auto cert = pem_file("client.pem", "-----BEGIN CERTIFICATE-----\n");
  auto key = pem_file("client.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
  auto p = tls_minimal();
  p["database.sslmode"] = "VERIFY-FULL";
  p["database.sslrootcert"] = ca;
  p["database.sslcert"] = cert;
  p["database.sslkey"] = key;
  p["database.sslpassword"] = "it's";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->warnings.empty());
  for (bool replication : {false, true}) {
    auto info = c->conninfo(replication);
    EXPECT_NE(info.find("sslmode=verify-full"), std::string::npos) << info;
    EXPECT_NE(info.find("sslrootcert='" + ca + "'"), std::string::npos) << info;
    EXPECT_NE(info.find("sslcert='" + cert + "'"), std::string::npos) << info;
    EXPECT_NE(info.find("sslkey='" + key + "'"), std::string::npos) << info;
    EXPECT_NE(info.find(R"(sslpassword='it\'s')"), std::string::npos) << info;
    EXPECT_EQ(info.find("replication=database") != std::string::npos, replication);
  }
  p["database.sslmode"] = "disable";
  auto off = parse_config(p);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->conninfo(false).find("sslrootcert"), std::string::npos);
  ASSERT_EQ(off->warnings.size(), 1u);
  EXPECT_NE(off->warnings[0].find("ignored with database.sslmode=disable"), std::string::npos);
  for (const auto& f : {ca, cert, key}) std::filesystem::remove(f);
}

TEST(ConfigTls, BadFilesNameTheKeyAndValue) {
  auto p = tls_minimal();
  p["database.sslrootcert"] = "/nonexistent/root.crt";
  auto missing = parse_config(p);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(
      missing.error().message,
      "invalid value for database.sslrootcert: '/nonexistent/root.crt' (allowed: a readable PEM file holding "
      "CA certificates)");

  auto der = pem_file("client.pk8", std::string("\x30\x82\x04\xbe\x02\x01\x00", 7));
  auto cert = pem_file("client2.pem", "-----BEGIN CERTIFICATE-----\n");
  p = tls_minimal();
  p["database.sslcert"] = cert;
  p["database.sslkey"] = der;
  auto pk8 = parse_config(p);
  ASSERT_FALSE(pk8.ok());
  EXPECT_NE(pk8.error().message.find("invalid value for database.sslkey: '" + der + "'"), std::string::npos);
  EXPECT_NE(pk8.error().message.find("openssl pkcs8 -inform DER"), std::string::npos);

  p.erase("database.sslkey");
  auto alone = parse_config(p);
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.error().message.find("database.sslcert and database.sslkey must be set together"),
            std::string::npos);
  std::filesystem::remove(der);
  std::filesystem::remove(cert);
}

TEST(ConfigTls, JdbcOnlySslFactoryIsIgnoredWithAWarning) {
  auto p = tls_minimal();
  p["database.sslfactory"] = "org.postgresql.ssl.NonValidatingFactory";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_NE(c->warnings[0].find("database.sslfactory"), std::string::npos);
}

}  // namespace
}  // namespace sluice::config

namespace sluice::config {
namespace {

// message.key.columns as Debezium's Key.CustomKeyMapper reads it: for each configured "<table>.<column>"
// pattern in turn (case-insensitive, whole-name match), the matching columns in table order.
TEST(MessageKeyColumns, ConfiguredOrderAndMatching) {
  auto m = MessageKeyColumns::create(" inventory.customers:b,a ; (.*).orders:ID;other.t:x ");
  ASSERT_TRUE(m.ok()) << m.error().message;
  const std::vector<std::string> cols{"a", "b", "c"};
  EXPECT_EQ(m->key_columns("inventory", "customers", cols), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(m->key_columns("inventory", "customers2", cols), std::vector<size_t>{});
  EXPECT_EQ(m->key_columns("Sales", "orders", {"x", "id"}), std::vector<size_t>{1});
  EXPECT_EQ(m->key_columns("other", "t", {"X"}), std::vector<size_t>{0});
  auto regex = MessageKeyColumns::create("s.t:c[0-9]");
  ASSERT_TRUE(regex.ok());
  EXPECT_EQ(regex->key_columns("s", "t", {"c2", "x", "c1", "c10"}), (std::vector<size_t>{0, 2}));
  auto quoted = MessageKeyColumns::create("MySchema.Order.Items:qty");  // '.' matches the space
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->key_columns("MySchema", "Order Items", {"Id", "Qty"}), std::vector<size_t>{1});
  EXPECT_TRUE(MessageKeyColumns::create("")->empty());
}

TEST(MessageKeyColumns, RejectsMalformedEntriesNamingTheKey) {
  for (const char* bad :
       {"inventory.customers", "a:b:c", "s.t:a b", ":a", "s.t:", "s.t:a;;x.y:b", ";", "s.(t:a"}) {
    auto p = minimal();
    p["message.key.columns"] = bad;
    auto c = parse_config(p);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().kind, ErrorKind::kFatal);
    EXPECT_NE(c.error().message.find("message.key.columns"), std::string::npos) << c.error().message;
  }
  auto p = minimal();
  p["message.key.columns"] = "public.t:a,b;";  // a trailing ';' is dropped, as Java's split does
  EXPECT_TRUE(parse_config(p).ok());
}

TEST(ConfigParse, IncludeUnknownDatatypesAndProducerOverrides) {
  auto p = minimal();
  EXPECT_FALSE(parse_config(p)->include_unknown_datatypes);
  p["include.unknown.datatypes"] = "true";
  // Kafka Connect's per-connector override form, with the Java producer's name for the request limit
  p["producer.override.max.request.size"] = "16777216";
  p["producer.override.linger.ms"] = "7";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->include_unknown_datatypes);
  EXPECT_EQ(c->producer_properties.at("message.max.bytes"), "16777216");
  EXPECT_EQ(c->producer_properties.at("linger.ms"), "7");
  p["include.unknown.datatypes"] = "maybe";
  auto bad = parse_config(p);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("include.unknown.datatypes"), std::string::npos);
}

}  // namespace
}  // namespace sluice::config
