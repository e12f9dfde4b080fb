// Kafka Connect's REST resources (RootResource, ConnectorsResource, ConnectorPluginsResource and their
// entities in org.apache.kafka.connect.runtime.rest) mapped onto a Worker. Status codes follow Connect: 201
// created, 202 accepted (pause/resume/stop, restart with includeTasks/onlyFailed), 204 no content (delete,
// legacy restart), 400 bad request, 404 unknown connector or path ("HTTP 404 Not Found"), 405 a path without
// that method, 409 conflict, 415 a body that is not JSON.
#include "server/rest_api.h"

#include "server/metrics_text.h"
#include "server/monitoring.h"
#include "server/route.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <vector>

namespace sluice::server {

namespace {

using json = nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

HttpResponse json_response(int status, const json& body) {
  return {status, body.dump(), {}};
}

HttpResponse from_error(const ApiError& e) {
  return error_response(e.status, e.message);
}

json config_json(const ConfigMap& config) {
  json out = json::object();
  for (const auto& [k, v] : config) out[k] = redacted(k, v);
  return out;
}

json info_json(const ConnectorInfo& info) {
  json tasks = json::array();
  for (int t : info.tasks) tasks.push_back({{"connector", info.name}, {"task", t}});
  return {{"name", info.name}, {"config", config_json(info.config)}, {"tasks", tasks}, {"type", info.type}};
}

json task_status_json(const TaskStatus& t) {
  json out = {{"id", t.id}, {"state", t.state}, {"worker_id", t.worker_id}};
  if (!t.trace.empty()) out["trace"] = t.trace;
  return out;
}

json status_json(const ConnectorStatus& s) {
  json connector = {{"state", s.state}, {"worker_id", s.worker_id}};
  if (!s.trace.empty()) connector["trace"] = s.trace;
  json tasks = json::array();
  for (const auto& t : s.tasks) tasks.push_back(task_status_json(t));
  return {{"name", s.name}, {"connector", connector}, {"tasks", tasks}, {"type", s.type}};
}

json validation_json(const Validation& v) {
  json groups = json::array();
  json configs = json::array();
  for (const auto& p : v.properties) {
    if (std::find(groups.begin(), groups.end(), p.group) == groups.end()) groups.push_back(p.group);
    json definition = {{"name", p.name},
                       {"type", "STRING"},
                       {"required", p.required},
                       {"default_value", nullptr},
                       {"importance", p.required ? "HIGH" : "MEDIUM"},
                       {"documentation", p.documentation},
                       {"group", p.group},
                       {"width", "NONE"},
                       {"display_name", p.name},
                       {"dependents", json::array()},
                       {"order", -1}};
    json value = {{"name", p.name},
                  {"value", p.value ? json(redacted(p.name, *p.value)) : json(nullptr)},
                  {"recommended_values", json::array()},
                  {"errors", p.errors},
                  {"visible", true}};
    configs.push_back({{"definition", definition}, {"value", value}});
  }
  return {{"name", v.connector_class},
          {"error_count", v.error_count()},
          {"groups", groups},
          {"configs", configs}};
}

using PatchMap = std::map<std::string, std::optional<std::string>>;

// Map<String,String> as Jackson reads it: scalars become strings; null values are nullopt (PATCH removes
// those keys, PUT and POST drop them). False, with `error` set, for anything else.
bool read_config(const json& j, PatchMap& out, std::string& error) {
  if (!j.is_object()) {
    error = "Cannot deserialize a connector configuration from " + std::string(j.type_name()) +
            " value (expected an object of string values)";
    return false;
  }
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) {
      out[k] = v.get<std::string>();
    } else if (v.is_boolean()) {
      out[k] = v.get<bool>() ? "true" : "false";
    } else if (v.is_number()) {
      out[k] = v.dump();
    } else if (v.is_null()) {
      out[k] = std::nullopt;
    } else {
      error = "Cannot deserialize value of type `java.lang.String` from " + std::string(v.type_name()) +
              " value for property '" + k + "'";
      return false;
    }
  }
  return true;
}

ConfigMap without_nulls(const PatchMap& m) {
  ConfigMap out;
  for (const auto& [k, v] : m) {
    if (v) out[k] = *v;
  }
  return out;
}

bool query_flag(const HttpRequest& r, const std::string& name) {
  auto it = r.query.find(name);
  return it != r.query.end() && lower(it->second) == "true";
}

