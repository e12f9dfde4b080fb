// Monitoring responses shared by RestApi (`sluice connect`) and MonitoringApi (`sluice run`).
#include "server/monitoring.h"

#include <nlohmann/json.hpp>

namespace sluice::server {

namespace {

using json = nlohmann::json;

// The first line of a trace: what a probe's reason needs (the full trace is in /connectors/…/status).
std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

}  // namespace

HttpResponse metrics_response(std::string text) {
  HttpResponse r{200, std::move(text), {}};
  r.content_type = kPrometheusContentType;
  return r;
}

HttpResponse health_response() {
  return {200, json{{"status", "UP"}, {"checks", json::array()}}.dump(), {}};
}

HttpResponse ready_response(const std::vector<ConnectorStatus>& statuses) {
  bool up = true;
  json checks = json::array();
  for (const auto& s : statuses) {
    json data = {{"state", s.state}};
    bool running = s.state == "RUNNING";
    std::string reason;
    if (!running) reason = s.trace.empty() ? "connector is " + s.state : first_line(s.trace);
    for (const auto& t : s.tasks) {
      if (t.state == "RUNNING") continue;
      running = false;
      if (reason.empty()) {
        reason = t.trace.empty() ? "task " + std::to_string(t.id) + " is " + t.state : first_line(t.trace);
      }
      data["task." + std::to_string(t.id)] = t.state;
    }
    if (!running) {
      up = false;
      data["reason"] = reason;
    }
    checks.push_back({{"name", s.name}, {"status", running ? "UP" : "DOWN"}, {"data", data}});
  }
  return {up ? 200 : 503, json{{"status", up ? "UP" : "DOWN"}, {"checks", checks}}.dump(), {}};
}

bool accepts_html(std::string_view accept) {
  return accept.find("text/html") != std::string_view::npos ||
         accept.find("application/xhtml+xml") != std::string_view::npos;
}

HttpResponse status_page_response() {
  HttpResponse r{200, std::string(status_page_html()), {}};
  r.content_type = "text/html; charset=utf-8";
  return r;
}

HttpResponse MonitoringApi::handle(const HttpRequest& r) const {
  std::string path = r.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path != "/metrics" && path != "/health" && path != "/ready")
    return error_response(404, "HTTP 404 Not Found");
  if (r.method != "GET" && r.method != "HEAD") return error_response(405, "HTTP 405 Method Not Allowed");
  if (path == "/metrics") return metrics_response(source_.metrics_text());
  if (path == "/health") return health_response();
  return ready_response(source_.statuses());
}

}  // namespace sluice::server
