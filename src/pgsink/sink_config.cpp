// Parses the Postgres sink's properties (Debezium JDBC sink names) into SinkConfig.
#include "pgsink/sink_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <string_view>
#include <tuple>

#include "common/text.h"
#include "config/kafka_properties.h"

namespace sluice::pgsink {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

Error bad(const std::string& key, const std::string& value, std::string_view allowed) {
  return Error::fatal(fmt::format("invalid value '{}' for {}: {}", value, key, allowed));
}

Result<bool> to_bool(const std::string& key, const std::string& v) {
  auto l = lower(trim(v));
  if (l == "true") return true;
  if (l == "false") return false;
  return bad(key, v, "expected true or false");
}

Result<int64_t> to_int(const std::string& key, const std::string& v, int64_t min) {
  auto t = trim(v);
  int64_t n = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty()) return bad(key, v, "expected an integer");
  if (n < min) return bad(key, v, fmt::format("must be at least {}", min));
  return n;
}

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int h = hex(s[i + 1]), l = hex(s[i + 2]);
      if (h >= 0 && l >= 0) {
        out.push_back(static_cast<char>(h * 16 + l));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string quote_conn_value(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// Splits "host1:5432,host2" into libpq's host= and port= lists.
void put_hosts(std::string_view hosts, std::map<std::string, std::string>& kv) {
  std::string host_list, port_list;
  for (const auto& h : split_list(hosts)) {
    std::string host = h, port;
    if (!h.empty() && h.front() == '[') {  // [ipv6]:port
      auto close = h.find(']');
      host = h.substr(1, close == std::string::npos ? std::string::npos : close - 1);
      if (close != std::string::npos && close + 1 < h.size() && h[close + 1] == ':')
        port = h.substr(close + 2);
    } else if (auto colon = h.rfind(':'); colon != std::string::npos) {
      host = h.substr(0, colon);
      port = h.substr(colon + 1);
    }
    if (!host_list.empty()) {
      host_list += ',';
      port_list += ',';
    }
    host_list += host;
    port_list += port.empty() ? "5432" : port;
  }
  if (!host_list.empty()) kv["host"] = host_list;
  if (!port_list.empty()) kv["port"] = port_list;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_connection_url(const std::string& url_in,
                                                                std::vector<std::string>& warnings) {
  std::map<std::string, std::string> kv;
  std::string url = trim(url_in);
  std::string_view rest = url;
  bool jdbc = false;
  if (rest.starts_with("jdbc:")) {
    rest.remove_prefix(5);
    jdbc = true;
  }
  std::string_view scheme;
  for (std::string_view s : {"postgresql://", "postgres://"}) {
    if (rest.starts_with(s)) scheme = s;
  }
  if (scheme.empty()) {
    if (jdbc) {
      return Error::fatal(fmt::format(
          "invalid value '{}' for connection.url: only jdbc:postgresql:// URLs are supported", url_in));
    }
    // A libpq keyword=value string: kept as one opaque "dbname" (libpq expands it).
    if (url.find('=') == std::string::npos) {
      return Error::fatal(fmt::format(
          "invalid value '{}' for connection.url: expected jdbc:postgresql://host:port/db, postgresql://… or "
          "a libpq keyword=value string",
          url_in));
    }
    kv["dbname"] = url;
    return kv;
  }
  rest.remove_prefix(scheme.size());
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest, path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {  // libpq URI user:password@
    auto userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    kv["user"] = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) kv["password"] = percent_decode(userinfo.substr(colon + 1));
  }
  put_hosts(authority, kv);
  if (!path.empty()) kv["dbname"] = percent_decode(path);
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    auto item = query.substr(start, amp - start);
    start = amp + 1;
    if (item.empty()) continue;
    auto eq = item.find('=');
    std::string key(item.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percent_decode(item.substr(eq + 1));
    static const std::set<std::string> kSame = {"user",
                                                "password",
                                                "sslmode",
                                                "sslrootcert",
                                                "sslcert",
                                                "sslkey",
                                                "sslpassword",
                                                "options",
                                                "target_session_attrs",
                                                "application_name",
                                                "connect_timeout",
                                                "keepalives",
                                                "keepalives_idle",
                                                "gssencmode",
                                                "channel_binding"};
    if (kSame.count(key)) {
      kv[key] = value;
    } else if (key == "ssl") {
      if (lower(value) == "true" && !kv.count("sslmode")) kv["sslmode"] = "require";
    } else if (key == "currentSchema") {
      kv["__search_path"] = value;  // SET search_path after connecting (sluice's session options win)
    } else if (key == "ApplicationName") {
      kv["application_name"] = value;
    } else if (key == "connectTimeout" || key == "loginTimeout") {
      kv["connect_timeout"] = value;
    } else if (key == "targetServerType") {
      kv["target_session_attrs"] =
          lower(value) == "primary" || lower(value) == "master" ? "read-write" : "any";
    } else {
      warnings.push_back(fmt::format("connection.url: property '{}' has no libpq equivalent; ignored", key));
    }
  }
  return kv;
}

std::string SinkConfig::conninfo() const {
  std::vector<std::string> w;
  auto kv = parse_connection_url(connection_url, w);
  std::string out;
  if (!kv) return out;
  auto m = *kv;
  if (!username.empty()) m["user"] = username;
  if (!password.empty()) m["password"] = password;
  if (!m.count("application_name")) m["application_name"] = "sluice-sink";
  for (const auto& [k, v] : m) {
    if (k.starts_with("__")) continue;
    if (!out.empty()) out += ' ';
    out += k + "=" + quote_conn_value(v);
  }
  return out;
}

namespace {

// The sink's own properties (the rest are the consumer's, transforms' or unknown).
const std::set<std::string> kKnown = {"name",
                                      "connector.class",
                                      "tasks.max",
                                      "topics",
                                      "topics.regex",
                                      "connection.url",
                                      "connection.username",
                                      "connection.password",
                                      "insert.mode",
                                      "delete.enabled",
                                      "truncate.enabled",
                                      "primary.key.mode",
                                      "primary.key.fields",
                                      "schema.evolution",
                                      "collection.name.format",
                                      "table.name.format",
                                      "quote.identifiers",
                                      "batch.size",
                                      "use.time.zone",
                                      "database.time_zone",
                                      "offsets.table.name",
                                      "metrics.listeners",
                                      "metrics.listeners.max.connections",
                                      "metrics.listeners.max.connections.per.address",
                                      "metrics.listeners.header.timeout.ms",
                                      "errors.tolerance",
                                      "errors.deadletterqueue.topic.name",
                                      "errors.deadletterqueue.topic.replication.factor",
                                      "errors.deadletterqueue.context.headers.enable",
                                      "errors.log.enable",
                                      "errors.log.include.messages",
                                      "flush.max.retries",
                                      "flush.retry.delay.ms",
                                      "kafka.bootstrap.servers",
                                      "bootstrap.servers",
                                      "key.converter",
                                      "value.converter",
                                      "key.converter.schemas.enable",
                                      "value.converter.schemas.enable",
                                      "connection.provider",
                                      "connection.pool.min_size",
                                      "connection.pool.max_size",
                                      "connection.pool.acquire_increment",
                                      "connection.pool.timeout",
                                      "use.reduction.buffer",
                                      "dialect.postgres.postgis.schema",
                                      "column.naming.strategy",
                                      "collection.naming.strategy",
                                      "table.naming.strategy",
                                      "connection.restart.on.errors",
                                      "config.providers"};

// consumer.override.*, consumer.* and kafka.*: the consumer's properties (group.id is the sink's); warns
// about properties that are neither the sink's nor the consumer's.
std::map<std::string, config::KafkaProperty> collect_client_properties(const config::Properties& props,
                                                                       SinkConfig& c) {
  std::map<std::string, config::KafkaProperty> kafka;
  for (const auto& [k, v] : props) {
    bool client = false;
    for (std::string_view prefix : {"consumer.override.", "consumer.", "kafka."}) {
      if (k.starts_with(prefix) && k != "kafka.bootstrap.servers") {
        auto name = k.substr(prefix.size());
        if (name == "group.id") {
          c.group_id = v;
        } else if (!kafka.count(name) || prefix == "consumer.override.") {
          kafka[name] = {k, v};
        }
        client = true;
        break;
      }
    }
    if (client || kKnown.count(k) || k.starts_with("config.providers.") || k.starts_with("transforms") ||
        k.starts_with("predicates") || k.starts_with("hibernate.")) {
      continue;
    }
    c.warnings.push_back(fmt::format("unknown property '{}' ignored", k));
  }
  return kafka;
}

}  // namespace

Result<SinkConfig> parse_sink_config(const config::Properties& props) {
  SinkConfig c;
  auto get = [&](const std::string& k) -> const std::string* {
    auto it = props.find(k);
    return it == props.end() ? nullptr : &it->second;
  };
  std::map<std::string, config::KafkaProperty> kafka = collect_client_properties(props, c);
  if (auto* v = get("name")) c.name = *v;
  if (auto* v = get("connector.class");
      v && *v != "io.debezium.connector.jdbc.JdbcSinkConnector" && *v != "JdbcSinkConnector") {
    return bad("connector.class", *v, "the Postgres sink is io.debezium.connector.jdbc.JdbcSinkConnector");
  }
  if (auto* v = get("tasks.max")) {
    auto n = to_int("tasks.max", *v, 1);
    if (!n) return n.error();
    if (*n != 1) return bad("tasks.max", *v, "only 1 is supported");
  }
  if (auto* v = get("topics")) c.topics = split_list(*v);
  if (auto* v = get("topics.regex")) c.topics_regex = trim(*v);
  if (c.topics.empty() == c.topics_regex.empty()) {
    return Error::fatal("set exactly one of topics (comma-separated names) and topics.regex");
  }
  if (auto* v = get("connection.url")) c.connection_url = *v;
  if (c.connection_url.empty())
    return Error::fatal("connection.url is required (e.g. jdbc:postgresql://host:5432/db)");
  auto url = parse_connection_url(c.connection_url, c.warnings);
  if (!url) return url.error();
  if (auto it = url->find("__search_path"); it != url->end()) c.search_path = it->second;
  if (auto* v = get("connection.username")) c.username = *v;
  if (auto* v = get("connection.password")) c.password = *v;
  if (auto* v = get("insert.mode")) {
    auto l = lower(trim(*v));
    if (l == "insert")
      c.insert_mode = InsertMode::kInsert;
    else if (l == "upsert")
      c.insert_mode = InsertMode::kUpsert;
    else if (l == "update")
      c.insert_mode = InsertMode::kUpdate;
    else
      return bad("insert.mode", *v, "insert, upsert or update");
  }
  if (auto* v = get("primary.key.mode")) {
    auto l = lower(trim(*v));
    if (l == "none")
      c.primary_key_mode = PrimaryKeyMode::kNone;
    else if (l == "kafka")
      c.primary_key_mode = PrimaryKeyMode::kKafka;
    else if (l == "record_key")
      c.primary_key_mode = PrimaryKeyMode::kRecordKey;
    else if (l == "record_value")
      c.primary_key_mode = PrimaryKeyMode::kRecordValue;
    else
      return bad("primary.key.mode", *v, "none, kafka, record_key or record_value");
  }
  if (auto* v = get("primary.key.fields")) c.primary_key_fields = split_list(*v);
  for (const char* key : {"delete.enabled", "truncate.enabled", "quote.identifiers",
                          "errors.deadletterqueue.context.headers.enable", "errors.log.enable"}) {
    if (auto* v = get(key)) {
      auto b = to_bool(key, *v);
      if (!b) return b.error();
      std::string_view k = key;
      if (k == "delete.enabled")
        c.delete_enabled = *b;
      else if (k == "truncate.enabled")
        c.truncate_enabled = *b;
      else if (k == "quote.identifiers")
        c.quote_identifiers = *b;
      else if (k == "errors.log.enable")
        c.errors_log_enable = *b;
      else
        c.dlq_context_headers = *b;
    }
  }
  if (c.insert_mode == InsertMode::kUpsert && c.primary_key_mode == PrimaryKeyMode::kNone) {
    return Error::fatal("insert.mode=upsert needs primary.key.mode (kafka, record_key or record_value)");
  }
  if (c.insert_mode == InsertMode::kUpdate && c.primary_key_mode == PrimaryKeyMode::kNone) {
    return Error::fatal("insert.mode=update needs primary.key.mode (kafka, record_key or record_value)");
  }
  if ((c.delete_enabled) && c.primary_key_mode != PrimaryKeyMode::kRecordKey) {
    return Error::fatal("delete.enabled=true needs primary.key.mode=record_key (as Debezium's JDBC sink)");
  }
  if (c.primary_key_mode == PrimaryKeyMode::kRecordValue && c.primary_key_fields.empty()) {
    return Error::fatal("primary.key.mode=record_value needs primary.key.fields");
  }
  if (auto* v = get("schema.evolution")) {
    auto l = lower(trim(*v));
    if (l == "none")
      c.schema_evolution = SchemaEvolution::kNone;
    else if (l == "basic")
      c.schema_evolution = SchemaEvolution::kBasic;
    else
      return bad("schema.evolution", *v, "none or basic");
  }
  if (auto* v = get("table.name.format")) c.collection_name_format = *v;
  if (auto* v = get("collection.name.format")) c.collection_name_format = *v;
  if (c.collection_name_format.empty()) return bad("collection.name.format", "", "must not be empty");
  if (auto* v = get("batch.size")) {
    auto n = to_int("batch.size", *v, 1);
    if (!n) return n.error();
    c.batch_size = static_cast<int>(std::min<int64_t>(*n, 1000000));
  }
  if (auto* v = get("database.time_zone")) c.use_time_zone = *v;
  if (auto* v = get("use.time.zone")) c.use_time_zone = *v;
  if (auto* v = get("offsets.table.name")) c.offsets_table = trim(*v);
  if (c.offsets_table.empty()) return bad("offsets.table.name", "", "must not be empty");
  if (auto* v = get("metrics.listeners")) {
    c.metrics_listeners = trim(*v);
    if (!c.metrics_listeners.empty() && !c.metrics_listeners.starts_with("http://")) {
      return bad("metrics.listeners", c.metrics_listeners,
                 "http://host:port, e.g. http://0.0.0.0:8080; empty for no listener");
    }
  }
  for (auto [key, field, min] :
       {std::tuple{"metrics.listeners.max.connections", &c.metrics_max_connections, 1},
        std::tuple{"metrics.listeners.max.connections.per.address", &c.metrics_max_connections_per_address,
                   1},
        std::tuple{"metrics.listeners.header.timeout.ms", &c.metrics_header_timeout_ms, 100}}) {
    if (auto* v = get(key)) {
      auto n = to_int(key, *v, min);
      if (!n) return n.error();
      *field = *n;
    }
  }
  if (auto* v = get("errors.tolerance")) {
    auto l = lower(trim(*v));
    if (l == "none")
      c.errors_tolerance = ErrorsTolerance::kNone;
    else if (l == "all")
      c.errors_tolerance = ErrorsTolerance::kAll;
    else
      return bad("errors.tolerance", *v, "none or all");
  }
  if (auto* v = get("errors.deadletterqueue.topic.name")) c.dlq_topic = trim(*v);
  if (auto* v = get("errors.deadletterqueue.topic.replication.factor")) {
    auto n = to_int("errors.deadletterqueue.topic.replication.factor", *v, -1);
    if (!n) return n.error();
    c.dlq_replication_factor = static_cast<int>(*n);
  }
  if (!c.dlq_topic.empty() && c.errors_tolerance != ErrorsTolerance::kAll) {
    c.warnings.push_back(
        "errors.deadletterqueue.topic.name is used only with errors.tolerance=all (as Kafka Connect)");
  }
  if (auto* v = get("flush.max.retries")) {
    auto n = to_int("flush.max.retries", *v, 0);
    if (!n) return n.error();
    c.flush_max_retries = static_cast<int>(std::min<int64_t>(*n, 1000000));
  }
  if (auto* v = get("flush.retry.delay.ms")) {
    auto n = to_int("flush.retry.delay.ms", *v, 0);
    if (!n) return n.error();
    c.flush_retry_delay_ms = *n;
  }
  for (const char* conv : {"key.converter", "value.converter"}) {
    if (auto* v = get(conv); v && *v != "org.apache.kafka.connect.json.JsonConverter") {
      return bad(conv, *v,
                 "only org.apache.kafka.connect.json.JsonConverter (schemas on or off) is supported");
    }
  }
  if (auto* v = get("bootstrap.servers")) c.bootstrap_servers = *v;
  if (auto* v = get("kafka.bootstrap.servers")) c.bootstrap_servers = *v;
  if (c.group_id.empty()) c.group_id = "connect-" + c.name;
  auto rd = config::to_librdkafka(kafka, c.warnings);
  if (!rd) return rd.error();
  c.consumer_properties = std::move(*rd);
  return c;
}

}  // namespace sluice::pgsink
