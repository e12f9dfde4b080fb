// Debezium 1.x names and Debezium Server files -> the connector properties parse_config reads. The 1.x
// names are those Debezium 1.9 marked @Deprecated and 2.0 removed (RelationalDatabaseConnectorConfig,
// Heartbeat, PostgresConnectorConfig); the Debezium Server layout follows debezium-server's
// DebeziumServer (debezium.source.*, debezium.sink.<type>.*, debezium.format.*, debezium.transforms.*).
#include "config/debezium_names.h"
#include "config/sink_types.h"
#include "config/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace sluice::config {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Puts key=value into out, unless the same key came already from another key (kFatal naming both).
Status put(Properties& out, std::map<std::string, std::string>& origin, const std::string& key,
           const std::string& value, const std::string& from) {
  if (auto it = origin.find(key); it != origin.end()) {
    return Error::fatal(fmt::format("{} and {} both set {}: set only one", it->second, from, key));
  }
  origin[key] = from;
  out[key] = value;
  return ok_status();
}

}  // namespace

const std::vector<LegacyName>& legacy_names() {
  static const std::vector<LegacyName> kNames = {
      {"database.server.name", "topic.prefix"},
      {"schema.whitelist", "schema.include.list"},
      {"schema.blacklist", "schema.exclude.list"},
      {"table.whitelist", "table.include.list"},
      {"table.blacklist", "table.exclude.list"},
      {"column.whitelist", "column.include.list"},
      {"column.blacklist", "column.exclude.list"},
      {"database.whitelist", "database.include.list"},
      {"database.blacklist", "database.exclude.list"},
      {"heartbeat.topics.prefix", "topic.heartbeat.prefix"},
      {"toasted.value.placeholder", "unavailable.value.placeholder"},
  };
  return kNames;
}

bool is_debezium_server(const Properties& props) {
  return std::any_of(props.begin(), props.end(), [](const auto& kv) {
    return kv.first.starts_with("debezium.source.") || kv.first.starts_with("debezium.sink.");
  });
}

Result<Properties> from_debezium_server(const Properties& props, std::vector<std::string>& warnings) {
  Properties out;
  std::map<std::string, std::string> origin;  // connector key -> the key it came from
  bool quarkus = false;
  // Plain connector keys may sit beside the debezium.* ones; they keep their names.
  for (const auto& [key, value] : props) {
    if (key.starts_with("debezium.")) continue;
    if (key.starts_with("quarkus.")) {
      quarkus = true;
      continue;
    }
    if (auto s = put(out, origin, key, value, key); !s) return s.error();
  }
  const std::string sink_type =
      lower(trim(props.count("debezium.sink.type") ? props.at("debezium.sink.type") : std::string("kafka")));
  std::string allowed;
  bool known = false;
  for (const auto& t : sink_types()) {
    known = known || t.debezium_name == sink_type;
    allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", t.debezium_name);
  }
  if (!known) {
    return Error::fatal(
        fmt::format("invalid value for debezium.sink.type: '{}' (allowed: {})", sink_type, allowed));
  }
  for (const auto& [key, value] : props) {
    if (!key.starts_with("debezium.")) continue;
    std::string_view rest(key);
    if (key == "debezium.sink.type") {
      if (auto s = put(out, origin, "sink.type", sink_type, key); !s) return s.error();
    } else if (key.starts_with("debezium.source.")) {
      std::string name(rest.substr(std::string_view("debezium.source.").size()));
      std::string v = value;
      if (name == "offset.storage") {
        // Kafka Connect's OffsetBackingStore classes, as Debezium Server names them.
        const std::string cls = trim(value);
        if (cls.ends_with("FileOffsetBackingStore")) {
          v = "file";
        } else if (cls.ends_with("KafkaOffsetBackingStore")) {
          v = "kafka";
        } else if (cls.ends_with("MemoryOffsetBackingStore")) {
          v = "none";
        } else if (cls != "file" && cls != "kafka" && cls != "none") {
          return Error::fatal(fmt::format(
              "invalid value for {}: '{}' (allowed: org.apache.kafka.connect.storage.FileOffsetBackingStore, "
              "KafkaOffsetBackingStore, MemoryOffsetBackingStore, or sluice's file, kafka, none)",
              key, cls));
        }
      } else if (name == "offset.flush.interval.ms" || name == "offset.flush.timeout.ms") {
        warnings.push_back(fmt::format(
            "{} is ignored: sluice records offsets at every status.update.interval.ms, once Kafka "
            "acknowledged what they cover",
            key));
        continue;
      }
      if (auto s = put(out, origin, name, v, key); !s) return s.error();
    } else if (key.starts_with("debezium.sink.kafka.producer.")) {
      std::string name(rest.substr(std::string_view("debezium.sink.kafka.producer.").size()));
      if (name == "key.serializer" || name == "value.serializer") continue;  // sluice writes the bytes
      const std::string target = name == "bootstrap.servers" ? "kafka.bootstrap.servers" : "producer." + name;
      if (auto s = put(out, origin, target, value, key); !s) return s.error();
    } else if (key == "debezium.format.key" || key == "debezium.format.value" ||
               key == "debezium.format.header") {
      if (lower(trim(value)) != "json") {
        return Error::fatal(fmt::format(
            "invalid value for {}: '{}' (allowed: json; sluice writes Kafka Connect's JsonConverter format)",
            key, value));
      }
    } else if (key == "debezium.format.key.schemas.enable" || key == "debezium.format.value.schemas.enable") {
      const std::string which = key == "debezium.format.key.schemas.enable" ? "key" : "value";
      if (auto s = put(out, origin, which + ".converter.schemas.enable", value, key); !s) return s.error();
    } else if (key == "debezium.transforms" || key.starts_with("debezium.transforms.") ||
               key == "debezium.predicates" || key.starts_with("debezium.predicates.")) {
      if (auto s =
              put(out, origin, std::string(rest.substr(std::string_view("debezium.").size())), value, key);
          !s) {
        return s.error();
      }
    } else {
      // Read by nothing in sluice: reported (or refused) as unknown under its own name.
      if (auto s = put(out, origin, key, value, key); !s) return s.error();
    }
  }
  if (quarkus) warnings.push_back("quarkus.* properties configure Debezium Server's runtime (ignored)");
  return out;
}