// Parses a JSON request body; on failure `error` is the 400 answer.
bool parse_body(const HttpRequest& r, json& out, HttpResponse& error) {
  if (r.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    error = error_response(400, "Request body is empty: a JSON document is required");
    return false;
  }
  try {
    out = json::parse(r.body);
  } catch (const json::parse_error& e) {
    error = error_response(400, std::string("Request body is not valid JSON: ") + e.what());
    return false;
  }
  return true;
}

// "name" in the config must match the connector's name; absent, it is added (checkAndPutConnectorConfigName).
bool check_name(const std::string& name, ConfigMap& config, HttpResponse& error) {
  auto it = config.find("name");
  if (it == config.end()) {
    config["name"] = name;
    return true;
  }
  if (it->second != name) {
    error = error_response(400, "Connector name configuration (" + it->second +
                                    ") doesn't match connector name in the URL (" + name + ")");
    return false;
  }
  return true;
}

std::optional<int> task_id(const std::string& s) {
  if (s.empty() || s.size() > 9 ||
      !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  return std::stoi(s);
}

HttpResponse not_found_path() {
  return error_response(404, "HTTP 404 Not Found");
}
HttpResponse method_not_allowed() {
  return error_response(405, "HTTP 405 Method Not Allowed");
}

}  // namespace

HttpResponse error_response(int status, const std::string& message) {
  return {status, json{{"error_code", status}, {"message", message}}.dump(), {}};
}

bool is_secret_key(const std::string& key) {
  auto k = lower(key);
  return k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
         k.ends_with("sasl.jaas.config") || k.ends_with("ssl.keystore.key") || k.ends_with("credentials") ||
         k.ends_with(".token") || k.ends_with("api.key");
}

std::string redacted(const std::string& key, const std::string& value) {
  if (!is_secret_key(key)) return value;
  // A config provider reference is what was written, not the secret: Connect returns it as is.
  if (value.starts_with("${") && value.ends_with("}")) return value;
  return "[hidden]";
}

namespace {

// One request as a route handler sees it: the worker, the request and its path segments.
struct Call {
  Worker& worker;
  const HttpRequest& request;
  const std::vector<std::string>& seg;
  const std::string& name() const { return seg[1]; }  // /connectors/{name}/…
};

HttpResponse no_content(int status) {
  return {status, {}, {}};
}

// Monitoring (server/monitoring.h) and the status page.
HttpResponse get_metrics(const Call& c) {
  std::vector<LabeledMetrics> sources;
  std::vector<LabeledSinkMetrics> sinks;
  const auto views = c.worker.metrics();  // holds the metrics while they are read
  for (const auto& v : views) {
    if (v.sink) {
      sinks.push_back({v.connector, v.state, v.sink.get()});
    } else if (v.source) {
      sources.push_back({v.connector, v.state, v.source.get()});
    }
  }
  return metrics_response(metrics_text(sources, sinks));
}
HttpResponse get_health(const Call&) {
  return health_response();
}
HttpResponse get_ui(const Call&) {
  return status_page_response();
}
HttpResponse get_ready(const Call& c) {
  std::vector<ConnectorStatus> statuses;
  auto names = c.worker.connectors();
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (auto s = c.worker.connector_status(name)) statuses.push_back(*s);
  }
  return ready_response(statuses);
}

HttpResponse get_root(const Call& c) {
  if (accepts_html(c.request.accept)) return status_page_response();
  auto info = c.worker.server_info();
  return json_response(
      200, {{"version", info.version}, {"commit", info.commit}, {"kafka_cluster_id", info.kafka_cluster_id}});
}

HttpResponse get_plugins(const Call& c) {
  json out = json::array();
  for (const auto& p : c.worker.plugins()) {
    out.push_back({{"class", p.class_name}, {"type", p.type}, {"version", p.version}});
  }
  return json_response(200, out);
}

HttpResponse validate_config(const Call& c) {
  json body;
  HttpResponse err;
  if (!parse_body(c.request, body, err)) return err;
  PatchMap config;
  std::string why;
  if (!read_config(body, config, why)) return error_response(400, why);
  auto v = c.worker.validate(c.seg[1], without_nulls(config));
  if (!v) return from_error(v.error());
  return json_response(200, validation_json(*v));
}

