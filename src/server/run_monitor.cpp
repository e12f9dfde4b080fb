// RunMonitor (see run_monitor.h): the states Kafka Connect's status API would show for the one connector
// and its task, derived from its metrics.
#include "server/run_monitor.h"

#include "server/metrics_text.h"

namespace sluice::server {

RunMonitor::RunMonitor(std::string name, std::shared_ptr<connector::ConnectorMetrics> metrics)
    : name_(std::move(name)), source_(std::move(metrics)) {}

RunMonitor::RunMonitor(std::string name, std::shared_ptr<pgsink::SinkMetrics> metrics)
    : name_(std::move(name)), sink_(std::move(metrics)) {}

RunMonitor::~RunMonitor() {
  stop();
}

Status RunMonitor::start(HttpOptions listener) {
  listener.description = "metrics (/metrics, /health, /ready)";
  http_.emplace(api_, std::move(listener));
  return http_->start();
}

void RunMonitor::stop() {
  if (http_) http_->stop();
}

void RunMonitor::set_failed(std::string trace) {
  std::lock_guard lock(mu_);
  failed_ = true;
  trace_ = std::move(trace);
}

std::string RunMonitor::metrics_text() {
  auto st = state().state;
  if (source_) return server::metrics_text({{name_, st, source_.get()}});
  return server::metrics_text({}, {{name_, st, sink_.get()}});
}

ConnectorStatus RunMonitor::state() {
  ConnectorStatus st;
  st.name = name_;
  std::lock_guard lock(mu_);
  st.state = failed_ ? "FAILED" : "RUNNING";
  st.trace = failed_ ? trace_ : "";
  TaskStatus task{0, st.state, "", st.trace};
  if (failed_) {
    // the task failed with the connector
  } else if (source_ && !source_->connected.load() && !source_->snapshot_running.load()) {
    task.state = "UNASSIGNED";
    task.trace = source_->retries.load() > 0 ? "not connected to Postgres: reconnecting after a failure"
                                             : "not connected to Postgres yet: starting";
  } else if (sink_ && !sink_->target_connected.load()) {
    task.state = "UNASSIGNED";
    task.trace = sink_->batch_retries.load() > 0 ? "the target Postgres is not reachable: retrying"
                                                 : "not connected to the target Postgres yet: starting";
  } else if (sink_ && !sink_->consuming.load()) {
    task.state = "UNASSIGNED";
    task.trace = "the Kafka consumer is not subscribed yet: starting";
  }
  st.tasks.push_back(task);
  return st;
}

}  // namespace sluice::server
