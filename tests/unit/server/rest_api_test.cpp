// RestApi routing and JSON shapes against a fake Worker: Kafka Connect's paths, bodies and status codes.
#include "server/rest_api.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "connector/connector_metrics.h"
#include "server/http_server.h"

#include <nlohmann/json.hpp>

namespace sluice::server {
namespace {

using json = nlohmann::json;

class FakeWorker final : public Worker {
 public:
  struct Entry {
    ConfigMap config;
    TargetState target = TargetState::kStarted;
    bool failed = false;
  };
  std::map<std::string, Entry> entries;
  std::vector<std::string> calls;
  json stored_offsets = json::array();

  ServerInfo server_info() override { return {"3.9.0-sluice", "abc", "cluster-1"}; }
  std::vector<PluginInfo> plugins() override {
    return {{"io.debezium.connector.postgresql.PostgresConnector", "source", "3.4.3.Final"}};
  }
  std::vector<std::string> connectors() override {
    std::vector<std::string> out;
    for (const auto& [n, e] : entries) out.push_back(n);
    return out;
  }
  ConnectorInfo info(const std::string& name) {
    const auto& e = entries.at(name);
    ConnectorInfo i{name, e.config, {}, "source"};
    if (e.target != TargetState::kStopped) i.tasks = {0};
    return i;
  }
  ApiResult<ConnectorInfo> connector_info(const std::string& name) override {
    if (!entries.count(name)) return ApiError::not_found("Connector " + name + " not found");
    return info(name);
  }
  ApiResult<Created> put_connector_config(const std::string& name, const ConfigMap& config,
                                          bool allow_replace, std::optional<TargetState> initial) override {
    if (config.count("database.hostname") == 0) {
      return ApiError::bad_request(
          "Connector configuration is invalid: missing required property database.hostname");
    }
    bool exists = entries.count(name) > 0;
    if (exists && !allow_replace) return ApiError::conflict("Connector " + name + " already exists");
    entries[name].config = config;
    if (initial) entries[name].target = *initial;
    auto i = info(name);
    if (!exists) i.tasks.clear();  // the task configs do not exist yet when the request is answered
    return Created{!exists, i};
  }
  ApiResult<Done> delete_connector(const std::string& name) override {
    if (!entries.erase(name)) return ApiError::not_found("Connector " + name + " not found");
    return Done{};
  }
  ApiResult<ConnectorStatus> connector_status(const std::string& name) override {
    if (!entries.count(name)) return ApiError::not_found("No status found for connector " + name);
    const auto& e = entries.at(name);
    ConnectorStatus s;
    s.name = name;
    s.worker_id = "127.0.0.1:8083";
    s.state = e.target == TargetState::kStarted  ? "RUNNING"
              : e.target == TargetState::kPaused ? "PAUSED"
                                                 : "STOPPED";
    if (e.target != TargetState::kStopped) {
      TaskStatus t{0, e.failed ? "FAILED" : s.state, s.worker_id, e.failed ? "boom at LSN 0/16B3748" : ""};
      s.tasks.push_back(t);
    }
    return s;
  }
  ApiResult<std::vector<std::pair<int, ConfigMap>>> task_configs(const std::string& name) override {
    if (!entries.count(name)) return ApiError::not_found("Connector " + name + " not found");
    auto c = entries.at(name).config;
    c["task.class"] = "io.debezium.connector.postgresql.PostgresConnectorTask";
    return std::vector<std::pair<int, ConfigMap>>{{0, c}};
  }
  ApiResult<Done> set_target_state(const std::string& name, TargetState state) override {
    if (!entries.count(name)) return ApiError::not_found("Connector " + name + " not found");
    entries[name].target = state;
    return Done{};
  }
  ApiResult<ConnectorStatus> restart_connector(const std::string& name, bool include_tasks,
                                               bool only_failed) override {
    calls.push_back("restart " + name + (include_tasks ? " tasks" : "") + (only_failed ? " failed" : ""));
    auto s = connector_status(name);
    if (!s) return s;
    if (include_tasks) {
      for (auto& t : s->tasks) t.state = "RESTARTING";
    }
    return s;
  }
  ApiResult<Done> restart_task(const std::string& name, int task) override {
    if (!entries.count(name)) return ApiError::not_found("Connector " + name + " not found");
    if (task != 0) return ApiError::not_found("Task " + name + "-" + std::to_string(task) + " not found");
    calls.push_back("restart-task " + name);
    return Done{};
  }
  ApiResult<std::vector<std::string>> active_topics(const std::string& name) override {
    if (!entries.count(name)) return ApiError::not_found("Connector " + name + " not found");
    return std::vector<std::string>{"myserver.public.z", "myserver.public.a"};
  }
  ApiResult<Done> reset_active_topics(const std::string&) override { return Done{}; }
  ApiResult<json> offsets(const std::string& name) override {
    if (!entries.count(name)) return ApiError::not_found("Connector " + name + " not found");
    return stored_offsets;
  }
  ApiResult<std::string> alter_offsets(const std::string& name, const json& offsets) override {
    if (entries.at(name).target != TargetState::kStopped) return ApiError::bad_request("must be STOPPED");
    stored_offsets = offsets;
    return std::string("altered");
  }
  ApiResult<std::string> reset_offsets(const std::string& name) override {
    if (entries.at(name).target != TargetState::kStopped) return ApiError::bad_request("must be STOPPED");
    stored_offsets = json::array();
    return std::string("reset");
  }
  std::vector<worker::ConnectorMetricsView> metrics() override {
    auto m = std::make_shared<connector::ConnectorMetrics>();
    m->connected = true;
    return {{"c", "RUNNING", m, nullptr}};
  }
  ApiResult<Validation> validate(const std::string& plugin, const ConfigMap& config) override {
    Validation v;
    v.connector_class = plugin;
    for (const auto& [k, val] : config) v.properties.push_back({k, val, {}, "Common", false, ""});
    v.properties.push_back(
        {"database.hostname", std::nullopt, {"Missing required configuration"}, "Postgres", true, ""});
    return v;
  }
};

class RestApiTest : public ::testing::Test {
 protected:
  FakeWorker worker;
  RestApi api{worker};

  HttpResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                    std::multimap<std::string, std::string> query = {},
                    const std::string& content_type = "application/json") {
    HttpRequest r{method, path, std::move(query), body.empty() ? "" : content_type, body};
    return api.handle(r);
  }
  static json body(const HttpResponse& r) { return json::parse(r.body); }

  const std::string kCreate = R"({"name":"customers-connector","config":{
      "connector.class":"io.debezium.connector.postgresql.PostgresConnector",
      "database.hostname":"127.0.0.1","database.port":25432,"database.password":"postgres",
      "producer.override.sasl.jaas.config":"${file:/etc/secrets.properties:jaas}",
      "topic.prefix":"myserver"}})";
};

TEST_F(RestApiTest, OriginStoryCreateThenList) {
  auto before = call("GET", "/connectors");
  EXPECT_EQ(before.status, 200);
  EXPECT_EQ(before.body, "[]");

  auto created = call("POST", "/connectors/", kCreate);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.location, "/connectors/customers-connector");
  auto b = body(created);
  EXPECT_EQ(b["name"], "customers-connector");
  EXPECT_EQ(b["type"], "source");
  EXPECT_EQ(b["tasks"], json::array());
  EXPECT_EQ(b["config"]["name"], "customers-connector");  // added to the config, as Connect does
  EXPECT_EQ(b["config"]["database.port"], "25432");       // numbers become strings
  EXPECT_EQ(b["config"]["database.password"], "[hidden]");
  EXPECT_EQ(b["config"]["producer.override.sasl.jaas.config"], "${file:/etc/secrets.properties:jaas}");

  auto after = call("GET", "/connectors");
  EXPECT_EQ(body(after), json::array({"customers-connector"}));
  // The stored config keeps the password; only the answers hide it.
  EXPECT_EQ(worker.entries["customers-connector"].config["database.password"], "postgres");
}

