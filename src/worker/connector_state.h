// ConnectorState: where one of the worker's connectors is in its life, beside its target state, and the
// statuses (Connect's RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED, RESTARTING) that follow from it. Pure:
// the worker changes it under its lock and publishes what status() answers.
#pragma once

#include <string>

#include "worker/herder.h"

namespace sluice::worker {

// What the connector's supervisor thread is doing.
enum class Activity {
  kIdle,       // waiting: not assigned here, not started, failed, finished, or stopped on request
  kRunning,    // inside the connector's run()
  kReleasing,  // its run ended because its partition moved: its UNASSIGNED status is being written
};

// What the last run left, or what was asked of the next one.
enum class Outcome {
  kNone,
  kRestarting,    // a restart was requested: RESTARTING until the next run starts
  kFinished,      // run() returned without a stop request (snapshot.mode=initial_only)
  kFailed,        // the task failed; it stays FAILED until restarted or reconfigured
  kConfigFailed,  // the connector itself failed (its config could not be resolved or parsed)
  kRemoved,       // deleted: its supervisor ends
};

struct ConnectorState {
  TargetState target = TargetState::kStarted;
  Activity activity = Activity::kIdle;
  Outcome outcome = Outcome::kNone;
  std::string trace;  // the failure of a FAILED connector or task

  bool running() const { return activity == Activity::kRunning; }
  bool failed() const { return outcome == Outcome::kFailed || outcome == Outcome::kConfigFailed; }
  bool removed() const { return outcome == Outcome::kRemoved; }
  // Whether the supervisor starts a run (the worker holds the connector's partition).
  bool should_run(bool owned) const;

  // A run starts: a requested restart or an earlier end is over.
  void start_run();
  // The run returned `failure` ("" when none); stop_requested: it ended because it was asked to (a stop,
  // a restart, a reconfiguration, a deletion), which is not a failure.
  void end_run(const std::string& failure, bool config_failure, bool stop_requested);
  // A new config: a failed connector runs again with it.
  void reconfigure();
  // Connect's RestartRequest: whether the connector's run must stop (and start again when STARTED).
  bool restart(bool include_tasks, bool only_failed);

  // The connector's and its task's statuses as the worker that runs it records them.
  ConnectorStatus status(const std::string& name, const std::string& worker_id,
                         const std::string& type) const;
};

// "STARTED", "PAUSED", "STOPPED": the target state as the config topic records it.
const char* target_state_name(TargetState s);

}  // namespace sluice::worker
