// KIP-875's offsets endpoints: a source connector's offsets live in offset.storage.topic (src/offsets'
// records); a JDBC sink's in its consumer group and its target's offsets table. Altering or resetting
// needs a STOPPED connector whose task ended.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "offsets/offset_store.h"
#include "pgsink/target_writer.h"
#include "worker/sink_offsets.h"
#include "worker/slot.h"

namespace sluice::worker {

namespace {

using json = nlohmann::json;

std::shared_ptr<spdlog::logger> log() {
  return worker_log();
}

// The latest record per offset key of `name` (the key's first element): key bytes -> (partition, offset).
std::map<std::string, std::pair<json, std::optional<json>>> connector_offsets(
    const std::vector<LogRecord>& records, const std::string& name) {
  std::map<std::string, std::pair<json, std::optional<json>>> out;
  for (const auto& r : records) {
    auto key = json::parse(r.key, nullptr, false);
    if (!key.is_array() || key.size() != 2 || !key[0].is_string() || key[0].get<std::string>() != name)
      continue;
    std::optional<json> value;
    if (r.value) {
      auto v = json::parse(*r.value, nullptr, false);
      if (!v.is_discarded()) value = std::move(v);
    }
    out[r.key] = {key[1], value};
  }
  return out;
}

// Connect's answers when the sink's consumer group still has members (Worker.alterSinkConnectorOffsets /
// resetSinkConnectorOffsets).
std::string group_not_empty(const std::string& name, const char* verb) {
  return fmt::format(
      "Failed to {0} consumer group offsets for connector {1} either because its tasks haven't stopped "
      "completely yet or the connector was resumed before the request to {0} its offsets could be "
      "successfully completed. If the connector is in a stopped state, this operation can be safely "
      "retried. If it doesn't eventually succeed, the Connect cluster may need to be restarted to get rid "
      "of the zombie sink tasks.",
      verb, name);
}

}  // namespace

std::optional<config::Properties> Worker::sink_config_copy(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = slots_.find(name);
  if (it == slots_.end() || !it->second->sink) return std::nullopt;
  return it->second->config;
}

ApiResult<json> Worker::sink_offsets(const config::Properties& config) {
  auto cfg = sink_config_of(config_, config);
  if (!cfg) return ApiError::bad_request(cfg.error().message);
  auto writer = pgsink::TargetWriter::connect(*cfg);
  if (!writer)
    return ApiError{500, "Failed to read the offsets of sink connector " + cfg->name +
                             " from its target: " + writer.error().message};
  auto stored = (*writer)->stored_offsets();
  if (!stored)
    return ApiError{500, "Failed to read the offsets of sink connector " + cfg->name +
                             " from its target: " + stored.error().message};
  return sink_offsets_json(*stored);
}

ApiResult<std::string> Worker::alter_sink_offsets(const std::string& name, const config::Properties& config,
                                                  const json& entries) {
  auto changes = parse_sink_offsets(entries);
  if (!changes) return ApiError::bad_request(changes.error().message);
  auto cfg = sink_config_of(config_, config);
  if (!cfg) return ApiError::bad_request(cfg.error().message);
  auto writer = pgsink::TargetWriter::connect(*cfg);
  if (!writer)
    return ApiError{500, "Failed to alter the offsets of sink connector " + name +
                             " in its target: " + writer.error().message};
  // The consumer group first (it refuses while the sink's consumer is a member), then the target, which
  // the sink resumes from.
  auto group = alter_consumer_group_offsets(cfg->bootstrap_servers, cfg->consumer_properties, cfg->group_id,
                                            *changes, kStorageTimeoutMs);
  if (group.outcome == GroupChange::kNotEmpty) return ApiError{500, group_not_empty(name, "alter")};
  if (group.outcome == GroupChange::kFailed) {
    return ApiError{500,
                    "Failed to alter consumer group offsets for connector " + name + ": " + group.message};
  }
  if (auto s = (*writer)->alter_offsets(*changes); !s) {
    return ApiError{500, "Failed to alter the offsets of sink connector " + name +
                             " in its target: " + s.error().message};
  }
  log()->info("sink connector {}: {} offset(s) altered", name, changes->size());
  return std::string("The offsets for this connector have been altered successfully");
}

ApiResult<std::string> Worker::reset_sink_offsets(const std::string& name, const config::Properties& config) {
  auto cfg = sink_config_of(config_, config);
  if (!cfg) return ApiError::bad_request(cfg.error().message);
  auto writer = pgsink::TargetWriter::connect(*cfg);
  if (!writer)
    return ApiError{500, "Failed to reset the offsets of sink connector " + name +
                             " in its target: " + writer.error().message};
  auto group = delete_consumer_group(cfg->bootstrap_servers, cfg->consumer_properties, cfg->group_id,
                                     kStorageTimeoutMs);
  if (group.outcome == GroupChange::kNotEmpty) return ApiError{500, group_not_empty(name, "reset")};
  if (group.outcome == GroupChange::kFailed) {
    return ApiError{
        500, "Failed to reset consumer group offsets for sink connector " + name + ": " + group.message};
  }
  if (auto s = (*writer)->reset_offsets(); !s) {
    return ApiError{500, "Failed to reset the offsets of sink connector " + name +
                             " in its target: " + s.error().message};
  }
  log()->info("sink connector {}: offsets reset", name);
  return std::string("The offsets for this connector have been reset successfully");
}

ApiResult<json> Worker::offsets(const std::string& name) {
  {
    std::lock_guard lock(mu_);
    if (!slots_.count(name)) return ApiError::not_found(not_found(name));
  }
  if (auto sink = sink_config_copy(name)) return sink_offsets(*sink);
  auto records = store_.read_offsets();
  if (!records) return ApiError{500, records.error().message};
  json out = json::array();
  for (const auto& [_, entry] : connector_offsets(*records, name)) {
    if (entry.second) out.push_back({{"partition", entry.first}, {"offset", *entry.second}});
  }
  return out;
}

bool Worker::wait_idle(const std::shared_ptr<Slot>& slot, int timeout_ms) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    if (slot->state.running()) return false;
    if (owns(slot->name)) return true;
    // Run by another worker: stopped once its owner recorded no running task.
    auto it = remote_.find(slot->name);
    if (it == remote_.end()) return true;
    for (const auto& t : it->second.tasks) {
      if (t.state == "RUNNING" || t.state == "PAUSED" || t.state == "RESTARTING") return false;
    }
    return true;
  });
}

