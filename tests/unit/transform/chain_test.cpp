// Transform chain: config parsing (errors name the key), predicates, RegexRouter, Filter, and the codec's
// round trip.
#include <gtest/gtest.h>

#include "transform/chain.h"
#include "transform/codec.h"

namespace sluice::transform {
namespace {

using Props = std::map<std::string, std::string>;

std::shared_ptr<Chain> make(const Props& props) {
  std::set<std::string> used;
  auto chain = Chain::create(props, used);
  EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().message);
  return chain.ok() ? *chain : nullptr;
}

std::string error_of(const Props& props) {
  std::set<std::string> used;
  auto chain = Chain::create(props, used);
  EXPECT_FALSE(chain.ok());
  return chain.ok() ? "" : chain.error().message;
}

Record record(std::string topic) {
  Record r;
  r.topic = std::move(topic);
  r.value = Data{nullptr, *parse_json(R"({"a":1})")};
  return r;
}

TEST(Chain, EmptyWithoutTransforms) {
  EXPECT_TRUE(make({})->empty());
}

TEST(Chain, UnknownClassNamesKeyAndSupported) {
  auto msg = error_of({{"transforms", "x"}, {"transforms.x.type", "com.example.Nope"}});
  EXPECT_NE(msg.find("transforms.x.type"), std::string::npos) << msg;
  EXPECT_NE(msg.find("com.example.Nope"), std::string::npos) << msg;
  EXPECT_NE(msg.find("io.debezium.transforms.ExtractNewRecordState"), std::string::npos) << msg;
}

TEST(Chain, MissingTypeNamesKey) {
  auto msg = error_of({{"transforms", "x"}});
  EXPECT_NE(msg.find("transforms.x.type"), std::string::npos) << msg;
}

TEST(Chain, UnknownOptionNamesKey) {
  auto msg = error_of({{"transforms", "r"},
                       {"transforms.r.type", "org.apache.kafka.connect.transforms.RegexRouter"},
                       {"transforms.r.regex", "a"},
                       {"transforms.r.replacement", "b"},
                       {"transforms.r.regexx", "c"}});
  EXPECT_NE(msg.find("transforms.r.regexx"), std::string::npos) << msg;
  EXPECT_NE(msg.find("replacement"), std::string::npos) << msg;  // lists the known options
}

TEST(Chain, UndefinedPredicateIsAnError) {
  auto msg = error_of({{"transforms", "f"},
                       {"transforms.f.type", "org.apache.kafka.connect.transforms.Filter"},
                       {"transforms.f.predicate", "p"}});
  EXPECT_NE(msg.find("transforms.f.predicate"), std::string::npos) << msg;
}

TEST(Chain, BadRegexNamesKeyAndValue) {
  auto msg = error_of({{"transforms", "r"},
                       {"transforms.r.type", "org.apache.kafka.connect.transforms.RegexRouter"},
                       {"transforms.r.regex", "(unclosed"},
                       {"transforms.r.replacement", "x"}});
  EXPECT_NE(msg.find("transforms.r.regex"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(unclosed"), std::string::npos) << msg;
}

TEST(Chain, ReplacementGroupOutOfRange) {
  auto msg = error_of({{"transforms", "r"},
                       {"transforms.r.type", "org.apache.kafka.connect.transforms.RegexRouter"},
                       {"transforms.r.regex", "a(b)"},
                       {"transforms.r.replacement", "$2"}});
  EXPECT_NE(msg.find("transforms.r.replacement"), std::string::npos) << msg;
}

TEST(RegexRouter, RoutesWholeMatchesWithGroups) {
  auto chain = make({{"transforms", "route"},
                     {"transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter"},
                     {"transforms.route.regex", "([^.]+)\\.([^.]+)\\.([^.]+)"},
                     {"transforms.route.replacement", "$3-cdc"}});
  auto r = record("db.public.orders");
  ASSERT_TRUE(*chain->apply(r));
  EXPECT_EQ(r.topic, "orders-cdc");
  auto other = record("heartbeat");  // no whole match: unchanged
  ASSERT_TRUE(*chain->apply(other));
  EXPECT_EQ(other.topic, "heartbeat");
  auto partial = record("x.db.public.orders");  // matches() needs the whole topic
  ASSERT_TRUE(*chain->apply(partial));
  EXPECT_EQ(partial.topic, "x.db.public.orders");
}

// The router keeps the last topic's result: runs and alternations of topics, and an empty topic first.
TEST(RegexRouter, RemembersOnlyTheLastTopic) {
  auto chain = make({{"transforms", "route"},
                     {"transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter"},
                     {"transforms.route.regex", "(.*)"},
                     {"transforms.route.replacement", "x-$1"}});
  for (const char* topic : {"", "a", "a", "b", "a", "", ""}) {
    auto r = record(topic);
    ASSERT_TRUE(*chain->apply(r));
    EXPECT_EQ(r.topic, std::string("x-") + topic);
  }
}

TEST(RegexRouter, NamedGroupAndEscapedDollar) {
  auto chain = make({{"transforms", "route"},
                     {"transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter"},
                     {"transforms.route.regex", "db\\.(?P<table>.*)"},
                     {"transforms.route.replacement", "\\$${table}"}});
  auto r = record("db.t1");
  ASSERT_TRUE(*chain->apply(r));
  EXPECT_EQ(r.topic, "$t1");
}

TEST(Filter, WithPredicateAndNegate) {
  Props p = {{"predicates", "isOrders,tomb"},
             {"predicates.isOrders.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"},
             {"predicates.isOrders.pattern", ".*orders"},
             {"predicates.tomb.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"},
             {"transforms", "keepOrders,noTombstones"},
             {"transforms.keepOrders.type", "org.apache.kafka.connect.transforms.Filter"},
             {"transforms.keepOrders.predicate", "isOrders"},
             {"transforms.keepOrders.negate", "true"},
             {"transforms.noTombstones.type", "org.apache.kafka.connect.transforms.Filter"},
             {"transforms.noTombstones.predicate", "tomb"}};
  auto chain = make(p);
  auto orders = record("db.public.orders");
  EXPECT_TRUE(*chain->apply(orders));
  auto customers = record("db.public.customers");
  EXPECT_FALSE(*chain->apply(customers));
  auto tombstone = record("db.public.orders");
  tombstone.value.reset();
  EXPECT_FALSE(*chain->apply(tombstone));
  // Regression: a null value with a schema (an unwrapped delete) is a tombstone to Connect (value() == null).
  auto unwrapped_delete = record("db.public.orders");
  unwrapped_delete.value->schema = optional_string_schema();
  unwrapped_delete.value->payload = Json::null();
  EXPECT_FALSE(*chain->apply(unwrapped_delete));
}

TEST(Predicates, HasHeaderKey) {
  auto chain = make({{"predicates", "h"},
                     {"predicates.h.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey"},
                     {"predicates.h.name", "skip"},
                     {"transforms", "f"},
                     {"transforms.f.type", "org.apache.kafka.connect.transforms.Filter"},
                     {"transforms.f.predicate", "h"}});
  auto with = record("t");
  with.headers.push_back({"skip", "1"});
  EXPECT_FALSE(*chain->apply(with));
  auto without = record("t");
  EXPECT_TRUE(*chain->apply(without));
}

TEST(Predicates, MissingOptionNamesKey) {
  auto msg =
      error_of({{"predicates", "p"},
                {"predicates.p.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"}});
  EXPECT_NE(msg.find("predicates.p.pattern"), std::string::npos) << msg;
}

TEST(Codec, RoundTripKeepsBytes) {
  const std::string doc =
      R"({"schema":{"type":"struct","fields":[{"type":"double","optional":true,"field":"d"},)"
      R"({"type":"string","optional":false,"name":"io.debezium.data.Enum","version":1,)"
      R"("parameters":{"allowed":"a,b"},"default":"a","field":"e"}],"optional":false,"name":"x.Value"},)"
      R"("payload":{"d":1.0E10,"e":"caf\u00e9 \"q\"\n"}})";
  Codec codec;
  auto data = codec.decode(std::string_view(doc));
  ASSERT_TRUE(data.ok()) << data.error().message;
  ASSERT_TRUE(data->has_value());
  auto out = Codec::encode(*data, true);
  // RapidJSON/Jackson write é raw; everything else is as it came.
  std::string expected = doc;
  expected.replace(expected.find("\\u00e9"), 6, "\xc3\xa9");
  EXPECT_EQ(*out, expected);
  EXPECT_EQ(*Codec::encode(*data, false), R"({"d":1.0E10,"e":"café \"q\"\n"})");
}

TEST(Codec, NullPayloadWithSchemaIsNotATombstone) {
  Data d;
  d.schema = optional_string_schema();
  EXPECT_EQ(*Codec::encode(d, true), R"({"schema":{"type":"string","optional":true},"payload":null})");
  EXPECT_EQ(*Codec::encode(d, false), "null");
  EXPECT_FALSE(Codec::encode(std::nullopt, true).has_value());
}

}  // namespace
}  // namespace sluice::transform
