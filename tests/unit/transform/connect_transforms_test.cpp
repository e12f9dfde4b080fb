// ReplaceField, ExtractField, HoistField, SetSchemaMetadata, InsertHeader, DropHeaders: schemas and values as
// Connect's.
#include <gtest/gtest.h>

#include "transform/chain.h"
#include "transform/codec.h"

namespace sluice::transform {
namespace {

using Props = std::map<std::string, std::string>;

const char* kValue =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"string","optional":true,"field":"email"},{"type":"string","optional":true,"field":"name"}],)"
    R"("optional":false,"name":"t.Value","version":1},"payload":{"id":1,"email":"a@x","name":"A"}})";

Result<std::shared_ptr<Chain>> chain_of(const std::string& type, const Props& options) {
  Props p = {{"transforms", "t"}, {"transforms.t.type", type}};
  for (const auto& [k, v] : options) p["transforms.t." + k] = v;
  std::set<std::string> used;
  return Chain::create(p, used);
}

Record apply(const std::string& type, const Props& options, std::optional<std::string> value = kValue) {
  auto chain = chain_of(type, options);
  EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().message);
  Codec codec;
  Record r;
  r.topic = "t";
  if (value) r.value = **codec.decode(std::string_view(*value));
  r.headers = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  auto kept = (*chain)->apply(r);
  EXPECT_TRUE(kept.ok() && *kept) << (kept.ok() ? "" : kept.error().message);
  return r;
}

std::string out(const Record& r, bool schemas = true) {
  auto v = Codec::encode(r.value, schemas);
  return v ? *v : "<null>";
}

TEST(ReplaceField, ExcludeIncludeRenames) {
  auto r = apply("org.apache.kafka.connect.transforms.ReplaceField$Value",
                 {{"exclude", "email"}, {"renames", "id:key,name:full_name"}});
  EXPECT_EQ(out(r),
            R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"key"},)"
            R"({"type":"string","optional":true,"field":"full_name"}],"optional":false,"name":"t.Value",)"
            R"("version":1},"payload":{"key":1,"full_name":"A"}})");
  auto inc = apply("org.apache.kafka.connect.transforms.ReplaceField$Value", {{"include", "name,id"}});
  EXPECT_EQ(out(inc, false), R"({"id":1,"name":"A"})");  // schema order, not the list's
  auto bad = chain_of("org.apache.kafka.connect.transforms.ReplaceField$Value", {{"renames", "a-b"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("transforms.t.renames"), std::string::npos);
}

TEST(ExtractField, StructFieldWithItsSchema) {
  auto r = apply("org.apache.kafka.connect.transforms.ExtractField$Value", {{"field", "email"}});
  EXPECT_EQ(out(r), R"({"schema":{"type":"string","optional":true},"payload":"a@x"})");
  auto tomb =
      apply("org.apache.kafka.connect.transforms.ExtractField$Value", {{"field", "email"}}, std::nullopt);
  EXPECT_FALSE(tomb.value.has_value());
  EXPECT_FALSE(chain_of("org.apache.kafka.connect.transforms.ExtractField$Value", {}).ok());
}

TEST(HoistField, WrapsInAStruct) {
  auto r = apply("org.apache.kafka.connect.transforms.HoistField$Value", {{"field", "row"}});
  std::string v = out(r);
  EXPECT_TRUE(v.starts_with(R"({"schema":{"type":"struct","fields":[{"type":"struct","fields":[)")) << v;
  EXPECT_TRUE(v.ends_with(
      R"("name":"t.Value","version":1,"field":"row"}],"optional":false},"payload":{"row":{"id":1,"email":"a@x","name":"A"}}})"))
      << v;
}

TEST(SetSchemaMetadata, RenamesAndVersionsTheSchemaOnly) {
  auto both = apply("org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
                    {{"schema.name", "com.example.Customer"}, {"schema.version", "7"}});
  EXPECT_EQ(
      out(both),
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"string","optional":true,"field":"email"},{"type":"string","optional":true,"field":"name"}],)"
      R"("optional":false,"name":"com.example.Customer","version":7},"payload":{"id":1,"email":"a@x","name":"A"}})");
  auto version =
      apply("org.apache.kafka.connect.transforms.SetSchemaMetadata$Value", {{"schema.version", "3"}});
  EXPECT_NE(out(version).find(R"("name":"t.Value","version":3})"), std::string::npos) << out(version);
  // A tombstone passes; the next record with the same schema still gets the new name (the schema cache).
  auto tomb = apply("org.apache.kafka.connect.transforms.SetSchemaMetadata$Value", {{"schema.name", "n"}},
                    std::nullopt);
  EXPECT_FALSE(tomb.value.has_value());
}

TEST(SetSchemaMetadata, RefusesWhatConnectRefuses) {
  auto none = chain_of("org.apache.kafka.connect.transforms.SetSchemaMetadata$Value", {});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("neither schema name nor version"), std::string::npos);
  auto bad =
      chain_of("org.apache.kafka.connect.transforms.SetSchemaMetadata$Key", {{"schema.version", "x1"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("transforms.t.schema.version"), std::string::npos);
  auto chain =
      chain_of("org.apache.kafka.connect.transforms.SetSchemaMetadata$Value", {{"schema.name", "n"}});
  ASSERT_TRUE(chain.ok());
  Codec codec;
  for (const char* value :
       {R"({"id":1})", R"({"schema":{"type":"string","optional":false},"payload":"x"})"}) {
    Record r;
    r.topic = "t";
    r.value = **codec.decode(std::string_view(value));
    auto kept = (*chain)->apply(r);
    ASSERT_FALSE(kept.ok()) << value;
    EXPECT_EQ(kept.error().kind, ErrorKind::kData) << kept.error().message;
  }
}

TEST(Headers, InsertAndDrop) {
  auto ins =
      apply("org.apache.kafka.connect.transforms.InsertHeader", {{"header", "src"}, {"value.literal", "pg"}});
  ASSERT_EQ(ins.headers.size(), 4u);
  EXPECT_EQ(ins.headers[3].name, "src");
  EXPECT_EQ(ins.headers[3].value, "pg");
  auto drop = apply("org.apache.kafka.connect.transforms.DropHeaders", {{"headers", "a"}});
  ASSERT_EQ(drop.headers.size(), 1u);
  EXPECT_EQ(drop.headers[0].name, "b");
  auto missing = chain_of("org.apache.kafka.connect.transforms.InsertHeader", {{"header", "x"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("transforms.t.value.literal"), std::string::npos);
}

}  // namespace
}  // namespace sluice::transform
