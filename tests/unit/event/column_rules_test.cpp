// Column filters and masks where the table schema is built: the value schema, before/after and the key, as
// Debezium's TableSchemaBuilder + ColumnMappers make them; and the refusals where Debezium would publish a
// masked column in clear.
#include <gtest/gtest.h>

#include "event/column_mask.h"
#include "event/json_serializer.h"
#include "event/pg_types.h"
#include "event/table_schema.h"
#include "event/value_converter.h"

namespace sluice::event {
namespace {

namespace pt = pgtype;
using Kind = decode::TupleValue::Kind;
using event::MaskSpec;

constexpr std::string_view kSecret = "s3cr3t-Value";

// public.people (id int4 primary key, email text, code varchar(10), note text not null, n int4)
TableInfo people() {
  return TableInfo{Oid{16390},
                   "public",
                   "people",
                   'd',
                   {{"id", Oid{pt::kInt4}, -1, false, true},
                    {"email", Oid{pt::kText}, -1, true, false},
                    {"code", Oid{pt::kVarchar}, 14, true, false},
                    {"note", Oid{pt::kText}, -1, false, false},
                    {"n", Oid{pt::kInt4}, -1, true, false}}};
}

Result<std::shared_ptr<const TableSchema>> build(
    std::vector<std::string> include, std::vector<std::string> exclude,
    std::vector<std::pair<MaskSpec, std::vector<std::string>>> masks) {
  auto rules = event::ColumnRules::create(include, exclude, std::move(masks));
  EXPECT_TRUE(rules.ok()) << (rules.ok() ? "" : rules.error().message);
  ConverterOptions o;
  o.column_rules = *rules;
  return TableSchema::build(people(), "srv", o);
}

MaskSpec spec(MaskSpec::Kind kind, std::string key, int chars = 0, std::string alg = "", int version = 1) {
  MaskSpec s;
  s.kind = kind;
  s.key = std::move(key);
  s.chars = chars;
  s.algorithm = std::move(alg);
  s.salt = "salt";
  s.version = version;
  return s;
}

struct Out {
  std::string key, value;
};

Out serialize(const TableSchema& t, std::vector<decode::TupleValue> after, bool schemas = false) {
  SerializerOptions so;
  so.server_name = "srv";
  so.database = "postgres";
  so.key_schemas_enable = so.value_schemas_enable = schemas;
  JsonSerializer s(so);
  ChangeEvent e{Op::kCreate, &t, std::nullopt, Row(after), Source{}, 0};
  Out out;
  EXPECT_TRUE(s.key(e, out.key).ok());
  auto st = s.value(e, out.value);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return out;
}

decode::TupleValue text(std::string_view v) {
  return {Kind::kText, v};
}

std::vector<decode::TupleValue> row() {
  return {text("7"), text(kSecret), text(kSecret.substr(0, 10)), text(kSecret), text("42")};
}

std::string after_of(const std::string& value) {
  auto a = value.find("\"after\":");
  auto b = value.find(",\"source\"");
  return value.substr(a + 8, b - a - 8);
}

TEST(ColumnRules, ExcludeListDropsColumnsFromSchemaAndPayload) {
  auto t = build({}, {"public\\.people\\.(email|n)"}, {});
  ASSERT_TRUE(t.ok()) << t.error().message;
  Out o = serialize(**t, row(), true);
  EXPECT_EQ((*t)->value_schema_json().find("\"email\""), std::string::npos);
  EXPECT_EQ((*t)->value_schema_json().find("\"field\":\"n\""), std::string::npos);
  EXPECT_NE((*t)->value_schema_json().find("\"field\":\"code\""), std::string::npos);
  auto p = o.value.find("\"payload\":");
  EXPECT_EQ(after_of(o.value.substr(p)), R"({"id":7,"code":"s3cr3t-Val","note":"s3cr3t-Value"})");
  EXPECT_NE(o.key.find(R"("payload":{"id":7})"), std::string::npos);
}

TEST(ColumnRules, IncludeListKeepsOnlyMatchingColumns) {
  auto t = build({"PUBLIC\\.people\\.(id|n)"}, {}, {});  // case-insensitive, as Debezium
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(after_of(serialize(**t, row()).value), R"({"id":7,"n":42})");
}

TEST(ColumnRules, KeyColumnCannotBeLeftOut) {
  auto t = build({"public\\.people\\.email"}, {}, {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::kFatal);
  EXPECT_NE(t.error().message.find("public.people.id"), std::string::npos) << t.error().message;
}

TEST(ColumnRules, MaskWithCharsReplacesEveryValue) {
  auto t =
      build({}, {}, {{spec(MaskSpec::Kind::kReplace, "column.mask.with.5.chars", 5), {".*\\.(email|note)"}}});
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto r = row();
  EXPECT_EQ(after_of(serialize(**t, r).value),
            R"({"id":7,"email":"*****","code":"s3cr3t-Val","note":"*****","n":42})");
  r[1] = {Kind::kNull, {}};  // MaskingValueConverter: null too
  r[3] = {Kind::kUnchangedToast, {}};
  EXPECT_EQ(after_of(serialize(**t, r).value),
            R"({"id":7,"email":"*****","code":"s3cr3t-Val","note":"*****","n":42})");
  EXPECT_NE((*t)->value_schema_json().find(
                R"({"type":"string","optional":true,"parameters":{"masked":"true"},"field":"email"})"),
            std::string::npos)
      << (*t)->value_schema_json();
}

TEST(ColumnRules, HashIsCutToTheColumnLength) {
  auto t = build({}, {},
                 {{spec(MaskSpec::Kind::kHash, "column.mask.hash.SHA-256.with.salt.salt", 0, "SHA-256"),
                   {"public\\.people\\.(email|code)"}}});
  ASSERT_TRUE(t.ok()) << t.error().message;
  std::vector<decode::TupleValue> r{text("7"), text("hello"), text("hello"), text("x"), {Kind::kNull, {}}};
  // Debezium's MaskStringsTest vector; varchar(10): its first 10 characters.
  EXPECT_EQ(after_of(serialize(**t, r).value),
            R"({"id":7,"email":"af5843a0f0e728ab0332c8888b6e1190bfb79e584f0d40538de8f10df6ef29c6",)"
            R"("code":"af5843a0f0","note":"x","n":null})");
  r[1] = {Kind::kNull, {}};
  EXPECT_NE(serialize(**t, r).value.find(R"("email":null)"), std::string::npos);
}

TEST(ColumnRules, HashV2OfNotNullNullIsTheHashOfTheFallback) {
  auto t = build({}, {},
                 {{spec(MaskSpec::Kind::kHash, "column.mask.hash.v2.SHA-256.with.salt.salt", 0, "SHA-256", 2),
                   {"public\\.people\\.note"}}});
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto r = row();
  r[3] = {Kind::kNull, {}};  // a NOT NULL column's null (a key-only old tuple): "" hashed
  auto h = event::StringHasher::create("k", "SHA-256", "salt", 2);
  ASSERT_TRUE(h.ok());
  EXPECT_NE(serialize(**t, r).value.find("\"note\":\"" + (*h)->hex("") + "\""), std::string::npos);
}

TEST(ColumnRules, TruncateCutsLongerColumnsOnly) {
  auto t = build({}, {},
                 {{spec(MaskSpec::Kind::kTruncate, "column.truncate.to.12.chars", 12), {".*\\.(email|code)"}},
                  {spec(MaskSpec::Kind::kTruncate, "column.truncate.to.3.chars", 3), {".*\\.note"}}});
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(after_of(serialize(**t, row()).value),
            R"({"id":7,"email":"s3cr3t-Value","code":"s3cr3t-Val","note":"s3c","n":42})");
  const std::string& schema = (*t)->value_schema_json();
  EXPECT_NE(schema.find(R"("parameters":{"truncateLength":"12"},"field":"email")"), std::string::npos)
      << schema;
  // varchar(10) is never longer than 12: TruncateColumn leaves it (and its schema) alone.
  EXPECT_NE(schema.find(R"({"type":"string","optional":true,"field":"code"})"), std::string::npos) << schema;
  EXPECT_NE(schema.find(R"("parameters":{"truncateLength":"3"},"field":"note")"), std::string::npos)
      << schema;
}

TEST(ColumnRules, MaskOfKeyOrNonCharacterColumnIsRefused) {
  auto key = build({}, {}, {{spec(MaskSpec::Kind::kReplace, "column.mask.with.5.chars", 5), {".*\\.id"}}});
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("column.mask.with.5.chars"), std::string::npos);
  EXPECT_NE(key.error().message.find("public.people.id"), std::string::npos);
  auto num = build({}, {},
                   {{spec(MaskSpec::Kind::kHash, "column.mask.hash.MD5.with.salt.x", 0, "MD5"), {".*\\.n"}}});
  ASSERT_FALSE(num.ok());
  EXPECT_EQ(num.error().kind, ErrorKind::kFatal);
  EXPECT_NE(num.error().message.find("column.mask.hash.MD5.with.salt.x"), std::string::npos);
  EXPECT_NE(num.error().message.find("public.people.n of type int4"), std::string::npos)
      << num.error().message;
}

TEST(ColumnRules, ClearValueAppearsNowhere) {
  auto t = build(
      {}, {},
      {{spec(MaskSpec::Kind::kReplace, "column.mask.with.3.chars", 3), {".*\\.(email|note)"}},
       {spec(MaskSpec::Kind::kHash, "column.mask.hash.SHA-1.with.salt.salt", 0, "SHA-1"), {".*\\.code"}}});
  ASSERT_TRUE(t.ok()) << t.error().message;
  Out o = serialize(**t, row(), true);
  EXPECT_EQ(o.value.find("s3cr3t"), std::string::npos) << o.value;
  EXPECT_EQ(o.key.find("s3cr3t"), std::string::npos) << o.key;
}

}  // namespace
}  // namespace sluice::event
