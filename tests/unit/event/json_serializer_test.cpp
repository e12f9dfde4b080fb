// Golden tests: serialized keys and values must match tests/golden/*.json byte for byte (compact JSON as
// emitted, plus a newline). Regenerate after an intended format change with SLUICE_UPDATE_GOLDEN=1 and
// review the diff against Debezium's output.
#include "event/json_serializer.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/byte_reader.h"
#include "decode/pgoutput.h"
#include "event/pg_types.h"
#include "event/value_converter.h"

namespace sluice::event {
namespace {

namespace pt = pgtype;
using Kind = decode::TupleValue::Kind;

std::string golden_path(const std::string& name) {
  return std::string(SLUICE_SOURCE_DIR) + "/tests/golden/" + name;
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (const char* update = std::getenv("SLUICE_UPDATE_GOLDEN");
      update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual << '\n';
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path << " (run with SLUICE_UPDATE_GOLDEN=1)";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), actual + "\n") << "golden " << name << " differs (SLUICE_UPDATE_GOLDEN=1 rewrites it)";
}

decode::TupleValue text(std::string_view v) {
  return {Kind::kText, v};
}
decode::TupleValue null() {
  return {Kind::kNull, {}};
}
decode::TupleValue toast() {
  return {Kind::kUnchangedToast, {}};
}

constexpr int64_t kCommitUs = 1714558272123456;  // 2024-05-01T10:11:12.123456Z
constexpr int64_t kNowUs = 1714558272987654;

// public.customers (id serial primary key, name text)
std::shared_ptr<const TableSchema> customers() {
  TableInfo info{Oid{16385},
                 "public",
                 "customers",
                 'd',
                 {{"id", Oid{pt::kInt4}, -1, false, true}, {"name", Oid{pt::kText}, -1, true, false}}};
  auto r = TableSchema::build(info, "myserver", {});
  EXPECT_TRUE(r.ok());
  return *r;
}

Source streaming_source() {
  Source s;
  s.ts_us = kCommitUs;
  s.tx_id = 767;
  s.lsn = Lsn(24023128);
  s.last_commit_lsn = Lsn(24022960);
  return s;
}

SerializerOptions options(bool schemas = true) {
  SerializerOptions o;
  o.server_name = "myserver";
  o.database = "postgres";
  o.version = "3.4.3.Final";
  o.key_schemas_enable = schemas;
  o.value_schemas_enable = schemas;
  return o;
}

struct Serialized {
  std::string key;
  bool has_key = false;
  std::string value;
};

Serialized serialize(const ChangeEvent& e, bool schemas = true) {
  JsonSerializer s(options(schemas));
  Serialized out;
  auto k = s.key(e, out.key);
  EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().message);
  out.has_key = k.ok() && *k;
  auto st = s.value(e, out.value);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return out;
}

TEST(JsonSerializer, Insert) {
  auto table = customers();
  std::vector<decode::TupleValue> after{text("4"), text("josip")};
  ChangeEvent e{Op::kCreate, table.get(), std::nullopt, Row(after), streaming_source(), kNowUs};
  Serialized with = serialize(e);
  ASSERT_TRUE(with.has_key);
  expect_golden("customers_insert.key.json", with.key);
  expect_golden("customers_insert.value.json", with.value);
  Serialized bare = serialize(e, false);
  EXPECT_EQ(bare.key, R"({"id":4})");
  expect_golden("customers_insert.value_noschema.json", bare.value);
}

TEST(JsonSerializer, UpdateWithoutOldTuple) {
  auto table = customers();
  std::vector<decode::TupleValue> after{text("4"), text("josip b")};
  ChangeEvent e{Op::kUpdate, table.get(), std::nullopt, Row(after), streaming_source(), kNowUs};
  Serialized s = serialize(e, false);
  EXPECT_EQ(s.key, R"({"id":4})");
  expect_golden("customers_update.value_noschema.json", s.value);
}

TEST(JsonSerializer, DeleteKeyOnlyOldTuple) {
  auto table = customers();
  std::vector<decode::TupleValue> before{text("4"), null()};  // old tuple 'K': non-key columns are null
  ChangeEvent e{Op::kDelete, table.get(), Row(before), std::nullopt, streaming_source(), kNowUs};
  Serialized s = serialize(e, false);
  EXPECT_EQ(s.key, R"({"id":4})");
  expect_golden("customers_delete.value_noschema.json", s.value);
}

