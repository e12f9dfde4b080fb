// convert_record: Debezium envelopes and unwrapped rows (schemas on and off) -> the target's columns and
// Postgres text values; logical types back to column types; schemaless values read by the target column.
#include "pgsink/record.h"

#include <gtest/gtest.h>

namespace sluice::pgsink {
namespace {

SinkConfig upsert_config() {
  SinkConfig c;
  c.topics = {"srv.public.t"};
  c.insert_mode = InsertMode::kUpsert;
  c.primary_key_mode = PrimaryKeyMode::kRecordKey;
  c.delete_enabled = true;
  return c;
}

const char* kKey =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,)"
    R"("name":"srv.public.t.Key"},"payload":{"id":7}})";

// A sluice/Debezium envelope of public.t(id int, name text, price numeric(10,2), born date, seen timestamp,
// at timestamptz, tags text[], raw bytea).
std::string envelope(const std::string& op, const std::string& after, const std::string& before = "null") {
  std::string value_schema =
      R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"string","optional":true,"field":"name"},)"
      R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
      R"("parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"price"},)"
      R"({"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,"field":"born"},)"
      R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"seen"},)"
      R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"at"},)"
      R"({"type":"array","optional":true,"items":{"type":"string","optional":true},"field":"tags"},)"
      R"({"type":"bytes","optional":true,"field":"raw"}],"optional":true,"name":"srv.public.t.Value",)"
      R"("field":"%s"})";
  auto field = [&](const char* name) {
    std::string s = value_schema;
    s.replace(s.find("%s"), 2, name);
    return s;
  };
  return R"({"schema":{"type":"struct","fields":[)" + field("before") + "," + field("after") +
         R"(,{"type":"struct","fields":[],"optional":false,"name":"io.debezium.connector.postgresql.Source",)"
         R"("field":"source"},{"type":"string","optional":false,"field":"op"}],"optional":false,)"
         R"("name":"srv.public.t.Envelope","version":2},"payload":{"before":)" +
         before + R"(,"after":)" + after +
         R"(,"source":{"schema":"public","table":"t","db":"postgres"},"op":")" + op + R"(","ts_ms":1}})";
}

const ColumnValue* col(const SinkRecord& r, const std::string& name) {
  for (const auto* list : {&r.key, &r.values}) {
    for (const auto& c : *list) {
      if (c.name == name) return &c;
    }
  }
  return nullptr;
}

TEST(SinkRecord, EnvelopeCreateWithLogicalTypes) {
  auto cfg = upsert_config();
  cfg.collection_name_format = "${source.schema}.${source.table}";
  std::string after = R"({"id":7,"name":"jöhn \"q\"","price":"MDk=","born":19000,"seen":1700000000123456,)"
                      R"("at":"2023-11-14T22:13:20.5Z","tags":["a","b,c",null],"raw":"3q2+7w=="})";
  auto v = envelope("c", after);
  auto r = convert_record(cfg, {"srv.public.t", 0, 5, std::string_view(kKey), std::string_view(v)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->op, RecordOp::kWrite);
  EXPECT_EQ(r->table, "public.t");
  ASSERT_EQ(r->key.size(), 1u);
  EXPECT_EQ(r->key[0].name, "id");
  EXPECT_EQ(*r->key[0].text, "7");
  EXPECT_EQ(r->values.size(), 7u);  // id comes from the key only
  EXPECT_EQ(*col(*r, "name")->text, "jöhn \"q\"");
  EXPECT_EQ(*col(*r, "price")->text, "123.45");  // 0x3039 = 12345, scale 2
  EXPECT_EQ(col(*r, "price")->sql_type, "numeric(10,2)");
  EXPECT_EQ(*col(*r, "born")->text, "2022-01-08");
  EXPECT_EQ(col(*r, "born")->sql_type, "date");
  EXPECT_EQ(*col(*r, "seen")->text, "2023-11-14 22:13:20.123456");
  EXPECT_EQ(col(*r, "seen")->sql_type, "timestamp");
  EXPECT_EQ(*col(*r, "at")->text, "2023-11-14T22:13:20.5Z");
  EXPECT_EQ(col(*r, "at")->sql_type, "timestamptz");
  EXPECT_EQ(*col(*r, "tags")->text, R"({"a","b,c",NULL})");
  EXPECT_EQ(col(*r, "tags")->sql_type, "text[]");
  EXPECT_EQ(*col(*r, "raw")->text, "\\xdeadbeef");
  EXPECT_EQ(col(*r, "raw")->sql_type, "bytea");
  EXPECT_FALSE(col(*r, "name")->schemaless);
}

