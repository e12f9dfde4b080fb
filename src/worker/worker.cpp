// The worker's connectors. Each has a supervisor thread that runs connector::Connector while its target state
// is STARTED and it has not failed; REST requests change the target state (or request a restart) and set
// the connector's stop flag, and the supervisor does the rest. Storage records follow Connect's
// KafkaConfigBackingStore / KafkaStatusBackingStore (JsonConverter without schemas):
//   config.storage.topic  connector-<name>     {"properties":{…}}           (null: deleted)
//                         target-state-<name>  {"state":"PAUSED","state.v2":"STOPPED"}
//                         task-<name>-0        {"properties":{…}}   commit-<name> {"tasks":1}
//   status.storage.topic  status-connector-<name> / status-task-<name>-0
//                         {"state":"RUNNING","trace":null,"worker_id":"host:port","generation":0}
//                         status-topic-<topic>:connector-<name>
//                         {"topic":{"name","connector","task","discoverTimestamp"}}
//   offset.storage.topic  ["<name>",{"server":"<topic.prefix>"}] -> sluice's offsets (src/offsets)
//   config.storage.topic  restart-connector-<name> {"include-tasks":…,"only-failed":…} (a restart request)
// Every change is written first and applied when the worker's tail of the config topic reads it back, in
// every worker of the group alike; only the worker assigned the connector's partition of
// <config.storage.topic>-assignments runs it.
#include "worker/worker.h"

#include <fmt/format.h>

#include <chrono>

#include "common/log.h"
#include "config/config.h"
#include "connector/connector.h"
#include "connector/slot_monitor.h"
#include "offsets/offset_store.h"
#include "pgsink/sink_config.h"
#include "pgsink/sink_runner.h"
#include "pgsink/target_writer.h"
#include "server/metrics_text.h"
#include "worker/sink_offsets.h"
#include "worker/validation.h"

namespace sluice::worker {

namespace {

using json = nlohmann::json;
using server::ApiError;
using server::TargetState;

constexpr int kStorageTimeoutMs = 30000;
constexpr int kAssignmentPartitions = 32;
constexpr const char* kConnectVersion = "4.1.1";  // the Kafka Connect REST API level sluice serves

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("worker");
  return l;
}

const char* state_name(TargetState s) {
  switch (s) {
    case TargetState::kStarted:
      return "STARTED";
    case TargetState::kPaused:
      return "PAUSED";
    case TargetState::kStopped:
      return "STOPPED";
  }
  return "STARTED";
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string not_found(const std::string& name) {
  return "Connector " + name + " not found";
}

// A JDBC sink connector's config (the others are the Postgres source's).
bool is_sink_config(const config::Properties& config) {
  auto it = config.find("connector.class");
  return it != config.end() && is_sink_plugin(it->second);
}

// The sink's config as pgsink parses it: providers resolved, the class under its full name, the worker's
// defaults; run as a dynamic group member with Connect's worker session (see SinkConfig::static_membership).
Result<pgsink::SinkConfig> sink_config_of(const WorkerConfig& worker, const config::Properties& stored) {
  auto props = sink_connector_properties(worker, stored);
  props["connector.class"] = kSinkConnectorClass;
  auto resolved = config::resolve_providers(props);
  if (!resolved) return resolved.error();
  auto cfg = pgsink::parse_sink_config(*resolved);
  if (!cfg) return cfg.error();
  cfg->static_membership = false;
  cfg->consumer_properties.try_emplace("session.timeout.ms", "10000");
  cfg->consumer_properties.try_emplace("heartbeat.interval.ms", "3000");
  return cfg;
}

}  // namespace

struct Worker::Slot {
  std::string name;
  config::Properties config;  // as stored: ${…} references unresolved
  bool sink = false;          // a JDBC sink connector (src/pgsink), else a Postgres source
  const char* type() const { return sink ? "sink" : "source"; }  // Connect's connector type
  TargetState target = TargetState::kStarted;
  bool removed = false;
  bool failed = false;         // the task failed; it stays FAILED until restarted or reconfigured
  bool config_failed = false;  // the connector itself failed (its config could not be resolved or parsed)
  std::string trace;
  bool running = false;   // inside the connector's run()
  bool finished = false;  // run() returned without a stop request (snapshot.mode=initial_only)
  bool restarting = false;
  bool ran = false;              // this worker ran it (its shutdown records it UNASSIGNED)
  bool publish_pending = false;  // its status changed while it was not running
  bool releasing = false;  // stopped because its partition moved: its UNASSIGNED status is being written
  std::atomic<bool> stop{false};
  std::set<std::string> topics;
  std::thread thread;
  // Kept across restarts of the connector, so its counters only grow while the worker runs.
  std::shared_ptr<connector::ConnectorMetrics> metrics = std::make_shared<connector::ConnectorMetrics>();
  std::shared_ptr<pgsink::SinkMetrics> sink_metrics = std::make_shared<pgsink::SinkMetrics>();  // a sink's
  // Reads the slot's lag and retained WAL from the connector's first start on, also while it is FAILED,
  // PAUSED or STOPPED (when its slot holds WAL); replaced when the config names another server or slot.
  // Used by the supervisor thread only; stopped at shutdown or when the slot is destroyed.
  std::unique_ptr<connector::SlotMonitor> slot_monitor;
  std::string slot_monitor_key;
};

Worker::Worker(WorkerConfig config) : config_(std::move(config)), worker_id_(config_.worker_id()) {}

Worker::~Worker() {
  shutdown();
}

Status Worker::start() {
  for (const auto& w : config_.warnings) log()->warn("{}", w);
  auto open = [&](const StorageTopic& t, std::unique_ptr<KafkaLog>& out) -> Status {
    auto l = KafkaLog::open(config_.bootstrap_servers, config_.kafka_properties, t, kStorageTimeoutMs);
    if (!l) return l.error();
    out = std::move(*l);
    return ok_status();
  };
  if (auto s = open(config_.config_topic, configs_); !s) return s;
  if (auto s = open(config_.offset_topic, offsets_); !s) return s;
  if (auto s = open(config_.status_topic, statuses_); !s) return s;
  std::unique_ptr<KafkaLog> assignments;
  const StorageTopic assignment_topic{config_.config_topic.name + "-assignments", kAssignmentPartitions,
                                      config_.config_topic.replication_factor};
  if (auto s = open(assignment_topic, assignments); !s) return s;
  cluster_id_ = configs_->cluster_id(5000);

  auto tail = LogTail::open(config_.bootstrap_servers, config_.kafka_properties, config_.config_topic.name,
                            kStorageTimeoutMs);
  if (!tail) return tail.error();
  config_tail_ = std::move(*tail);
  auto stail = LogTail::open(config_.bootstrap_servers, config_.kafka_properties, config_.status_topic.name,
                             kStorageTimeoutMs);
  if (!stail) return stail.error();
  status_tail_ = std::move(*stail);
  // Read the stored connectors (and the last statuses) before serving anything.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStorageTimeoutMs);
  while (!config_tail_->caught_up() || !status_tail_->caught_up()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Error::transient(
          fmt::format("timed out reading {} and {}", config_.config_topic.name, config_.status_topic.name));
    }
    auto records = config_tail_->poll(100);
    auto statuses = status_tail_->poll(0);
    std::lock_guard lock(mu_);
    for (const auto& r : records) {
      apply_config(r);
      applied_config_offset_ = r.offset;
    }
    for (const auto& r : statuses) apply_status(r);
  }
  tail_thread_ = std::thread([this] { tail_loop(); });

