// ByLogicalTableRouter / ToLogicalTopicRouter: topics, keys and schemas as Debezium's ToLogicalTopicRouter.
#include <gtest/gtest.h>

#include "transform/chain.h"
#include "transform/codec.h"

namespace sluice::transform {
namespace {

using Props = std::map<std::string, std::string>;

const char* kKey =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,)"
    R"("name":"p.s.orders_2024.Key"},"payload":{"id":7}})";
const char* kValue =
    R"({"schema":{"type":"struct","fields":[)"
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,)"
    R"("name":"p.s.orders_2024.Value","field":"before"},)"
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,)"
    R"("name":"p.s.orders_2024.Value","field":"after"},)"
    R"({"type":"string","optional":false,"field":"op"}],"optional":false,"name":"p.s.orders_2024.Envelope",)"
    R"("version":2},"payload":{"before":null,"after":{"id":7},"op":"c"}})";

Result<std::shared_ptr<Chain>> chain_of(const std::string& type, const Props& options) {
  Props p = {{"transforms", "route"}, {"transforms.route.type", type}};
  for (const auto& [k, v] : options) p["transforms.route." + k] = v;
  std::set<std::string> used;
  return Chain::create(p, used);
}

Record routed(const Props& options, std::optional<std::string> value = kValue,
              const std::string& type = "io.debezium.transforms.ByLogicalTableRouter",
              const std::string& topic = "p.s.orders_2024") {
  auto chain = chain_of(type, options);
  EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().message);
  Codec codec;
  Record r;
  r.topic = topic;
  r.key = **codec.decode(std::string_view(kKey));
  if (value) r.value = **codec.decode(std::string_view(*value));
  auto kept = (*chain)->apply(r);
  EXPECT_TRUE(kept.ok() && *kept) << (kept.ok() ? "" : kept.error().message);
  return r;
}

std::string text(const std::optional<Data>& d, bool schemas = true) {
  auto v = Codec::encode(d, schemas);
  return v ? *v : "<null>";
}

const Props kOrders = {{"topic.regex", "(.*)[.]orders_[0-9]+"}, {"topic.replacement", "$1.orders"}};

TEST(ByLogicalTableRouter, RoutesAndRenamesKeyValueAndEnvelopeSchemas) {
  auto r = routed(kOrders);
  EXPECT_EQ(r.topic, "p.s.orders");
  EXPECT_EQ(
      text(r.key),
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"string","optional":false,"field":"__dbz__physicalTableIdentifier"}],"optional":false,)"
      R"("name":"p.s.orders.Key"},"payload":{"id":7,"__dbz__physicalTableIdentifier":"p.s.orders_2024"}})");
  EXPECT_EQ(
      text(r.value),
      R"({"schema":{"type":"struct","fields":[)"
      R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,)"
      R"("name":"p.s.orders.Value","field":"before"},)"
      R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,)"
      R"("name":"p.s.orders.Value","field":"after"},)"
      R"({"type":"string","optional":false,"field":"op"}],"optional":false,"name":"p.s.orders.Envelope",)"
      R"("version":2},"payload":{"before":null,"after":{"id":7},"op":"c"}})");
}

TEST(ByLogicalTableRouter, KeyOptionsTombstonesAndUnmatchedTopics) {
  auto r = routed({{"topic.regex", "(.*)[.]orders_[0-9]+"},
                   {"topic.replacement", "$1.orders"},
                   {"key.field.name", "shard"},
                   {"key.field.regex", ".*_([0-9]+)"},
                   {"key.field.replacement", "y$1"}},
                  std::nullopt);
  EXPECT_EQ(text(r.key, false), R"({"id":7,"shard":"y2024"})");
  EXPECT_FALSE(r.value.has_value());  // a tombstone stays one
  auto plain = routed({{"topic.regex", "(.*)[.]orders_[0-9]+"},
                       {"topic.replacement", "$1.orders"},
                       {"key.enforce.uniqueness", "false"}});
  EXPECT_EQ(text(plain.key, false), R"({"id":7})");
  EXPECT_NE(text(plain.key).find(R"("name":"p.s.orders.Key")"), std::string::npos);
  auto other = routed(kOrders, kValue, "io.debezium.transforms.ByLogicalTableRouter", "p.s.customers");
  EXPECT_EQ(other.topic, "p.s.customers");
  EXPECT_EQ(text(other.key), kKey);
  // ToLogicalTopicRouter, its successor: the newer default key field name.
  auto next = routed(kOrders, kValue, "io.debezium.transforms.ToLogicalTopicRouter");
  EXPECT_EQ(text(next.key, false), R"({"id":7,"__dbz__sourceIdentifier":"p.s.orders_2024"})");
}

TEST(ByLogicalTableRouter, BadOptionsAreRejectedNamingTheKey) {
  struct Case {
    Props props;
    const char* needle;
  };
  const Case cases[] = {
      {{{"topic.replacement", "x"}}, "transforms.route.topic.regex"},
      {{{"topic.regex", "x"}}, "transforms.route.topic.replacement"},
      {{{"topic.regex", "(x"}, {"topic.replacement", "y"}}, "transforms.route.topic.regex"},
      {{{"topic.regex", "x"}, {"topic.replacement", "$3"}}, "transforms.route.topic.replacement"},
      {{{"topic.regex", "x"}, {"topic.replacement", "y"}, {"key.field.regex", "(.*)"}},
       "transforms.route.key.field.replacement"},
      {{{"topic.regex", "x"}, {"topic.replacement", "y"}, {"key.enforce.uniqueness", "maybe"}},
       "transforms.route.key.enforce.uniqueness"},
      {{{"topic.regex", "x"}, {"topic.replacement", "y"}, {"schema.name.adjustment.mode", "avro"}},
       "transforms.route.schema.name.adjustment.mode"},
      {{{"topic.regex", "x"}, {"topic.replacement", "y"}, {"key.field.nam", "k"}},
       "transforms.route.key.field.nam"},
  };
  for (const auto& c : cases) {
    auto chain = chain_of("io.debezium.transforms.ByLogicalTableRouter", c.props);
    ASSERT_FALSE(chain.ok()) << c.needle;
    EXPECT_NE(chain.error().message.find(c.needle), std::string::npos) << chain.error().message;
  }
}

}  // namespace
}  // namespace sluice::transform
