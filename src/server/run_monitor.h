// RunMonitor: /metrics, /health and /ready (metrics.listeners) for a process that runs one connector
// without a worker: a source (`sluice run`) or the Postgres sink (`sluice sink`). Ready while the source
// streams or snapshots, or while the sink consumes and holds a working target connection; starting,
// reconnecting or failed answer 503.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "connector/connector_metrics.h"
#include "pgsink/sink_metrics.h"
#include "server/http_server.h"
#include "server/monitoring.h"

namespace sluice::server {

class RunMonitor final : public MonitoringSource {
 public:
  // A source connector's.
  RunMonitor(std::string name, std::shared_ptr<connector::ConnectorMetrics> metrics);
  // A sink connector's.
  RunMonitor(std::string name, std::shared_ptr<pgsink::SinkMetrics> metrics);
  ~RunMonitor() override;
  RunMonitor(const RunMonitor&) = delete;
  RunMonitor& operator=(const RunMonitor&) = delete;

  // Serves the endpoints on the listener until stop() (or destruction).
  Status start(HttpOptions listener);
  void stop();
  // The connector stopped with an error: FAILED with this trace from now on.
  void set_failed(std::string trace);

  std::string metrics_text() override;
  std::vector<ConnectorStatus> statuses() override { return {state()}; }

 private:
  ConnectorStatus state();

  std::string name_;
  std::shared_ptr<connector::ConnectorMetrics> source_;  // one of the two is set
  std::shared_ptr<pgsink::SinkMetrics> sink_;
  std::mutex mu_;
  bool failed_ = false;
  std::string trace_;
  MonitoringApi api_{*this};
  std::optional<HttpServer> http_;
};

}  // namespace sluice::server
