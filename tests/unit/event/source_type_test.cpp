// column.propagate.source.type / datatype.propagate.source.type: the source type, length and scale as
// Debezium 3.7 publishes them (pgjdbc metadata in the snapshot, Relation message + TypeRegistry in the
// stream), and the __debezium.source.column.* parameters in the value schema (never the key schema).
#include "event/source_type.h"

#include <gtest/gtest.h>

#include "event/column_mask.h"
#include "event/pg_types.h"
#include "event/table_schema.h"

namespace sluice::event {
namespace {

namespace pt = pgtype;
using event::MaskSpec;

ColumnInfo column(std::string name, uint32_t oid, int32_t typmod, std::string source_type,
                  bool domain = false) {
  ColumnInfo c;
  c.name = std::move(name);
  c.type = Oid{oid};
  c.typmod = typmod;
  c.source_type = std::move(source_type);
  c.domain = domain;
  return c;
}

std::string params(const ColumnInfo& c, bool from_stream) {
  std::string out;
  for (const auto& [k, v] : source_type_parameters(c, from_stream)) out += k.substr(25) + "=" + v + ";";
  return out;
}

TEST(SourceType, SerialIsNamedByItsNextvalDefault) {
  EXPECT_EQ(jdbc_type_name("int4", std::string("nextval('t_id_seq'::regclass)")), "serial");
  EXPECT_EQ(jdbc_type_name("int8", std::string("nextval('s'::regclass)")), "bigserial");
  EXPECT_EQ(jdbc_type_name("int2", std::string("nextval('s'::regclass)")), "smallserial");
  EXPECT_EQ(jdbc_type_name("numeric", std::string("nextval('s'::regclass)")), "numeric");
  EXPECT_EQ(jdbc_type_name("int4", std::string("42")), "int4");
  EXPECT_EQ(jdbc_type_name("int4", std::nullopt), "int4");
  EXPECT_EQ(jdbc_type_name("posint", std::string("nextval('s'::regclass)")), "posint");  // a domain
}

TEST(SourceType, LengthAndScaleFollowPgjdbc) {
  EXPECT_EQ(params(column("a", pt::kInt4, -1, "int4"), false), "type=INT4;length=10;scale=0;name=a;");
  EXPECT_EQ(params(column("a", pt::kInt8, -1, "bigserial"), false),
            "type=BIGSERIAL;length=19;scale=0;name=a;");
  EXPECT_EQ(params(column("a", pt::kFloat8, -1, "float8"), false), "type=FLOAT8;length=17;scale=17;name=a;");
  EXPECT_EQ(params(column("a", pt::kFloat4, -1, "float4"), false), "type=FLOAT4;length=8;scale=8;name=a;");
  EXPECT_EQ(params(column("a", pt::kBool, -1, "bool"), false), "type=BOOL;length=1;scale=0;name=a;");
  EXPECT_EQ(params(column("a", pt::kVarchar, 44, "varchar"), false),
            "type=VARCHAR;length=40;scale=0;name=a;");
  EXPECT_EQ(params(column("a", pt::kText, -1, "text"), false), "type=TEXT;length=2147483647;scale=0;name=a;");
  EXPECT_EQ(params(column("a", pt::kDate, -1, "date"), false), "type=DATE;length=13;scale=0;name=a;");
  // timestamp(p): 22 characters plus the fraction's digits and point; unconstrained counts 6 digits.
  EXPECT_EQ(params(column("a", pt::kTimestamp, 0, "timestamp"), false),
            "type=TIMESTAMP;length=22;scale=0;name=a;");
  EXPECT_EQ(params(column("a", pt::kTimestamp, 3, "timestamp"), false),
            "type=TIMESTAMP;length=26;scale=3;name=a;");
  EXPECT_EQ(params(column("a", pt::kTimestamptz, -1, "timestamptz"), false),
            "type=TIMESTAMPTZ;length=35;scale=6;name=a;");
  EXPECT_EQ(params(column("a", pt::kInterval, -1, "interval"), false),
            "type=INTERVAL;length=49;scale=6;name=a;");
  // numeric(10,2): typmod ((10 << 16) | 2) + 4.
  EXPECT_EQ(params(column("a", pt::kNumeric, (10 << 16 | 2) + 4, "numeric"), false),
            "type=NUMERIC;length=10;scale=2;name=a;");
  EXPECT_EQ(params(column("a", pt::kInt4Array, -1, "_int4"), false), "type=_INT4;length=10;scale=0;name=a;");
}

TEST(SourceType, UnconstrainedNumericDiffersBetweenSnapshotAndStream) {
  const ColumnInfo n = column("n", pt::kNumeric, -1, "numeric");
  EXPECT_EQ(params(n, false), "type=NUMERIC;length=0;name=n;");  // DECIMAL_DIGITS is null
  EXPECT_EQ(params(n, true), "type=NUMERIC;length=131089;scale=0;name=n;");
  // Constrained types read the same in both.
  const ColumnInfo v = column("v", pt::kVarchar, 44, "varchar");
  EXPECT_EQ(params(v, false), params(v, true));
  const ColumnInfo t = column("t", pt::kTimestamp, 3, "timestamp");
  EXPECT_EQ(params(t, false), params(t, true));
}

TEST(SourceType, DomainShowsItsOwnNameAndItsBaseLength) {
  // CREATE DOMAIN posint AS int4 CHECK (VALUE > 0); CREATE DOMAIN code AS varchar(8)
  EXPECT_EQ(params(column("p", pt::kInt4, -1, "posint", true), false),
            "type=POSINT;length=10;scale=0;name=p;");
  EXPECT_EQ(params(column("p", pt::kInt4, -1, "posint", true), true),
            "type=POSINT;length=10;scale=0;name=p;");
  EXPECT_EQ(params(column("c", pt::kVarchar, 12, "code", true), false), "type=CODE;length=8;scale=0;name=c;");
  // A domain over unconstrained numeric: the TypeRegistry's default length in both phases.
  EXPECT_EQ(params(column("m", pt::kNumeric, -1, "money2", true), false),
            "type=MONEY2;length=131089;scale=0;name=m;");
}

// public.items (id serial primary key, price numeric(10,2), label varchar(40), qty int4)
TableInfo items() {
  TableInfo t{Oid{16400}, "public", "items", 'd', {}};
  t.columns.push_back(column("id", pt::kInt4, -1, "serial"));
  t.columns.back().optional = false;
  t.columns.back().key = true;
  t.columns.back().default_expr = "nextval('items_id_seq'::regclass)";
  t.columns.push_back(column("price", pt::kNumeric, (10 << 16 | 2) + 4, "numeric"));
  t.columns.push_back(column("label", pt::kVarchar, 44, "varchar"));
  t.columns.push_back(column("qty", pt::kInt4, -1, "int4"));
  return t;
}

MaskSpec propagate(bool by_datatype) {
  MaskSpec s;
  s.kind = MaskSpec::Kind::kPropagateSourceType;
  s.by_datatype = by_datatype;
  s.key = by_datatype ? "datatype.propagate.source.type" : "column.propagate.source.type";
  return s;
}

Result<std::shared_ptr<const TableSchema>> build(
    std::vector<std::pair<MaskSpec, std::vector<std::string>>> rules, bool from_stream = false) {
  auto r = event::ColumnRules::create({}, {}, std::move(rules));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  ConverterOptions o;
  o.column_rules = *r;
  o.from_stream = from_stream;
  return TableSchema::build(items(), "srv", o);
}

TEST(SourceTypeSchema, ParametersFollowTheTypesOwnInTheValueSchemaOnly) {
  auto s = build({{propagate(false), {"public\\.items\\..*"}}});
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::string& v = (*s)->value_schema_json();
  EXPECT_NE(
      v.find(R"({"type":"int32","optional":false,"parameters":{)"
             R"("__debezium.source.column.type":"SERIAL","__debezium.source.column.length":"10",)"
             R"("__debezium.source.column.scale":"0","__debezium.source.column.name":"id"},"default":0,)"
             R"("field":"id"})"),
      std::string::npos)
      << v;
  EXPECT_NE(v.find(R"("name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2",)"
                   R"("connect.decimal.precision":"10","__debezium.source.column.type":"NUMERIC",)"
                   R"("__debezium.source.column.length":"10","__debezium.source.column.scale":"2",)"
                   R"("__debezium.source.column.name":"price"},"field":"price"})"),
            std::string::npos)
      << v;
  EXPECT_NE(v.find(R"("__debezium.source.column.type":"VARCHAR","__debezium.source.column.length":"40")"),
            std::string::npos);
  // TableSchemaBuilder adds the key fields without a column mapper.
  EXPECT_EQ((*s)->key_schema_json().find("__debezium"), std::string::npos) << (*s)->key_schema_json();
  EXPECT_NE((*s)->key_schema_json().find(R"({"type":"int32","optional":false,"default":0,"field":"id"})"),
            std::string::npos)
      << (*s)->key_schema_json();
}

TEST(SourceTypeSchema, OnlyMatchingColumnsGetParameters) {
  auto s = build({{propagate(false), {"public.items.label"}}});
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::string& v = (*s)->value_schema_json();
  EXPECT_NE(v.find(R"("__debezium.source.column.name":"label")"), std::string::npos);
  EXPECT_EQ(v.find(R"("__debezium.source.column.name":"qty")"), std::string::npos);
  EXPECT_EQ(v.find(R"("__debezium.source.column.name":"id")"), std::string::npos);
}

TEST(SourceTypeSchema, DatatypeRuleMatchesTheJdbcTypeNameCaseInsensitively) {
  auto s = build({{propagate(true), {".+\\.INT4", ".+\\.serial"}}});
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::string& v = (*s)->value_schema_json();
  EXPECT_NE(v.find(R"("__debezium.source.column.name":"qty")"), std::string::npos);
  EXPECT_NE(v.find(R"("__debezium.source.column.name":"id")"), std::string::npos);
  EXPECT_EQ(v.find(R"("__debezium.source.column.name":"label")"), std::string::npos);
  EXPECT_EQ(v.find(R"("__debezium.source.column.name":"price")"), std::string::npos);
}

TEST(SourceTypeSchema, AnEarlierMaskRuleWinsAsInColumnMappers) {
  MaskSpec truncate;
  truncate.kind = MaskSpec::Kind::kTruncate;
  truncate.key = "column.truncate.to.5.chars";
  truncate.chars = 5;
  auto s = build({{truncate, {"public.items.label"}}, {propagate(false), {".*"}}});
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::string& v = (*s)->value_schema_json();
  EXPECT_NE(v.find(R"("parameters":{"truncateLength":"5"},"field":"label")"), std::string::npos) << v;
  EXPECT_EQ(v.find(R"("__debezium.source.column.name":"label")"), std::string::npos);
  EXPECT_NE(v.find(R"("__debezium.source.column.name":"qty")"), std::string::npos);
}

TEST(SourceTypeSchema, AHashMaskShadowedByPropagationIsRefused) {
  MaskSpec hash;
  hash.kind = MaskSpec::Kind::kHash;
  hash.key = "column.mask.hash.SHA-256.with.salt.x";
  hash.algorithm = "SHA-256";
  hash.salt = "x";
  auto s = build({{propagate(false), {".*"}}, {hash, {"public.items.label"}}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(
      s.error().message.find("column.propagate.source.type and column.mask.hash.SHA-256.with.salt.x both "
                             "match column public.items.label"),
      std::string::npos)
      << s.error().message;
}

TEST(SourceTypeSchema, StreamSchemaUsesTheRelationLengths) {
  TableInfo t{Oid{16401},
              "public",
              "n",
              'd',
              {column("id", pt::kInt4, -1, "int4"), column("v", pt::kNumeric, -1, "numeric")}};
  t.columns[0].key = true;
  t.columns[0].optional = false;
  for (bool stream : {false, true}) {
    auto r = event::ColumnRules::create({}, {}, {{propagate(false), {".*"}}});
    ASSERT_TRUE(r.ok());
    ConverterOptions o;
    o.column_rules = *r;
    o.from_stream = stream;
    auto s = TableSchema::build(t, "srv", o);
    ASSERT_TRUE(s.ok());
    const std::string expected =
        stream
            ? R"("__debezium.source.column.length":"131089","__debezium.source.column.scale":"0","__debezium.source.column.name":"v")"
            : R"("__debezium.source.column.length":"0","__debezium.source.column.name":"v")";
    EXPECT_NE((*s)->value_schema_json().find(expected), std::string::npos) << (*s)->value_schema_json();
  }
}

}  // namespace
}  // namespace sluice::event
