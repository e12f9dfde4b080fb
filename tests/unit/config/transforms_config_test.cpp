// Transforms and converters in the connector config; output-changing properties sluice does not implement
// stop it (kFatal naming the key) instead of being ignored.
#include "config/transforms_config.h"

#include <gtest/gtest.h>

#include "transform/chain.h"

namespace sluice::config {
namespace {

Properties minimal() {
  return {{"database.hostname", "127.0.0.1"},
          {"database.user", "postgres"},
          {"database.dbname", "postgres"},
          {"topic.prefix", "myserver"}};
}

std::string error_with(const std::string& key, const std::string& value) {
  auto p = minimal();
  p[key] = value;
  auto c = parse_config(p);
  EXPECT_FALSE(c.ok()) << key;
  return c.ok() ? "" : c.error().message;
}

TEST(TransformsConfig, NoTransformsNoChain) {
  auto c = parse_config(minimal());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->transforms, nullptr);
}

TEST(TransformsConfig, ChainKeepsConverterSchemasAndSerializesWithSchemas) {
  auto p = minimal();
  p["transforms"] = "unwrap";
  p["transforms.unwrap.type"] = "io.debezium.transforms.ExtractNewRecordState";
  p["value.converter"] = "org.apache.kafka.connect.json.JsonConverter";
  p["value.converter.schemas.enable"] = "false";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->transforms, nullptr);
  EXPECT_EQ(c->transforms->size(), 1u);
  EXPECT_TRUE(c->value_schemas_enable);  // the transforms read schemas
  EXPECT_FALSE(c->transforms->value_schemas_enable);
  EXPECT_TRUE(c->transforms->key_schemas_enable);
  for (const auto& w : c->warnings) EXPECT_EQ(w.find("transforms"), std::string::npos) << w;
}

TEST(TransformsConfig, UnimplementedOutputPropertiesAreFatal) {
  for (const char* key : {"column.mask.with.5.chars", "column.include.list", "column.exclude.list",
                          "column.mask.hash.SHA-256.with.salt.abc", "column.truncate.to.10.chars",
                          "column.propagate.source.type", "datatype.propagate.source.type", "converters",
                          "value.converter.replace.null.with.default", "key.converter.decimal.format"}) {
    auto msg = error_with(key, "public.t.c");
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
    EXPECT_EQ(msg.find("public.t.c"), std::string::npos) << "the value is not echoed: " << msg;
  }
  EXPECT_NE(error_with("errors.tolerance", "all").find("errors.tolerance"), std::string::npos);
  EXPECT_NE(
      error_with("value.converter", "io.debezium.converters.CloudEventsConverter").find("value.converter"),
      std::string::npos);
  EXPECT_NE(error_with("header.converter", "x.Y").find("header.converter"), std::string::npos);
}

TEST(TransformsConfig, DefaultsOfOutputPropertiesAreAccepted) {
  auto p = minimal();
  p["errors.tolerance"] = "none";
  p["schema.name.adjustment.mode"] = "none";
  p["topic.delimiter"] = ".";
  p["key.converter"] = "org.apache.kafka.connect.json.JsonConverter";
  p["value.converter.schemas.cache.size"] = "100";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
}

TEST(TransformsConfig, BadTransformIsFatalNamingKey) {
  auto msg = error_with("transforms", "a");
  EXPECT_NE(msg.find("transforms.a.type"), std::string::npos) << msg;
}

}  // namespace
}  // namespace sluice::config
