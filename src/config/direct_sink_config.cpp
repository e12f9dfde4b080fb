// Direct sink settings: Debezium Server's HttpChangeConsumerConfig, RedisStreamChangeConsumerConfig (with
// RedisCommonConfig) and NatsJetStreamChangeConsumerConfig names and defaults, sluice.sink.* for the rest.
#include "config/direct_sink_config.h"
#include "config/property_reader.h"
#include "config/sink_types.h"
#include "config/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace sluice::config {

namespace {

// host:port (Redis's address); the port defaults to `default_port`.
Status parse_address(const std::string& key, const std::string& value, std::string& host, int& port,
                     int default_port) {
  if (value.empty()) return invalid(key, value, "host:port");
  auto colon = value.rfind(':');
  host = colon == std::string::npos ? value : value.substr(0, colon);
  port = default_port;
  if (colon != std::string::npos) {
    const std::string p = value.substr(colon + 1);
    auto r = std::from_chars(p.data(), p.data() + p.size(), port);
    if (r.ec != std::errc() || r.ptr != p.data() + p.size() || port < 1 || port > 65535) {
      return invalid(key, value, "host:port with a port from 1 to 65535");
    }
  }
  if (host.empty()) return invalid(key, value, "host:port");
  return ok_status();
}

Status parse_file(PropertyReader& r, FileSinkConfig& f) {
  f.path = r.str("sluice.sink.file.path", "");
  if (f.path.empty())
    return Error::fatal("sink.type=file needs sluice.sink.file.path (a file, or - for stdout)");
  SLUICE_TRY_ASSIGN(f.rotate_bytes, r.integer("sluice.sink.file.rotate.bytes", 0, 0, int64_t{1} << 50));
  if (f.rotate_bytes > 0 && f.path == "-") {
    return invalid("sluice.sink.file.rotate.bytes", std::to_string(f.rotate_bytes),
                   "0 when sluice.sink.file.path is - (stdout is not rotated)");
  }
  SLUICE_TRY_ASSIGN(f.fsync, r.boolean("sluice.sink.file.fsync", true));
  std::string format;
  SLUICE_TRY_ASSIGN(format, r.choice("sluice.sink.file.format", "record", {"record", "value"}));
  f.value_only = format == "value";
  return ok_status();
}

Status parse_http(PropertyReader& r, HttpSinkConfig& h, const std::string& topic_prefix,
                  const Properties& props, std::set<std::string>& used) {
  const std::string p = "debezium.sink.http.";
  h.url = r.str(p + "url", "");
  if (h.url.empty()) return Error::fatal("sink.type=http needs debezium.sink.http.url");
  if (!h.url.starts_with("http://") && !h.url.starts_with("https://")) {
    return invalid(p + "url", h.url, "an http:// or https:// URL");
  }
  SLUICE_TRY_ASSIGN(h.timeout_ms, r.integer(p + "timeout.ms", 60000, 1, 3600000));
  SLUICE_TRY_ASSIGN(h.retries, r.integer(p + "retries", 5, -1, 1000000000));
  SLUICE_TRY_ASSIGN(h.retry_interval_ms, r.integer(p + "retry.interval.ms", 1000, 1, 3600000));
  SLUICE_TRY_ASSIGN(h.retry_max_interval_ms,
                    r.integer("sluice.sink.http.retry.max.interval.ms",
                              std::max<int64_t>(30000, h.retry_interval_ms), h.retry_interval_ms, 3600000));
  h.headers_prefix = r.str(p + "headers.prefix", h.headers_prefix);
  SLUICE_TRY_ASSIGN(h.headers_encode_base64, r.boolean(p + "headers.encode.base64", true));
  SLUICE_TRY_ASSIGN(h.batch, r.boolean(p + "batch.enabled", false));
  SLUICE_TRY_ASSIGN(h.batch_max_size, r.integer(p + "batch.max-size", 200, 1, 100000));
  const std::string auth_key = p + "authentication.type";
  h.auth = lower(r.str(auth_key, ""));
  if (h.auth == "jwt" || h.auth == "oauth2" || h.auth == "standard-webhooks") {
    return invalid(auth_key, h.auth,
                   "bearer, basic (sluice does not implement Debezium Server's jwt, oauth2 and "
                   "standard-webhooks authenticators)");
  }
  if (!h.auth.empty() && h.auth != "bearer" && h.auth != "basic")
    return invalid(auth_key, h.auth, "bearer, basic");
  h.bearer_token = r.str("sluice.sink.http.authentication.bearer.token", "");
  h.basic_user = r.str("sluice.sink.http.authentication.basic.username", "");
  h.basic_password = r.str("sluice.sink.http.authentication.basic.password", "");
  if (h.auth == "bearer" && h.bearer_token.empty()) {
    return Error::fatal(
        "debezium.sink.http.authentication.type=bearer needs sluice.sink.http.authentication.bearer.token");
  }
  if (h.auth == "basic" && h.basic_user.empty()) {
    return Error::fatal(
        "debezium.sink.http.authentication.type=basic needs sluice.sink.http.authentication.basic.username");
  }
  h.ca_file = r.str("sluice.sink.http.ssl.ca.location", "");
  SLUICE_TRY_ASSIGN(h.verify_tls, r.boolean("sluice.sink.http.ssl.verify", true));
  h.idempotency_header = r.str("sluice.sink.http.idempotency.header", h.idempotency_header);
  h.idempotency_prefix = r.str("sluice.sink.http.idempotency.prefix", topic_prefix);
  const std::string hdr = "sluice.sink.http.header.";
  for (const auto& [key, value] : props) {
    if (!key.starts_with(hdr)) continue;
    used.insert(key);
    const std::string name = key.substr(hdr.size());
    if (name.empty() || name.find_first_of(" :\r\n\t") != std::string::npos) {
      return invalid(key, value, "sluice.sink.http.header.<Header-Name>=<value>");
    }
    h.static_headers[name] = trim(value);
  }
  return ok_status();
}

Status parse_redis(PropertyReader& r, RedisSinkConfig& c) {
  const std::string p = "debezium.sink.redis.";
  const std::string address = r.str(p + "address", "");
  if (address.empty()) return Error::fatal("sink.type=redis needs debezium.sink.redis.address (host:port)");
  if (auto s = parse_address(p + "address", address, c.host, c.port, 6379); !s) return s;
  c.user = r.str(p + "user", "");
  c.password = r.str(p + "password", "");
  bool ssl = false;
  SLUICE_TRY_ASSIGN(ssl, r.boolean(p + "ssl.enabled", false));
  if (ssl) return invalid(p + "ssl.enabled", "true", "false (the redis sink speaks plain TCP)");
  std::string format;
  SLUICE_TRY_ASSIGN(format, r.choice(p + "message.format", "compact", {"compact", "extended"}));
  c.extended = format == "extended";
  c.null_key = r.str(p + "null.key", c.null_key);
  c.null_value = r.str(p + "null.value", c.null_value);
  SLUICE_TRY_ASSIGN(c.batch_size, r.integer(p + "batch.size", 500, 1, 100000));
  SLUICE_TRY_ASSIGN(c.retry_initial_ms, r.integer(p + "retry.initial.delay.ms", 300, 1, 3600000));
  SLUICE_TRY_ASSIGN(c.retry_max_ms, r.integer(p + "retry.max.delay.ms", 10000, c.retry_initial_ms, 3600000));
  SLUICE_TRY_ASSIGN(c.timeout_ms, r.integer(p + "socket.timeout.ms", 2000, 1, 3600000));
  SLUICE_TRY_ASSIGN(c.maxlen, r.integer("sluice.sink.redis.maxlen", 0, 0, int64_t{1} << 50));
  return ok_status();
}

Status parse_nats(PropertyReader& r, NatsSinkConfig& c) {
  const std::string p = "debezium.sink.nats-jetstream.";
  c.url = r.str(p + "url", "");
  if (c.url.empty())
    return Error::fatal("sink.type=nats needs debezium.sink.nats-jetstream.url (nats://host:port)");
  if (!c.url.starts_with("nats://") && !c.url.starts_with("tls://")) {
    return invalid(p + "url", c.url, "a nats://host:port or tls://host:port URL");
  }
  SLUICE_TRY_ASSIGN(c.create_stream, r.boolean(p + "create-stream", false));
  c.stream_name = r.str(p + "stream-name", c.stream_name);
  c.subjects = r.str(p + "subjects", c.subjects);
  if (c.create_stream && (c.stream_name.empty() || c.subjects.empty())) {
    return Error::fatal(
        "debezium.sink.nats-jetstream.create-stream=true needs debezium.sink.nats-jetstream.stream-name and "
        ".subjects");
  }
  std::string storage;
  SLUICE_TRY_ASSIGN(storage, r.choice(p + "storage", "memory", {"memory", "file"}));
  c.file_storage = storage == "file";
  c.user = r.str(p + "auth.user", "");
  c.password = r.str(p + "auth.password", "");
  for (const char* k : {"auth.jwt", "auth.seed", "auth.tls.keystore"}) {
    if (!r.str(p + k, "").empty()) {
      return invalid(p + k, "<set>", "unset (the nats sink authenticates with auth.user / auth.password)");
    }
  }
  SLUICE_TRY_ASSIGN(c.timeout_ms, r.integer(p + "async.timeout.ms", 5000, 1, 3600000));
  SLUICE_TRY_ASSIGN(c.retries, r.integer(p + "sync.retries", -1, -1, 1000000000));
  SLUICE_TRY_ASSIGN(c.retry_interval_ms, r.integer(p + "sync.retry.interval.ms", 1000, 1, 3600000));
  SLUICE_TRY_ASSIGN(c.retry_max_interval_ms,
                    r.integer(p + "sync.retry.max.interval.ms", 60000, c.retry_interval_ms, 3600000));
  return ok_status();
}

}  // namespace