// Debezium 3.5+: source.origin / origin_lsn from pgoutput's Origin message (null without one); older
// releases (sluice.compat.version 3.4) have neither field, in schema or payload.
TEST(JsonSerializer, SourceOriginFollowsCompatVersion) {
  std::vector<decode::TupleValue> after{text("4"), text("josip")};
  Source src = streaming_source();
  src.origin = "pg_16390";
  src.origin_lsn = Lsn(0x12345678);
  auto table = customers();
  ChangeEvent e{Op::kCreate, table.get(), std::nullopt, Row(after), src, kNowUs};
  Serialized s = serialize(e, false);
  EXPECT_NE(s.value.find(R"("xmin":null,"origin":"pg_16390","origin_lsn":305419896},)"), std::string::npos)
      << s.value;
  Serialized with = serialize(e);
  EXPECT_NE(
      with.value.find(R"({"type":"int64","optional":true,"field":"xmin"},{"type":"string","optional":true,)"
                      R"("field":"origin"},{"type":"int64","optional":true,"field":"origin_lsn"}])"),
      std::string::npos)
      << with.value;

  ConverterOptions v34;
  v34.compat_minor = 4;
  TableInfo info = table->info();
  auto old_table = TableSchema::build(info, "myserver", v34);
  ASSERT_TRUE(old_table.ok());
  SerializerOptions o = options();
  o.compat_minor = 4;
  JsonSerializer old(o);
  ChangeEvent e34{Op::kCreate, old_table->get(), std::nullopt, Row(after), src, kNowUs};
  std::string value;
  ASSERT_TRUE(old.value(e34, value).ok());
  EXPECT_EQ(value.find("origin"), std::string::npos) << value;
  EXPECT_NE(value.find(R"("xmin":null},)"), std::string::npos) << value;
}

TEST(JsonSerializer, SnapshotRead) {
  auto table = customers();
  std::vector<decode::TupleValue> after{text("1"), text("anne")};
  Source src;
  src.snapshot = "first";
  src.ts_us = kCommitUs;
  src.tx_id = 766;
  src.lsn = Lsn(24023000);
  ChangeEvent e{Op::kRead, table.get(), std::nullopt, Row(after), src, kNowUs};
  Serialized s = serialize(e, false);
  expect_golden("customers_read.value_noschema.json", s.value);
}

TEST(JsonSerializer, TableWithoutPrimaryKeyHasNoKey) {
  TableInfo info{Oid{16390}, "public", "audit_log", 'd', {{"msg", Oid{pt::kText}, -1, true, false}}};
  auto table = TableSchema::build(info, "myserver", {});
  ASSERT_TRUE(table.ok());
  EXPECT_FALSE((*table)->has_key());
  EXPECT_EQ((*table)->key_schema_json(), "");
  std::vector<decode::TupleValue> after{text("hello")};
  ChangeEvent e{Op::kCreate, table->get(), std::nullopt, Row(after), streaming_source(), kNowUs};
  Serialized s = serialize(e);
  EXPECT_FALSE(s.has_key);
  EXPECT_EQ(s.key, "");
  expect_golden("audit_log_insert.value.json", s.value);
}

// AbstractTopicNamingStrategy replaces each invalid Java char (UTF-16 unit): a 2- or 3-byte UTF-8 sequence
// is one '_', a 4-byte one (outside the BMP) two.
TEST(JsonSerializer, TopicNameSanitizedPerUtf16Unit) {
  TableInfo info{Oid{16391},
                 "My Schema",
                 "utf8_\xC3\xB1_\xE2\x9C\x93_\xF0\x9F\x9A\x80",
                 'd',
                 {{"id", Oid{pt::kInt4}, -1, false, true, 1}}};
  auto table = TableSchema::build(info, "myserver", {});
  ASSERT_TRUE(table.ok());
  EXPECT_EQ((*table)->topic(), "myserver.My_Schema.utf8_______");
  EXPECT_EQ((*table)->schema_name_prefix(), "myserver.My_Schema.utf8_______");
}

