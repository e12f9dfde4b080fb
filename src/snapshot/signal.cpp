// Signal data parsing (nlohmann::json); errors name the signal and the member that is wrong.
#include "snapshot/signal.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sluice::snapshot {

namespace {

Result<nlohmann::json> parse_object(std::string_view signal, std::string_view data) {
  if (data.empty()) return nlohmann::json::object();
  auto j = nlohmann::json::parse(data, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error::fatal(fmt::format("{} signal: data '{}' is not a JSON object", signal, data));
  }
  return j;
}

Result<std::vector<std::string>> collections(std::string_view signal, const nlohmann::json& j,
                                             bool required) {
  std::vector<std::string> out;
  if (!j.contains("data-collections") || j["data-collections"].is_null()) {
    if (required) {
      return Error::fatal(
          fmt::format("{} signal: 'data-collections' is missing (a list of schema.table names)", signal));
    }
    return out;
  }
  const auto& dc = j["data-collections"];
  if (!dc.is_array()) {
    return Error::fatal(
        fmt::format("{} signal: 'data-collections' must be a list, not {}", signal, dc.dump()));
  }
  for (const auto& c : dc) {
    if (!c.is_string() || c.get<std::string>().empty()) {
      return Error::fatal(fmt::format(
          "{} signal: 'data-collections' entries must be non-empty strings, not {}", signal, c.dump()));
    }
    out.push_back(c.get<std::string>());
  }
  if (required && out.empty()) {
    return Error::fatal(fmt::format("{} signal: 'data-collections' is empty", signal));
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

Result<SnapshotRequest> parse_execute_snapshot(std::string_view data) {
  auto j = parse_object("execute-snapshot", data);
  if (!j) return j.error();
  SnapshotRequest r;
  auto cols = collections("execute-snapshot", *j, true);
  if (!cols) return cols.error();
  r.collections = std::move(*cols);
  if (j->contains("type") && !(*j)["type"].is_null()) {
    auto t = (*j)["type"].is_string() ? lower((*j)["type"].get<std::string>()) : std::string();
    if (t == "incremental") {
      r.kind = SnapshotKind::kIncremental;
    } else if (t == "blocking") {
      r.kind = SnapshotKind::kBlocking;
    } else {
      return Error::fatal(
          fmt::format("execute-snapshot signal: type {} is not supported (allowed: incremental, blocking)",
                      (*j)["type"].dump()));
    }
  }
  if (j->contains("additional-conditions") && !(*j)["additional-conditions"].is_null()) {
    const auto& ac = (*j)["additional-conditions"];
    if (!ac.is_array()) {
      return Error::fatal(
          "execute-snapshot signal: 'additional-conditions' must be a list of "
          "{\"data-collection\":…,\"filter\":…}");
    }
    for (const auto& c : ac) {
      if (!c.is_object() || !c.contains("data-collection") || !c["data-collection"].is_string() ||
          !c.contains("filter") || !c["filter"].is_string()) {
        return Error::fatal(
            fmt::format("execute-snapshot signal: additional condition {} needs string members "
                        "'data-collection' and 'filter'",
                        c.dump()));
      }
      r.conditions[c["data-collection"].get<std::string>()] = c["filter"].get<std::string>();
    }
  }
  if (j->contains("surrogate-key") && (*j)["surrogate-key"].is_string()) {
    r.surrogate_key = (*j)["surrogate-key"].get<std::string>();
  }
  return r;
}

Result<std::vector<std::string>> parse_stop_snapshot(std::string_view data) {
  auto j = parse_object("stop-snapshot", data);
  if (!j) return j.error();
  return collections("stop-snapshot", *j, false);
}

Result<std::string> parse_log(std::string_view data) {
  auto j = parse_object("log", data);
  if (!j) return j.error();
  if (!j->contains("message") || !(*j)["message"].is_string()) {
    return Error::fatal(fmt::format("log signal: data '{}' has no string member 'message'", data));
  }
  return (*j)["message"].get<std::string>();
}

Result<Signal> parse_kafka_signal(std::string_view key, std::string_view value) {
  auto j = nlohmann::json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("type") || !j["type"].is_string()) {
    return Error::fatal(
        fmt::format("Kafka signal (key '{}'): value '{}' is not {{\"type\":…,\"data\":…}}", key, value));
  }
  Signal s;
  s.id = std::string(key);
  s.type = j["type"].get<std::string>();
  if (j.contains("data") && !j["data"].is_null()) {
    s.data = j["data"].is_string() ? j["data"].get<std::string>() : j["data"].dump();
  }
  return s;
}

std::string kafka_signal_value(std::string_view type, std::string_view data) {
  nlohmann::json v = {{"type", type}};
  auto d = nlohmann::json::parse(data, nullptr, false);
  v["data"] = d.is_discarded() ? nlohmann::json(data) : d;
  return v.dump();
}

}  // namespace sluice::snapshot