  auto member = GroupMember::join(
      config_.bootstrap_servers, config_.kafka_properties, config_.group_id, assignment_topic.name,
      worker_id_, [this](const std::set<int32_t>& p) { on_assigned(p); },
      [this](const std::set<int32_t>& p) { on_revoked(p); });
  if (!member) return member.error();
  member_ = std::move(*member);
  group_thread_ = std::thread([this] { group_loop(); });
  {
    std::lock_guard lock(mu_);
    log()->info("worker {} (group {}) started: {} connector(s) in {}, statuses in {}, offsets in {}",
                worker_id_, config_.group_id, slots_.size(), config_.config_topic.name,
                config_.status_topic.name, config_.offset_topic.name);
  }
  return ok_status();
}

void Worker::tail_loop() {
  while (!stop_threads_.load()) {
    auto records = config_tail_->poll(100);
    auto statuses = status_tail_->poll(records.empty() ? 0 : 0);
    if (records.empty() && statuses.empty()) continue;
    {
      std::lock_guard lock(mu_);
      for (const auto& r : records) {
        apply_config(r);
        applied_config_offset_ = r.offset;
      }
      for (const auto& r : statuses) apply_status(r);
    }
    cv_.notify_all();
  }
}

void Worker::group_loop() {
  while (!stop_threads_.load()) member_->poll(100);
}

bool Worker::owns(const std::string& name) const {
  return owned_.count(assignment_partition(name, kAssignmentPartitions)) > 0;
}

void Worker::on_assigned(const std::set<int32_t>& partitions) {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    owned_.insert(partitions.begin(), partitions.end());
    for (const auto& [name, slot] : slots_) {
      if (!partitions.count(assignment_partition(name, kAssignmentPartitions))) continue;
      names.push_back(name);
      // One that will not run here (paused, stopped): its state as this worker, its new owner, sees it.
      if (slot->target != TargetState::kStarted && !slot->running) slot->publish_pending = true;
    }
  }
  log()->info("worker {} assigned {} partition(s) of the group: runs {}", worker_id_, partitions.size(),
              names.empty() ? std::string("no new connector") : fmt::format("{}", fmt::join(names, ", ")));
  cv_.notify_all();
}

void Worker::on_revoked(const std::set<int32_t>& partitions) {
  std::unique_lock lock(mu_);
  for (auto p : partitions) owned_.erase(p);
  std::vector<std::shared_ptr<Slot>> moving;
  std::vector<server::ConnectorStatus> idle;  // ran here, not running now (paused, failed): UNASSIGNED too
  for (auto& [name, slot] : slots_) {
    if (!partitions.count(assignment_partition(name, kAssignmentPartitions))) continue;
    if (slot->running) {
      slot->stop.store(true);
      moving.push_back(slot);
    } else if (slot->ran) {
      server::ConnectorStatus st;
      st.name = name;
      st.state = "UNASSIGNED";
      st.worker_id = worker_id_;
      if (slot->target != TargetState::kStopped) st.tasks.push_back({0, "UNASSIGNED", worker_id_, ""});
      idle.push_back(std::move(st));
    }
  }
  if (!moving.empty())
    log()->info("worker {}: {} connector(s) move to another worker", worker_id_, moving.size());
  cv_.notify_all();
  // The new owner may start them once this returns: wait until they stopped (the slot is the second fence).
  for (auto& slot : moving) {
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return !slot->running && !slot->releasing; });
  }
  lock.unlock();
  for (const auto& st : idle) publish_status(st.name, st);
}

