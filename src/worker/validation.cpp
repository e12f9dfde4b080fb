// Per-property validation on top of parse_config (fail fast): the property an error names is found in its
// message, recorded, and replaced (a valid placeholder for a required one, removed otherwise) before the
// next pass, so one answer lists every property's error.
#include "worker/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace sluice::worker {

namespace {

// Required by parse_config, with a placeholder that passes validation.
const std::map<std::string, std::string> kRequired = {{"database.hostname", "localhost"},
                                                      {"database.user", "postgres"},
                                                      {"database.dbname", "postgres"},
                                                      {"topic.prefix", "prefix"}};

std::string group_of(const std::string& key) {
  if (key == "name" || key == "connector.class" || key == "tasks.max" || key.ends_with(".converter") ||
      key.starts_with("key.converter.") || key.starts_with("value.converter.") ||
      key.starts_with("producer.override.")) {
    return "Common";
  }
  if (key.starts_with("database.") || key == "plugin.name" || key == "slot.name" ||
      key.starts_with("publication.")) {
    return "Postgres";
  }
  return "Connector";
}

// The property an error message is about: the earliest (then longest) known key it mentions.
std::string key_in(const std::string& message, const std::set<std::string>& keys) {
  size_t best = std::string::npos;
  std::string out;
  auto boundary = [&](size_t pos, size_t len) {
    auto ok = [](char c) {
      return !(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
    };
    return (pos == 0 || ok(message[pos - 1])) && (pos + len >= message.size() || ok(message[pos + len]));
  };
  for (const auto& k : keys) {
    for (size_t pos = message.find(k); pos != std::string::npos; pos = message.find(k, pos + 1)) {
      if (!boundary(pos, k.size())) continue;
      if (pos < best || (pos == best && k.size() > out.size())) {
        best = pos;
        out = k;
      }
      break;
    }
  }
  return out;
}

}  // namespace

bool is_postgres_plugin(const std::string& plugin) {
  return plugin == kConnectorClass || plugin == "PostgresConnector" || plugin == "Postgres" ||
         plugin == "postgres" || plugin == "postgresql";
}

server::Validation validate_connector_config(const config::Properties& input) {
  server::Validation v;
  v.connector_class = kConnectorClass;
  std::map<std::string, std::vector<std::string>> errors;
  if (!input.count("name") || input.at("name").empty()) {
    errors["name"].push_back("Missing required configuration \"name\" which has no default value.");
  }
  std::set<std::string> keys;
  for (const auto& [k, _] : input) keys.insert(k);
  for (const auto& [k, _] : kRequired) keys.insert(k);

  config::Properties props = input;
  for (int pass = 0; pass < 64; ++pass) {
    std::string message;
    auto resolved = config::resolve_providers(props);
    if (!resolved) {
      message = resolved.error().message;
    } else {
      auto cfg = config::parse_config(*resolved);
      if (cfg) break;
      message = cfg.error().message;
    }
    auto key = key_in(message, keys);
    if (key.empty()) key = "connector.class";  // an error about the config as a whole
    auto& list = errors[key];
    if (std::find(list.begin(), list.end(), message) != list.end()) break;  // no progress
    list.push_back(message);
    if (auto r = kRequired.find(key); r != kRequired.end()) {
      props[key] = r->second;
    } else if (props.erase(key) == 0) {
      break;
    }
  }
  keys.insert("name");
  keys.insert("connector.class");
  for (const auto& k : keys) {
    server::PropertyCheck p;
    p.name = k;
    if (auto it = input.find(k); it != input.end()) p.value = it->second;
    if (auto it = errors.find(k); it != errors.end()) p.errors = it->second;
    p.group = group_of(k);
    p.required = kRequired.count(k) > 0 || k == "name" || k == "connector.class";
    v.properties.push_back(std::move(p));
  }
  return v;
}

std::string invalid_config_message(const server::Validation& v) {
  std::string out = fmt::format(
      "Connector configuration is invalid and contains the following {} error(s):\n", v.error_count());
  for (const auto& p : v.properties) {
    for (const auto& e : p.errors) out += e + "\n";
  }
  out +=
      "You can also find the above list of errors at the endpoint "
      "`/connector-plugins/{connectorType}/config/validate`";
  return out;
}

}  // namespace sluice::worker
