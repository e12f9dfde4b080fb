// The Herder's requests (what the REST API asks): each change is a record in the config topic, answered
// once this worker's tail applied it (read-your-writes), so any worker of the group serves any request.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "worker/slot.h"
#include "worker/validation.h"

namespace sluice::worker {

namespace {

constexpr const char* kConnectVersion = "4.1.1";  // the Kafka Connect REST API level sluice serves

std::shared_ptr<spdlog::logger> log() {
  return worker_log();
}

// 400 unless the config names one of sluice's connector classes.
std::optional<ApiError> check_class(const std::string& name, const ConfigMap& config) {
  auto cls = config.find("connector.class");
  if (cls != config.end() && (is_postgres_plugin(cls->second) || is_sink_plugin(cls->second)))
    return std::nullopt;
  std::string given = cls == config.end() ? "" : cls->second;
  if (given.empty())
    return ApiError::bad_request("Connector config {" + name + "} contains no connector type");
  return ApiError::bad_request("Failed to find any class that implements Connector and which name matches " +
                               given + ": sluice runs " + kConnectorClass + " and " + kSinkConnectorClass);
}

}  // namespace

ServerInfo Worker::server_info() {
  return {kConnectVersion, std::string("sluice-") + SLUICE_VERSION, store_.cluster_id()};
}

std::vector<PluginInfo> Worker::plugins() {
  return connector_plugins();
}

std::vector<std::string> Worker::connectors() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, _] : slots_) out.push_back(name);
  return out;
}

ApiResult<ConnectorInfo> Worker::connector_info(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::not_found(not_found(name));
  return info_of(*it->second);
}

ApiResult<Created> Worker::put_connector_config(const std::string& name, const ConfigMap& config,
                                                bool allow_replace,
                                                std::optional<TargetState> initial_state) {
  if (auto e = check_class(name, config)) return *e;
  Validation validation;
  if (is_sink_config(config)) {
    auto props = config;
    props["connector.class"] = kSinkConnectorClass;
    validation = validate_sink_config(props);
  } else {
    validation = validate_connector_config(config);
  }
  if (validation.error_count() > 0) return ApiError::bad_request(invalid_config_message(validation));
  bool existed = false;
  {
    std::lock_guard lock(mu_);
    if (shutdown_) return ApiError::conflict("The worker is shutting down");
    existed = slots_.count(name) > 0;
    if (existed && !allow_replace) return ApiError::conflict("Connector " + name + " already exists");
  }
  // The target state first: a connector created PAUSED or STOPPED never starts.
  if (!existed) {
    auto t = store_.write_target_state(name, initial_state.value_or(TargetState::kStarted));
    if (!t) return ApiError{500, t.error().message};
  }
  auto at = store_.write_config(name, config, is_sink_config(config));
  if (!at) return ApiError{500, at.error().message};
  if (!wait_applied(*at)) {
    return ApiError{
        500, "Request timed out: the config was written but not read back from " + store_.config_topic()};
  }
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::conflict("Connector " + name + " was deleted meanwhile");
  Created out;
  out.created = !existed;
  out.info = info_of(*it->second);
  if (!existed) {
    out.info.tasks.clear();  // as Connect answers a create: the task configs are not generated yet
    log()->info("connector {} created", name);
  }
  return out;
}

ApiResult<Done> Worker::delete_connector(const std::string& name) {
  std::set<std::string> topics;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found(not_found(name));
    topics = it->second->topics;
  }
  auto at = store_.write_deletion(name);
  if (!at) return ApiError{500, at.error().message};
  wait_applied(*at);
  store_.forget(name, topics);
  return Done{};
}

ApiResult<ConnectorStatus> Worker::connector_status(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::not_found("No status found for connector " + name);
  return status_of(*it->second);
}

ApiResult<std::vector<std::pair<int, ConfigMap>>> Worker::task_configs(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::not_found(not_found(name));
  std::vector<std::pair<int, ConfigMap>> out;
  if (it->second->state.target == TargetState::kStopped) return out;
  auto c = it->second->config;
  c["task.class"] = it->second->sink ? kSinkTaskClass : kTaskClass;
  out.emplace_back(0, std::move(c));
  return out;
}