void Worker::apply_status(const LogRecord& r) {
  auto value = r.value ? json::parse(*r.value, nullptr, false) : json();
  auto state_of = [&](server::ConnectorStatus& st, bool task) {
    std::string state = value.is_object() ? value.value("state", "UNASSIGNED") : "UNASSIGNED";
    std::string worker = value.is_object() ? value.value("worker_id", "") : "";
    std::string trace = value.is_object() && value.contains("trace") && value["trace"].is_string()
                            ? value["trace"].get<std::string>()
                            : "";
    if (task) {
      st.tasks = {{0, state, worker, trace}};
    } else {
      st.state = state;
      st.worker_id = worker;
      st.trace = trace;
    }
  };
  if (r.key.starts_with("status-connector-")) {
    auto name = r.key.substr(17);
    if (!r.value) {
      remote_.erase(name);
      return;
    }
    auto& st = remote_[name];
    st.name = name;
    state_of(st, false);
    if (st.state == "STOPPED") st.tasks.clear();
  } else if (r.key.starts_with("status-task-")) {
    auto rest = r.key.substr(12);
    auto dash = rest.rfind('-');
    if (dash == std::string::npos) return;
    auto name = rest.substr(0, dash);
    if (!r.value) {
      if (auto it = remote_.find(name); it != remote_.end()) it->second.tasks.clear();
      return;
    }
    auto& st = remote_[name];
    st.name = name;
    state_of(st, true);
  } else if (r.key.starts_with("status-topic-")) {
    auto sep = r.key.rfind(":connector-");
    if (sep == std::string::npos) return;
    auto topic = r.key.substr(13, sep - 13);
    auto name = r.key.substr(sep + 11);
    auto it = slots_.find(name);
    auto& topics = it != slots_.end() ? it->second->topics : remote_topics_[name];
    if (r.value) {
      topics.insert(topic);
    } else {
      topics.erase(topic);
    }
  }
}

void Worker::apply_config(const LogRecord& r) {
  auto value = r.value ? json::parse(*r.value, nullptr, false) : json();
  if (r.key.starts_with("connector-")) {
    auto name = r.key.substr(10);
    auto it = slots_.find(name);
    if (!r.value) {
      if (it == slots_.end()) return;
      auto slot = it->second;
      slot->removed = true;
      slot->stop.store(true);
      retired_.push_back(std::move(slot->thread));
      slots_.erase(it);
      log()->info("connector {} deleted", name);
      return;
    }
    if (!value.is_object() || !value.contains("properties") || !value["properties"].is_object()) {
      log()->warn("{}: record {} at offset {} is not a connector config; skipped", configs_->topic(), r.key,
                  r.offset);
      return;
    }
    config::Properties props;
    for (const auto& [k, v] : value["properties"].items()) {
      if (v.is_string()) props[k] = v.get<std::string>();
    }
    if (it == slots_.end()) {
      auto slot = std::make_shared<Slot>();
      slot->name = name;
      slot->sink = is_sink_config(props);
      slot->config = std::move(props);
      // Its target state is written before its config (a connector created PAUSED or STOPPED never starts).
      if (auto t = pending_targets_.find(name); t != pending_targets_.end()) {
        slot->target = t->second;
        pending_targets_.erase(t);
      }
      if (auto t = remote_topics_.find(name); t != remote_topics_.end()) {
        slot->topics = std::move(t->second);
        remote_topics_.erase(t);
      }
      slots_[name] = slot;
      launch(slot);
      return;
    }
    auto& s = *it->second;
    if (s.config == props) return;
    s.sink = is_sink_config(props);
    s.config = std::move(props);
    s.failed = s.config_failed = false;
    s.stop.store(true);  // restarts with the new config
    log()->info("connector {} reconfigured", name);
  } else if (r.key.starts_with("target-state-")) {
    std::string st = !value.is_object() ? "STARTED"
                     : value.contains("state.v2") && value["state.v2"].is_string()
                         ? value["state.v2"].get<std::string>()
                         : value.value("state", "STARTED");
    auto target = st == "PAUSED" ? TargetState::kPaused
                                 : (st == "STOPPED" ? TargetState::kStopped : TargetState::kStarted);
    auto it = slots_.find(r.key.substr(13));
    if (it == slots_.end()) {
      // initial_state: written before the connector's config, applied when the config arrives.
      if (value.is_object()) {
        pending_targets_[r.key.substr(13)] = target;
      } else {
        pending_targets_.erase(r.key.substr(13));
      }
      return;
    }
    auto& s = *it->second;
    if (s.target == target) return;
    s.target = target;
    if (target != TargetState::kStarted) s.stop.store(true);
    log()->info("connector {} target state {}", s.name, state_name(target));
    if (owns(s.name) && !s.running) s.publish_pending = true;  // no run ends to record the new state
  } else if (r.key.starts_with("restart-connector-")) {
    auto it = slots_.find(r.key.substr(18));
    if (it == slots_.end() || !r.value || !owns(it->first)) return;
    restart_locked(*it->second, value.is_object() && value.value("include-tasks", false),
                   value.is_object() && value.value("only-failed", false));
  }
}

bool Worker::wait_applied(int64_t offset) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(kStorageTimeoutMs),
                      [&] { return applied_config_offset_ >= offset || shutdown_; });
}

void Worker::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutdown_) return;
  }
  // Leaving the group hands this worker's connectors to the others (the revocation stops them here first).
  if (member_) member_->leave();
  stop_threads_.store(true);
  if (group_thread_.joinable()) group_thread_.join();
  if (tail_thread_.joinable()) tail_thread_.join();
  std::vector<std::shared_ptr<Slot>> slots;
  std::vector<std::thread> retired;
  {
    std::lock_guard lock(mu_);
    if (shutdown_) return;
    shutdown_ = true;
    for (auto& [_, s] : slots_) {
      s->stop.store(true);
      slots.push_back(s);
      // Revoked when this worker left the group: recorded UNASSIGNED then, and maybe RUNNING on another
      // worker since; an UNASSIGNED record now would hide that.
      if (!owns(s->name)) s->ran = false;
    }
    retired.swap(retired_);
  }
  cv_.notify_all();
  for (auto& s : slots) {
    if (s->thread.joinable()) s->thread.join();
    s->slot_monitor.reset();  // its supervisor has ended
  }
  for (auto& t : retired) {
    if (t.joinable()) t.join();
  }
  // Connect's onShutdown: the tasks of a stopping worker are UNASSIGNED until another worker starts them.
  if (statuses_) {
    for (auto& s : slots) {
      if (!s->ran) continue;
      server::ConnectorStatus st;
      st.name = s->name;
      st.state = "UNASSIGNED";
      st.worker_id = worker_id_;
      if (s->target != TargetState::kStopped) st.tasks.push_back({0, "UNASSIGNED", worker_id_, ""});
      publish_status(s->name, st);
    }
  }
  log()->info("worker {} stopped", worker_id_);
}

