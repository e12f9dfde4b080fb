// Worker::Slot: one connector of the worker (its config, state, stop flag, supervisor thread and metrics),
// and helpers the worker's rooms share. Internal to src/worker.
#pragma once

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "common/log.h"
#include "connector/connector_metrics.h"
#include "connector/slot_monitor.h"
#include "pgsink/sink_config.h"
#include "pgsink/sink_metrics.h"
#include "worker/connector_state.h"
#include "worker/validation.h"
#include "worker/worker.h"

namespace sluice::worker {

struct Worker::Slot {
  std::string name;
  config::Properties config;  // as stored: ${…} references unresolved
  bool sink = false;          // a JDBC sink connector (src/pgsink), else a Postgres source
  const char* type() const { return sink ? "sink" : "source"; }  // Connect's connector type
  ConnectorState state;
  bool ran = false;              // this worker ran it (its shutdown records it UNASSIGNED)
  bool publish_pending = false;  // asks its supervisor to record its status (changed while not running)
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

std::shared_ptr<spdlog::logger> worker_log();

inline std::string not_found(const std::string& name) {
  return "Connector " + name + " not found";
}

// A JDBC sink connector's config (the others are the Postgres source's).
bool is_sink_config(const config::Properties& config);

// The sink's config as pgsink parses it: providers resolved, the class under its full name, the worker's
// defaults; run as a dynamic group member with Connect's worker session (see SinkConfig::static_membership).
Result<pgsink::SinkConfig> sink_config_of(const WorkerConfig& worker, const config::Properties& stored);

}  // namespace sluice::worker