Result<DirectSinkConfig> parse_direct_sink(const Properties& props, const std::string& type,
                                           const std::string& topic_prefix, std::set<std::string>& used,
                                           std::vector<std::string>& warnings) {
  DirectSinkConfig c;
  PropertyReader r(props, used);
  Status st = ok_status();
  if (type == "file") st = parse_file(r, c.file);
  if (type == "http") st = parse_http(r, c.http, topic_prefix, props, used);
  if (type == "redis") st = parse_redis(r, c.redis);
  if (type == "nats") st = parse_nats(r, c.nats);
  if (!st) return st.error();
  // Settings of a sink that is not the configured one: a destination that would be ignored.
  // Debezium Server settings of these sinks that sluice has no use for (memory guards, async tuning, its
  // own heartbeat filter): the behaviour they tune does not exist here.
  static const std::set<std::string> kIgnored = {
      "debezium.sink.redis.wait.enabled",
      "debezium.sink.redis.wait.timeout.ms",
      "debezium.sink.redis.wait.retry.enabled",
      "debezium.sink.redis.wait.retry.delay.ms",
      "debezium.sink.redis.memory.limit.mb",
      "debezium.sink.redis.memory.threshold.percentage",
      "debezium.sink.redis.buffer.fill.rate",
      "debezium.sink.redis.skip.heartbeat.messages",
      "debezium.sink.redis.connection.timeout.ms",
      "debezium.sink.redis.cluster.enabled",
      "debezium.sink.nats-jetstream.async.enabled",
      "debezium.sink.nats-jetstream.sync.retry.backoff.multiplier",
      "debezium.sink.http.authentication.jwt.token_expiration",
      "debezium.sink.http.authentication.jwt.refresh_token_expiration",
  };
  for (const auto& [key, value] : props) {
    if (used.count(key)) continue;
    if (kIgnored.count(key)) {
      used.insert(key);
      warnings.push_back(fmt::format("{} is ignored: sluice's {} sink has no such setting", key, type));
      continue;
    }
    for (const auto& t : sink_types()) {
      const std::string sink(t.name);
      for (const auto& prefix : t.key_prefixes) {
        if (!key.starts_with(prefix)) continue;
        if (sink != type) {
          return Error::fatal(
              fmt::format("{} configures the {} sink, but sink.type is {}: set sink.type={} or "
                          "remove it",
                          key, sink, type, sink));
        }
        return Error::fatal(
            fmt::format("unknown property {} (the {} sink does not read it; see the README's "
                        "\"Without Kafka\" section)",
                        key, sink));
      }
    }
  }
  return c;
}

}  // namespace sluice::config