HttpResponse list_connectors(const Call& c) {
  auto names = c.worker.connectors();
  std::sort(names.begin(), names.end());
  if (c.request.query.count("expand") == 0) return json_response(200, names);
  json out = json::object();
  for (const auto& name : names) {
    json entry = json::object();
    auto range = c.request.query.equal_range("expand");
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == "status") {
        auto s = c.worker.connector_status(name);
        if (s) entry["status"] = status_json(*s);
      } else if (it->second == "info") {
        auto i = c.worker.connector_info(name);
        if (i) entry["info"] = info_json(*i);
      }
    }
    // A connector deleted meanwhile is left out, as Connect does.
    if (!entry.empty()) out[name] = entry;
  }
  return json_response(200, out);
}

// CreateConnectorRequest's "name": trimmed; the 400 answer when it is missing or not a valid name.
std::optional<HttpResponse> read_name(const json& body, std::string& name) {
  if (body.contains("name")) {
    if (!body["name"].is_string() && !body["name"].is_null()) {
      return error_response(400, "Connector name must be a string");
    }
    if (body["name"].is_string()) name = body["name"].get<std::string>();
  }
  auto b = name.find_first_not_of(" \t\r\n");
  name = b == std::string::npos ? "" : name.substr(b, name.find_last_not_of(" \t\r\n") - b + 1);
  if (name.empty()) {
    return error_response(400,
                          "Connector configuration is invalid and contains the following 1 error(s):\n"
                          "Missing required configuration \"name\" which has no default value.\n"
                          "You can also find the above list of errors at the endpoint "
                          "`/connector-plugins/{connectorType}/config/validate`");
  }
  if (name.find('/') != std::string::npos ||
      std::any_of(name.begin(), name.end(), [](unsigned char c) { return std::iscntrl(c); })) {
    return error_response(
        400, "Invalid connector name '" + name + "': a name may not contain '/' or control characters");
  }
  return std::nullopt;
}