// message.key.columns marks other columns as the key (in its order) and gives a table without a primary
// key one: the key struct follows key_position.
TEST(JsonSerializer, CustomKeyColumns) {
  TableInfo info{Oid{16392},
                 "public",
                 "keyed",
                 'd',
                 {{"id", Oid{pt::kInt4}, -1, false, false, 0},
                  {"code", Oid{pt::kText}, -1, false, true, 2},
                  {"grp", Oid{pt::kInt4}, -1, true, true, 1}}};
  auto table = TableSchema::build(info, "myserver", {});
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(
      (*table)->key_schema_json(),
      R"({"type":"struct","fields":[{"type":"int32","optional":true,"field":"grp"},)"
      R"({"type":"string","optional":false,"field":"code"}],"optional":false,"name":"myserver.public.keyed.Key"})");
  std::vector<decode::TupleValue> after{text("1"), text("k1"), {decode::TupleValue::Kind::kNull, {}}};
  ChangeEvent e{Op::kCreate, table->get(), std::nullopt, Row(after), streaming_source(), kNowUs};
  Serialized s = serialize(e, false);
  EXPECT_TRUE(s.has_key);
  EXPECT_EQ(s.key, R"({"grp":null,"code":"k1"})");
}

// public.orders: composite key declared as PRIMARY KEY (region, id), a NOT NULL column, several logical
// types.
std::shared_ptr<const TableSchema> orders() {
  TableInfo info{Oid{16400},
                 "public",
                 "orders",
                 'd',
                 {{"id", Oid{pt::kInt8}, -1, false, true, 2},
                  {"region", Oid{pt::kVarchar}, 4 + 8, false, true, 1},
                  {"status", Oid{pt::kText}, -1, false, false},
                  {"total", Oid{pt::kNumeric}, ((10 << 16) | 2) + 4, true, false},
                  {"placed_at", Oid{pt::kTimestamptz}, -1, true, false},
                  {"tags", Oid{pt::kTextArray}, -1, true, false},
                  {"doc", Oid{pt::kJsonb}, -1, true, false},
                  {"location", Oid{3220}, -1, true, false}}};  // pg_lsn
  auto r = TableSchema::build(info, "myserver", {});
  EXPECT_TRUE(r.ok());
  return *r;
}

TEST(JsonSerializer, OrdersSchemaAndTypes) {
  auto table = orders();
  EXPECT_EQ(table->topic(), "myserver.public.orders");
  EXPECT_EQ(table->converters().size(), 7u);  // pg_lsn has no Debezium mapping: dropped
  std::vector<decode::TupleValue> after{text("42"),
                                        text("eu"),
                                        text("new"),
                                        text("1234.50"),
                                        text("2024-05-01 10:11:12+00"),
                                        text(R"({a,"b c"})"),
                                        text(R"({"k": [1, 2]})"),
                                        text("(1,2)")};
  ChangeEvent e{Op::kCreate, table.get(), std::nullopt, Row(after), streaming_source(), kNowUs};
  Serialized s = serialize(e);
  expect_golden("orders_insert.key.json", s.key);
  expect_golden("orders_insert.value.json", s.value);
}

TEST(JsonSerializer, OrdersUpdateWithUnchangedToast) {
  auto table = orders();
  std::vector<decode::TupleValue> after{text("42"), text("eu"), text("shipped"), text("1234.50"),
                                        null(),     toast(),    toast(),         null()};
  ChangeEvent e{Op::kUpdate, table.get(), std::nullopt, Row(after), streaming_source(), kNowUs};
  Serialized s = serialize(e, false);
  EXPECT_EQ(s.key, R"({"region":"eu","id":42})");
  expect_golden("orders_update_toast.value_noschema.json", s.value);
}

