// `sluice connect`: worker properties -> Worker + REST listener, until SIGINT/SIGTERM. `sluice connectors`:
// the same requests an operator sends with curl, printed for a terminal.
#include "app/commands/connect.h"

#include <httplib.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "common/log.h"
#include "config/config.h"
#include "server/http_server.h"
#include "server/rest_api.h"
#include "worker/worker.h"

namespace sluice::app {

namespace {

// The REST listener of the worker properties as the HTTP server's options.
server::HttpOptions http_options(const worker::RestListener& l) {
  server::HttpOptions o;
  o.host = l.host;
  o.port = l.port;
  o.tls = l.tls;
  o.cert_file = l.cert_file;
  o.key_file = l.key_file;
  o.client_ca_file = l.client_ca_file;
  o.basic_auth = l.basic_auth;
  o.max_connections = l.max_connections;
  o.max_connections_per_address = l.max_connections_per_address;
  o.header_timeout_ms = l.header_timeout_ms;
  return o;
}

}  // namespace

int run_connect(const std::string& path, const std::atomic<bool>& stop) {
  config::Properties props;
  if (!path.empty()) {
    auto loaded = config::load_properties(path);
    if (!loaded) {
      std::fprintf(stderr, "sluice connect: %s\n", loaded.error().message.c_str());
      return 2;
    }
    props = std::move(*loaded);
  }
  auto cfg = worker::parse_worker_config(props);
  if (!cfg) {
    std::fprintf(stderr, "sluice connect: %s%s%s\n", path.c_str(), path.empty() ? "" : ": ",
                 cfg.error().message.c_str());
    return 2;
  }
  auto options = http_options(cfg->http);
  worker::Worker worker(std::move(*cfg));
  if (auto s = worker.start(); !s) {
    spdlog::error("{}", s.error().message);
    return s.error().kind == ErrorKind::kFatal ? 2 : 1;
  }
  server::RestApi api(worker);
  server::HttpServer http(api, options);
  if (auto s = http.start(); !s) {
    spdlog::error("{}", s.error().message);
    worker.shutdown();
    return 2;
  }
  while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("stopping: the REST listener, then every connector");
  http.stop();
  worker.shutdown();
  return 0;
}

namespace {

std::string message_of(const httplib::Result& r) {
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string())
    return j["message"].get<std::string>();
  return r->body.empty() ? fmt::format("HTTP {}", r->status) : r->body;
}

void print_status(const nlohmann::json& s) {
  std::printf("%s: connector %s", s.value("name", "").c_str(), s["connector"].value("state", "").c_str());
  std::printf(" on %s\n", s["connector"].value("worker_id", "").c_str());
  if (s["connector"].contains("trace"))
    std::printf("  trace: %s\n", s["connector"]["trace"].get<std::string>().c_str());
  for (const auto& t : s["tasks"]) {
    std::printf("  task %d: %s on %s\n", t.value("id", 0), t.value("state", "").c_str(),
                t.value("worker_id", "").c_str());
    if (t.contains("trace")) std::printf("    trace: %s\n", t["trace"].get<std::string>().c_str());
  }
}

}  // namespace

int connectors_command(const std::string& url_in, const std::string& action, const std::string& name,
                       const std::string& ca_file) {
  std::string url = url_in;
  while (!url.empty() && url.back() == '/') url.pop_back();
  // user:password@host in the URL: basic auth (httplib's client takes them apart from the host).
  std::string user, password;
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    auto at = url.find('@', scheme + 3);
    if (at != std::string::npos) {
      auto cred = url.substr(scheme + 3, at - scheme - 3);
      auto colon = cred.find(':');
      user = cred.substr(0, colon);
      password = colon == std::string::npos ? "" : cred.substr(colon + 1);
      url = url.substr(0, scheme + 3) + url.substr(at + 1);
    }
  }
  httplib::Client client(url);
  if (!client.is_valid()) {
    std::fprintf(stderr, "sluice connectors: invalid --url %s\n", url.c_str());
    return 2;
  }
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(120, 0);
  if (!user.empty()) client.set_basic_auth(user, password);
  if (!ca_file.empty()) client.set_ca_cert_path(ca_file.c_str());
  auto fail = [&](const httplib::Result& r) {
    if (!r) {
      std::fprintf(stderr, "sluice connectors: cannot reach the worker at %s: %s\n", url.c_str(),
                   httplib::to_string(r.error()).c_str());
      return 1;
    }
    std::fprintf(stderr, "sluice connectors %s%s%s: %s (HTTP %d)\n", action.c_str(), name.empty() ? "" : " ",
                 name.c_str(), message_of(r).c_str(), r->status);
    return 1;
  };
  if (action != "list" && name.empty()) {
    std::fprintf(stderr, "sluice connectors %s: name the connector\n", action.c_str());
    return 2;
  }
  const std::string path = "/connectors/" + name;  // the client URL-encodes the path
  if (action == "list") {
    auto r = client.Get("/connectors?expand=status");
    if (!r || r->status != 200) return fail(r);
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    for (const auto& [n, entry] : j.items()) {
      std::string tasks;
      for (const auto& t : entry["status"]["tasks"])
        tasks += (tasks.empty() ? "" : ",") + t.value("state", "");
      // name, type (source or sink), connector state, task states
      std::printf("%s\t%s\t%s\t%s\n", n.c_str(), entry["status"].value("type", "-").c_str(),
                  entry["status"]["connector"].value("state", "").c_str(),
                  tasks.empty() ? "-" : tasks.c_str());
    }
    return 0;
  }
  if (action == "status") {
    auto r = client.Get(path + "/status");
    if (!r || r->status != 200) return fail(r);
    print_status(nlohmann::json::parse(r->body));
    return 0;
  }
  if (action == "pause" || action == "resume" || action == "stop") {
    auto r = client.Put(path + "/" + action);
    if (!r || r->status != 202) return fail(r);
    std::printf("%s %s\n", action == "stop" ? "stopping" : (action == "pause" ? "pausing" : "resuming"),
                name.c_str());
    return 0;
  }
  if (action == "restart") {
    // The connector and its task (a failed task is what an operator restarts).
    auto r = client.Post(path + "/restart?includeTasks=true&onlyFailed=false");
    if (!r || r->status != 202) return fail(r);
    print_status(nlohmann::json::parse(r->body));
    return 0;
  }
  if (action == "delete") {
    auto r = client.Delete(path);
    if (!r || r->status != 204) return fail(r);
    std::printf("deleted %s\n", name.c_str());
    return 0;
  }
  std::fprintf(stderr, "sluice connectors: unknown action %s\n", action.c_str());
  return 2;
}

}  // namespace sluice::app