std::optional<ApiError> Worker::require_stopped(const std::string& name) {
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(name);
    if (it == slots_.end()) return ApiError::not_found(not_found(name));
    slot = it->second;
    if (slot->state.target != TargetState::kStopped) {
      return ApiError::bad_request(
          "Connectors must be in the STOPPED state before their offsets can be modified. This can be done "
          "for "
          "the specified connector by issuing a 'PUT' request to the '/connectors/" +
          name + "/stop' endpoint");
    }
  }
  if (!wait_idle(slot, kStorageTimeoutMs)) {
    return ApiError::conflict("Connector " + name + " is still stopping; retry once its tasks stopped");
  }
  return std::nullopt;
}

ApiResult<std::string> Worker::alter_offsets(const std::string& name, const json& entries) {
  if (auto e = require_stopped(name)) return *e;
  if (auto sink = sink_config_copy(name)) return alter_sink_offsets(name, *sink, entries);
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
  for (const auto& e : entries) {
    if (!e["partition"].contains("server") || !e["partition"]["server"].is_string() ||
        e["partition"].size() != 1) {
      return ApiError::bad_request(
          "The partition of a sluice (Debezium Postgres) offset is {\"server\":\"<topic.prefix>\"}; got " +
          e["partition"].dump());
    }
    if (e.contains("offset") && e["offset"].is_object() && !offsets::parse_offset_value(e["offset"].dump())) {
      return ApiError::bad_request("Invalid offset " + e["offset"].dump() +
                                   ": a Debezium Postgres offset needs \"lsn\" (a number)");
    }
  }
  for (const auto& e : entries) {
    auto key = offsets::offset_key(name, e["partition"]["server"].get<std::string>());
    std::optional<std::string> value;
    if (e.contains("offset") && e["offset"].is_object()) value = e["offset"].dump();
    records.emplace_back(std::move(key), std::move(value));
  }
  if (auto s = store_.write_offsets(records); !s) return ApiError{500, s.error().message};
  return std::string(
      "The Connect framework-managed offsets for this connector have been altered successfully. However, if "
      "this "
      "connector manages offsets externally, they will need to be manually altered in the system that the "
      "connector uses.");
}

ApiResult<std::string> Worker::reset_offsets(const std::string& name) {
  if (auto e = require_stopped(name)) return *e;
  if (auto sink = sink_config_copy(name)) return reset_sink_offsets(name, *sink);
  auto records = store_.read_offsets();
  if (!records) return ApiError{500, records.error().message};
  std::vector<std::pair<std::string, std::optional<std::string>>> tombstones;
  for (const auto& [key, entry] : connector_offsets(*records, name)) {
    if (entry.second) tombstones.emplace_back(key, std::nullopt);
  }
  if (auto s = store_.write_offsets(tombstones); !s) return ApiError{500, s.error().message};
  return std::string(
      "The Connect framework-managed offsets for this connector have been reset successfully. However, if "
      "this "
      "connector manages offsets externally, they will need to be manually reset in the system that the "
      "connector uses.");
}

}  // namespace sluice::worker
