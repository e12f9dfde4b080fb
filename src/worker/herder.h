// Herder: what the REST API (src/server/rest_api.h) asks of a worker, in Kafka Connect's terms (the
// Herder's operations). The server knows nothing of Postgres; worker::Worker implements this, tests fake it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::connector {
struct ConnectorMetrics;
}
namespace sluice::pgsink {
class SinkMetrics;
}

namespace sluice::worker {

using ConfigMap = std::map<std::string, std::string>;

// A failed request: the HTTP status and the message of Connect's {"error_code":…,"message":…} body.
struct ApiError {
  int status = 500;
  std::string message;

  static ApiError not_found(std::string m) { return {404, std::move(m)}; }
  static ApiError bad_request(std::string m) { return {400, std::move(m)}; }
  static ApiError conflict(std::string m) { return {409, std::move(m)}; }
};

template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

struct Done {};

// Connect's target states (TargetState: STARTED shown as RUNNING, PAUSED, STOPPED).
enum class TargetState { kStarted, kPaused, kStopped };

// ConnectorStateInfo: the connector's and its tasks' states (UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED,
// RESTARTING); trace is set for FAILED only.
struct TaskStatus {
  int id = 0;
  std::string state;
  std::string worker_id;
  std::string trace;
};
struct ConnectorStatus {
  std::string name;
  std::string state;
  std::string worker_id;
  std::string trace;
  std::vector<TaskStatus> tasks;
  std::string type = "source";
};

// ConnectorInfo: the name, the config as stored (secrets are redacted by the server), the task ids.
struct ConnectorInfo {
  std::string name;
  ConfigMap config;
  std::vector<int> tasks;
  std::string type = "source";
};

struct Created {
  bool created = false;  // false: an existing connector's config was replaced
  ConnectorInfo info;
};

// One property's validation answer (ConfigValueInfo): its value as given and what is wrong with it.
struct PropertyCheck {
  std::string name;
  std::optional<std::string> value;
  std::vector<std::string> errors;
  std::string group = "Common";
  bool required = false;
  std::string documentation;
};
struct Validation {
  std::string connector_class;
  std::vector<PropertyCheck> properties;
  int error_count() const {
    int n = 0;
    for (const auto& p : properties) n += static_cast<int>(p.errors.size());
    return n;
  }
};

struct PluginInfo {
  std::string class_name;
  std::string type = "source";
  std::string version;
};

// One connector's metrics for GET /metrics (the server formats them): its state (Connect's; FAILED when its
// task failed) and the counters of a Postgres source or of a JDBC sink, kept alive while they are read.
struct ConnectorMetricsView {
  std::string connector;
  std::string state;
  std::shared_ptr<const connector::ConnectorMetrics> source;
  std::shared_ptr<const pgsink::SinkMetrics> sink;
};

struct ServerInfo {
  std::string version;
  std::string commit;
  std::string kafka_cluster_id;
};

class Herder {
 public:
  virtual ~Herder() = default;

  virtual ServerInfo server_info() = 0;
  virtual std::vector<PluginInfo> plugins() = 0;
  virtual std::vector<std::string> connectors() = 0;
  virtual ApiResult<ConnectorInfo> connector_info(const std::string& name) = 0;
  // Creates (allow_replace=false: 409 when it exists) or replaces the connector's config; the config
  // holds "name". Invalid configs are 400 naming the key.
  virtual ApiResult<Created> put_connector_config(const std::string& name, const ConfigMap& config,
                                                  bool allow_replace,
                                                  std::optional<TargetState> initial_state) = 0;
  virtual ApiResult<Done> delete_connector(const std::string& name) = 0;
  virtual ApiResult<ConnectorStatus> connector_status(const std::string& name) = 0;
  // The task configs (ConnectorInfo's config plus task.class).
  virtual ApiResult<std::vector<std::pair<int, ConfigMap>>> task_configs(const std::string& name) = 0;
  virtual ApiResult<Done> set_target_state(const std::string& name, TargetState state) = 0;
  // Restarts the connector (and with include_tasks its tasks; with only_failed only failed ones) and
  // returns the states right after the request (RESTARTING for what restarts).
  virtual ApiResult<ConnectorStatus> restart_connector(const std::string& name, bool include_tasks,
                                                       bool only_failed) = 0;
  virtual ApiResult<Done> restart_task(const std::string& name, int task) = 0;
  virtual ApiResult<std::vector<std::string>> active_topics(const std::string& name) = 0;
  virtual ApiResult<Done> reset_active_topics(const std::string& name) = 0;
  // KIP-875: [{"partition":{…},"offset":{…}}]; alter/reset need a STOPPED connector and answer the message.
  virtual ApiResult<nlohmann::json> offsets(const std::string& name) = 0;
  virtual ApiResult<std::string> alter_offsets(const std::string& name, const nlohmann::json& offsets) = 0;
  virtual ApiResult<std::string> reset_offsets(const std::string& name) = 0;
  // plugin: the class (or its short alias) of PUT /connector-plugins/{plugin}/config/validate.
  virtual ApiResult<Validation> validate(const std::string& plugin, const ConfigMap& config) = 0;
  // GET /metrics: the connectors this worker runs (those of the other workers are on their /metrics).
  virtual std::vector<ConnectorMetricsView> metrics() { return {}; }
};

}  // namespace sluice::worker
