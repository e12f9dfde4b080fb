// Per-property validation on top of parse_config (fail fast): the property an error names is found in its
// message, recorded, and replaced (a valid placeholder for a required one, removed otherwise) before the
// next pass, so one answer lists every property's error.
#include "worker/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <set>

#include "pgsink/sink_config.h"
#include "transform/chain.h"

namespace sluice::worker {

namespace {

// Required by parse_config, with a placeholder that passes validation.
const std::map<std::string, std::string> kRequired = {{"database.hostname", "localhost"},
                                                      {"database.user", "postgres"},
                                                      {"database.dbname", "postgres"},
                                                      {"topic.prefix", "prefix"}};
// Required by parse_sink_config (topics or topics.regex: topics stands for both).
const std::map<std::string, std::string> kSinkRequired = {
    {"topics", "topic"}, {"connection.url", "jdbc:postgresql://localhost/postgres"}};

bool common_key(const std::string& key) {
  return key == "name" || key == "connector.class" || key == "tasks.max" || key.ends_with(".converter") ||
         key.starts_with("key.converter.") || key.starts_with("value.converter.") ||
         key.starts_with("producer.override.") || key.starts_with("consumer.override.") || key == "topics" ||
         key == "topics.regex" || key.starts_with("errors.") || key.starts_with("transforms") ||
         key.starts_with("predicates");
}

std::string group_of(const std::string& key) {
  if (common_key(key)) return "Common";
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

std::vector<PluginInfo> connector_plugins() {
  return {{kSinkConnectorClass, "sink", kDebeziumVersion}, {kConnectorClass, "source", kDebeziumVersion}};
}

bool is_sink_plugin(const std::string& plugin) {
  return plugin == kSinkConnectorClass || plugin == "JdbcSinkConnector" || plugin == "JdbcSink";
}

namespace {

// The errors of `parse` (fail fast), one per pass, each attached to the property it names.
Validation validate_with(const config::Properties& input, const char* connector_class,
                         const std::map<std::string, std::string>& required,
                         const std::function<std::optional<std::string>(const config::Properties&)>& parse,
                         const std::function<std::string(const std::string&)>& group) {
  Validation v;
  v.connector_class = connector_class;
  std::map<std::string, std::vector<std::string>> errors;
  if (!input.count("name") || input.at("name").empty()) {
    errors["name"].push_back("Missing required configuration \"name\" which has no default value.");
  }
  std::set<std::string> keys;
  for (const auto& [k, _] : input) keys.insert(k);
  for (const auto& [k, _] : required) keys.insert(k);

  config::Properties props = input;
  for (int pass = 0; pass < 64; ++pass) {
    std::string message;
    auto resolved = config::resolve_providers(props);
    if (!resolved) {
      message = resolved.error().message;
    } else {
      auto error = parse(*resolved);
      if (!error) break;
      message = *error;
    }
    auto key = key_in(message, keys);
    if (key.empty()) key = "connector.class";  // an error about the config as a whole
    auto& list = errors[key];
    if (std::find(list.begin(), list.end(), message) != list.end()) break;  // no progress
    list.push_back(message);
    if (auto r = required.find(key); r != required.end()) {
      props[key] = r->second;
    } else if (props.erase(key) == 0) {
      break;
    }
  }
  keys.insert("name");
  keys.insert("connector.class");
  for (const auto& k : keys) {
    PropertyCheck p;
    p.name = k;
    if (auto it = input.find(k); it != input.end()) p.value = it->second;
    if (auto it = errors.find(k); it != errors.end()) p.errors = it->second;
    p.group = group(k);
    p.required = required.count(k) > 0 || k == "name" || k == "connector.class";
    v.properties.push_back(std::move(p));
  }
  return v;
}

}  // namespace

Validation validate_connector_config(const config::Properties& input) {
  return validate_with(
      input, kConnectorClass, kRequired,
      [](const config::Properties& p) -> std::optional<std::string> {
        auto cfg = config::parse_config(p, transform::validate_chain);
        if (cfg) return std::nullopt;
        return cfg.error().message;
      },
      group_of);
}

Validation validate_sink_config(const config::Properties& input) {
  return validate_with(
      input, kSinkConnectorClass, kSinkRequired,
      [](const config::Properties& p) -> std::optional<std::string> {
        auto cfg = pgsink::parse_sink_config(p);
        if (cfg) return std::nullopt;
        return cfg.error().message;
      },
      [](const std::string& key) -> std::string {
        if (common_key(key)) return "Common";
        if (key.starts_with("connection.")) return "Connection";
        return "Connector";
      });
}

std::string invalid_config_message(const Validation& v) {
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
