// Connect's storage-topic record layout (config_store.h lists it), written and read back.
#include "worker/config_store.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "worker/connector_state.h"
#include "worker/validation.h"

namespace sluice::worker {

namespace {

using json = nlohmann::json;

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("worker");
  return l;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json value_of(const LogRecord& r) {
  return r.value ? json::parse(*r.value, nullptr, false) : json();
}

}  // namespace

ConfigRecord decode_config_record(const LogRecord& r) {
  ConfigRecord out;
  auto value = value_of(r);
  out.tombstone = !r.value;
  if (r.key.starts_with("connector-")) {
    out.kind = ConfigRecord::Kind::kConnector;
    out.name = r.key.substr(10);
    if (!r.value) return out;
    if (!value.is_object() || !value.contains("properties") || !value["properties"].is_object()) {
      out.malformed = true;
      return out;
    }
    for (const auto& [k, v] : value["properties"].items()) {
      if (v.is_string()) out.config[k] = v.get<std::string>();
    }
  } else if (r.key.starts_with("target-state-")) {
    out.kind = ConfigRecord::Kind::kTargetState;
    out.name = r.key.substr(13);
    out.tombstone = !value.is_object();
    std::string st = !value.is_object() ? "STARTED"
                     : value.contains("state.v2") && value["state.v2"].is_string()
                         ? value["state.v2"].get<std::string>()
                         : value.value("state", "STARTED");
    out.target = st == "PAUSED" ? TargetState::kPaused
                                : (st == "STOPPED" ? TargetState::kStopped : TargetState::kStarted);
  } else if (r.key.starts_with("restart-connector-")) {
    out.kind = ConfigRecord::Kind::kRestart;
    out.name = r.key.substr(18);
    out.include_tasks = value.is_object() && value.value("include-tasks", false);
    out.only_failed = value.is_object() && value.value("only-failed", false);
  }
  return out;
}

StatusRecord decode_status_record(const LogRecord& r) {
  StatusRecord out;
  out.tombstone = !r.value;
  if (r.key.starts_with("status-connector-")) {
    out.kind = StatusRecord::Kind::kConnector;
    out.name = r.key.substr(17);
  } else if (r.key.starts_with("status-task-")) {
    auto rest = r.key.substr(12);
    auto dash = rest.rfind('-');
    if (dash == std::string::npos) return out;
    out.kind = StatusRecord::Kind::kTask;
    out.name = rest.substr(0, dash);
  } else if (r.key.starts_with("status-topic-")) {
    auto sep = r.key.rfind(":connector-");
    if (sep == std::string::npos) return out;
    out.kind = StatusRecord::Kind::kTopic;
    out.topic = r.key.substr(13, sep - 13);
    out.name = r.key.substr(sep + 11);
    return out;
  } else {
    return out;
  }
  auto value = value_of(r);
  if (value.is_object()) {
    out.state = value.value("state", "UNASSIGNED");
    out.worker_id = value.value("worker_id", "");
    if (value.contains("trace") && value["trace"].is_string()) out.trace = value["trace"].get<std::string>();
  }
  return out;
}

std::string status_value(const std::string& state, const std::string& trace, const std::string& worker_id) {
  return json{{"state", state},
              {"trace", trace.empty() ? json(nullptr) : json(trace)},
              {"worker_id", worker_id},
              {"generation", 0}}
      .dump();
}

std::string target_state_value(TargetState state) {
  return json{{"state", state == TargetState::kStopped ? "PAUSED" : target_state_name(state)},
              {"state.v2", target_state_name(state)}}
      .dump();
}

Status ConfigStore::open(const WorkerConfig& config) {
  auto open_log = [&](const StorageTopic& t, std::unique_ptr<KafkaLog>& out) -> Status {
    auto l = KafkaLog::open(config.bootstrap_servers, config.kafka_properties, t, kStorageTimeoutMs);
    if (!l) return l.error();
    out = std::move(*l);
    return ok_status();
  };
  if (auto s = open_log(config.config_topic, configs_); !s) return s;
  if (auto s = open_log(config.offset_topic, offsets_); !s) return s;
  if (auto s = open_log(config.status_topic, statuses_); !s) return s;
  std::unique_ptr<KafkaLog> assignments;
  const StorageTopic assignment_topic{config.config_topic.name + "-assignments", kAssignmentPartitions,
                                      config.config_topic.replication_factor};
  if (auto s = open_log(assignment_topic, assignments); !s) return s;
  assignment_topic_ = assignment_topic.name;
  cluster_id_ = configs_->cluster_id(5000);

  auto tail = LogTail::open(config.bootstrap_servers, config.kafka_properties, config.config_topic.name,
                            kStorageTimeoutMs);
  if (!tail) return tail.error();
  config_tail_ = std::move(*tail);
  auto stail = LogTail::open(config.bootstrap_servers, config.kafka_properties, config.status_topic.name,
                             kStorageTimeoutMs);
  if (!stail) return stail.error();
  status_tail_ = std::move(*stail);
  return ok_status();
}

Result<int64_t> ConfigStore::write_config(const std::string& name, const config::Properties& config,
                                          bool sink) {
  json props = json::object();
  for (const auto& [k, v] : config) props[k] = v;
  std::lock_guard w(write_mu_);
  auto at = configs_->write("connector-" + name, json{{"properties", props}}.dump());
  if (!at) return at;
  // The task config (sluice runs one task, as Debezium) and the commit record that makes it visible.
  props["task.class"] = sink ? kSinkTaskClass : kTaskClass;
  if (auto s = configs_->write(fmt::format("task-{}-0", name), json{{"properties", props}}.dump()); !s)
    return s;
  if (auto s = configs_->write("commit-" + name, json{{"tasks", 1}}.dump()); !s) return s;
  return at;
}

Result<int64_t> ConfigStore::write_target_state(const std::string& name, TargetState state) {
  std::lock_guard w(write_mu_);
  return configs_->write("target-state-" + name, target_state_value(state));
}

Result<int64_t> ConfigStore::write_restart(const std::string& name, bool include_tasks, bool only_failed) {
  json v = {{"include-tasks", include_tasks}, {"only-failed", only_failed}};
  std::lock_guard w(write_mu_);
  return configs_->write("restart-connector-" + name, v.dump());
}

Result<int64_t> ConfigStore::write_deletion(const std::string& name) {
  std::lock_guard w(write_mu_);
  auto at = configs_->write("connector-" + name, std::nullopt);
  if (at) {
    if (auto t = configs_->write("target-state-" + name, std::nullopt); !t) at = t;
  }
  return at;
}

void ConfigStore::publish_status(const std::string& name, const ConnectorStatus& st) {
  std::lock_guard w(write_mu_);
  auto s = statuses_->write("status-connector-" + name, status_value(st.state, st.trace, st.worker_id));
  for (const auto& t : st.tasks) {
    if (!s) break;
    s = statuses_->write(fmt::format("status-task-{}-{}", name, t.id),
                         status_value(t.state, t.trace, st.worker_id));
  }
  if (!s)
    log()->warn("connector {}: status not recorded in {}: {}", name, statuses_->topic(), s.error().message);
}

void ConfigStore::forget(const std::string& name, const std::set<std::string>& topics) {
  std::lock_guard w(write_mu_);
  (void)statuses_->write("status-connector-" + name, std::nullopt);
  (void)statuses_->write("status-task-" + name + "-0", std::nullopt);
  for (const auto& t : topics)
    (void)statuses_->write("status-topic-" + t + ":connector-" + name, std::nullopt);
}

void ConfigStore::forget_topics(const std::string& name, const std::set<std::string>& topics) {
  std::lock_guard w(write_mu_);
  for (const auto& t : topics)
    (void)statuses_->write("status-topic-" + t + ":connector-" + name, std::nullopt);
}

Status ConfigStore::record_topic(const std::string& name, const std::string& topic) {
  json v = {{"topic", {{"name", topic}, {"connector", name}, {"task", 0}, {"discoverTimestamp", now_ms()}}}};
  std::lock_guard w(write_mu_);
  auto s = statuses_->write("status-topic-" + topic + ":connector-" + name, v.dump());
  if (!s) return s.error();
  return ok_status();
}

Status ConfigStore::write_offsets(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& records) {
  std::lock_guard w(write_mu_);
  for (const auto& [key, value] : records) {
    auto s = offsets_->write(key, value ? std::optional<std::string_view>(*value) : std::nullopt);
    if (!s) return s.error();
  }
  return ok_status();
}

}  // namespace sluice::worker
