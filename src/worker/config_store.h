// ConfigStore: the worker's state in Kafka Connect's three storage topics (KafkaConfigBackingStore,
// KafkaStatusBackingStore, KafkaOffsetBackingStore; JsonConverter without schemas):
//   config.storage.topic  connector-<name>     {"properties":{…}}           (null: deleted)
//                         target-state-<name>  {"state":"PAUSED","state.v2":"STOPPED"}
//                         task-<name>-0        {"properties":{…}}   commit-<name> {"tasks":1}
//                         restart-connector-<name> {"include-tasks":…,"only-failed":…} (a restart request)
//   status.storage.topic  status-connector-<name> / status-task-<name>-0
//                         {"state":"RUNNING","trace":null,"worker_id":"host:port","generation":0}
//                         status-topic-<topic>:connector-<name>
//                         {"topic":{"name","connector","task","discoverTimestamp"}}
//   offset.storage.topic  ["<name>",{"server":"<topic.prefix>"}] -> sluice's offsets (src/offsets)
// It writes records (one write at a time, so each key's records stay in request order), tails the config and
// status topics, and decodes what it reads back; the worker applies the records.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "worker/group.h"
#include "worker/herder.h"
#include "worker/kafka_log.h"
#include "worker/worker_config.h"

namespace sluice::worker {

inline constexpr int kStorageTimeoutMs = 30000;
inline constexpr int kAssignmentPartitions = 32;

// A config topic record, decoded.
struct ConfigRecord {
  enum class Kind { kOther, kConnector, kTargetState, kRestart };
  Kind kind = Kind::kOther;
  std::string name;                            // the connector
  config::Properties config;                   // kConnector
  bool malformed = false;                      // kConnector: a value that is not {"properties":{…}}
  TargetState target = TargetState::kStarted;  // kTargetState
  bool include_tasks = false;                  // kRestart
  bool only_failed = false;                    // kRestart
  // No value; for kTargetState, a value that is not a JSON object either (it reads as STARTED).
  bool tombstone = false;
};
ConfigRecord decode_config_record(const LogRecord& r);

// A status topic record, decoded.
struct StatusRecord {
  enum class Kind { kOther, kConnector, kTask, kTopic };
  Kind kind = Kind::kOther;
  std::string name;   // the connector
  std::string topic;  // kTopic
  bool tombstone = false;
  std::string state = "UNASSIGNED";  // kConnector, kTask
  std::string worker_id;
  std::string trace;
};
StatusRecord decode_status_record(const LogRecord& r);

// The value of a status-connector / status-task record.
std::string status_value(const std::string& state, const std::string& trace, const std::string& worker_id);
// The value of a target-state record: "state" says PAUSED for older workers, "state.v2" the real one
// (KIP-875).
std::string target_state_value(TargetState state);

class ConfigStore {
 public:
  // Opens (creates) the storage topics and the assignment topic, and starts reading the config and status
  // topics from the beginning.
  Status open(const WorkerConfig& config);
  bool is_open() const { return statuses_ != nullptr; }  // the status topic at least
  std::string cluster_id() const { return cluster_id_; }
  const std::string& config_topic() const { return configs_->topic(); }
  const std::string& status_topic() const { return statuses_->topic(); }
  const std::string& assignment_topic() const { return assignment_topic_; }

  // What arrived on the config and status topics; caught_up: both were read to their ends at open().
  std::vector<LogRecord> poll_configs(int timeout_ms) { return config_tail_->poll(timeout_ms); }
  std::vector<LogRecord> poll_statuses(int timeout_ms) { return status_tail_->poll(timeout_ms); }
  bool caught_up() const { return config_tail_->caught_up() && status_tail_->caught_up(); }

  // The connector's config, its task config (one task, as Debezium) and the commit record that makes it
  // visible; returns the offset of the connector record.
  Result<int64_t> write_config(const std::string& name, const config::Properties& config, bool sink);
  Result<int64_t> write_target_state(const std::string& name, TargetState state);
  Result<int64_t> write_restart(const std::string& name, bool include_tasks, bool only_failed);
  // Tombstones the connector's config and target state; returns the offset of the last.
  Result<int64_t> write_deletion(const std::string& name);
  // Writes the connector and task statuses (status-connector-<name>, status-task-<name>-<id>).
  void publish_status(const std::string& name, const ConnectorStatus& status);
  // Tombstones the connector's statuses and the given active topics.
  void forget(const std::string& name, const std::set<std::string>& topics);
  // Tombstones the connector's active topics.
  void forget_topics(const std::string& name, const std::set<std::string>& topics);
  // status-topic-<topic>:connector-<name>, discovered now.
  Status record_topic(const std::string& name, const std::string& topic);

  Result<std::vector<LogRecord>> read_offsets() const { return offsets_->read_all(kStorageTimeoutMs); }
  // Writes each key -> value (nullopt: tombstone) in order; stops at the first failure.
  Status write_offsets(const std::vector<std::pair<std::string, std::optional<std::string>>>& records);

 private:
  std::unique_ptr<KafkaLog> configs_;
  std::unique_ptr<KafkaLog> statuses_;
  std::unique_ptr<KafkaLog> offsets_;
  std::unique_ptr<LogTail> config_tail_;
  std::unique_ptr<LogTail> status_tail_;
  std::string assignment_topic_;
  std::string cluster_id_;
  std::mutex write_mu_;
};

}  // namespace sluice::worker
