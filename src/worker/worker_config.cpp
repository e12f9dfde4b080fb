// Worker properties: Kafka Connect's DistributedConfig names and defaults where sluice uses them.
#include "worker/worker_config.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <set>
#include <tuple>

#include "common/listener_url.h"
#include "config/kafka_properties.h"

namespace sluice::worker {

namespace {

// Kafka Connect worker keys that sluice accepts without using (a connect-distributed.properties runs as is).
const std::set<std::string> kConnectKeys = {"key.converter",
                                            "value.converter",
                                            "header.converter",
                                            "internal.key.converter",
                                            "internal.value.converter",
                                            "internal.key.converter.schemas.enable",
                                            "internal.value.converter.schemas.enable",
                                            "plugin.path",
                                            "plugin.discovery",
                                            "rest.extension.classes",
                                            "connector.client.config.override.policy",
                                            "heartbeat.interval.ms",
                                            "session.timeout.ms",
                                            "rebalance.timeout.ms",
                                            "scheduled.rebalance.max.delay.ms",
                                            "connect.protocol",
                                            "exactly.once.source.support",
                                            "task.shutdown.graceful.timeout.ms",
                                            "offset.flush.timeout.ms",
                                            "client.id",
                                            "topic.creation.enable",
                                            "topic.tracking.enable",
                                            "topic.tracking.allow.reset",
                                            "access.control.allow.origin",
                                            "access.control.allow.methods",
                                            "response.http.headers.config",
                                            "admin.listeners",
                                            "worker.sync.timeout.ms",
                                            "worker.unsync.backoff.ms",
                                            "connections.max.idle.ms",
                                            "receive.buffer.bytes",
                                            "send.buffer.bytes",
                                            "request.timeout.ms",
                                            "retry.backoff.ms",
                                            "retry.backoff.max.ms",
                                            "reconnect.backoff.ms",
                                            "reconnect.backoff.max.ms",
                                            "metadata.max.age.ms",
                                            "metric.reporters",
                                            "metrics.num.samples",
                                            "metrics.recording.level",
                                            "metrics.sample.window.ms",
                                            "auto.include.jmx.reporter",
                                            "inter.worker.key.generation.algorithm",
                                            "inter.worker.key.size",
                                            "inter.worker.key.ttl.ms",
                                            "inter.worker.signature.algorithm",
                                            "inter.worker.verification.algorithms",
                                            "config.storage.topic",
                                            "offset.storage.topic",
                                            "status.storage.topic",
                                            "rest.host.name",
                                            "rest.port",
                                            "client.dns.lookup",
                                            "use.automatic.key.rotation"};

Result<int64_t> integer(const config::Properties& p, const std::string& key, int64_t def, int64_t min,
                        int64_t max) {
  auto it = p.find(key);
  if (it == p.end()) return def;
  int64_t v = 0;
  auto r = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (r.ec != std::errc() || r.ptr != it->second.data() + it->second.size() || v < min || v > max) {
    return Error::fatal(fmt::format("invalid value for {}: '{}' (allowed: an integer from {} to {})", key,
                                    it->second, min, max));
  }
  return v;
}

std::string str(const config::Properties& p, const std::string& key, const std::string& def) {
  auto it = p.find(key);
  return it == p.end() ? def : it->second;
}

Status storage_topic(const config::Properties& p, const std::string& prefix, StorageTopic& t) {
  t.name = str(p, prefix + ".topic", t.name);
  if (t.name.empty()) return Error::fatal(fmt::format("{}.topic may not be empty", prefix));
  auto rf = integer(p, prefix + ".replication.factor", t.replication_factor, -1, 32767);
  if (!rf) return rf.error();
  if (*rf == 0)
    return Error::fatal(
        fmt::format("invalid value for {}.replication.factor: 0 (allowed: -1 or >= 1)", prefix));
  t.replication_factor = static_cast<int>(*rf);
  if (prefix != "config.storage") {  // the config topic has one partition, as Connect requires
    auto parts = integer(p, prefix + ".partitions", t.partitions, -1, 100000);
    if (!parts) return parts.error();
    if (*parts == 0)
      return Error::fatal(fmt::format("invalid value for {}.partitions: 0 (allowed: -1 or >= 1)", prefix));
    t.partitions = static_cast<int>(*parts);
  }
  return ok_status();
}

// Connect's PropertyFileLoginModule file: "user: password[,role…]" per line, '#' comments.
Result<std::map<std::string, std::string>> read_users(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::fatal(fmt::format("rest.basic.auth.file: cannot read '{}'", path));
  std::map<std::string, std::string> users;
  std::string line;
  while (std::getline(in, line)) {
    auto b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#' || line[b] == '!') continue;
    auto sep = line.find_first_of(":=", b);
    if (sep == std::string::npos) continue;
    auto user = line.substr(b, line.find_last_not_of(" \t", sep - 1) + 1 - b);
    auto rest = line.substr(sep + 1);
    auto pb = rest.find_first_not_of(" \t");
    rest = pb == std::string::npos ? "" : rest.substr(pb);
    auto comma = rest.find(',');
    if (comma != std::string::npos) rest = rest.substr(0, comma);
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r' || rest.back() == '\t'))
      rest.pop_back();
    users[user] = rest;
  }
  if (users.empty()) return Error::fatal(fmt::format("rest.basic.auth.file '{}' names no user", path));
  return users;
}

}  // namespace

std::string WorkerConfig::worker_id() const {
  std::string host =
      advertised_host.empty() ? (http.host == "0.0.0.0" ? "127.0.0.1" : http.host) : advertised_host;
  int port = advertised_port > 0 ? advertised_port : http.port;
  return fmt::format("{}:{}", host, port);
}

std::string WorkerConfig::advertised_url() const {
  std::string proto = advertised_protocol.empty() ? (http.tls ? "https" : "http") : advertised_protocol;
  return fmt::format("{}://{}", proto, worker_id());
}

Result<WorkerConfig> parse_worker_config(const config::Properties& props) {
  WorkerConfig w;
  w.bootstrap_servers = str(props, "bootstrap.servers", w.bootstrap_servers);
  w.group_id = str(props, "group.id", w.group_id);
  if (w.group_id.empty()) return Error::fatal("group.id may not be empty");
  if (auto s = storage_topic(props, "config.storage", w.config_topic); !s) return s.error();
  if (auto s = storage_topic(props, "offset.storage", w.offset_topic); !s) return s.error();
  if (auto s = storage_topic(props, "status.storage", w.status_topic); !s) return s.error();
  if (w.config_topic.name == w.offset_topic.name || w.config_topic.name == w.status_topic.name ||
      w.offset_topic.name == w.status_topic.name) {
    return Error::fatal("config.storage.topic, offset.storage.topic and status.storage.topic must differ");
  }

  // listeners (Connect: a comma-separated list; sluice serves the first), else the deprecated rest.host.name
  // and rest.port.
  if (auto it = props.find("listeners"); it != props.end()) {
    w.listener = it->second.substr(0, it->second.find(','));
    if (it->second.find(',') != std::string::npos) {
      w.warnings.push_back(
          fmt::format("listeners={}: sluice serves the first listener only ({})", it->second, w.listener));
    }
  } else if (props.count("rest.port") || props.count("rest.host.name")) {
    w.listener = fmt::format("http://{}:{}", str(props, "rest.host.name", "127.0.0.1"),
                             str(props, "rest.port", "8083"));
  }
  auto url = parse_listener_url(w.listener);
  if (!url) return url.error();
  w.http.host = url->host;
  w.http.port = url->port;
  w.http.tls = url->tls;
  if (w.http.tls) {
    // listeners.https.ssl.* (or ssl.*): PEM files. keystore.location holds the key and the certificate chain.
    auto ssl = [&](const std::string& k) {
      return str(props, "listeners.https.ssl." + k, str(props, "ssl." + k, ""));
    };
    auto type = ssl("keystore.type");
    if (!type.empty() && type != "PEM") {
      return Error::fatal(
          fmt::format("listeners.https.ssl.keystore.type={}: sluice's HTTPS listener reads PEM files "
                      "(convert with openssl pkcs12 -nodes)",
                      type));
    }
    w.http.cert_file = ssl("certificate.location");
    w.http.key_file = ssl("key.location");
    auto keystore = ssl("keystore.location");
    if (w.http.cert_file.empty()) w.http.cert_file = keystore;
    if (w.http.key_file.empty()) w.http.key_file = keystore;
    if (w.http.cert_file.empty() || w.http.key_file.empty()) {
      return Error::fatal(
          "listeners=https needs listeners.https.ssl.keystore.location (a PEM file with the key and "
          "certificate chain)");
    }
    if (ssl("client.auth") == "required") {
      w.http.client_ca_file = ssl("truststore.location");
      if (w.http.client_ca_file.empty()) {
        return Error::fatal(
            "listeners.https.ssl.client.auth=required needs listeners.https.ssl.truststore.location");
      }
    }
  }
  // The listener's connection caps and request-header deadline (sluice; Jetty has its own knobs for these).
  for (auto [key, field, min] :
       {std::tuple{"rest.max.connections", &w.http.max_connections, int64_t{1}},
        std::tuple{"rest.max.connections.per.address", &w.http.max_connections_per_address, int64_t{1}}}) {
    auto n = integer(props, key, static_cast<int64_t>(*field), min, 1000000);
    if (!n) return n.error();
    *field = static_cast<size_t>(*n);
  }
  auto header_timeout = integer(props, "rest.header.timeout.ms", w.http.header_timeout_ms, 100, 600000);
  if (!header_timeout) return header_timeout.error();
  w.http.header_timeout_ms = static_cast<int>(*header_timeout);
  if (auto f = str(props, "rest.basic.auth.file", ""); !f.empty()) {
    auto users = read_users(f);
    if (!users) return users.error();
    w.http.basic_auth = std::move(*users);
  }
  w.advertised_host = str(props, "rest.advertised.host.name", "");
  auto port = integer(props, "rest.advertised.port", 0, 0, 65535);
  if (!port) return port.error();
  w.advertised_port = static_cast<int>(*port);
  w.advertised_protocol = str(props, "rest.advertised.listener", "");
  if (!w.advertised_protocol.empty() && w.advertised_protocol != "http" && w.advertised_protocol != "https") {
    return Error::fatal(fmt::format("invalid value for rest.advertised.listener: '{}' (allowed: http, https)",
                                    w.advertised_protocol));
  }
  auto flush = integer(props, "offset.flush.interval.ms", 60000, 0, 86400000);
  if (!flush) return flush.error();
  w.offset_flush_interval_ms = *flush;

  std::map<std::string, config::KafkaProperty> kafka;
  for (const auto& [k, v] : props) {
    static const std::set<std::string> kUsed = {"bootstrap.servers",
                                                "group.id",
                                                "listeners",
                                                "rest.advertised.host.name",
                                                "rest.advertised.port",
                                                "rest.advertised.listener",
                                                "offset.flush.interval.ms",
                                                "rest.basic.auth.file",
                                                "rest.max.connections",
                                                "rest.max.connections.per.address",
                                                "rest.header.timeout.ms"};
    if (kUsed.count(k) || kConnectKeys.count(k)) continue;
    if (k.starts_with("config.storage.") || k.starts_with("offset.storage.") ||
        k.starts_with("status.storage.") || k.starts_with("listeners.https.") || k.starts_with("metrics.") ||
        k.starts_with("admin.")) {
      continue;
    }
    if (k.starts_with("producer.") || k.starts_with("consumer.") || k.starts_with("config.providers") ||
        k == "key.converter.schemas.enable" || k == "value.converter.schemas.enable") {
      w.connector_defaults[k] = v;
      continue;
    }
    if (k.starts_with("security.") || k.starts_with("sasl.") || k.starts_with("ssl.")) {
      kafka.try_emplace(k, config::KafkaProperty{k, v});
      w.connector_defaults["producer." + k] = v;  // Connect's clients share the worker's security settings
      w.connector_defaults["consumer." + k] = v;
      continue;
    }
    w.warnings.push_back(fmt::format("unknown worker property {} (ignored)", k));
  }
  for (const char* k : {"key.converter", "value.converter"}) {
    auto v = str(props, k, "org.apache.kafka.connect.json.JsonConverter");
    if (v != "org.apache.kafka.connect.json.JsonConverter") {
      w.warnings.push_back(fmt::format("{}={}: sluice writes JSON (JsonConverter) only", k, v));
    }
  }
  auto lib = config::to_librdkafka(kafka, w.warnings);
  if (!lib) return lib.error();
  w.kafka_properties = std::move(*lib);
  return w;
}

config::Properties connector_properties(const WorkerConfig& worker, const config::Properties& stored) {
  config::Properties p = stored;
  if (!p.count("kafka.bootstrap.servers") && !p.count("bootstrap.servers")) {
    p["kafka.bootstrap.servers"] = worker.bootstrap_servers;
  }
  // Source offsets live in the worker's offset topic (Connect 3.5+ lets a connector name its own).
  if (!p.count("offset.storage.topic") && !p.count("offset.storage.file.filename") &&
      !p.count("offset.storage")) {
    p["offset.storage.topic"] = worker.offset_topic.name;
  }
  for (const auto& [k, v] : worker.connector_defaults) {
    if (k.starts_with("consumer.")) continue;  // a sink's (sink_connector_properties)
    if (k.starts_with("producer.")) {
      auto client = k.substr(9);
      if (p.count(k) || p.count("producer.override." + client) || p.count("kafka." + client)) continue;
    }
    p.try_emplace(k, v);
  }
  return p;
}

config::Properties sink_connector_properties(const WorkerConfig& worker, const config::Properties& stored) {
  config::Properties p = stored;
  if (!p.count("kafka.bootstrap.servers") && !p.count("bootstrap.servers")) {
    p["kafka.bootstrap.servers"] = worker.bootstrap_servers;
  }
  for (const auto& [k, v] : worker.connector_defaults) {
    if (k.starts_with("producer.")) continue;  // a source's
    if (k.starts_with("consumer.")) {
      auto client = k.substr(9);
      if (p.count(k) || p.count("consumer.override." + client) || p.count("kafka." + client)) continue;
    }
    p.try_emplace(k, v);
  }
  return p;
}

}  // namespace sluice::worker
