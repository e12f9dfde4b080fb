// RestApi: Kafka Connect's REST API (Connect 3.x/4.x paths, JSON shapes, status codes, error bodies) over a
// Worker. Pure request -> response routing, no sockets: src/server/http_server.h serves it over HTTP.
#pragma once

#include <map>
#include <string>

#include "worker/herder.h"

namespace sluice::server {

// The worker the API serves (src/worker/herder.h) and the vocabulary of its answers.
using Worker = worker::Herder;
using worker::ApiError;
using worker::ApiResult;
using worker::ConfigMap;
using worker::ConnectorInfo;
using worker::ConnectorStatus;
using worker::Created;
using worker::Done;
using worker::PluginInfo;
using worker::PropertyCheck;
using worker::ServerInfo;
using worker::TargetState;
using worker::TaskStatus;
using worker::Validation;

struct HttpRequest {
  std::string method;  // GET, POST, …
  std::string path;    // decoded, without the query
  std::multimap<std::string, std::string> query;
  std::string content_type;  // "" when absent
  std::string body;
  std::string accept;  // the Accept header, "" when absent
};

struct HttpResponse {
  int status = 200;
  std::string body;      // JSON, or empty (204, 202 without entity)
  std::string location;  // Location header of a 201
  std::string content_type = "application/json";
};

// What an HTTP listener serves: a request -> response function, no sockets.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual HttpResponse handle(const HttpRequest& request) const = 0;
};

// Connect's error body: {"error_code":status,"message":…}.
HttpResponse error_response(int status, const std::string& message);

// Whether a config property holds a secret (passwords, JAAS configs, keys).
bool is_secret_key(const std::string& key);
// The value as a GET shows it: a secret's ${provider:…} reference as written, any other secret [hidden].
std::string redacted(const std::string& key, const std::string& value);

// Connect's REST API, plus the monitoring endpoints (server/monitoring.h: /metrics, /health, /ready) and the
// status page (GET / asking for text/html, or /ui).
class RestApi final : public RequestHandler {
 public:
  explicit RestApi(Worker& worker) : worker_(worker) {}
  HttpResponse handle(const HttpRequest& request) const override;

 private:
  Worker& worker_;
};

}  // namespace sluice::server