TEST(SinkRecord, DefaultTableNameIsTheTopicWithUnderscores) {
  auto v = envelope(
      "r", R"({"id":7,"name":null,"price":null,"born":null,"seen":null,"at":null,"tags":null,"raw":null})");
  auto r =
      convert_record(upsert_config(), {"srv.public.t", 0, 0, std::string_view(kKey), std::string_view(v)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->table, "srv_public_t");
  EXPECT_FALSE(col(*r, "name")->text.has_value());
}

TEST(SinkRecord, DeleteTombstoneAndTruncate) {
  auto cfg = upsert_config();
  auto d = envelope(
      "d", "null",
      R"({"id":7,"name":"x","price":null,"born":null,"seen":null,"at":null,"tags":null,"raw":null})");
  auto r = convert_record(cfg, {"srv.public.t", 0, 1, std::string_view(kKey), std::string_view(d)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->op, RecordOp::kDelete);
  EXPECT_EQ(*r->key[0].text, "7");
  auto tomb = convert_record(cfg, {"srv.public.t", 0, 2, std::string_view(kKey), std::nullopt});
  ASSERT_TRUE(tomb.ok());
  EXPECT_EQ(tomb->op, RecordOp::kDelete);
  EXPECT_EQ(tomb->key_id, r->key_id);
  auto by_source = cfg;
  by_source.collection_name_format = "${source.schema}.${source.table}";
  EXPECT_EQ(convert_record(by_source, {"srv.public.t", 0, 2, std::string_view(kKey), std::nullopt})->op,
            RecordOp::kSkip);  // a tombstone has no source block to name its table
  EXPECT_EQ(
      convert_record(by_source, {"srv.public.t", 0, 1, std::string_view(kKey), std::string_view(d)})->table,
      "public.t");
  cfg.delete_enabled = false;
  EXPECT_EQ(convert_record(cfg, {"srv.public.t", 0, 1, std::string_view(kKey), std::string_view(d)})->op,
            RecordOp::kSkip);
  auto t = envelope("t", "null");
  EXPECT_EQ(convert_record(cfg, {"srv.public.t", 0, 3, std::nullopt, std::string_view(t)})->op,
            RecordOp::kSkip);
  cfg.truncate_enabled = true;
  EXPECT_EQ(convert_record(cfg, {"srv.public.t", 0, 3, std::nullopt, std::string_view(t)})->op,
            RecordOp::kTruncate);
}

TEST(SinkRecord, UnwrappedSchemalessRowAndKey) {
  auto cfg = upsert_config();
  std::string v = R"({"id":7,"name":"n","score":1.5,"ok":true,"doc":{"a":[1,2]},"born":19000})";
  auto r = convert_record(cfg, {"srv.public.t", 0, 9, std::string_view(R"({"id":7})"), std::string_view(v)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->op, RecordOp::kWrite);
  EXPECT_EQ(*col(*r, "score")->text, "1.5");
  EXPECT_EQ(*col(*r, "ok")->text, "true");
  EXPECT_EQ(*col(*r, "doc")->text, R"({"a":[1,2]})");
  EXPECT_TRUE(col(*r, "born")->schemaless);
  EXPECT_EQ(col(*r, "born")->kind, JsonKind::kInt);
  // An unwrapped delete is a tombstone.
  auto d = convert_record(cfg, {"srv.public.t", 0, 10, std::string_view(R"({"id":7})"), std::nullopt});
  EXPECT_EQ(d->op, RecordOp::kDelete);
}

TEST(SinkRecord, SchemalessEnvelope) {
  auto cfg = upsert_config();
  std::string v = R"({"before":null,"after":{"id":1,"v":"x"},"source":{"schema":"s","table":"tt"},"op":"u"})";
  cfg.collection_name_format = "${source.table}";
  auto r = convert_record(cfg, {"t", 0, 0, std::string_view(R"({"id":1})"), std::string_view(v)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->table, "tt");
  EXPECT_EQ(*col(*r, "v")->text, "x");
}

TEST(SinkRecord, PrimaryKeyModes) {
  SinkConfig cfg;
  cfg.primary_key_mode = PrimaryKeyMode::kKafka;
  std::string v = R"({"id":1,"v":"x"})";
  auto r = convert_record(cfg, {"top.ic", 3, 42, std::nullopt, std::string_view(v)});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->key.size(), 3u);
  EXPECT_EQ(r->key[0].name, "__connect_topic");
  EXPECT_EQ(*r->key[0].text, "top.ic");
  EXPECT_EQ(*r->key[1].text, "3");
  EXPECT_EQ(*r->key[2].text, "42");
  cfg.primary_key_mode = PrimaryKeyMode::kRecordValue;
  cfg.primary_key_fields = {"v"};
  r = convert_record(cfg, {"t", 0, 0, std::nullopt, std::string_view(v)});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->key.size(), 1u);
  EXPECT_EQ(r->key[0].name, "v");
  ASSERT_EQ(r->values.size(), 1u);
  EXPECT_EQ(r->values[0].name, "id");
  cfg.primary_key_mode = PrimaryKeyMode::kRecordKey;
  cfg.primary_key_fields = {"k"};
  r = convert_record(cfg, {"t", 0, 0, std::string_view("\"abc\""), std::string_view(v)});  // primitive key
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->key[0].name, "k");
  EXPECT_EQ(*r->key[0].text, "abc");
  EXPECT_FALSE(convert_record(cfg, {"t", 0, 0, std::nullopt, std::string_view(v)}).ok());  // no key
}

TEST(SinkRecord, PoisonRecordsAreDataErrors) {
  auto cfg = upsert_config();
  auto r = convert_record(cfg, {"t", 0, 0, std::string_view(kKey), std::string_view("{not json")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kData);
  auto bad = envelope(
      "c",
      R"({"id":7,"name":"n","price":"MDk=","born":"yesterday","seen":null,"at":null,"tags":null,"raw":null})");
  EXPECT_FALSE(convert_record(cfg, {"t", 0, 0, std::string_view(kKey), std::string_view(bad)}).ok());
}

TEST(SinkValues, DecimalsDatesTimes) {
  EXPECT_EQ(*decimal_from_base64("MDk=", 2), "123.45");
  EXPECT_EQ(*decimal_from_base64("z8c=", 2), "-123.45");  // 0xcfc7 = -12345
  EXPECT_EQ(*decimal_from_base64("AQ==", 3), "0.001");
  EXPECT_EQ(*decimal_from_base64("AA==", 0), "0");
  EXPECT_EQ(*decimal_from_base64("/w==", 0), "-1");
  EXPECT_EQ(*decimal_from_base64("AQ==", -2), "100");
  EXPECT_EQ(date_from_days(0), "1970-01-01");
  EXPECT_EQ(date_from_days(-1), "1969-12-31");
  EXPECT_EQ(date_from_days(-719162), "0001-01-01");
  EXPECT_EQ(date_from_days(-719163), "0001-12-31 BC");  // proleptic year 0 is 1 BC
  EXPECT_EQ(time_from_micros(0), "00:00:00");
  EXPECT_EQ(time_from_micros(86400000000LL), "24:00:00");
  EXPECT_EQ(time_from_micros(3723000001LL), "01:02:03.000001");
  EXPECT_EQ(timestamp_from_micros(-1), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(bytea_hex(std::string("\x00\xff", 2)), "\\x00ff");
}

TEST(SinkValues, ColumnTypesOfSchemas) {
  EXPECT_EQ(column_type_of_schema(R"({"type":"int16"})"), "smallint");
  EXPECT_EQ(column_type_of_schema(R"({"type":"int64"})"), "bigint");
  EXPECT_EQ(column_type_of_schema(R"({"type":"float64"})"), "double precision");
  EXPECT_EQ(column_type_of_schema(R"({"type":"boolean"})"), "boolean");
  EXPECT_EQ(column_type_of_schema(R"({"type":"string","name":"io.debezium.data.Uuid"})"), "uuid");
  EXPECT_EQ(column_type_of_schema(R"({"type":"string","name":"io.debezium.data.Json"})"), "json");
  EXPECT_EQ(column_type_of_schema(R"({"type":"struct","name":"io.debezium.data.VariableScaleDecimal"})"),
            "numeric");
  EXPECT_EQ(column_type_of_schema(R"({"type":"int64","name":"io.debezium.time.MicroDuration"})"), "interval");
  EXPECT_EQ(column_type_of_schema(R"({"type":"int32","name":"io.debezium.time.Time"})"), "time(3)");
  EXPECT_EQ(column_type_of_schema(R"({"type":"int64","name":"io.debezium.time.MicroTime"})"), "time");
  EXPECT_EQ(column_type_of_schema(R"({"type":"string","name":"io.debezium.time.ZonedTime"})"), "timetz");
  EXPECT_EQ(
      column_type_of_schema(R"({"type":"bytes","name":"io.debezium.data.Bits","parameters":{"length":"3"}})"),
      "bit(3)");
  EXPECT_EQ(column_type_of_schema(R"({"type":"array","items":{"type":"int32"}})"), "integer[]");
  EXPECT_EQ(
      column_type_of_schema(
          R"({"type":"string","parameters":{"__debezium.source.column.type":"VARCHAR","__debezium.source.column.length":"40"}})"),
      "varchar(40)");
  EXPECT_EQ(
      column_type_of_schema(
          R"({"type":"string","parameters":{"__debezium.source.column.type":"BPCHAR","__debezium.source.column.length":"84"}})"),
      "bpchar(84)");
}

TEST(SinkValues, SchemalessValuesReadByTargetColumn) {
  auto value = [](JsonKind k, std::string text) {
    ColumnValue c;
    c.schemaless = true;
    c.kind = k;
    c.text = std::move(text);
    return c;
  };
  auto c = value(JsonKind::kInt, "19000");
  ASSERT_TRUE(coerce_to_column(c, {"date", -1}).ok());
  EXPECT_EQ(*c.text, "2022-01-08");
  c = value(JsonKind::kInt, "1700000000123456");
  ASSERT_TRUE(coerce_to_column(c, {"timestamp", -1}).ok());
  EXPECT_EQ(*c.text, "2023-11-14 22:13:20.123456");
  c = value(JsonKind::kInt, "1700000000123");
  ASSERT_TRUE(coerce_to_column(c, {"timestamp", 3}).ok());  // timestamp(3): io.debezium.time.Timestamp (ms)
  EXPECT_EQ(*c.text, "2023-11-14 22:13:20.123000");
  c = value(JsonKind::kString, "MDk=");
  ASSERT_TRUE(coerce_to_column(c, {"numeric", ((10 << 16) | 2) + 4}).ok());
  EXPECT_EQ(*c.text, "123.45");
  c = value(JsonKind::kString, "12.5");  // decimal.handling.mode=string
  ASSERT_TRUE(coerce_to_column(c, {"numeric", ((10 << 16) | 2) + 4}).ok());
  EXPECT_EQ(*c.text, "12.5");
  c = value(JsonKind::kObject, R"({"scale":1,"value":"MDk="})");
  ASSERT_TRUE(coerce_to_column(c, {"numeric", -1}).ok());
  EXPECT_EQ(*c.text, "1234.5");
  c = value(JsonKind::kArray, R"([1,2,null])");
  ASSERT_TRUE(coerce_to_column(c, {"_int4", -1}).ok());
  EXPECT_EQ(*c.text, R"({"1","2",NULL})");
  c = value(JsonKind::kArray, R"([1,2])");
  ASSERT_TRUE(coerce_to_column(c, {"jsonb", -1}).ok());
  EXPECT_EQ(*c.text, "[1,2]");
  c = value(JsonKind::kString, "3q2+7w==");
  ASSERT_TRUE(coerce_to_column(c, {"bytea", -1}).ok());
  EXPECT_EQ(*c.text, "\\xdeadbeef");
  c = value(JsonKind::kInt, "42");
  ASSERT_TRUE(coerce_to_column(c, {"int4", -1}).ok());
  EXPECT_EQ(*c.text, "42");
}

}  // namespace
}  // namespace sluice::pgsink