TEST_F(RestApiTest, CreateErrors) {
  ASSERT_EQ(call("POST", "/connectors", kCreate).status, 201);
  auto dup = call("POST", "/connectors", kCreate);
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(body(dup),
            (json{{"error_code", 409}, {"message", "Connector customers-connector already exists"}}));

  auto bad_json = call("POST", "/connectors", R"({"name": "x", "config": {)");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(body(bad_json)["error_code"], 400);

  auto no_name = call("POST", "/connectors", R"({"config":{"database.hostname":"h"}})");
  EXPECT_EQ(no_name.status, 400);
  EXPECT_NE(body(no_name)["message"].get<std::string>().find("\"name\""), std::string::npos);

  auto mismatch =
      call("POST", "/connectors", R"({"name":"a","config":{"name":"b","database.hostname":"h"}})");
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(body(mismatch)["message"],
            "Connector name configuration (b) doesn't match connector name in the URL (a)");

  auto invalid = call("POST", "/connectors", R"({"name":"a","config":{"topic.prefix":"p"}})");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_NE(body(invalid)["message"].get<std::string>().find("database.hostname"), std::string::npos);

  auto nested = call("POST", "/connectors", R"({"name":"a","config":{"x":{"y":1}}})");
  EXPECT_EQ(nested.status, 400);

  // curl -d without -H Content-Type sends a form: Connect answers 415.
  auto form = call("POST", "/connectors", kCreate, {}, "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 415);
  EXPECT_EQ(body(form), (json{{"error_code", 415}, {"message", "HTTP 415 Unsupported Media Type"}}));

  auto bad_state = call("POST", "/connectors",
                        R"({"name":"s","initial_state":"SLEEPING","config":{"database.hostname":"h"}})");
  EXPECT_EQ(bad_state.status, 400);
  auto stopped = call("POST", "/connectors",
                      R"({"name":"s","initial_state":"STOPPED","config":{"database.hostname":"h"}})");
  EXPECT_EQ(stopped.status, 201);
  EXPECT_EQ(worker.entries["s"].target, TargetState::kStopped);
}

TEST_F(RestApiTest, UnknownPathsAndMethods) {
  auto missing = call("GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body(missing), (json{{"error_code", 404}, {"message", "HTTP 404 Not Found"}}));
  auto wrong = call("DELETE", "/connectors");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(body(wrong), (json{{"error_code", 405}, {"message", "HTTP 405 Method Not Allowed"}}));
  EXPECT_EQ(call("PUT", "/connectors/x").status, 405);
  EXPECT_EQ(call("GET", "/connectors/x/pause").status, 405);
  EXPECT_EQ(call("GET", "/connectors/x/bogus").status, 404);
  EXPECT_EQ(call("GET", "/connectors/x/tasks/abc/status").status, 404);
  auto unknown = call("GET", "/connectors/ghost");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(body(unknown)["message"], "Connector ghost not found");
  EXPECT_EQ(call("GET", "/connectors/ghost/status").status, 404);
  EXPECT_EQ(call("PUT", "/connectors/ghost/pause").status, 404);
  EXPECT_EQ(call("DELETE", "/connectors/ghost").status, 404);
}

TEST_F(RestApiTest, RootAndPlugins) {
  auto root = body(call("GET", "/"));
  EXPECT_EQ(root, (json{{"version", "3.9.0-sluice"}, {"commit", "abc"}, {"kafka_cluster_id", "cluster-1"}}));
  auto plugins = body(call("GET", "/connector-plugins"));
  ASSERT_EQ(plugins.size(), 1u);
  EXPECT_EQ(plugins[0]["class"], "io.debezium.connector.postgresql.PostgresConnector");
  EXPECT_EQ(plugins[0]["type"], "source");
}

TEST_F(RestApiTest, ConfigGetPutPatch) {
  ASSERT_EQ(call("POST", "/connectors", kCreate).status, 201);
  auto cfg = body(call("GET", "/connectors/customers-connector/config"));
  EXPECT_EQ(cfg["database.password"], "[hidden]");
  EXPECT_EQ(cfg["topic.prefix"], "myserver");

  auto put_new = call("PUT", "/connectors/other/config", R"({"database.hostname":"h","topic.prefix":"o"})");
  EXPECT_EQ(put_new.status, 201);
  EXPECT_EQ(body(put_new)["config"]["name"], "other");
  auto put_again =
      call("PUT", "/connectors/other/config", R"({"database.hostname":"h2","topic.prefix":"o"})");
  EXPECT_EQ(put_again.status, 200);
  EXPECT_EQ(body(put_again)["tasks"], json::array({{{"connector", "other"}, {"task", 0}}}));

  auto patched = call("PATCH", "/connectors/other/config", R"({"topic.prefix":null,"slot.name":"s2"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_FALSE(body(patched)["config"].contains("topic.prefix"));
  EXPECT_EQ(body(patched)["config"]["slot.name"], "s2");
  EXPECT_EQ(worker.entries["other"].config["database.hostname"], "h2");
  EXPECT_EQ(call("PATCH", "/connectors/ghost/config", R"({"a":"b"})").status, 404);
}

TEST_F(RestApiTest, StatusTasksAndExpand) {
  ASSERT_EQ(call("POST", "/connectors", kCreate).status, 201);
  worker.entries["customers-connector"].failed = true;
  auto st = body(call("GET", "/connectors/customers-connector/status"));
  EXPECT_EQ(st["name"], "customers-connector");
  EXPECT_EQ(st["connector"], (json{{"state", "RUNNING"}, {"worker_id", "127.0.0.1:8083"}}));
  EXPECT_EQ(st["tasks"][0]["state"], "FAILED");
  EXPECT_EQ(st["tasks"][0]["trace"], "boom at LSN 0/16B3748");
  EXPECT_EQ(st["type"], "source");

  auto task = body(call("GET", "/connectors/customers-connector/tasks/0/status"));
  EXPECT_EQ(task["id"], 0);
  EXPECT_EQ(task["state"], "FAILED");
  EXPECT_EQ(call("GET", "/connectors/customers-connector/tasks/3/status").status, 404);

  auto tasks = body(call("GET", "/connectors/customers-connector/tasks"));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["id"], (json{{"connector", "customers-connector"}, {"task", 0}}));
  EXPECT_EQ(tasks[0]["config"]["database.password"], "[hidden]");
  EXPECT_EQ(tasks[0]["config"]["task.class"], "io.debezium.connector.postgresql.PostgresConnectorTask");

  auto expanded = body(call("GET", "/connectors", "", {{"expand", "status"}, {"expand", "info"}}));
  EXPECT_EQ(expanded["customers-connector"]["status"]["tasks"][0]["state"], "FAILED");
  EXPECT_EQ(expanded["customers-connector"]["info"]["config"]["database.password"], "[hidden]");

  auto topics = body(call("GET", "/connectors/customers-connector/topics"));
  EXPECT_EQ(topics,
            (json{{"customers-connector", {{"topics", {"myserver.public.a", "myserver.public.z"}}}}}));
}

TEST_F(RestApiTest, LifecycleCodes) {
  ASSERT_EQ(call("POST", "/connectors", kCreate).status, 201);
  const std::string c = "/connectors/customers-connector";
  EXPECT_EQ(call("PUT", c + "/pause").status, 202);
  EXPECT_EQ(body(call("GET", c + "/status"))["connector"]["state"], "PAUSED");
  EXPECT_EQ(call("PUT", c + "/resume").status, 202);
  auto legacy = call("POST", c + "/restart");
  EXPECT_EQ(legacy.status, 204);
  EXPECT_TRUE(legacy.body.empty());
  auto full = call("POST", c + "/restart", "", {{"includeTasks", "true"}, {"onlyFailed", "false"}});
  EXPECT_EQ(full.status, 202);
  EXPECT_EQ(body(full)["tasks"][0]["state"], "RESTARTING");
  EXPECT_EQ(call("POST", c + "/tasks/0/restart").status, 204);
  EXPECT_EQ(call("POST", c + "/tasks/7/restart").status, 404);
  EXPECT_EQ(worker.calls,
            (std::vector<std::string>{"restart customers-connector", "restart customers-connector tasks",
                                      "restart-task customers-connector"}));
  EXPECT_EQ(call("PUT", c + "/stop").status, 202);
  EXPECT_EQ(body(call("GET", c))["tasks"], json::array());
  EXPECT_EQ(call("DELETE", c).status, 204);
  EXPECT_EQ(call("GET", c).status, 404);
}

TEST_F(RestApiTest, Offsets) {
  ASSERT_EQ(call("POST", "/connectors", kCreate).status, 201);
  const std::string o = "/connectors/customers-connector/offsets";
  EXPECT_EQ(body(call("GET", o)), (json{{"offsets", json::array()}}));
  EXPECT_EQ(call("DELETE", o).status, 400);  // not stopped
  ASSERT_EQ(call("PUT", "/connectors/customers-connector/stop").status, 202);
  auto bad = call("PATCH", o, R"({"offsets":[]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(body(bad)["message"], "Partitions / offsets need to be provided for an alter offsets request");
  auto altered =
      call("PATCH", o, R"({"offsets":[{"partition":{"server":"myserver"},"offset":{"lsn":123}}]})");
  ASSERT_EQ(altered.status, 200);
  EXPECT_EQ(body(altered)["message"], "altered");
  EXPECT_EQ(body(call("GET", o))["offsets"][0]["offset"]["lsn"], 123);
  auto reset = call("DELETE", o);
  EXPECT_EQ(reset.status, 200);
  EXPECT_EQ(body(reset)["message"], "reset");
}

TEST_F(RestApiTest, Validate) {
  auto v = call(
      "PUT", "/connector-plugins/PostgresConnector/config/validate",
      R"({"connector.class":"io.debezium.connector.postgresql.PostgresConnector","database.password":"pw"})");
  ASSERT_EQ(v.status, 200) << v.body;
  auto b = body(v);
  EXPECT_EQ(b["error_count"], 1);
  EXPECT_EQ(b["groups"], json::array({"Common", "Postgres"}));
  bool saw_password = false, saw_host = false;
  for (const auto& c : b["configs"]) {
    if (c["value"]["name"] == "database.password") {
      saw_password = true;
      EXPECT_EQ(c["value"]["value"], "[hidden]");
    }
    if (c["value"]["name"] == "database.hostname") {
      saw_host = true;
      EXPECT_EQ(c["value"]["errors"], json::array({"Missing required configuration"}));
      EXPECT_EQ(c["definition"]["required"], true);
    }
  }
  EXPECT_TRUE(saw_password && saw_host);
  EXPECT_EQ(call("GET", "/connector-plugins/PostgresConnector/config/validate").status, 405);
}

TEST(Redaction, SecretsHiddenProviderReferencesKept) {
  EXPECT_EQ(redacted("database.password", "pw"), "[hidden]");
  EXPECT_EQ(redacted("database.password", "${env:PGPASSWORD}"), "${env:PGPASSWORD}");
  EXPECT_EQ(redacted("database.sslpassword", "x"), "[hidden]");
  EXPECT_EQ(redacted("producer.override.ssl.key.password", "x"), "[hidden]");
  EXPECT_EQ(redacted("kafka.sasl.jaas.config", "org.apache...;"), "[hidden]");
  EXPECT_EQ(redacted("database.user", "postgres"), "postgres");
  EXPECT_EQ(redacted("database.sslkey", "/path/key.pem"), "/path/key.pem");  // a path, not a secret
}

// A raw HTTP/1.1 exchange (as curl sends it), answered with the status line and body.
std::string raw_exchange(int port, const std::string& request, int wait_ms = 5000) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "connect failed";
  }
  timeval tv{wait_ms / 1000, (wait_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  (void)!::write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) {
    out.append(buf, static_cast<size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos && request.find("Connection: close") == std::string::npos)
      break;
  }
  ::close(fd);
  return out;
}

TEST(HttpServer, ServesTheApiWithLimitsAndErrors) {
  FakeWorker worker;
  RestApi api(worker);
  HttpOptions options;
  options.port = 0;
  options.max_body_bytes = 1024;
  options.read_timeout_s = 1;
  HttpServer server(api, options);
  ASSERT_TRUE(server.start().ok());
  httplib::Client client("127.0.0.1", server.port());
  auto list = client.Get("/connectors");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  EXPECT_EQ(list->body, "[]");
  EXPECT_EQ(list->get_header_value("Content-Type"), "application/json");

  auto created =
      client.Post("/connectors/", R"({"name":"c","config":{"database.hostname":"h"}})", "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(created->get_header_value("Location"), "/connectors/c");

  auto huge = client.Post("/connectors", std::string(4096, ' '), "application/json");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  EXPECT_EQ(json::parse(huge->body)["error_code"], 413);

  auto paused = client.Put("/connectors/c/pause");
  ASSERT_TRUE(paused);
  EXPECT_EQ(paused->status, 202);
  // curl -X PUT …/resume sends no Content-Length: an empty body, not a refusal.
  auto resumed = raw_exchange(server.port(), "PUT /connectors/c/resume HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(resumed.starts_with("HTTP/1.1 202")) << resumed;
  auto restarted = raw_exchange(server.port(), "POST /connectors/c/restart HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(restarted.starts_with("HTTP/1.1 204")) << restarted;

  // A client that sends half a request and then nothing is dropped after the read timeout (1 s here); the
  // server answers others meanwhile.
  auto t0 = std::chrono::steady_clock::now();
  std::thread slow([&] { raw_exchange(server.port(), "GET /connectors HTTP/1.1\r\nHost:", 10000); });
  auto other = client.Get("/connectors");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  slow.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
  auto garbage = raw_exchange(server.port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(garbage.starts_with("HTTP/1.1 400")) << garbage;
  EXPECT_EQ(client.Get("/connectors")->status, 200);
  server.stop();
}

TEST(HttpServer, BasicAuth) {
  FakeWorker worker;
  RestApi api(worker);
  HttpOptions options;
  options.port = 0;
  options.basic_auth = {{"admin", "s3cret"}};
  HttpServer server(api, options);
  ASSERT_TRUE(server.start().ok());
  httplib::Client anonymous("127.0.0.1", server.port());
  auto denied = anonymous.Get("/connectors");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(json::parse(denied->body)["error_code"], 401);
  httplib::Client wrong("127.0.0.1", server.port());
  wrong.set_basic_auth("admin", "nope");
  EXPECT_EQ(wrong.Get("/connectors")->status, 401);
  httplib::Client admin("127.0.0.1", server.port());
  admin.set_basic_auth("admin", "s3cret");
  EXPECT_EQ(admin.Get("/connectors")->status, 200);
}

TEST_F(RestApiTest, MonitoringEndpoints) {
  auto metrics = call("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("sluice_streaming_connected{connector=\"c\"} 1"), std::string::npos);
  EXPECT_EQ(call("POST", "/metrics").status, 405);
  auto health = call("GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(body(health)["status"], "UP");

  // No connectors: ready. One RUNNING: ready; its task FAILED: 503 naming the connector and the trace.
  EXPECT_EQ(call("GET", "/ready").status, 200);
  worker.entries["a"].config = {{"name", "a"}};
  worker.entries["b"].config = {{"name", "b"}};
  auto ready = call("GET", "/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(body(ready)["checks"].size(), 2u);
  worker.entries["b"].failed = true;
  auto failed = call("GET", "/ready");
  EXPECT_EQ(failed.status, 503);
  auto j = body(failed);
  EXPECT_EQ(j["status"], "DOWN");
  EXPECT_EQ(j["checks"][0]["status"], "UP");
  EXPECT_EQ(j["checks"][1]["name"], "b");
  EXPECT_EQ(j["checks"][1]["status"], "DOWN");
  EXPECT_EQ(j["checks"][1]["data"]["reason"], "boom at LSN 0/16B3748");
  worker.entries["b"].failed = false;
  worker.entries["b"].target = TargetState::kPaused;
  auto paused = call("GET", "/ready");
  EXPECT_EQ(paused.status, 503);
  EXPECT_EQ(body(paused)["checks"][1]["data"]["reason"], "connector is PAUSED");
}

TEST_F(RestApiTest, StatusPageForBrowsersOnly) {
  // A browser asking for / gets the page; Connect's clients (curl, Accept: application/json) the JSON.
  HttpRequest browser{"GET", "/", {}, "", "", "text/html,application/xhtml+xml,*/*;q=0.8"};
  auto page = api.handle(browser);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<title>sluice"), std::string::npos);
  // CSS and JS are inlined: nothing is loaded from elsewhere.
  EXPECT_EQ(page.body.find("@STATUS_"), std::string::npos);
  EXPECT_NE(page.body.find("parseMetrics"), std::string::npos);
  EXPECT_EQ(page.body.find("<script src"), std::string::npos);
  for (const char* external : {"src=\"http", "href=\"http", "url(http", "@import", "src=\"//"}) {
    EXPECT_EQ(page.body.find(external), std::string::npos) << external;
  }
  auto root = call("GET", "/");
  EXPECT_EQ(root.content_type, "application/json");
  EXPECT_EQ(body(root)["version"], "3.9.0-sluice");
  EXPECT_EQ(call("GET", "/ui").body, page.body);
}

TEST(HttpServer, ServesMonitoringAndSurvivesBadRequests) {
  FakeWorker worker;
  RestApi api(worker);
  HttpOptions options;
  options.port = 0;
  options.read_timeout_s = 1;
  HttpServer server(api, options);
  ASSERT_TRUE(server.start().ok());
  httplib::Client client("127.0.0.1", server.port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  auto page = client.Get("/", {{"Accept", "text/html"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  for (const char* bad : {"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
                          "GET /ready?%%%% HTTP/1.1\r\nHost: x\r\n\r\n", "\x01\x02\x03\r\n\r\n",
                          "GET /health HTTP/9.9\r\n\r\n"}) {
    raw_exchange(server.port(), bad, 2000);
    auto health = client.Get("/health");
    ASSERT_TRUE(health) << bad;
    EXPECT_EQ(health->status, 200);
  }
  server.stop();
}

TEST(Listener, ParsesConnectListenerUrls) {
  auto l = parse_listener("http://127.0.0.1:8083");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->host, "127.0.0.1");
  EXPECT_EQ(l->port, 8083);
  EXPECT_FALSE(l->tls);
  auto any = parse_listener("https://:8443");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->host, "0.0.0.0");
  EXPECT_TRUE(any->tls);
  EXPECT_FALSE(parse_listener("ftp://x:1").ok());
  EXPECT_FALSE(parse_listener("http://x").ok());
  EXPECT_FALSE(parse_listener("http://x:99999").ok());
  EXPECT_EQ(base64_decode("YWRtaW46czNjcmV0"), std::optional<std::string>("admin:s3cret"));
  EXPECT_EQ(base64_decode("!!"), std::nullopt);
}

}  // namespace
}  // namespace sluice::server