Result<Properties> apply_legacy_names(const Properties& props, std::vector<std::string>& warnings) {
  Properties out = props;
  for (const auto& [old_name, new_name] : legacy_names()) {
    auto it = out.find(std::string(old_name));
    if (it == out.end()) continue;
    if (out.count(std::string(new_name))) {
      return Error::fatal(fmt::format("{} (its Debezium 1.x name) and {} are both set: keep only {}",
                                      old_name, new_name, new_name));
    }
    warnings.push_back(
        fmt::format("{} is deprecated (Debezium 2.0 renamed it): read as {}", old_name, new_name));
    out[std::string(new_name)] = it->second;
    out.erase(it);
  }
  // truncate.handling.mode (1.x, replaced by skipped.operations): skip = "t" skipped, include = not.
  if (auto it = out.find("truncate.handling.mode"); it != out.end()) {
    if (out.count("skipped.operations")) {
      return Error::fatal(
          "truncate.handling.mode (its Debezium 1.x form) and skipped.operations are both set: keep only "
          "skipped.operations");
    }
    const std::string mode = lower(trim(it->second));
    if (mode != "skip" && mode != "include") {
      return Error::fatal(
          fmt::format("invalid value for truncate.handling.mode: '{}' (allowed: skip, include)", it->second));
    }
    warnings.push_back(fmt::format(
        "truncate.handling.mode is deprecated (Debezium 2.0 removed it): read as skipped.operations={}",
        mode == "skip" ? "t" : "none"));
    out["skipped.operations"] = mode == "skip" ? "t" : "none";
    out.erase(it);
  }
  if (auto it = out.find("snapshot.mode"); it != out.end() && lower(trim(it->second)) == "exported") {
    warnings.push_back("snapshot.mode=exported is deprecated (Debezium 2.0 removed it): read as initial");
    it->second = "initial";
  }
  return out;
}

std::optional<std::string> names_destination(std::string_view key) {
  const std::string k = lower(key);
  std::vector<std::string> parts;
  for (size_t b = 0;;) {
    auto e = k.find('.', b);
    parts.push_back(k.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  auto has = [&](std::initializer_list<std::string_view> words) {
    return std::any_of(parts.begin(), parts.end(), [&](const std::string& p) {
      return std::find(words.begin(), words.end(), p) != words.end();
    });
  };
  const std::string& last = parts.back();
  static constexpr std::array<std::string_view, 10> kServer = {
      "servers", "server", "hostname", "host", "url", "urls", "uri", "endpoint", "endpoints", "brokers"};
  if (std::find(kServer.begin(), kServer.end(), last) != kServer.end() || k.find("bootstrap") != k.npos) {
    return std::string("a server");
  }
  if (has({"topic", "topics"}) || last.starts_with("topic")) return std::string("a topic");
  if (has({"password", "passwd", "username", "user", "secret", "token", "credentials", "credential", "keytab",
           "jaas", "apikey"}) ||
      k.ends_with("api.key") || k.ends_with("access.key") || k.ends_with("secret.key")) {
    return std::string("a credential");
  }
  return std::nullopt;
}

}  // namespace sluice::config