void Worker::launch(const std::shared_ptr<Slot>& slot) {
  slot->thread = std::thread([this, slot] { supervise(slot); });
}

void Worker::supervise(std::shared_ptr<Slot> s) {
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] {
      return shutdown_ || s->removed || s->publish_pending ||
             (owns(s->name) && s->target == TargetState::kStarted && !s->failed && !s->config_failed);
    });
    if (shutdown_ || s->removed) break;
    if (s->publish_pending) {
      s->publish_pending = false;
      auto st = status_of(*s);
      lk.unlock();
      publish_status(s->name, st);
      lk.lock();
      continue;
    }
    s->stop.store(false);
    s->running = true;
    s->ran = true;
    s->finished = false;
    s->restarting = false;
    s->trace.clear();
    auto props = connector_properties(config_, s->config);
    auto status = status_of(*s);
    lk.unlock();
    publish_status(s->name, status);
    bool config_failed = false;
    std::string failure = run_connector(*s, props, config_failed);
    lk.lock();
    s->running = false;
    if (!failure.empty() && !s->stop.load()) {
      (config_failed ? s->config_failed : s->failed) = true;
      s->trace = failure;
      log()->error("connector {} FAILED: {}", s->name, failure);
    } else if (!s->stop.load()) {
      s->finished = true;
    }
    const bool moved = !owns(s->name) && !shutdown_;
    if (moved) {
      // Its partition went to another worker (on_revoked waits for this): as Connect's onShutdown, UNASSIGNED
      // here, written before the new owner can start it, so the new owner's RUNNING is the last record.
      status = {};
      status.name = s->name;
      status.state = "UNASSIGNED";
      status.worker_id = worker_id_;
      if (s->target != TargetState::kStopped) status.tasks.push_back({0, "UNASSIGNED", worker_id_, ""});
      s->releasing = true;
    } else {
      status = status_of(*s);
    }
    bool removed = s->removed;
    lk.unlock();
    if (!removed) publish_status(s->name, status);  // a deleted connector's statuses are tombstoned
    lk.lock();
    s->releasing = false;
    lk.unlock();
    cv_.notify_all();  // wait_idle, on_revoked
    lk.lock();
    if (s->finished) {
      cv_.wait(lk, [&] { return shutdown_ || s->removed || s->stop.load(); });
      s->finished = false;
    }
  }
}

std::string Worker::run_sink_connector(Slot& s, bool& config_failed) {
  auto cfg = sink_config_of(config_, s.config);
  if (!cfg) {
    config_failed = true;
    return cfg.error().message;
  }
  for (const auto& w : cfg->warnings) log()->warn("connector {}: {}", s.name, w);
  log()->info("sink connector {} starting (group {})", s.name, cfg->group_id);
  std::shared_ptr<Slot> self;
  {
    std::lock_guard lock(mu_);
    if (auto it = slots_.find(s.name); it != slots_.end() && it->second.get() == &s) self = it->second;
  }
  pgsink::TopicObserver observer;
  if (self) observer = [this, self](const std::string& topic) { on_topic(self, topic); };
  auto outcome = pgsink::run_sink_task(*cfg, s.stop, observer, s.sink_metrics.get());
  if (outcome.exit_code == 0) return {};
  // The trace: the record (topic, partition, offset) and the reason, or the error that stopped the sink.
  return fmt::format("{}\n\tat sink connector {} (group {}, worker {})",
                     outcome.failure.empty() ? "the sink stopped with an error" : outcome.failure, s.name,
                     cfg->group_id, worker_id_);
}

std::string Worker::run_connector(Slot& s, const config::Properties& props, bool& config_failed) {
  if (s.sink) return run_sink_connector(s, config_failed);
  auto resolved = config::resolve_providers(props);
  if (!resolved) {
    config_failed = true;
    return resolved.error().message;
  }
  auto cfg = config::parse_config(*resolved);
  if (!cfg) {
    config_failed = true;
    return cfg.error().message;
  }
  for (const auto& w : cfg->warnings) log()->warn("connector {}: {}", s.name, w);
  log()->info("connector {} starting", s.name);
  const std::string monitor_key =
      fmt::format("{}\n{}\n{}", cfg->conninfo(false), cfg->slot_name, cfg->metrics_slot_poll_interval_ms);
  if (!s.slot_monitor || s.slot_monitor_key != monitor_key) {
    s.slot_monitor.reset();
    s.slot_monitor = std::make_unique<connector::SlotMonitor>(
        cfg->conninfo(false), cfg->slot_name, std::chrono::milliseconds(cfg->metrics_slot_poll_interval_ms),
        s.metrics);
    s.slot_monitor->start();
    s.slot_monitor_key = monitor_key;
  }
  connector::Connector connector(std::move(*cfg), s.stop);
  connector.set_metrics(s.metrics);
  std::shared_ptr<Slot> self;
  {
    std::lock_guard lock(mu_);
    if (auto it = slots_.find(s.name); it != slots_.end() && it->second.get() == &s) self = it->second;
  }
  if (self) connector.set_topic_observer([this, self](const std::string& topic) { on_topic(self, topic); });
  int rc = connector.run();
  if (rc == 0) return {};
  // The trace: the error (which names the table for a data error) and where the stream was, without a stack.
  return fmt::format(
      "{}\n\tat LSN received {} / confirmed {} (connector {}, worker {})",
      connector.failure().empty() ? "the connector stopped with an error" : connector.failure(),
      connector.received_lsn().str(), connector.confirmed_lsn().str(), s.name, worker_id_);
}

