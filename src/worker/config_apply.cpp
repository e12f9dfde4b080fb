// The storage records applied, in every worker of the group alike (mu_ held): the config topic creates,
// reconfigures, removes, pauses, stops and restarts connectors; the status topic tells what the other workers
// record of the connectors they run.
#include <fmt/format.h>

#include "worker/slot.h"
#include "worker/validation.h"

namespace sluice::worker {

namespace {

std::shared_ptr<spdlog::logger> log() {
  return worker_log();
}

}  // namespace

bool is_sink_config(const config::Properties& config) {
  auto it = config.find("connector.class");
  return it != config.end() && is_sink_plugin(it->second);
}

void Worker::apply_config(const LogRecord& r) {
  auto c = decode_config_record(r);
  switch (c.kind) {
    case ConfigRecord::Kind::kConnector:
      apply_connector_config(c, r.offset);
      break;
    case ConfigRecord::Kind::kTargetState:
      apply_target_state(c);
      break;
    case ConfigRecord::Kind::kRestart: {
      auto it = slots_.find(c.name);
      if (it == slots_.end() || c.tombstone || !owns(it->first)) return;
      auto& s = *it->second;
      if (s.state.restart(c.include_tasks, c.only_failed)) {
        s.stop.store(true);
        log()->info("connector {} restarts", s.name);
      }
      break;
    }
    case ConfigRecord::Kind::kOther:
      break;
  }
}

void Worker::apply_connector_config(const ConfigRecord& c, int64_t offset) {
  const auto& name = c.name;
  auto it = slots_.find(name);
  if (c.tombstone) {
    if (it == slots_.end()) return;
    auto slot = it->second;
    slot->state.outcome = Outcome::kRemoved;
    slot->stop.store(true);
    retired_.push_back(std::move(slot->thread));
    slots_.erase(it);
    log()->info("connector {} deleted", name);
    return;
  }
  if (c.malformed) {
    log()->warn("{}: record connector-{} at offset {} is not a connector config; skipped",
                store_.config_topic(), name, offset);
    return;
  }
  if (it == slots_.end()) {
    auto slot = std::make_shared<Slot>();
    slot->name = name;
    slot->sink = is_sink_config(c.config);
    slot->config = c.config;
    // Its target state is written before its config (a connector created PAUSED or STOPPED never starts).
    if (auto t = pending_targets_.find(name); t != pending_targets_.end()) {
      slot->state.target = t->second;
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
  if (s.config == c.config) return;
  s.sink = is_sink_config(c.config);
  s.config = c.config;
  s.state.reconfigure();
  s.stop.store(true);  // restarts with the new config
  log()->info("connector {} reconfigured", name);
}

void Worker::apply_target_state(const ConfigRecord& c) {
  auto it = slots_.find(c.name);
  if (it == slots_.end()) {
    // initial_state: written before the connector's config, applied when the config arrives.
    if (!c.tombstone) {
      pending_targets_[c.name] = c.target;
    } else {
      pending_targets_.erase(c.name);
    }
    return;
  }
  auto& s = *it->second;
  if (s.state.target == c.target) return;
  s.state.target = c.target;
  if (c.target != TargetState::kStarted) s.stop.store(true);
  log()->info("connector {} target state {}", s.name, target_state_name(c.target));
  if (owns(s.name) && !s.state.running()) s.publish_pending = true;  // no run ends to record the new state
}

void Worker::apply_status(const LogRecord& r) {
  auto st = decode_status_record(r);
  switch (st.kind) {
    case StatusRecord::Kind::kConnector: {
      if (st.tombstone) {
        remote_.erase(st.name);
        return;
      }
      auto& remote = remote_[st.name];
      remote.name = st.name;
      remote.state = st.state;
      remote.worker_id = st.worker_id;
      remote.trace = st.trace;
      if (remote.state == "STOPPED") remote.tasks.clear();
      break;
    }
    case StatusRecord::Kind::kTask: {
      if (st.tombstone) {
        if (auto it = remote_.find(st.name); it != remote_.end()) it->second.tasks.clear();
        return;
      }
      auto& remote = remote_[st.name];
      remote.name = st.name;
      remote.tasks = {{0, st.state, st.worker_id, st.trace}};
      break;
    }
    case StatusRecord::Kind::kTopic: {
      auto it = slots_.find(st.name);
      auto& topics = it != slots_.end() ? it->second->topics : remote_topics_[st.name];
      if (st.tombstone) {
        topics.erase(st.topic);
      } else {
        topics.insert(st.topic);
      }
      break;
    }
    case StatusRecord::Kind::kOther:
      break;
  }
}

}  // namespace sluice::worker
