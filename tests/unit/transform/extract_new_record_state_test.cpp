// ExtractNewRecordState against Debezium's documented output (schemas as JsonConverter writes them).
#include <gtest/gtest.h>

#include "transform/chain.h"
#include "transform/codec.h"

namespace sluice::transform {
namespace {

using Props = std::map<std::string, std::string>;

const char* kRowSchema =
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"},)"
    R"({"type":"string","optional":true,"field":"email"}],"optional":true,"name":"db.public.c.Value","field":"%s"})";

std::string envelope(const std::string& op, const std::string& before, const std::string& after) {
  char b[1024], a[1024];
  snprintf(b, sizeof b, kRowSchema, "before");
  snprintf(a, sizeof a, kRowSchema, "after");
  return std::string(R"({"schema":{"type":"struct","fields":[)") + b + "," + a +
         R"(,{"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},)"
         R"({"type":"int64","optional":false,"field":"ts_ms"},{"type":"string","optional":false,"field":"table"},)"
         R"({"type":"int64","optional":true,"field":"lsn"}],"optional":false,"name":"io.debezium.connector.postgresql.Source","field":"source"},)"
         R"({"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"},)"
         R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"id"}],"optional":true,"name":"event.block","version":1,"field":"transaction"}],)"
         R"("optional":false,"name":"db.public.c.Envelope","version":2},"payload":{"before":)" +
         before + R"(,"after":)" + after +
         R"(,"source":{"version":"3.0","ts_ms":1700,"table":"c","lsn":42},"op":")" + op +
         R"(","ts_ms":1701,"transaction":null}})";
}

struct Out {
  bool kept;
  Record record;
};

Out run(const Props& options, const std::string& value, bool tombstone = false) {
  Props p = {{"transforms", "unwrap"},
             {"transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState"}};
  for (const auto& [k, v] : options) p["transforms.unwrap." + k] = v;
  std::set<std::string> used;
  auto chain = Chain::create(p, used);
  EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().message);
  Codec codec;
  Record r;
  r.topic = "db.public.c";
  r.key = **codec.decode(std::string_view(
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"db.public.c.Key"},"payload":{"id":1}})"));
  if (!tombstone) r.value = **codec.decode(std::string_view(value));
  auto kept = (*chain)->apply(r);
  EXPECT_TRUE(kept.ok()) << (kept.ok() ? "" : kept.error().message);
  return {kept.ok() && *kept, std::move(r)};
}

std::string value_of(const Record& r, bool schemas = true) {
  auto v = Codec::encode(r.value, schemas);
  return v ? *v : "<null>";
}

const std::string kRow = R"({"id":1,"email":"a@x"})";
const std::string kUnwrappedSchema =
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"},)"
    R"({"type":"string","optional":true,"field":"email"}],"optional":false,"name":"db.public.c.Value"})";

TEST(ExtractNewRecordState, InsertBecomesRowWithRequiredSchema) {
  auto out = run({}, envelope("c", "null", kRow));
  ASSERT_TRUE(out.kept);
  EXPECT_EQ(value_of(out.record),
            R"({"schema":)" + kUnwrappedSchema + R"(,"payload":{"id":1,"email":"a@x"}})");
  EXPECT_EQ(value_of(out.record, false), kRow);
  EXPECT_EQ(out.record.topic, "db.public.c");
}

TEST(ExtractNewRecordState, DefaultModeDeleteIsNullValueWithSchemaAndTombstoneDropped) {
  auto del = run({}, envelope("d", kRow, "null"));
  ASSERT_TRUE(del.kept);
  char a[1024];
  snprintf(a, sizeof a, kRowSchema, "");
  std::string after_schema(a);
  after_schema = after_schema.substr(0, after_schema.rfind(R"(,"field":)")) + "}";
  EXPECT_EQ(value_of(del.record), R"({"schema":)" + after_schema + R"(,"payload":null})");
  EXPECT_EQ(value_of(del.record, false), "null");
  EXPECT_FALSE(run({}, "", true).kept);
}

TEST(ExtractNewRecordState, Modes) {
  EXPECT_FALSE(run({{"delete.tombstone.handling.mode", "drop"}}, envelope("d", kRow, "null")).kept);
  auto to_tomb =
      run({{"delete.tombstone.handling.mode", "delete-to-tombstone"}}, envelope("d", kRow, "null"));
  ASSERT_TRUE(to_tomb.kept);
  EXPECT_FALSE(to_tomb.record.value.has_value());
  EXPECT_TRUE(run({{"delete.tombstone.handling.mode", "rewrite-with-tombstone"}}, "", true).kept);
  EXPECT_FALSE(run({{"delete.tombstone.handling.mode", "rewrite"}}, "", true).kept);

  auto rewrite = run({{"delete.tombstone.handling.mode", "rewrite"}}, envelope("d", kRow, "null"));
  ASSERT_TRUE(rewrite.kept);
  EXPECT_EQ(value_of(rewrite.record, false), R"({"id":1,"email":"a@x","__deleted":"true"})");
  std::string schema = kUnwrappedSchema;
  schema.insert(schema.find(R"(],"optional":false,"name":"db.public.c.Value")"),
                R"(,{"type":"string","optional":true,"field":"__deleted"})");
  EXPECT_EQ(value_of(rewrite.record),
            R"({"schema":)" + schema + R"(,"payload":{"id":1,"email":"a@x","__deleted":"true"}})");
  auto update = run({{"delete.tombstone.handling.mode", "rewrite"}}, envelope("u", kRow, kRow));
  EXPECT_EQ(value_of(update.record, false), R"({"id":1,"email":"a@x","__deleted":"false"})");
}

