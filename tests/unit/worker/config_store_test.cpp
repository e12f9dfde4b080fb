// Connect's storage-topic records as the worker writes and reads them (KafkaConfigBackingStore,
// KafkaStatusBackingStore layouts).
#include "worker/config_store.h"

#include <gtest/gtest.h>

namespace sluice::worker {
namespace {

LogRecord rec(std::string key, std::optional<std::string> value) {
  return {std::move(key), std::move(value), 0, 7};
}

TEST(ConfigRecord, ConnectorConfig) {
  auto c = decode_config_record(rec("connector-inv", R"({"properties":{"a":"1","n":2,"name":"inv"}})"));
  EXPECT_EQ(c.kind, ConfigRecord::Kind::kConnector);
  EXPECT_EQ(c.name, "inv");
  EXPECT_FALSE(c.tombstone);
  EXPECT_FALSE(c.malformed);
  EXPECT_EQ(c.config, (config::Properties{{"a", "1"}, {"name", "inv"}}));  // string values only
  EXPECT_TRUE(decode_config_record(rec("connector-inv", std::nullopt)).tombstone);
  EXPECT_TRUE(decode_config_record(rec("connector-inv", R"({"props":{}})")).malformed);
  EXPECT_TRUE(decode_config_record(rec("connector-inv", "not json")).malformed);
}

TEST(ConfigRecord, TargetStatePrefersStateV2) {
  auto t = decode_config_record(rec("target-state-inv", target_state_value(TargetState::kStopped)));
  EXPECT_EQ(t.kind, ConfigRecord::Kind::kTargetState);
  EXPECT_EQ(t.name, "inv");
  EXPECT_EQ(t.target, TargetState::kStopped);
  EXPECT_EQ(target_state_value(TargetState::kStopped), R"({"state":"PAUSED","state.v2":"STOPPED"})");
  EXPECT_EQ(decode_config_record(rec("target-state-x", R"({"state":"PAUSED"})")).target,
            TargetState::kPaused);
  auto gone = decode_config_record(rec("target-state-x", std::nullopt));
  EXPECT_TRUE(gone.tombstone);
  EXPECT_EQ(gone.target, TargetState::kStarted);
}

TEST(ConfigRecord, RestartRequest) {
  auto r =
      decode_config_record(rec("restart-connector-inv", R"({"include-tasks":true,"only-failed":false})"));
  EXPECT_EQ(r.kind, ConfigRecord::Kind::kRestart);
  EXPECT_EQ(r.name, "inv");
  EXPECT_TRUE(r.include_tasks);
  EXPECT_FALSE(r.only_failed);
  EXPECT_EQ(decode_config_record(rec("task-inv-0", "{}")).kind, ConfigRecord::Kind::kOther);
  EXPECT_EQ(decode_config_record(rec("commit-inv", "{}")).kind, ConfigRecord::Kind::kOther);
}

TEST(StatusRecord, ConnectorTaskAndTopic) {
  auto c = decode_status_record(rec("status-connector-inv", status_value("FAILED", "boom", "w:8083")));
  EXPECT_EQ(c.kind, StatusRecord::Kind::kConnector);
  EXPECT_EQ(c.name, "inv");
  EXPECT_EQ(c.state, "FAILED");
  EXPECT_EQ(c.trace, "boom");
  EXPECT_EQ(c.worker_id, "w:8083");
  EXPECT_EQ(status_value("RUNNING", "", "w:1"),
            R"({"generation":0,"state":"RUNNING","trace":null,"worker_id":"w:1"})");
  auto t = decode_status_record(rec("status-task-my-conn-0", status_value("RUNNING", "", "w:1")));
  EXPECT_EQ(t.kind, StatusRecord::Kind::kTask);
  EXPECT_EQ(t.name, "my-conn");
  EXPECT_TRUE(t.trace.empty());
  auto topic = decode_status_record(rec("status-topic-db.public.t:connector-inv", std::nullopt));
  EXPECT_EQ(topic.kind, StatusRecord::Kind::kTopic);
  EXPECT_EQ(topic.topic, "db.public.t");
  EXPECT_EQ(topic.name, "inv");
  EXPECT_TRUE(topic.tombstone);
  EXPECT_EQ(decode_status_record(rec("status-connector-x", "[]")).state, "UNASSIGNED");
  EXPECT_EQ(decode_status_record(rec("status-task-nodash", "{}")).kind, StatusRecord::Kind::kOther);
}

}  // namespace
}  // namespace sluice::worker
