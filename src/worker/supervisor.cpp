// Each connector's supervisor thread: it runs connector::Connector (or a JDBC sink task) while the
// connector's target state is STARTED, this worker holds its partition and it has not failed, and records
// each status change. REST requests and config records change the target state (or request a restart) and set
// the connector's stop flag; the supervisor does the rest.
#include <fmt/format.h>

#include <chrono>

#include "connector/connector.h"
#include "pgsink/sink_runner.h"
#include "transform/chain.h"
#include "worker/slot.h"

namespace sluice::worker {

namespace {

std::shared_ptr<spdlog::logger> log() {
  return worker_log();
}

}  // namespace

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

void Worker::launch(const std::shared_ptr<Slot>& slot) {
  slot->thread = std::thread([this, slot] { supervise(slot); });
}

void Worker::supervise(std::shared_ptr<Slot> s) {
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] {
      return shutdown_ || s->state.removed() || s->publish_pending || s->state.should_run(owns(s->name));
    });
    if (shutdown_ || s->state.removed()) break;
    if (s->publish_pending) {
      s->publish_pending = false;
      auto st = status_of(*s);
      lk.unlock();
      store_.publish_status(s->name, st);
      lk.lock();
      continue;
    }
    s->stop.store(false);
    s->state.start_run();
    s->ran = true;
    auto props = connector_properties(config_, s->config);
    auto status = status_of(*s);
    lk.unlock();
    store_.publish_status(s->name, status);
    bool config_failed = false;
    std::string failure = run_connector(*s, props, config_failed);
    lk.lock();
    s->state.end_run(failure, config_failed, s->stop.load());
    if (s->state.failed()) log()->error("connector {} FAILED: {}", s->name, failure);
    const bool moved = !owns(s->name) && !shutdown_;
    if (moved) {
      // Its partition went to another worker (on_revoked waits for this): as Connect's onShutdown, UNASSIGNED
      // here, written before the new owner can start it, so the new owner's RUNNING is the last record.
      status = unassigned(*s);
      s->state.activity = Activity::kReleasing;
    } else {
      status = status_of(*s);
    }
    bool removed = s->state.removed();
    lk.unlock();
    if (!removed) store_.publish_status(s->name, status);  // a deleted connector's statuses are tombstoned
    lk.lock();
    s->state.activity = Activity::kIdle;
    lk.unlock();
    cv_.notify_all();  // wait_idle, on_revoked
    lk.lock();
    if (s->state.outcome == Outcome::kFinished) {
      cv_.wait(lk, [&] { return shutdown_ || s->state.removed() || s->stop.load(); });
      if (s->state.outcome == Outcome::kFinished) s->state.outcome = Outcome::kNone;
    }
  }
}

std::shared_ptr<Worker::Slot> Worker::slot_ptr(const Slot& s) {
  std::lock_guard lock(mu_);
  if (auto it = slots_.find(s.name); it != slots_.end() && it->second.get() == &s) return it->second;
  return nullptr;
}

std::string Worker::run_sink_connector(Slot& s, bool& config_failed) {
  auto cfg = sink_config_of(config_, s.config);
  if (!cfg) {
    config_failed = true;
    return cfg.error().message;
  }
  for (const auto& w : cfg->warnings) log()->warn("connector {}: {}", s.name, w);
  log()->info("sink connector {} starting (group {})", s.name, cfg->group_id);
  pgsink::TopicObserver observer;
  if (auto self = slot_ptr(s)) observer = [this, self](const std::string& topic) { on_topic(self, topic); };
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
  auto cfg = config::parse_config(*resolved, transform::validate_chain);
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
  if (auto self = slot_ptr(s))
    connector.set_topic_observer([this, self](const std::string& topic) { on_topic(self, topic); });
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
  if (auto s = store_.record_topic(slot->name, topic); !s)
    log()->warn("connector {}: active topic {} not recorded: {}", slot->name, topic, s.error().message);
}

std::vector<ConnectorMetricsView> Worker::metrics() {
  std::vector<ConnectorMetricsView> out;
  std::lock_guard lock(mu_);
  for (const auto& [name, s] : slots_) {
    if (!owns(name)) continue;  // run by another worker of the group: its /metrics has it
    auto st = status_of(*s);
    std::string state = st.state;
    for (const auto& t : st.tasks) {
      if (t.state == "FAILED") state = "FAILED";
    }
    if (s->sink) {
      out.push_back({name, state, nullptr, s->sink_metrics});
    } else {
      out.push_back({name, state, s->metrics, nullptr});
    }
  }
  return out;
}

ConnectorStatus Worker::status_of(const Slot& s) const {
  if (owns(s.name)) return s.state.status(s.name, worker_id_, s.type());
  // Run by another worker (or by none yet): what its owner last recorded.
  auto it = remote_.find(s.name);
  if (it != remote_.end()) {
    auto st = it->second;
    st.type = s.type();
    return st;
  }
  ConnectorStatus st;
  st.name = s.name;
  st.type = s.type();
  st.state = "UNASSIGNED";
  if (s.state.target != TargetState::kStopped) st.tasks.push_back({0, "UNASSIGNED", "", ""});
  return st;
}

ConnectorInfo Worker::info_of(const Slot& s) const {
  ConnectorInfo info;
  info.name = s.name;
  info.config = s.config;
  info.type = s.type();
  if (s.state.target != TargetState::kStopped) info.tasks = {0};  // a stopped connector has no task configs
  return info;
}

}  // namespace sluice::worker