void Worker::on_topic(const std::shared_ptr<Slot>& slot, const std::string& topic) {
  {
    std::lock_guard lock(mu_);
    if (!slot->topics.insert(topic).second) return;
  }
  json v = {
      {"topic", {{"name", topic}, {"connector", slot->name}, {"task", 0}, {"discoverTimestamp", now_ms()}}}};
  std::lock_guard w(write_mu_);
  auto s = statuses_->write("status-topic-" + topic + ":connector-" + slot->name, v.dump());
  if (!s) log()->warn("connector {}: active topic {} not recorded: {}", slot->name, topic, s.error().message);
}

std::string Worker::metrics_text() {
  std::vector<server::LabeledMetrics> list;
  std::vector<server::LabeledSinkMetrics> sinks;
  std::vector<std::shared_ptr<connector::ConnectorMetrics>> keep;  // alive while serialized outside mu_
  std::vector<std::shared_ptr<pgsink::SinkMetrics>> keep_sinks;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, s] : slots_) {
      if (!owns(name)) continue;  // run by another worker of the group: its /metrics has it
      auto st = status_of(*s);
      std::string state = st.state;
      for (const auto& t : st.tasks) {
        if (t.state == "FAILED") state = "FAILED";
      }
      if (s->sink) {
        keep_sinks.push_back(s->sink_metrics);
        sinks.push_back({name, state, s->sink_metrics.get()});
        continue;
      }
      keep.push_back(s->metrics);
      list.push_back({name, state, s->metrics.get()});
    }
  }
  return server::metrics_text(list, sinks);
}

server::ConnectorStatus Worker::status_of(const Slot& s) const {
  if (!owns(s.name)) {
    // Run by another worker (or by none yet): what its owner last recorded.
    auto it = remote_.find(s.name);
    if (it != remote_.end()) {
      auto st = it->second;
      st.type = s.type();
      return st;
    }
    server::ConnectorStatus st;
    st.name = s.name;
    st.type = s.type();
    st.state = "UNASSIGNED";
    if (s.target != TargetState::kStopped) st.tasks.push_back({0, "UNASSIGNED", "", ""});
    return st;
  }
  server::ConnectorStatus st;
  st.name = s.name;
  st.worker_id = worker_id_;
  st.type = s.type();
  switch (s.target) {
    case TargetState::kStarted:
      st.state = "RUNNING";
      break;
    case TargetState::kPaused:
      st.state = "PAUSED";
      break;
    case TargetState::kStopped:
      st.state = "STOPPED";
      break;
  }
  if (s.config_failed) {
    // Connect: a connector whose start() throws (a ConfigException) is FAILED and has no running tasks.
    st.state = "FAILED";
    st.trace = s.trace;
    st.tasks.push_back({0, "FAILED", worker_id_, s.trace});
    return st;
  }
  if (s.target == TargetState::kStopped) return st;
  server::TaskStatus t{0, "RUNNING", worker_id_, ""};
  if (s.restarting) {
    t.state = "RESTARTING";
  } else if (s.failed) {
    t.state = "FAILED";
    t.trace = s.trace;
  } else if (s.target == TargetState::kPaused) {
    t.state = "PAUSED";
  } else if (!s.running && !s.finished) {
    t.state = "UNASSIGNED";
  }
  st.tasks.push_back(t);
  return st;
}

server::ConnectorInfo Worker::info_of(const Slot& s) const {
  server::ConnectorInfo info;
  info.name = s.name;
  info.config = s.config;
  info.type = s.type();
  if (s.target != TargetState::kStopped) info.tasks = {0};  // a stopped connector has no task configs
  return info;
}

void Worker::publish_status(const std::string& name, const server::ConnectorStatus& st) {
  auto value = [&](const std::string& state, const std::string& trace) {
    return json{{"state", state},
                {"trace", trace.empty() ? json(nullptr) : json(trace)},
                {"worker_id", st.worker_id},
                {"generation", 0}}
        .dump();
  };
  std::lock_guard w(write_mu_);
  auto s = statuses_->write("status-connector-" + name, value(st.state, st.trace));
  for (const auto& t : st.tasks) {
    if (!s) break;
    s = statuses_->write(fmt::format("status-task-{}-{}", name, t.id), value(t.state, t.trace));
  }
  if (!s)
    log()->warn("connector {}: status not recorded in {}: {}", name, statuses_->topic(), s.error().message);
}

Result<int64_t> Worker::write_config(const std::string& name, const config::Properties& config) {
  json props = json::object();
  for (const auto& [k, v] : config) props[k] = v;
  std::lock_guard w(write_mu_);
  auto at = configs_->write("connector-" + name, json{{"properties", props}}.dump());
  if (!at) return at;
  // The task config (sluice runs one task, as Debezium) and the commit record that makes it visible.
  props["task.class"] = is_sink_config(config) ? kSinkTaskClass : kTaskClass;
  if (auto s = configs_->write(fmt::format("task-{}-0", name), json{{"properties", props}}.dump()); !s)
    return s;
  if (auto s = configs_->write("commit-" + name, json{{"tasks", 1}}.dump()); !s) return s;
  return at;
}

Result<int64_t> Worker::write_target_state(const std::string& name, TargetState state) {
  // Older workers know no STOPPED: "state" says PAUSED for them, "state.v2" the real one (KIP-875).
  json v = {{"state", state == TargetState::kStopped ? "PAUSED" : state_name(state)},
            {"state.v2", state_name(state)}};
  std::lock_guard w(write_mu_);
  return configs_->write("target-state-" + name, v.dump());
}

server::ServerInfo Worker::server_info() {
  return {kConnectVersion, std::string("sluice-") + SLUICE_VERSION, cluster_id_};
}

std::vector<server::PluginInfo> Worker::plugins() {
  return connector_plugins();
}

std::vector<std::string> Worker::connectors() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, _] : slots_) out.push_back(name);
  return out;
}

