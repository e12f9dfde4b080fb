// Signal data parsing: execute-snapshot, stop-snapshot, log and Kafka signal messages.
#include "snapshot/signal.h"

#include <gtest/gtest.h>

namespace sluice::snapshot {
namespace {

TEST(Signal, ExecuteSnapshotWithConditionsAndType) {
  auto r = parse_execute_snapshot(
      R"({"data-collections":["public.t1","s.t2"],"type":"INCREMENTAL",)"
      R"("additional-conditions":[{"data-collection":"public.t1","filter":"color='blue'"}],"surrogate-key":"k"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->collections, (std::vector<std::string>{"public.t1", "s.t2"}));
  EXPECT_EQ(r->kind, SnapshotKind::kIncremental);
  EXPECT_EQ(r->conditions.at("public.t1"), "color='blue'");
  EXPECT_EQ(r->surrogate_key, "k");
  auto b = parse_execute_snapshot(R"({"data-collections":["public.t1"],"type":"blocking"})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->kind, SnapshotKind::kBlocking);
}

TEST(Signal, BlockingSnapshotWithConditions) {
  // As `sluice signal execute-snapshot --type blocking --filter public.t1=id>10` and Debezium's docs write
  // it.
  auto b = parse_execute_snapshot(
      R"({"data-collections":["public.t1","public.t2"],"type":"Blocking",)"
      R"("additional-conditions":[{"data-collection":"public.t1","filter":"id > 10"}]})");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->kind, SnapshotKind::kBlocking);
  EXPECT_EQ(b->collections, (std::vector<std::string>{"public.t1", "public.t2"}));
  EXPECT_EQ(b->conditions, (std::map<std::string, std::string>{{"public.t1", "id > 10"}}));
  auto k = parse_kafka_signal(
      "prefix", R"({"type":"execute-snapshot","data":{"data-collections":["public.t"],"type":"BLOCKING"}})");
  ASSERT_TRUE(k.ok());
  auto kr = parse_execute_snapshot(k->data);
  ASSERT_TRUE(kr.ok()) << kr.error().message;
  EXPECT_EQ(kr->kind, SnapshotKind::kBlocking);
}

TEST(Signal, ExecuteSnapshotErrorsNameTheMember) {
  auto missing = parse_execute_snapshot(R"({"type":"incremental"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("data-collections"), std::string::npos);
  auto type = parse_execute_snapshot(R"({"data-collections":["a.b"],"type":"weird"})");
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.error().message.find("incremental, blocking"), std::string::npos);
  EXPECT_FALSE(parse_execute_snapshot("not json").ok());
  EXPECT_FALSE(parse_execute_snapshot(R"({"data-collections":"a.b"})").ok());
}

TEST(Signal, StopSnapshotWithoutCollectionsMeansAll) {
  auto all = parse_stop_snapshot(R"({"type":"incremental"})");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  auto some = parse_stop_snapshot(R"({"data-collections":["public.t"]})");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(*some, std::vector<std::string>{"public.t"});
  EXPECT_TRUE(parse_stop_snapshot("").ok());
}

TEST(Signal, LogAndKafkaMessages) {
  auto m = parse_log(R"({"message":"hello"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, "hello");
  EXPECT_FALSE(parse_log("{}").ok());

  auto k =
      parse_kafka_signal("prefix", R"({"type":"execute-snapshot","data":{"data-collections":["public.t"]}})");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->type, "execute-snapshot");
  EXPECT_EQ(k->data, R"({"data-collections":["public.t"]})");
  EXPECT_FALSE(parse_kafka_signal("prefix", R"({"data":{}})").ok());
  EXPECT_EQ(kafka_signal_value("log", R"({"message":"x"})"), R"({"data":{"message":"x"},"type":"log"})");
}

}  // namespace
}  // namespace sluice::snapshot