ApiResult<Done> Worker::set_target_state(const std::string& name, TargetState state) {
  {
    std::lock_guard lock(mu_);
    if (!slots_.count(name)) return ApiError::not_found(not_found(name));
  }
  auto at = store_.write_target_state(name, state);
  if (!at) return ApiError{500, at.error().message};
  wait_applied(*at);
  return Done{};
}

ApiResult<ConnectorStatus> Worker::restart_connector(const std::string& name, bool include_tasks,
                                                     bool only_failed) {
  ConnectorStatus plan;
  bool elsewhere = false;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found("Unknown connector: " + name);
    elsewhere = it->second->state.target == TargetState::kStarted && !owns(name);
  }
  // Run by another worker: the restart is applied by the worker that holds the connector, so there must be
  // one (as Connect answers 409 while a rebalance is expected, e.g. in the takeover after a worker died).
  if (elsewhere) {
    if (auto group = member_->describe(5000); !group) {
      log()->debug("restart of {}: {} (not checked)", name, group.error().message);
    } else if (auto conflict =
                   rebalance_conflict(*group, assignment_partition(name, kAssignmentPartitions))) {
      return ApiError::conflict(*conflict);
    }
  }
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found("Unknown connector: " + name);
    // The answer: the states with RESTARTING for what restarts (decided from the last known states).
    plan = status_of(*it->second);
    bool connector_failed = plan.state == "FAILED";
    if (!only_failed || connector_failed) plan.state = "RESTARTING";
    for (auto& t : plan.tasks) {
      if (include_tasks && (!only_failed || t.state == "FAILED")) {
        t.state = "RESTARTING";
        t.trace.clear();
      }
    }
    if (plan.state == "RESTARTING") plan.trace.clear();
  }
  // The request is a record the connector's owner applies (any worker can serve it).
  auto at = store_.write_restart(name, include_tasks, only_failed);
  if (!at) return ApiError{500, at.error().message};
  wait_applied(*at);
  cv_.notify_all();
  return plan;
}

ApiResult<Done> Worker::restart_task(const std::string& name, int task) {
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found("Unknown connector: " + name);
    if (task != 0 || it->second->state.target == TargetState::kStopped) {
      return ApiError::not_found(fmt::format("Task {}-{} not found", name, task));
    }
  }
  auto r = restart_connector(name, true, false);
  if (!r) return r.error();
  return Done{};
}

ApiResult<std::vector<std::string>> Worker::active_topics(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return ApiError::not_found(not_found(name));
  return std::vector<std::string>(it->second->topics.begin(), it->second->topics.end());
}

ApiResult<Done> Worker::reset_active_topics(const std::string& name) {
  std::set<std::string> topics;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found(not_found(name));
    topics.swap(it->second->topics);
  }
  store_.forget_topics(name, topics);
  return Done{};
}

ApiResult<Validation> Worker::validate(const std::string& plugin, const ConfigMap& config) {
  if (is_sink_plugin(plugin)) {
    if (auto it = config.find("connector.class"); it != config.end() && !is_sink_plugin(it->second)) {
      return ApiError::bad_request("Included connector type " + it->second + " does not match request type " +
                                   plugin);
    }
    auto props = config;
    props["connector.class"] = kSinkConnectorClass;
    return validate_sink_config(props);
  }
  if (!is_postgres_plugin(plugin)) {
    return ApiError::not_found("Failed to find any class that implements Connector and which name matches " +
                               plugin);
  }
  if (auto it = config.find("connector.class"); it != config.end() && !is_postgres_plugin(it->second)) {
    return ApiError::bad_request("Included connector type " + it->second + " does not match request type " +
                                 plugin);
  }
  auto props = config;
  props["connector.class"] = kConnectorClass;
  return validate_connector_config(props);
}

}  // namespace sluice::worker