server::ApiResult<server::ConnectorInfo> Worker::connector_info(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::not_found(not_found(name));
  return info_of(*it->second);
}

server::ApiResult<server::Created> Worker::put_connector_config(const std::string& name,
                                                                const server::ConfigMap& config,
                                                                bool allow_replace,
                                                                std::optional<TargetState> initial_state) {
  auto cls = config.find("connector.class");
  if (cls == config.end() || (!is_postgres_plugin(cls->second) && !is_sink_plugin(cls->second))) {
    std::string given = cls == config.end() ? "" : cls->second;
    if (given.empty()) {
      return ApiError::bad_request("Connector config {" + name + "} contains no connector type");
    }
    return ApiError::bad_request(
        "Failed to find any class that implements Connector and which name matches " + given +
        ": sluice runs " + kConnectorClass + " and " + kSinkConnectorClass);
  }
  server::Validation validation;
  if (is_sink_plugin(cls->second)) {
    auto props = config;
    props["connector.class"] = kSinkConnectorClass;
    validation = validate_sink_config(props);
  } else {
    validation = validate_connector_config(config);
  }
  if (validation.error_count() > 0) return ApiError::bad_request(invalid_config_message(validation));
  bool existed = false;
  {
    std::lock_guard lock(mu_);
    if (shutdown_) return ApiError::conflict("The worker is shutting down");
    existed = slots_.count(name) > 0;
    if (existed && !allow_replace) return ApiError::conflict("Connector " + name + " already exists");
  }
  // The target state first: a connector created PAUSED or STOPPED never starts.
  if (!existed) {
    auto t = write_target_state(name, initial_state.value_or(TargetState::kStarted));
    if (!t) return ApiError{500, t.error().message};
  }
  auto at = write_config(name, config);
  if (!at) return ApiError{500, at.error().message};
  if (!wait_applied(*at)) {
    return ApiError{500,
                    "Request timed out: the config was written but not read back from " + configs_->topic()};
  }
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::conflict("Connector " + name + " was deleted meanwhile");
  server::Created out;
  out.created = !existed;
  out.info = info_of(*it->second);
  if (!existed) {
    out.info.tasks.clear();  // as Connect answers a create: the task configs are not generated yet
    log()->info("connector {} created", name);
  }
  return out;
}

server::ApiResult<server::Done> Worker::delete_connector(const std::string& name) {
  std::set<std::string> topics;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found(not_found(name));
    topics = it->second->topics;
  }
  Result<int64_t> at = int64_t{-1};
  {
    std::lock_guard w(write_mu_);
    at = configs_->write("connector-" + name, std::nullopt);
    if (at) {
      if (auto t = configs_->write("target-state-" + name, std::nullopt); !t) at = t;
    }
  }
  if (!at) return ApiError{500, at.error().message};
  wait_applied(*at);
  std::lock_guard w(write_mu_);
  (void)statuses_->write("status-connector-" + name, std::nullopt);
  (void)statuses_->write("status-task-" + name + "-0", std::nullopt);
  for (const auto& t : topics)
    (void)statuses_->write("status-topic-" + t + ":connector-" + name, std::nullopt);
  return server::Done{};
}

server::ApiResult<server::ConnectorStatus> Worker::connector_status(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::not_found("No status found for connector " + name);
  return status_of(*it->second);
}

server::ApiResult<std::vector<std::pair<int, server::ConfigMap>>> Worker::task_configs(
    const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::not_found(not_found(name));
  std::vector<std::pair<int, server::ConfigMap>> out;
  if (it->second->target == TargetState::kStopped) return out;
  auto c = it->second->config;
  c["task.class"] = it->second->sink ? kSinkTaskClass : kTaskClass;
  out.emplace_back(0, std::move(c));
  return out;
}

server::ApiResult<server::Done> Worker::set_target_state(const std::string& name, TargetState state) {
  {
    std::lock_guard lock(mu_);
    if (!slots_.count(name)) return ApiError::not_found(not_found(name));
  }
  auto at = write_target_state(name, state);
  if (!at) return ApiError{500, at.error().message};
  wait_applied(*at);
  return server::Done{};
}

void Worker::restart_locked(Slot& s, bool include_tasks, bool only_failed) {
  // Connect's RestartRequest: the connector restarts unless onlyFailed and it is not FAILED; its task only
  // with includeTasks (and with onlyFailed only a FAILED one). sluice's connector instance has no work of its
  // own: restarting it re-runs the pipeline only when it failed itself (its config); restarting the task
  // re-runs it.
  bool connector_restarts = !only_failed || s.config_failed;
  bool task_restarts = include_tasks && (!only_failed || s.failed) && s.target != TargetState::kStopped;
  if ((connector_restarts && s.config_failed) || task_restarts) {
    if (s.target == TargetState::kStarted) s.restarting = true;
    s.failed = s.config_failed = false;
    s.trace.clear();
    s.stop.store(true);
    log()->info("connector {} restarts", s.name);
  }
}

server::ApiResult<server::ConnectorStatus> Worker::restart_connector(const std::string& name,
                                                                     bool include_tasks, bool only_failed) {
  server::ConnectorStatus plan;
  bool elsewhere = false;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found("Unknown connector: " + name);
    elsewhere = it->second->target == TargetState::kStarted && !owns(name);
  }
  // Run by another worker: the restart is applied by the worker that holds the connector, so there must be
  // one (as Connect answers 409 while a rebalance is expected, e.g. in the takeover after a worker died).
  if (elsewhere) {
    if (auto group = member_->describe(5000); !group) {
      log()->debug("restart of {}: {} (not checked)", name, group.error().message);
    } else if (auto conflict =
                   rebalance_conflict(*group, assignment_partition(name, kAssignmentPartitions))) {
      return ApiError::conflict(*conflict);
    }
  }
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found("Unknown connector: " + name);
    // The answer: the states with RESTARTING for what restarts (decided from the last known states).
    plan = status_of(*it->second);
    bool connector_failed = plan.state == "FAILED";
    if (!only_failed || connector_failed) plan.state = "RESTARTING";
    for (auto& t : plan.tasks) {
      if (include_tasks && (!only_failed || t.state == "FAILED")) {
        t.state = "RESTARTING";
        t.trace.clear();
      }
    }
    if (plan.state == "RESTARTING") plan.trace.clear();
  }
  // The request is a record the connector's owner applies (any worker can serve it).
  json v = {{"include-tasks", include_tasks}, {"only-failed", only_failed}};
  Result<int64_t> at = int64_t{-1};
  {
    std::lock_guard w(write_mu_);
    at = configs_->write("restart-connector-" + name, v.dump());
  }
  if (!at) return ApiError{500, at.error().message};
  wait_applied(*at);
  cv_.notify_all();
  return plan;
}

