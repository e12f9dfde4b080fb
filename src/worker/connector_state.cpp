// The connector state transitions of the worker's supervisor and REST requests, and the statuses they show.
#include "worker/connector_state.h"

namespace sluice::worker {

bool ConnectorState::should_run(bool owned) const {
  return owned && target == TargetState::kStarted && !failed() && !removed();
}

void ConnectorState::start_run() {
  activity = Activity::kRunning;
  if (!removed()) outcome = Outcome::kNone;
  trace.clear();
}

void ConnectorState::end_run(const std::string& failure, bool config_failure, bool stop_requested) {
  activity = Activity::kIdle;
  if (stop_requested || removed()) return;
  if (!failure.empty()) {
    outcome = config_failure ? Outcome::kConfigFailed : Outcome::kFailed;
    trace = failure;
  } else {
    outcome = Outcome::kFinished;
  }
}

void ConnectorState::reconfigure() {
  if (failed()) outcome = Outcome::kNone;
}

bool ConnectorState::restart(bool include_tasks, bool only_failed) {
  // Connect's RestartRequest: the connector restarts unless onlyFailed and it is not FAILED; its task only
  // with includeTasks (and with onlyFailed only a FAILED one). sluice's connector instance has no work of its
  // own: restarting it re-runs the pipeline only when it failed itself (its config); restarting the task
  // re-runs it.
  const bool config_failed = outcome == Outcome::kConfigFailed;
  const bool connector_restarts = !only_failed || config_failed;
  const bool task_restarts =
      include_tasks && (!only_failed || outcome == Outcome::kFailed) && target != TargetState::kStopped;
  if (!(connector_restarts && config_failed) && !task_restarts) return false;
  if (target == TargetState::kStarted) {
    outcome = Outcome::kRestarting;
  } else if (failed()) {
    outcome = Outcome::kNone;
  }
  trace.clear();
  return true;
}

ConnectorStatus ConnectorState::status(const std::string& name, const std::string& worker_id,
                                       const std::string& type) const {
  ConnectorStatus st;
  st.name = name;
  st.worker_id = worker_id;
  st.type = type;
  switch (target) {
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
  if (outcome == Outcome::kConfigFailed) {
    // Connect: a connector whose start() throws (a ConfigException) is FAILED and has no running tasks.
    st.state = "FAILED";
    st.trace = trace;
    st.tasks.push_back({0, "FAILED", worker_id, trace});
    return st;
  }
  if (target == TargetState::kStopped) return st;
  TaskStatus t{0, "RUNNING", worker_id, ""};
  if (outcome == Outcome::kRestarting) {
    t.state = "RESTARTING";
  } else if (outcome == Outcome::kFailed) {
    t.state = "FAILED";
    t.trace = trace;
  } else if (target == TargetState::kPaused) {
    t.state = "PAUSED";
  } else if (!running() && outcome != Outcome::kFinished) {
    t.state = "UNASSIGNED";
  }
  st.tasks.push_back(t);
  return st;
}

const char* target_state_name(TargetState s) {
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

}  // namespace sluice::worker