// Regression (issue 15): an update under REPLICA IDENTITY FULL that leaves a TOASTed column unchanged,
// decoded from pgoutput bytes ('U', 'O' old row, 'N' new row with 'u'): after holds the old row's value, not
// the placeholder (Debezium: PostgresChangeRecordEmitter's cachedOldToastedValues).
TEST(JsonSerializer, FullIdentityUpdateWithUnchangedToastKeepsTheValue) {
  TableInfo info{Oid{16400},
                 "public",
                 "documents",
                 'f',
                 {{"id", Oid{pt::kInt4}, -1, false, true},
                  {"body", Oid{pt::kText}, -1, true, false},
                  {"version", Oid{pt::kInt4}, -1, true, false}}};
  auto table = TableSchema::build(info, "myserver", {});
  ASSERT_TRUE(table.ok());
  constexpr char kWire[] =
      "U\0\0\x40\x10O\0\3t\0\0\0\0011t\0\0\0\x0e"
      "a TOASTed bodyt\0\0\0\0011N\0\3t\0\0\0\0011ut\0\0\0\0012";
  const std::string wire(kWire, sizeof kWire - 1);
  auto msg = decode::decode_pgoutput(as_bytes(wire));
  ASSERT_TRUE(msg.ok()) << msg.error().message;
  const auto& u = std::get<decode::Update>(*msg);
  ChangeEvent e{Op::kUpdate, table->get(), Row(u.old_tuple), Row(u.new_tuple), streaming_source(), kNowUs};
  Serialized s = serialize(e, false);
  expect_golden("documents_update_toast_full.value_noschema.json", s.value);
  EXPECT_NE(s.value.find(R"("after":{"id":1,"body":"a TOASTed body","version":2})"), std::string::npos)
      << s.value;
}

TEST(JsonSerializer, OrdersDeleteFillsNotNullColumnsWithFallback) {
  auto table = orders();
  std::vector<decode::TupleValue> before{text("42"), text("eu"), null(), null(),
                                         null(),     null(),     null(), null()};
  ChangeEvent e{Op::kDelete, table.get(), Row(before), std::nullopt, streaming_source(), kNowUs};
  Serialized s = serialize(e, false);
  expect_golden("orders_delete.value_noschema.json", s.value);
}

TEST(JsonSerializer, ConversionErrorNamesTableColumnAndValue) {
  auto table = orders();
  std::vector<decode::TupleValue> after{text("42"), text("eu"), text("new"), text("12x.5"),
                                        null(),     null(),     null(),      null()};
  ChangeEvent e{Op::kCreate, table.get(), std::nullopt, Row(after), streaming_source(), kNowUs};
  JsonSerializer s(options());
  std::string out;
  auto st = s.value(e, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kData);
  EXPECT_EQ(st.error().message, "public.orders column total: invalid numeric value '12x.5'");
  EXPECT_EQ(out, "");
}

TEST(JsonSerializer, RowWidthMismatchIsDataError) {
  auto table = customers();
  std::vector<decode::TupleValue> after{text("4")};
  ChangeEvent e{Op::kCreate, table.get(), std::nullopt, Row(after), streaming_source(), kNowUs};
  JsonSerializer s(options());
  std::string out;
  EXPECT_FALSE(s.value(e, out).ok());
}

TEST(JsonSerializer, SerializerIsReusableAcrossMessages) {
  auto table = customers();
  JsonSerializer s(options(false));
  std::vector<decode::TupleValue> a{text("1"), text("x")}, b{text("2"), null()};
  std::string out;
  ASSERT_TRUE(s.key(ChangeEvent{Op::kCreate, table.get(), std::nullopt, Row(a), {}, 0}, out).ok());
  EXPECT_EQ(out, R"({"id":1})");
  ASSERT_TRUE(s.key(ChangeEvent{Op::kCreate, table.get(), std::nullopt, Row(b), {}, 0}, out).ok());
  EXPECT_EQ(out, R"({"id":2})");
}

TEST(TableSchema, TopicAndNames) {
  TableInfo info{Oid{1}, "My Schema", "tbl$1", 'd', {{"id", Oid{pt::kInt4}, -1, false, true}}};
  auto t = TableSchema::build(info, "srv", {});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->topic(), "srv.My_Schema.tbl_1");  // sanitized as SchemaTopicNamingStrategy does
  EXPECT_EQ((*t)->schema_name_prefix(), "srv.My_Schema.tbl_1");
  EXPECT_EQ((*t)->key_schema_json(),
            R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,)"
            R"("name":"srv.My_Schema.tbl_1.Key"})");
  EXPECT_FALSE(TableSchema::build(info, "", {}).ok());
  EXPECT_EQ(TableSchema::build(info, "bad prefix", {}).error().kind, ErrorKind::kFatal);
}

}  // namespace
}  // namespace sluice::event