server::ApiResult<server::Done> Worker::restart_task(const std::string& name, int task) {
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found("Unknown connector: " + name);
    if (task != 0 || it->second->target == TargetState::kStopped) {
      return ApiError::not_found(fmt::format("Task {}-{} not found", name, task));
    }
  }
  auto r = restart_connector(name, true, false);
  if (!r) return r.error();
  return server::Done{};
}

server::ApiResult<std::vector<std::string>> Worker::active_topics(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::not_found(not_found(name));
  return std::vector<std::string>(it->second->topics.begin(), it->second->topics.end());
}

server::ApiResult<server::Done> Worker::reset_active_topics(const std::string& name) {
  std::set<std::string> topics;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found(not_found(name));
    topics.swap(it->second->topics);
  }
  std::lock_guard w(write_mu_);
  for (const auto& t : topics)
    (void)statuses_->write("status-topic-" + t + ":connector-" + name, std::nullopt);
  return server::Done{};
}

namespace {

// The latest record per offset key of `name` (the key's first element): key bytes -> (partition, offset).
std::map<std::string, std::pair<json, std::optional<json>>> connector_offsets(
    const std::vector<LogRecord>& records, const std::string& name) {
  std::map<std::string, std::pair<json, std::optional<json>>> out;
  for (const auto& r : records) {
    auto key = json::parse(r.key, nullptr, false);
    if (!key.is_array() || key.size() != 2 || !key[0].is_string() || key[0].get<std::string>() != name)
      continue;
    std::optional<json> value;
    if (r.value) {
      auto v = json::parse(*r.value, nullptr, false);
      if (!v.is_discarded()) value = std::move(v);
    }
    out[r.key] = {key[1], value};
  }
  return out;
}

}  // namespace

std::optional<config::Properties> Worker::sink_config_copy(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end() || !it->second->sink) return std::nullopt;
  return it->second->config;
}

server::ApiResult<json> Worker::sink_offsets(const config::Properties& config) {
  auto cfg = sink_config_of(config_, config);
  if (!cfg) return ApiError::bad_request(cfg.error().message);
  auto writer = pgsink::TargetWriter::connect(*cfg);
  if (!writer)
    return ApiError{500, "Failed to read the offsets of sink connector " + cfg->name +
                             " from its target: " + writer.error().message};
  auto stored = (*writer)->stored_offsets();
  if (!stored)
    return ApiError{500, "Failed to read the offsets of sink connector " + cfg->name +
                             " from its target: " + stored.error().message};
  return sink_offsets_json(*stored);
}

namespace {

// Connect's answers when the sink's consumer group still has members (Worker.alterSinkConnectorOffsets /
// resetSinkConnectorOffsets).
std::string group_not_empty(const std::string& name, const char* verb) {
  return fmt::format(
      "Failed to {0} consumer group offsets for connector {1} either because its tasks haven't stopped "
      "completely yet or the connector was resumed before the request to {0} its offsets could be "
      "successfully completed. If the connector is in a stopped state, this operation can be safely "
      "retried. If it doesn't eventually succeed, the Connect cluster may need to be restarted to get rid "
      "of the zombie sink tasks.",
      verb, name);
}

}  // namespace

server::ApiResult<std::string> Worker::alter_sink_offsets(const std::string& name,
                                                          const config::Properties& config,
                                                          const json& entries) {
  auto changes = parse_sink_offsets(entries);
  if (!changes) return ApiError::bad_request(changes.error().message);
  auto cfg = sink_config_of(config_, config);
  if (!cfg) return ApiError::bad_request(cfg.error().message);
  auto writer = pgsink::TargetWriter::connect(*cfg);
  if (!writer)
    return ApiError{500, "Failed to alter the offsets of sink connector " + name +
                             " in its target: " + writer.error().message};
  // The consumer group first (it refuses while the sink's consumer is a member), then the target, which
  // the sink resumes from.
  auto group = alter_consumer_group_offsets(cfg->bootstrap_servers, cfg->consumer_properties, cfg->group_id,
                                            *changes, kStorageTimeoutMs);
  if (group.outcome == GroupChange::kNotEmpty) return ApiError{500, group_not_empty(name, "alter")};
  if (group.outcome == GroupChange::kFailed) {
    return ApiError{500,
                    "Failed to alter consumer group offsets for connector " + name + ": " + group.message};
  }
  if (auto s = (*writer)->alter_offsets(*changes); !s) {
    return ApiError{500, "Failed to alter the offsets of sink connector " + name +
                             " in its target: " + s.error().message};
  }
  log()->info("sink connector {}: {} offset(s) altered", name, changes->size());
  return std::string("The offsets for this connector have been altered successfully");
}

