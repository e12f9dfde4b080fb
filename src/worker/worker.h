// Worker: `sluice connect`'s connectors, run in-process (each with its own threads, Postgres connections,
// producer and stop flag), their configs and target states in config.storage.topic and their statuses in
// status.storage.topic, in Kafka Connect's record layout, so a restarted worker resumes every connector.
// Workers with the same group.id share the connectors: every request is a record in the config topic that
// each worker applies as it reads it (so any worker serves any request), and the group's assignment
// decides which worker runs a connector (src/worker/group.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "worker/config_store.h"
#include "worker/group.h"
#include "worker/herder.h"
#include "worker/worker_config.h"

namespace sluice::worker {

// The rooms of this class: worker.cpp (start, shutdown, the group's assignment and the storage tails),
// config_apply.cpp (the config and status records applied), supervisor.cpp (each connector's runs),
// rest_handlers.cpp (the Herder's requests) and offsets_admin.cpp (KIP-875's offsets endpoints).
class Worker final : public Herder {
 public:
  explicit Worker(WorkerConfig config);
  ~Worker() override;

  // Opens (creates) the storage topics, reads the stored connectors and starts those not paused/stopped.
  Status start();
  // Leaves the group, stops every connector (each flushes what Kafka has not acknowledged) and records
  // them UNASSIGNED.
  void shutdown();

  ServerInfo server_info() override;
  std::vector<PluginInfo> plugins() override;
  std::vector<std::string> connectors() override;
  ApiResult<ConnectorInfo> connector_info(const std::string& name) override;
  ApiResult<Created> put_connector_config(const std::string& name, const ConfigMap& config,
                                          bool allow_replace,
                                          std::optional<TargetState> initial_state) override;
  ApiResult<Done> delete_connector(const std::string& name) override;
  ApiResult<ConnectorStatus> connector_status(const std::string& name) override;
  ApiResult<std::vector<std::pair<int, ConfigMap>>> task_configs(const std::string& name) override;
  ApiResult<Done> set_target_state(const std::string& name, TargetState state) override;
  ApiResult<ConnectorStatus> restart_connector(const std::string& name, bool include_tasks,
                                               bool only_failed) override;
  ApiResult<Done> restart_task(const std::string& name, int task) override;
  ApiResult<std::vector<std::string>> active_topics(const std::string& name) override;
  ApiResult<Done> reset_active_topics(const std::string& name) override;
  ApiResult<nlohmann::json> offsets(const std::string& name) override;
  ApiResult<std::string> alter_offsets(const std::string& name, const nlohmann::json& offsets) override;
  ApiResult<std::string> reset_offsets(const std::string& name) override;
  ApiResult<Validation> validate(const std::string& plugin, const ConfigMap& config) override;
  std::vector<ConnectorMetricsView> metrics() override;

 private:
  struct Slot;
  void launch(const std::shared_ptr<Slot>& slot);  // starts the slot's supervisor thread (mu_ held)
  void supervise(std::shared_ptr<Slot> slot);
  // Runs the connector once, until it stops or fails; returns the failure ("" when stopped on request or
  // finished) and whether it failed before the task ran (the config could not be resolved or parsed).
  std::string run_connector(Slot& slot, const config::Properties& props, bool& config_failed);
  std::string run_sink_connector(Slot& slot, bool& config_failed);  // a JDBC sink connector's run
  std::shared_ptr<Slot> slot_ptr(const Slot& slot);                 // nullptr once it was deleted
  std::optional<config::Properties> sink_config_copy(const std::string& name) const;  // nullopt: no sink
  // The sink connector's offsets endpoints (their positions live in the target's offsets table).
  ApiResult<nlohmann::json> sink_offsets(const config::Properties& config);
  ApiResult<std::string> alter_sink_offsets(const std::string& name, const config::Properties& config,
                                            const nlohmann::json& offsets);
  ApiResult<std::string> reset_sink_offsets(const std::string& name, const config::Properties& config);
  ConnectorStatus status_of(const Slot& slot) const;  // mu_ held
  ConnectorInfo info_of(const Slot& slot) const;      // mu_ held
  // The status a connector leaving this worker records (Connect's onShutdown): UNASSIGNED.
  ConnectorStatus unassigned(const Slot& slot) const;
  void on_topic(const std::shared_ptr<Slot>& slot, const std::string& topic);
  // Applies a config topic record (mu_ held): creates, reconfigures or removes a connector, changes its
  // target state, restarts it.
  void apply_config(const LogRecord& r);
  void apply_connector_config(const ConfigRecord& c, int64_t offset);
  void apply_target_state(const ConfigRecord& c);
  void apply_status(const LogRecord& r);  // another worker's statuses and active topics (mu_ held)
  void apply_tails(int timeout_ms);       // polls the config and status tails and applies what arrived
  // Waits until the config topic tail applied the record at `offset` (read-your-writes).
  bool wait_applied(int64_t offset);
  bool owns(const std::string& name) const;  // mu_ held
  void on_assigned(const std::set<int32_t>& partitions);
  void on_revoked(const std::set<int32_t>& partitions);
  void tail_loop();
  void group_loop();
  // Waits until the slot's connector is no longer running (after a stop), up to timeout_ms.
  bool wait_idle(const std::shared_ptr<Slot>& slot, int timeout_ms);
  // Kafka Connect's precondition of the offsets endpoints: the connector exists, is STOPPED and its task
  // ended; the error to answer otherwise.
  std::optional<ApiError> require_stopped(const std::string& name);

  WorkerConfig config_;
  std::string worker_id_;
  ConfigStore store_;
  std::unique_ptr<GroupMember> member_;
  std::thread tail_thread_;
  std::thread group_thread_;
  std::atomic<bool> stop_threads_{false};
  int64_t applied_config_offset_ = -1;
  std::set<int32_t> owned_;                        // assignment topic partitions this worker holds
  std::map<std::string, ConnectorStatus> remote_;  // statuses written by the connectors' owners
  std::map<std::string, std::set<std::string>> remote_topics_;
  std::map<std::string, TargetState> pending_targets_;  // target states of connectors not created yet

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<Slot>> slots_;
  std::vector<std::thread> retired_;  // supervisors of deleted connectors, joined at shutdown
  bool shutdown_ = false;
};

}  // namespace sluice::worker