TEST(ExtractNewRecordState, AddFieldsAndHeaders) {
  auto out = run({{"add.fields", "op,table,source.lsn:pos,ts_ms"}, {"add.headers", "op,source.ts_ms"}},
                 envelope("u", kRow, kRow));
  ASSERT_TRUE(out.kept);
  EXPECT_EQ(value_of(out.record, false),
            R"({"id":1,"email":"a@x","__op":"u","__table":"c","__pos":42,"__ts_ms":1701})");
  std::string v = value_of(out.record);
  EXPECT_NE(v.find(R"({"type":"string","optional":true,"field":"__op"})"), std::string::npos) << v;
  EXPECT_NE(v.find(R"({"type":"int64","optional":true,"field":"__pos"})"), std::string::npos) << v;
  ASSERT_EQ(out.record.headers.size(), 2u);
  EXPECT_EQ(out.record.headers[0].name, "__op");
  EXPECT_EQ(out.record.headers[0].value, "u");
  EXPECT_EQ(out.record.headers[1].name, "__source_ts_ms");
  EXPECT_EQ(out.record.headers[1].value, "1700");

  auto prefixed = run({{"add.fields", "op"}, {"add.fields.prefix", "cdc_"}}, envelope("c", "null", kRow));
  EXPECT_EQ(value_of(prefixed.record, false), R"({"id":1,"email":"a@x","cdc_op":"c"})");

  // A tombstone kept by rewrite-with-tombstone gets the op header "d".
  auto tomb =
      run({{"delete.tombstone.handling.mode", "rewrite-with-tombstone"}, {"add.headers", "op"}}, "", true);
  ASSERT_EQ(tomb.record.headers.size(), 1u);
  EXPECT_EQ(tomb.record.headers[0].value, "d");
}

TEST(ExtractNewRecordState, RouteByField) {
  auto out = run({{"route.by.field", "email"}}, envelope("c", "null", kRow));
  EXPECT_EQ(out.record.topic, "a@x");
  auto del = run({{"route.by.field", "email"}, {"delete.tombstone.handling.mode", "rewrite"}},
                 envelope("d", kRow, "null"));
  EXPECT_EQ(del.record.topic, "a@x");
}

TEST(ExtractNewRecordState, DropFieldsHeader) {
  Props p = {{"drop.fields.header.name", "drop"}, {"drop.fields.from.key", "true"}};
  Props with_key = p;
  Codec codec;
  auto out = [&](bool keep_compatible) {
    Props o = p;
    o["drop.fields.keep.schema.compatible"] = keep_compatible ? "true" : "false";
    Props full = {{"transforms", "unwrap"},
                  {"transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState"}};
    for (const auto& [k, v] : o) full["transforms.unwrap." + k] = v;
    std::set<std::string> used;
    auto chain = *Chain::create(full, used);
    Record r;
    r.topic = "t";
    r.value = **codec.decode(std::string_view(envelope("u", kRow, kRow)));
    r.headers.push_back({"drop", R"(["email","id"])"});
    EXPECT_TRUE(*chain->apply(r));
    return value_of(r, false);
  };
  EXPECT_EQ(out(true), R"({"id":1})");  // id is required: kept for compatibility
  EXPECT_EQ(out(false), R"({})");
}

TEST(ExtractNewRecordState, NonEnvelopePassesUnchanged) {
  const std::string heartbeat =
      R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"ts_ms"}],"optional":false,"name":"io.debezium.connector.common.Heartbeat"},"payload":{"ts_ms":5}})";
  auto out = run({}, heartbeat);
  ASSERT_TRUE(out.kept);
  EXPECT_EQ(value_of(out.record), heartbeat);
}

TEST(ExtractNewRecordState, TruncateIsDropped) {
  EXPECT_FALSE(run({}, envelope("t", "null", "null")).kept);
}

TEST(ExtractNewRecordState, BadOptionsNameKey) {
  Props p = {{"transforms", "unwrap"},
             {"transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState"},
             {"transforms.unwrap.delete.tombstone.handling.mode", "delete"}};
  std::set<std::string> used;
  auto chain = Chain::create(p, used);
  ASSERT_FALSE(chain.ok());
  EXPECT_NE(chain.error().message.find("transforms.unwrap.delete.tombstone.handling.mode"),
            std::string::npos);
  EXPECT_NE(chain.error().message.find("delete-to-tombstone"), std::string::npos);
  p.erase("transforms.unwrap.delete.tombstone.handling.mode");
  p["transforms.unwrap.drop.tombstones"] = "true";  // removed in Debezium 2: unknown
  chain = Chain::create(p, used);
  ASSERT_FALSE(chain.ok());
  EXPECT_NE(chain.error().message.find("transforms.unwrap.drop.tombstones"), std::string::npos);
  p.erase("transforms.unwrap.drop.tombstones");
  p["transforms.unwrap.add.fields"] = "a:b:c";
  chain = Chain::create(p, used);
  ASSERT_FALSE(chain.ok());
  EXPECT_NE(chain.error().message.find("transforms.unwrap.add.fields"), std::string::npos);
}

}  // namespace
}  // namespace sluice::transform
