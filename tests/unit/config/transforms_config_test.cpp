// Transforms and converters in the connector config; output-changing properties sluice does not implement
// stop it (kFatal naming the key) instead of being ignored.
#include "config/transforms_config.h"

#include <gtest/gtest.h>

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

TEST(TransformsConfig, UnimplementedOutputPropertiesAreFatal) {
  for (const char* key :
       {"column.propagate.source.types", "column.mask.whatever", "column.truncate.to.x.chars", "converters",
        "value.converter.replace.null.with.default", "key.converter.decimal.format"}) {
    auto msg = error_with(key, "public.t.c");
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
    EXPECT_EQ(msg.find("public.t.c"), std::string::npos) << "the value is not echoed: " << msg;
  }
  EXPECT_NE(error_with("errors.tolerance", "all").find("errors.tolerance"), std::string::npos);
  EXPECT_NE(error_with("value.converter", "io.confluent.connect.avro.AvroConverter").find("value.converter"),
            std::string::npos);
  EXPECT_NE(error_with("key.converter", "io.debezium.converters.CloudEventsConverter").find("key.converter"),
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

}  // namespace
}  // namespace sluice::config

namespace sluice::config {
namespace {

TEST(ColumnRulesConfig, FiltersAndMasksAreParsed) {
  auto p = minimal();
  p["column.exclude.list"] = "public\\.t\\.secret";
  p["column.mask.with.4.chars"] = "public\\.t\\.a";
  p["column.truncate.to.3.chars"] = "public\\.t\\.a, public\\.t\\.b";
  p["column.mask.hash.SHA-256.with.salt.pepper"] = "public\\.t\\.c";
  p["column.mask.hash.v2.MD5.with.salt.x.y"] = "public\\.t\\.d";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->column_rules, nullptr);
  EXPECT_FALSE(c->column_rules->included("public.t.secret"));
  EXPECT_TRUE(c->column_rules->included("public.t.a"));
  // ColumnMappers: truncation rules come before the masks.
  EXPECT_EQ(c->column_rules->mask_for("public.t.a")->spec.key, "column.truncate.to.3.chars");
  EXPECT_EQ(c->column_rules->mask_for("public.t.b")->spec.chars, 3);
  const auto* hash = c->column_rules->mask_for("public.t.c");
  ASSERT_NE(hash, nullptr);
  EXPECT_EQ(hash->spec.algorithm, "SHA-256");
  EXPECT_EQ(hash->spec.salt, "pepper");
  EXPECT_EQ(hash->spec.version, 1);
  const auto* v2 = c->column_rules->mask_for("public.t.d");
  ASSERT_NE(v2, nullptr);
  EXPECT_EQ(v2->spec.version, 2);
  EXPECT_EQ(v2->spec.salt, "x.y");
  for (const auto& w : c->warnings) EXPECT_EQ(w.find("column."), std::string::npos) << w;
}

TEST(ColumnRulesConfig, PropagateSourceTypeRulesSitBetweenTheCharMasksAndTheHashes) {
  auto p = minimal();
  p["column.propagate.source.type"] = "public\\.t\\..*";
  p["datatype.propagate.source.type"] = ".+\\.int4";
  p["column.mask.with.4.chars"] = "public\\.t\\.a";
  p["column.mask.hash.SHA-256.with.salt.pepper"] = "public\\.u\\.c";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->column_rules, nullptr);
  using Kind = event::MaskSpec::Kind;
  auto first = [&](std::string_view id, std::string_view type_id) {
    auto rules = c->column_rules->rules_for(id, type_id);
    return rules.empty() ? std::string() : rules.front()->spec.key;
  };
  EXPECT_EQ(first("public.t.a", "public.t.text"), "column.mask.with.4.chars");
  EXPECT_EQ(first("public.t.b", "public.t.text"), "column.propagate.source.type");
  EXPECT_EQ(first("public.u.n", "public.u.INT4"), "datatype.propagate.source.type");
  EXPECT_EQ(first("public.u.c", "public.u.int4"), "datatype.propagate.source.type");
  EXPECT_EQ(first("public.u.c", "public.u.text"), "column.mask.hash.SHA-256.with.salt.pepper");
  EXPECT_EQ(c->column_rules->rules_for("public.t.b", "")[0]->spec.kind, Kind::kPropagateSourceType);
  EXPECT_TRUE(c->column_rules->rules_for("public.v.x", "public.v.text").empty());
  for (const auto& w : c->warnings) EXPECT_EQ(w.find("propagate"), std::string::npos) << w;

  p["column.propagate.source.type"] = "public.t.(";
  auto bad = parse_config(p);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("column.propagate.source.type"), std::string::npos)
      << bad.error().message;
}

TEST(ColumnRulesConfig, NoColumnPropertiesNoRules) {
  auto c = parse_config(minimal());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->column_rules, nullptr);
}

TEST(ColumnRulesConfig, LegacyNamesAreTheLists) {
  auto p = minimal();
  p["column.blacklist"] = "public\\.t\\.secret";
  auto c = parse_config(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->column_rules, nullptr);
  EXPECT_FALSE(c->column_rules->included("public.t.secret"));
}

TEST(ColumnRulesConfig, BadOptionsNameKeyAndValue) {
  auto both = minimal();
  both["column.include.list"] = "a";
  both["column.exclude.list"] = "b";
  auto c = parse_config(both);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("column.include.list and column.exclude.list"), std::string::npos);

  auto msg = error_with("column.mask.with.5.chars", "public.t.(");
  EXPECT_NE(msg.find("column.mask.with.5.chars"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'public.t.('"), std::string::npos) << msg;
  msg = error_with("column.exclude.list", "public.t.[");
  EXPECT_NE(msg.find("column.exclude.list"), std::string::npos) << msg;
  msg = error_with("column.mask.hash.SHA-999.with.salt.x", "public.t.c");
  EXPECT_NE(msg.find("column.mask.hash.SHA-999.with.salt.x"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'SHA-999'"), std::string::npos) << msg;
  msg = error_with("column.truncate.to.99999999.chars", "public.t.c");
  EXPECT_NE(msg.find("column.truncate.to.99999999.chars"), std::string::npos) << msg;
  msg = error_with("column.mask.hash.SHA-256.with.pepper.x", "public.t.c");
  EXPECT_NE(msg.find("unknown property column.mask.hash.SHA-256.with.pepper.x"), std::string::npos) << msg;
}

}  // namespace
}  // namespace sluice::config
