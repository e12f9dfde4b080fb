// Monitoring endpoints for probes and scrapers: GET /metrics (Prometheus text 0.0.4), /health (the process
// serves) and /ready (every connector and task RUNNING, else 503 naming why), the last two in MicroProfile
// Health's JSON as Debezium Server's /q/health answers; and the status page (src/server/ui, embedded at
// build time). RestApi serves them beside Connect's API; MonitoringApi alone serves `sluice run`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/rest_api.h"

namespace sluice::server {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

HttpResponse metrics_response(std::string text);
// {"status":"UP","checks":[]}
HttpResponse health_response();
// 200 {"status":"UP","checks":[{"name":…,"status":"UP","data":{"state":"RUNNING"}}…]} when every connector
// and task is RUNNING; else 503, status DOWN, each check that is not RUNNING with its state and trace.
HttpResponse ready_response(const std::vector<ConnectorStatus>& statuses);
// Whether an Accept header prefers HTML (a browser) to JSON.
bool accepts_html(std::string_view accept);
// The status page (index.html with its CSS and JS inlined), text/html.
HttpResponse status_page_response();
std::string_view status_page_html();  // generated from src/server/ui by CMake

// What `sluice run` exposes: its one connector's metrics and state.
class MonitoringSource {
 public:
  virtual ~MonitoringSource() = default;
  virtual std::string metrics_text() = 0;
  virtual std::vector<ConnectorStatus> statuses() = 0;
};

// /metrics, /health and /ready only (404 otherwise, 405 for a method other than GET/HEAD).
class MonitoringApi final : public RequestHandler {
 public:
  explicit MonitoringApi(MonitoringSource& source) : source_(source) {}
  HttpResponse handle(const HttpRequest& request) const override;

 private:
  MonitoringSource& source_;
};

}  // namespace sluice::server