server::ApiResult<std::string> Worker::reset_sink_offsets(const std::string& name,
                                                          const config::Properties& config) {
  auto cfg = sink_config_of(config_, config);
  if (!cfg) return ApiError::bad_request(cfg.error().message);
  auto writer = pgsink::TargetWriter::connect(*cfg);
  if (!writer)
    return ApiError{500, "Failed to reset the offsets of sink connector " + name +
                             " in its target: " + writer.error().message};
  auto group = delete_consumer_group(cfg->bootstrap_servers, cfg->consumer_properties, cfg->group_id,
                                     kStorageTimeoutMs);
  if (group.outcome == GroupChange::kNotEmpty) return ApiError{500, group_not_empty(name, "reset")};
  if (group.outcome == GroupChange::kFailed) {
    return ApiError{
        500, "Failed to reset consumer group offsets for sink connector " + name + ": " + group.message};
  }
  if (auto s = (*writer)->reset_offsets(); !s) {
    return ApiError{500, "Failed to reset the offsets of sink connector " + name +
                             " in its target: " + s.error().message};
  }
  log()->info("sink connector {}: offsets reset", name);
  return std::string("The offsets for this connector have been reset successfully");
}

server::ApiResult<json> Worker::offsets(const std::string& name) {
  {
    std::lock_guard lock(mu_);
    if (!slots_.count(name)) return ApiError::not_found(not_found(name));
  }
  if (auto sink = sink_config_copy(name)) return sink_offsets(*sink);
  auto records = offsets_->read_all(kStorageTimeoutMs);
  if (!records) return ApiError{500, records.error().message};
  json out = json::array();
  for (const auto& [_, entry] : connector_offsets(*records, name)) {
    if (entry.second) out.push_back({{"partition", entry.first}, {"offset", *entry.second}});
  }
  return out;
}

bool Worker::wait_idle(const std::shared_ptr<Slot>& slot, int timeout_ms) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    if (slot->running) return false;
    if (owns(slot->name)) return true;
    // Run by another worker: stopped once its owner recorded no running task.
    auto it = remote_.find(slot->name);
    if (it == remote_.end()) return true;
    for (const auto& t : it->second.tasks) {
      if (t.state == "RUNNING" || t.state == "PAUSED" || t.state == "RESTARTING") return false;
    }
    return true;
  });
}

std::optional<ApiError> Worker::require_stopped(const std::string& name) {
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found(not_found(name));
    slot = it->second;
    if (slot->target != TargetState::kStopped) {
      return ApiError::bad_request(
          "Connectors must be in the STOPPED state before their offsets can be modified. This can be done "
          "for "
          "the specified connector by issuing a 'PUT' request to the '/connectors/" +
          name + "/stop' endpoint");
    }
  }
  if (!wait_idle(slot, kStorageTimeoutMs)) {
    return ApiError::conflict("Connector " + name + " is still stopping; retry once its tasks stopped");
  }
  return std::nullopt;
}

server::ApiResult<std::string> Worker::alter_offsets(const std::string& name, const json& entries) {
  if (auto e = require_stopped(name)) return *e;
  if (auto sink = sink_config_copy(name)) return alter_sink_offsets(name, *sink, entries);
  for (const auto& e : entries) {
    if (!e["partition"].contains("server") || !e["partition"]["server"].is_string() ||
        e["partition"].size() != 1) {
      return ApiError::bad_request(
          "The partition of a sluice (Debezium Postgres) offset is {\"server\":\"<topic.prefix>\"}; got " +
          e["partition"].dump());
    }
    if (e.contains("offset") && e["offset"].is_object() && !offsets::parse_offset_value(e["offset"].dump())) {
      return ApiError::bad_request("Invalid offset " + e["offset"].dump() +
                                   ": a Debezium Postgres offset needs \"lsn\" (a number)");
    }
  }
  std::lock_guard w(write_mu_);
  for (const auto& e : entries) {
    auto key = offsets::offset_key(name, e["partition"]["server"].get<std::string>());
    std::optional<std::string> value;
    if (e.contains("offset") && e["offset"].is_object()) value = e["offset"].dump();
    if (auto s = offsets_->write(key, value ? std::optional<std::string_view>(*value) : std::nullopt); !s) {
      return ApiError{500, s.error().message};
    }
  }
  return std::string(
      "The Connect framework-managed offsets for this connector have been altered successfully. However, if "
      "this "
      "connector manages offsets externally, they will need to be manually altered in the system that the "
      "connector uses.");
}

server::ApiResult<std::string> Worker::reset_offsets(const std::string& name) {
  if (auto e = require_stopped(name)) return *e;
  if (auto sink = sink_config_copy(name)) return reset_sink_offsets(name, *sink);
  auto records = offsets_->read_all(kStorageTimeoutMs);
  if (!records) return ApiError{500, records.error().message};
  std::lock_guard w(write_mu_);
  for (const auto& [key, entry] : connector_offsets(*records, name)) {
    if (!entry.second) continue;
    if (auto s = offsets_->write(key, std::nullopt); !s) return ApiError{500, s.error().message};
  }
  return std::string(
      "The Connect framework-managed offsets for this connector have been reset successfully. However, if "
      "this "
      "connector manages offsets externally, they will need to be manually reset in the system that the "
      "connector uses.");
}

server::ApiResult<server::Validation> Worker::validate(const std::string& plugin,
                                                       const server::ConfigMap& config) {
  if (is_sink_plugin(plugin)) {
    if (auto it = config.find("connector.class"); it != config.end() && !is_sink_plugin(it->second)) {
      return ApiError::bad_request("Included connector type " + it->second + " does not match request type " +
                                   plugin);
    }
    auto props = config;
    props["connector.class"] = kSinkConnectorClass;
    return validate_sink_config(props);
  }
  if (!is_postgres_plugin(plugin)) {
    return ApiError::not_found("Failed to find any class that implements Connector and which name matches " +
                               plugin);
  }
  if (auto it = config.find("connector.class"); it != config.end() && !is_postgres_plugin(it->second)) {
    return ApiError::bad_request("Included connector type " + it->second + " does not match request type " +
                                 plugin);
  }
  auto props = config;
  props["connector.class"] = kConnectorClass;
  return validate_connector_config(props);
}

}  // namespace sluice::worker
