// Transforms and converters in the connector config: the chain transform::build_chain compiles from the
// parsed TransformSpec (the converters' schemas.enable, the serializer's fast path, validation).
#include <gtest/gtest.h>

#include "config/config.h"
#include "transform/chain.h"

namespace sluice::config {
namespace {

Properties minimal() {
  return {{"database.hostname", "127.0.0.1"},
          {"database.user", "postgres"},
          {"database.dbname", "postgres"},
          {"topic.prefix", "myserver"}};
}

// A parsed config with its chain built (as the connector does): transforms is the chain.
struct Loaded {
  std::shared_ptr<transform::Chain> transforms;
  bool key_schemas_enable = true;
  bool value_schemas_enable = true;
  std::vector<std::string> warnings;
};

Result<Loaded> load(const Properties& p) {
  auto c = parse_config(p);
  if (!c) return c.error();
  auto chain = transform::build_chain(*c);
  if (!chain) return chain.error();
  return Loaded{*chain, c->key_schemas_enable, c->value_schemas_enable, c->warnings};
}

std::string error_with(const std::string& key, const std::string& value) {
  auto p = minimal();
  p[key] = value;
  auto c = load(p);
  EXPECT_FALSE(c.ok()) << key;
  return c.ok() ? "" : c.error().message;
}

TEST(TransformsConfig, NoTransformsNoChain) {
  auto c = load(minimal());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->transforms, nullptr);
}

TEST(TransformsConfig, ChainKeepsConverterSchemasAndSerializesWithSchemas) {
  auto p = minimal();
  p["transforms"] = "unwrap";
  p["transforms.unwrap.type"] = "io.debezium.transforms.ExtractNewRecordState";
  p["transforms.unwrap.add.fields"] = "op";  // not one the serializer writes itself
  p["value.converter"] = "org.apache.kafka.connect.json.JsonConverter";
  p["value.converter.schemas.enable"] = "false";
  auto c = load(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->transforms, nullptr);
  EXPECT_EQ(c->transforms->size(), 1u);
  EXPECT_FALSE(c->transforms->serialized_unwrap());
  EXPECT_TRUE(c->value_schemas_enable);  // the transforms read schemas
  EXPECT_FALSE(c->transforms->value_schemas_enable);
  EXPECT_TRUE(c->transforms->key_schemas_enable);
  for (const auto& w : c->warnings) EXPECT_EQ(w.find("transforms"), std::string::npos) << w;
}

// The fast paths: a plain unwrap moves into the serializer; what is left reads no data, so the records are
// written in the converters' form and their bytes pass through the chain.
TEST(TransformsConfig, PlainUnwrapAndRoutersWriteTheConvertersForm) {
  auto p = minimal();
  p["transforms"] = "unwrap,route";
  p["transforms.unwrap.type"] = "io.debezium.transforms.ExtractNewRecordState";
  p["transforms.unwrap.delete.tombstone.handling.mode"] = "rewrite";
  p["transforms.route.type"] = "org.apache.kafka.connect.transforms.RegexRouter";
  p["transforms.route.regex"] = "(.*)";
  p["transforms.route.replacement"] = "x.$1";
  p["value.converter.schemas.enable"] = "false";
  auto c = load(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->transforms, nullptr);
  EXPECT_EQ(c->transforms->size(), 1u);  // route
  EXPECT_EQ(c->transforms->serialized_unwrap(), transform::ExtractNewRecordState::Mode::kRewrite);
  EXPECT_FALSE(c->transforms->reads_data());
  EXPECT_FALSE(c->value_schemas_enable);
  EXPECT_TRUE(c->key_schemas_enable);

  p.erase("transforms.unwrap.delete.tombstone.handling.mode");
  p["transforms"] = "route";
  c = load(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->transforms->serialized_unwrap());
  EXPECT_FALSE(c->value_schemas_enable);
}

TEST(TransformsConfig, CloudEventsConverterIsAValueFormatWithItsOptions) {
  auto p = minimal();
  p["value.converter"] = "io.debezium.converters.CloudEventsConverter";
  p["value.converter.extension.attributes.enable"] = "false";
  p["value.converter.json.schemas.enable"] = "false";
  p["value.converter.schema.name.adjustment.mode"] = "avro";
  auto c = load(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->transforms);  // the chain (empty) writes the values
  EXPECT_TRUE(c->transforms->empty());
  EXPECT_TRUE(c->transforms->reads_data());  // values are rewritten even without a transform
  ASSERT_TRUE(c->transforms->cloud_events.has_value());
  EXPECT_FALSE(c->transforms->cloud_events->extension_attributes);
  EXPECT_FALSE(c->transforms->cloud_events->data_schemas);
  for (const auto& w : c->warnings) EXPECT_EQ(w.find("value.converter"), std::string::npos) << w;
  for (auto [key, value] :
       {std::pair{"value.converter.serializer.type", "avro"},
        std::pair{"value.converter.opentelemetry.tracing.attributes.enable", "true"},
        std::pair{"value.converter.metadata.source", "header"}, std::pair{"value.converter.nope", "1"}}) {
    auto q = minimal();
    q["value.converter"] = "io.debezium.converters.CloudEventsConverter";
    q[key] = value;
    auto r = load(q);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
  }
}

TEST(TransformsConfig, BadTransformIsFatalNamingKey) {
  auto msg = error_with("transforms", "a");
  EXPECT_NE(msg.find("transforms.a.type"), std::string::npos) << msg;
}

}  // namespace
}  // namespace sluice::config