// CreateConnectorRequest's "initial_state"; the 400 answer for an unknown one.
std::optional<HttpResponse> read_initial_state(const json& body, std::optional<TargetState>& initial) {
  if (!body.contains("initial_state") || body["initial_state"].is_null()) return std::nullopt;
  auto st = body["initial_state"].is_string() ? body["initial_state"].get<std::string>() : std::string();
  auto up = st;
  std::transform(up.begin(), up.end(), up.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (up == "RUNNING") {
    initial = TargetState::kStarted;
  } else if (up == "PAUSED") {
    initial = TargetState::kPaused;
  } else if (up == "STOPPED") {
    initial = TargetState::kStopped;
  } else {
    return error_response(400, "Invalid initial state '" + st + "' (allowed: RUNNING, PAUSED, STOPPED)");
  }
  return std::nullopt;
}

// POST /connectors: CreateConnectorRequest {"name", "config", "initial_state"}.
HttpResponse create_connector(const Call& c) {
  json body;
  HttpResponse err;
  if (!parse_body(c.request, body, err)) return err;
  if (!body.is_object())
    return error_response(400, "Request body must be a JSON object with name and config");
  std::string name;
  if (auto e = read_name(body, name)) return *e;
  if (!body.contains("config") || body["config"].is_null()) {
    return error_response(400, "Connector config is missing: the request needs a \"config\" object");
  }
  PatchMap raw;
  std::string why;
  if (!read_config(body["config"], raw, why)) return error_response(400, why);
  ConfigMap config = without_nulls(raw);
  if (!check_name(name, config, err)) return err;
  std::optional<TargetState> initial;
  if (auto e = read_initial_state(body, initial)) return *e;
  auto created = c.worker.put_connector_config(name, config, false, initial);
  if (!created) return from_error(created.error());
  auto resp = json_response(201, info_json(created->info));
  resp.location = "/connectors/" + name;
  return resp;
}

HttpResponse get_connector(const Call& c) {
  auto info = c.worker.connector_info(c.name());
  if (!info) return from_error(info.error());
  return json_response(200, info_json(*info));
}

HttpResponse delete_connector(const Call& c) {
  auto d = c.worker.delete_connector(c.name());
  if (!d) return from_error(d.error());
  return no_content(204);
}

HttpResponse get_config(const Call& c) {
  auto info = c.worker.connector_info(c.name());
  if (!info) return from_error(info.error());
  return json_response(200, config_json(info->config));
}

// The body of PUT and PATCH /connectors/{name}/config; the 400 answer when it is not a config.
std::optional<HttpResponse> read_config_body(const Call& c, PatchMap& raw) {
  json body;
  HttpResponse err;
  if (!parse_body(c.request, body, err)) return err;
  std::string why;
  if (!read_config(body, raw, why)) return error_response(400, why);
  return std::nullopt;
}

HttpResponse put_config(const Call& c) {
  PatchMap raw;
  if (auto e = read_config_body(c, raw)) return *e;
  ConfigMap config = without_nulls(raw);
  HttpResponse err;
  if (!check_name(c.name(), config, err)) return err;
  auto created = c.worker.put_connector_config(c.name(), config, true, std::nullopt);
  if (!created) return from_error(created.error());
  auto resp = json_response(created->created ? 201 : 200, info_json(created->info));
  if (created->created) resp.location = "/connectors/" + c.name();
  return resp;
}

// PATCH (KIP-477): the stored config with these keys set, and those given as null removed.
HttpResponse patch_config(const Call& c) {
  PatchMap raw;
  if (auto e = read_config_body(c, raw)) return *e;
  auto info = c.worker.connector_info(c.name());
  if (!info) return from_error(info.error());
  ConfigMap config = info->config;
  for (const auto& [k, v] : raw) {
    if (v) {
      config[k] = *v;
    } else {
      config.erase(k);
    }
  }
  HttpResponse err;
  if (!check_name(c.name(), config, err)) return err;
  auto updated = c.worker.put_connector_config(c.name(), config, true, std::nullopt);
  if (!updated) return from_error(updated.error());
  return json_response(200, info_json(updated->info));
}

HttpResponse get_status(const Call& c) {
  auto s = c.worker.connector_status(c.name());
  if (!s) return from_error(s.error());
  return json_response(200, status_json(*s));
}

HttpResponse get_tasks(const Call& c) {
  auto tasks = c.worker.task_configs(c.name());
  if (!tasks) return from_error(tasks.error());
  json out = json::array();
  for (const auto& [id, cfg] : *tasks) {
    out.push_back({{"id", {{"connector", c.name()}, {"task", id}}}, {"config", config_json(cfg)}});
  }
  return json_response(200, out);
}

HttpResponse get_tasks_config(const Call& c) {
  auto tasks = c.worker.task_configs(c.name());
  if (!tasks) return from_error(tasks.error());
  json out = json::object();
  for (const auto& [id, cfg] : *tasks) out[c.name() + "-" + std::to_string(id)] = config_json(cfg);
  return json_response(200, out);
}

HttpResponse set_target(const Call& c, TargetState st) {
  auto d = c.worker.set_target_state(c.name(), st);
  if (!d) return from_error(d.error());
  return no_content(202);
}
HttpResponse pause(const Call& c) {
  return set_target(c, TargetState::kPaused);
}
HttpResponse resume(const Call& c) {
  return set_target(c, TargetState::kStarted);
}
HttpResponse stop(const Call& c) {
  return set_target(c, TargetState::kStopped);
}

HttpResponse restart(const Call& c) {
  bool include_tasks = query_flag(c.request, "includeTasks");
  bool only_failed = query_flag(c.request, "onlyFailed");
  auto s = c.worker.restart_connector(c.name(), include_tasks, only_failed);
  if (!s) return from_error(s.error());
  // The connector alone (neither flag): Connect's pre-KIP-745 answer, no body.
  if (!include_tasks && !only_failed) return no_content(204);
  return json_response(202, status_json(*s));
}

HttpResponse get_topics(const Call& c) {
  auto t = c.worker.active_topics(c.name());
  if (!t) return from_error(t.error());
  auto topics = *t;
  std::sort(topics.begin(), topics.end());
  return json_response(200, {{c.name(), {{"topics", topics}}}});
}

HttpResponse reset_topics(const Call& c) {
  auto d = c.worker.reset_active_topics(c.name());
  if (!d) return from_error(d.error());
  return no_content(202);
}

HttpResponse get_offsets(const Call& c) {
  auto o = c.worker.offsets(c.name());
  if (!o) return from_error(o.error());
  return json_response(200, {{"offsets", *o}});
}

HttpResponse reset_offsets(const Call& c) {
  auto msg = c.worker.reset_offsets(c.name());
  if (!msg) return from_error(msg.error());
  return json_response(200, {{"message", *msg}});
}

HttpResponse alter_offsets(const Call& c) {
  json body;
  HttpResponse err;
  if (!parse_body(c.request, body, err)) return err;
  if (!body.is_object() || !body.contains("offsets") || !body["offsets"].is_array() ||
      body["offsets"].empty()) {
    return error_response(400, "Partitions / offsets need to be provided for an alter offsets request");
  }
  for (const auto& entry : body["offsets"]) {
    if (!entry.is_object() || !entry.contains("partition") || !entry["partition"].is_object()) {
      return error_response(400, "Each entry of offsets needs a \"partition\" object");
    }
    if (entry.contains("offset") && !entry["offset"].is_object() && !entry["offset"].is_null()) {
      return error_response(400, "The \"offset\" of an entry must be an object or null");
    }
  }
  auto msg = c.worker.alter_offsets(c.name(), body["offsets"]);
  if (!msg) return from_error(msg.error());
  return json_response(200, {{"message", *msg}});
}

HttpResponse get_task_status(const Call& c) {
  auto id = task_id(c.seg[3]);
  if (!id) return not_found_path();
  auto s = c.worker.connector_status(c.name());
  if (!s) return from_error(s.error());
  for (const auto& t : s->tasks) {
    if (t.id == *id) return json_response(200, task_status_json(t));
  }
  return error_response(404, "No status found for task " + c.name() + "-" + c.seg[3]);
}

HttpResponse restart_task(const Call& c) {
  auto id = task_id(c.seg[3]);
  if (!id) return not_found_path();
  auto d = c.worker.restart_task(c.name(), *id);
  if (!d) return from_error(d.error());
  return no_content(204);
}

struct Route {
  std::string_view method;
  std::string_view pattern;
  HttpResponse (*handler)(const Call&);
};

// Connect's resources, plus monitoring and the status page. A path that matches no pattern is 404; one
// that matches a pattern only under other methods is 405.
constexpr Route kRoutes[] = {
    {"GET", "/", get_root},
    {"GET", "/metrics", get_metrics},
    {"GET", "/health", get_health},
    {"GET", "/ready", get_ready},
    {"GET", "/ui", get_ui},
    {"GET", "/connector-plugins", get_plugins},
    {"PUT", "/connector-plugins/{plugin}/config/validate", validate_config},
    {"GET", "/connectors", list_connectors},
    {"POST", "/connectors", create_connector},
    {"GET", "/connectors/{name}", get_connector},
    {"DELETE", "/connectors/{name}", delete_connector},
    {"GET", "/connectors/{name}/config", get_config},
    {"PUT", "/connectors/{name}/config", put_config},
    {"PATCH", "/connectors/{name}/config", patch_config},
    {"GET", "/connectors/{name}/status", get_status},
    {"GET", "/connectors/{name}/tasks", get_tasks},
    {"GET", "/connectors/{name}/tasks-config", get_tasks_config},
    {"PUT", "/connectors/{name}/pause", pause},
    {"PUT", "/connectors/{name}/resume", resume},
    {"PUT", "/connectors/{name}/stop", stop},
    {"POST", "/connectors/{name}/restart", restart},
    {"GET", "/connectors/{name}/topics", get_topics},
    {"PUT", "/connectors/{name}/topics/reset", reset_topics},
    {"GET", "/connectors/{name}/offsets", get_offsets},
    {"PATCH", "/connectors/{name}/offsets", alter_offsets},
    {"DELETE", "/connectors/{name}/offsets", reset_offsets},
    {"GET", "/connectors/{name}/tasks/{task}/status", get_task_status},
    {"POST", "/connectors/{name}/tasks/{task}/restart", restart_task},
};

// Every resource @Consumes(application/json): a body of another declared media type is 415.
bool unsupported_type(const HttpRequest& r) {
  const bool has_body_method = r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
  if (!has_body_method || r.content_type.empty()) return false;
  auto ct = lower(r.content_type);
  return !(ct.starts_with("application/json") || ct.starts_with("*/*"));
}

}  // namespace

HttpResponse RestApi::handle(const HttpRequest& r) const {
  const auto seg = split_path(r.path);
  bool path_known = false;
  for (const auto& route : kRoutes) {
    if (!path_matches(route.pattern, seg)) continue;
    path_known = true;
    if (route.method != r.method) continue;
    if (unsupported_type(r)) return error_response(415, "HTTP 415 Unsupported Media Type");
    return route.handler(Call{worker_, r, seg});
  }
  return path_known ? method_not_allowed() : not_found_path();
}

}  // namespace sluice::server
