// Config parsing and validation. Property names, defaults and allowed values follow Debezium's
// PostgresConnectorConfig; every rejection names the key, the value and what is allowed.
#include "config/config.h"
#include "config/property_reader.h"
#include "config/text.h"

#include <fmt/format.h>

#include <re2/re2.h>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "config/debezium_names.h"
#include "config/kafka_properties.h"
#include "config/transforms_config.h"

namespace sluice::config {

namespace {

Result<Properties> from_json(std::string_view text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Error::fatal(fmt::format("config is not valid JSON: {}", e.what()));
  }
  if (!doc.is_object()) return Error::fatal("config JSON must be an object");
  Properties props;
  const nlohmann::json* cfg = &doc;
  // Kafka Connect registration form: {"name": …, "config": {…}}
  if (doc.contains("config") && doc["config"].is_object()) {
    cfg = &doc["config"];
    if (doc.contains("name") && doc["name"].is_string()) props["name"] = doc["name"].get<std::string>();
  }
  for (const auto& [k, v] : cfg->items()) {
    if (v.is_string()) {
      props[k] = v.get<std::string>();
    } else if (v.is_boolean()) {
      props[k] = v.get<bool>() ? "true" : "false";
    } else if (v.is_number() || v.is_null()) {
      props[k] = v.is_null() ? "" : v.dump();
    } else {
      return Error::fatal(
          fmt::format("invalid value for {}: expected a string, number or boolean, got {}", k, v.dump()));
    }
  }
  return props;
}

// Java .properties: key=value | key:value | key value; '#'/'!' comments; trailing '\' continues a line;
// \t \n \r \\ \uXXXX escapes (ASCII subset).
std::string unescape_properties(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't':
        out.push_back('\t');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u':
        if (i + 4 < s.size()) {
          unsigned v = 0;
          auto r = std::from_chars(s.data() + i + 1, s.data() + i + 5, v, 16);
          if (r.ec == std::errc() && v < 0x80) {
            out.push_back(static_cast<char>(v));
            i += 4;
            break;
          }
        }
        out.push_back('u');
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<Properties> parse_properties_text(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') return from_json(text);

  Properties props;
  std::istringstream in{std::string(text)};
  std::string line, logical;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (logical.empty() && (t.empty() || t[0] == '#' || t[0] == '!')) continue;
    // continuation: odd number of trailing backslashes
    size_t bs = 0;
    while (bs < t.size() && t[t.size() - 1 - bs] == '\\') ++bs;
    if (bs % 2 == 1) {
      logical += t.substr(0, t.size() - 1);
      continue;
    }
    logical += t;
    size_t sep = std::string::npos;
    for (size_t i = 0; i < logical.size(); ++i) {
      if (logical[i] == '\\') {
        ++i;
        continue;
      }
      if (logical[i] == '=' || logical[i] == ':' || logical[i] == ' ' || logical[i] == '\t') {
        sep = i;
        break;
      }
    }
    std::string key = sep == std::string::npos ? logical : logical.substr(0, sep);
    std::string value;
    if (sep != std::string::npos) {
      std::string rest = logical.substr(sep + 1);
      rest = trim(rest);
      if (!rest.empty() && (rest[0] == '=' || rest[0] == ':') &&
          (logical[sep] == ' ' || logical[sep] == '\t')) {
        rest = trim(rest.substr(1));
      }
      value = rest;
    }
    props[unescape_properties(trim(key))] = unescape_properties(value);
    logical.clear();
  }
  return props;
}

Result<Properties> load_properties(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error::fatal(fmt::format("cannot read config file '{}'", path));
  std::stringstream ss;
  ss << f.rdbuf();
  auto r = parse_properties_text(ss.str());
  if (!r) return Error::fatal(fmt::format("{}: {}", path, r.error().message));
  return r;
}

Result<Properties> resolve_providers(const Properties& props, EnvLookup getenv_fn) {
  if (getenv_fn == nullptr) getenv_fn = [](const char* n) -> const char* { return std::getenv(n); };
  std::map<std::string, Properties> files;  // each referenced file is read once
  Properties out;
  for (const auto& [key, value] : props) {
    std::string resolved;
    size_t pos = 0;
    while (pos < value.size()) {
      size_t start = value.find("${", pos);
      if (start == std::string::npos) {
        resolved.append(value, pos, std::string::npos);
        break;
      }
      size_t end = value.find('}', start);
      if (end == std::string::npos) {
        resolved.append(value, pos, std::string::npos);
        break;
      }
      resolved.append(value, pos, start - pos);
      std::string ref = value.substr(start + 2, end - start - 2);
      pos = end + 1;
      if (ref.starts_with("env:")) {
        std::string name = ref.substr(4);
        const char* v = getenv_fn(name.c_str());
        if (v == nullptr) {
          return Error::fatal(
              fmt::format("{}: environment variable {} referenced as ${{{}}} is not set", key, name, ref));
        }
        resolved += v;
      } else if (ref.starts_with("file:")) {
        // ${file:PATH:KEY}: the path itself may contain ':', the key may not.
        auto colon = ref.rfind(':');
        if (colon <= 5) return Error::fatal(fmt::format("{}: ${{{}}} must be ${{file:PATH:KEY}}", key, ref));
        std::string path = ref.substr(5, colon - 5);
        std::string file_key = ref.substr(colon + 1);
        if (!files.count(path)) {
          auto loaded = load_properties(path);
          if (!loaded) return Error::fatal(fmt::format("{}: {}", key, loaded.error().message));
          files[path] = std::move(*loaded);
        }
        auto it = files[path].find(file_key);
        if (it == files[path].end()) {
          return Error::fatal(fmt::format("{}: key '{}' not found in '{}' (referenced as ${{{}}})", key,
                                          file_key, path, ref));
        }
        resolved += it->second;
      } else {
        resolved.append(value, start, end - start + 1);  // not a provider reference: keep it as written
      }
    }
    out[key] = std::move(resolved);
  }
  return out;
}

namespace {

// Known keys that sluice accepts without acting on them (Kafka Connect / Debezium plumbing).
const std::set<std::string, std::less<>> kAcceptedIgnored = {
    "connector.class",
    "tasks.max",
    "database.server.id",
    "topic.cache.size",
};

}  // namespace

namespace {

// libpq reads PEM files only. Checked up front so that a wrong path or a JDBC-style DER key (.pk8) stops
// sluice at start naming the key, instead of failing every connection attempt.
Status validate_tls_file(const std::string& key, const std::string& path, std::string_view what) {
  if (path.empty()) return ok_status();
  std::ifstream f(path, std::ios::binary);
  if (!f) return invalid(key, path, fmt::format("a readable PEM file holding {}", what));
  std::string head(8192, '\0');
  f.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(f.gcount()));
  if (head.find("-----BEGIN") == std::string::npos) {
    return invalid(
        key, path,
        fmt::format("a PEM file holding {}; libpq does not read DER files such as the JDBC driver's "
                    ".pk8 keys: convert with openssl pkcs8 -inform DER -in key.pk8 -out key.pem",
                    what));
  }
  return ok_status();
}

Status validate_tls_files(Config& c) {
  if (auto s = validate_tls_file("database.sslrootcert", c.sslrootcert, "CA certificates"); !s) return s;
  if (auto s = validate_tls_file("database.sslcert", c.sslcert, "the client certificate"); !s) return s;
  if (auto s = validate_tls_file("database.sslkey", c.sslkey, "the client's private key"); !s) return s;
  if (c.sslcert.empty() != c.sslkey.empty()) {
    return Error::fatal(
        "database.sslcert and database.sslkey must be set together (the client certificate and its key)");
  }
  if (!c.sslpassword.empty() && c.sslkey.empty()) {
    c.warnings.push_back("database.sslpassword is ignored without database.sslkey");
  }
  if (c.sslmode == "disable" && (!c.sslrootcert.empty() || !c.sslcert.empty())) {
    c.warnings.push_back("database.sslrootcert/sslcert/sslkey are ignored with database.sslmode=disable");
  }
  return ok_status();
}

// Exactly-once needs the events and the offsets in the same Kafka cluster (one Kafka transaction).
Status resolve_exactly_once(Config& c) {
  if (c.exactly_once_support == ExactlyOnceSupport::kSupported) {
    if (!c.transactional_id.empty()) {
      c.warnings.push_back("transactional.id is ignored without exactly.once.support=required|requested");
    }
    return ok_status();
  }
  std::string why;
  if (c.sink_type != SinkType::kKafka) {
    why = fmt::format("sink.type={} (it needs sink.type=kafka)", sink_type_name(c.sink_type));
  } else if (c.offset_storage != OffsetStorage::kKafka) {
    why = "offsets are not stored in Kafka (offset.storage must be kafka)";
  }
  if (!why.empty()) {
    if (c.exactly_once_support == ExactlyOnceSupport::kRequired) {
      return Error::fatal(fmt::format("exactly.once.support=required is impossible with {}", why));
    }
    c.warnings.push_back(
        fmt::format("exactly.once.support=requested: at-least-once delivery, because of {}", why));
    return ok_status();
  }
  c.exactly_once = true;
  if (c.transactional_id.empty()) c.transactional_id = "sluice-" + c.name + "-" + c.topic_prefix;
  return ok_status();
}

// The in-memory queue (max.queue.size, max.queue.size.in.bytes, max.batch.size) and the retry policy
// (errors.max.retries, errors.retry.delay.initial.ms / .max.ms, retriable.restart.connector.wait.ms).
Status parse_delivery(PropertyReader& r, Config& c) {
  SLUICE_TRY_ASSIGN(c.max_batch_size, r.integer("max.batch.size", 2048, 1, 1000000));
  SLUICE_TRY_ASSIGN(c.max_queue_size, r.integer("max.queue.size", 8192, 1, 10000000));
  if (c.max_queue_size <= c.max_batch_size) {
    return invalid("max.queue.size", std::to_string(c.max_queue_size),
                   fmt::format("an integer larger than max.batch.size ({}), as Debezium", c.max_batch_size));
  }
  SLUICE_TRY_ASSIGN(c.max_queue_size_in_bytes, r.integer("max.queue.size.in.bytes", 0, 0, int64_t{1} << 40));
  SLUICE_TRY_ASSIGN(c.errors_max_retries, r.integer("errors.max.retries", -1, -1, 1000000000));
  const bool delays_set = r.has("errors.retry.delay.initial.ms") || r.has("errors.retry.delay.max.ms");
  SLUICE_TRY_ASSIGN(c.retry_delay_initial_ms, r.integer("errors.retry.delay.initial.ms", 300, 1, 3600000));
  SLUICE_TRY_ASSIGN(c.retry_delay_max_ms, r.integer("errors.retry.delay.max.ms", 10000, 1, 3600000));
  int64_t restart_wait = 0;
  SLUICE_TRY_ASSIGN(restart_wait, r.integer("retriable.restart.connector.wait.ms", 10000, 1, 3600000));
  if (!delays_set && r.has("retriable.restart.connector.wait.ms")) {
    // Debezium under Kafka Connect: a constant wait before each restart after a retriable error.
    c.retry_delay_initial_ms = c.retry_delay_max_ms = restart_wait;
  } else if (delays_set && r.has("retriable.restart.connector.wait.ms")) {
    c.warnings.push_back(
        "retriable.restart.connector.wait.ms is ignored: errors.retry.delay.initial.ms / "
        "errors.retry.delay.max.ms set the retry delays");
  }
  if (c.retry_delay_max_ms < c.retry_delay_initial_ms) {
    return invalid("errors.retry.delay.max.ms", std::to_string(c.retry_delay_max_ms),
                   fmt::format("an integer from errors.retry.delay.initial.ms ({}) to 3600000",
                               c.retry_delay_initial_ms));
  }
  return ok_status();
}

}  // namespace

namespace {
Result<Config> parse_connector(const Properties& props, std::vector<std::string> warnings,
                               TransformValidator validate_transforms);
}  // namespace

Result<Config> parse_config(const Properties& original, TransformValidator validate_transforms) {
  std::vector<std::string> warnings;
  const bool server = is_debezium_server(original);
  Properties translated;
  if (server) {
    SLUICE_TRY_ASSIGN(translated, from_debezium_server(original, warnings));
  }
  Properties props;
  SLUICE_TRY_ASSIGN(props, apply_legacy_names(server ? translated : original, warnings));
  auto c = parse_connector(props, std::move(warnings), validate_transforms);
  if (!c && server) {
    return Error{
        c.error().kind,
        fmt::format("{} (a Debezium Server file: connector properties are read as debezium.source.<name>, "
                    "Kafka client ones as debezium.sink.kafka.producer.<name>)",
                    c.error().message)};
  }
  return c;
}

namespace {
// column.include.list / column.exclude.list and the mask properties, in the order ColumnMappers.create
// registers them (the first rule matching a column wins): column.truncate.to.<N>.chars,
// column.mask.with.<N>.chars, column.propagate.source.type, datatype.propagate.source.type,
// column.mask.hash.<alg>.with.salt.<salt>, then its .v2 form; among properties of one kind, key order. A
// column.* key of another shape is refused later (unimplemented_output_property).
Result<std::shared_ptr<const event::ColumnRules>> parse_column_rules(PropertyReader& r,
                                                                     const Properties& props) {
  using event::MaskSpec;
  const auto include = split_patterns(r.str("column.include.list", ""));
  const auto exclude = split_patterns(r.str("column.exclude.list", ""));
  static const RE2 kTruncate(R"(column\.truncate\.to\.(\d+)\.chars)");
  static const RE2 kMaskWith(R"(column\.mask\.with\.(\d+)\.chars)");
  static const RE2 kHash(R"(column\.mask\.hash\.([^.]+)\.with\.salt\.(.+))");
  static const RE2 kHashV2(R"(column\.mask\.hash\.v2\.([^.]+)\.with\.salt\.(.+))");
  std::vector<std::pair<MaskSpec, std::vector<std::string>>> groups[6];
  for (const char* key : {"column.propagate.source.type", "datatype.propagate.source.type"}) {
    auto it = props.find(key);
    if (it == props.end()) continue;
    r.mark(key);
    MaskSpec spec;
    spec.key = key;
    spec.kind = MaskSpec::Kind::kPropagateSourceType;
    spec.by_datatype = key[0] == 'd';
    auto patterns = split_patterns(trim(it->second));
    if (!patterns.empty())
      groups[spec.by_datatype ? 3 : 2].emplace_back(std::move(spec), std::move(patterns));
  }
  for (const auto& [key, value] : props) {
    if (!key.starts_with("column.mask.") && !key.starts_with("column.truncate.")) continue;
    MaskSpec spec;
    spec.key = key;
    std::string n, algorithm, salt;
    int group = -1;
    if (RE2::FullMatch(key, kTruncate, &n)) {
      spec.kind = MaskSpec::Kind::kTruncate;
      group = 0;
    } else if (RE2::FullMatch(key, kMaskWith, &n)) {
      spec.kind = MaskSpec::Kind::kReplace;
      group = 1;
    } else if (RE2::FullMatch(key, kHashV2, &algorithm, &salt)) {
      spec.kind = MaskSpec::Kind::kHash;
      spec.version = 2;
      group = 5;
    } else if (RE2::FullMatch(key, kHash, &algorithm, &salt)) {
      spec.kind = MaskSpec::Kind::kHash;
      group = 4;
    } else {
      return Error::fatal(
          fmt::format("unknown property {}: the column mask properties are column.mask.with.<N>.chars, "
                      "column.truncate.to.<N>.chars, column.mask.hash.<algorithm>.with.salt.<salt> and "
                      "column.mask.hash.v2.<algorithm>.with.salt.<salt>",
                      key));
    }
    if (!n.empty()) {
      int v = 0;
      auto res = std::from_chars(n.data(), n.data() + n.size(), v);
      if (res.ec != std::errc() || res.ptr != n.data() + n.size() || v > 1000000) {
        return Error::fatal(
            fmt::format("invalid property {}: <N> must be an integer from 0 to 1000000", key));
      }
      spec.chars = v;
    }
    spec.algorithm = algorithm;
    spec.salt = salt;  // String.getBytes(): the key's UTF-8 bytes
    r.mark(key);
    auto patterns = split_patterns(trim(value));
    if (patterns.empty()) continue;  // matches no column, as in Debezium
    groups[group].emplace_back(std::move(spec), std::move(patterns));
  }
  std::vector<std::pair<MaskSpec, std::vector<std::string>>> masks;
  for (auto& g : groups) {
    for (auto& m : g) masks.push_back(std::move(m));
  }
  if (include.empty() && exclude.empty() && masks.empty()) return std::shared_ptr<const event::ColumnRules>();
  return event::ColumnRules::create(include, exclude, std::move(masks));
}

Result<Config> parse_connector(const Properties& props, std::vector<std::string> warnings,
                               TransformValidator validate_transforms) {
  Config c;
  c.warnings = std::move(warnings);
  std::set<std::string> used;
  PropertyReader r(props, used);

  c.name = r.str("name", c.name);
  auto cls = r.str("connector.class", "");
  if (!cls.empty() && cls != "io.debezium.connector.postgresql.PostgresConnector") {
    return invalid("connector.class", cls, "io.debezium.connector.postgresql.PostgresConnector");
  }
  if (auto tasks = r.integer("tasks.max", 1, 1, 1); !tasks) return tasks.error();  // one task, as Debezium

  c.hostname = r.str("database.hostname", "");
  if (c.hostname.empty()) return Error::fatal("missing required property database.hostname");
  int64_t port = 0;
  SLUICE_TRY_ASSIGN(port, r.integer("database.port", 5432, 1, 65535));
  c.port = static_cast<int>(port);
  c.user = r.str("database.user", "");
  if (c.user.empty()) return Error::fatal("missing required property database.user");
  c.password = r.str("database.password", "");
  c.dbname = r.str("database.dbname", "");
  if (c.dbname.empty()) return Error::fatal("missing required property database.dbname");
  c.sslmode = lower(r.str("database.sslmode", "prefer"));
  static const std::set<std::string> kSsl = {"disable", "allow",     "prefer",
                                             "require", "verify-ca", "verify-full"};
  if (!kSsl.count(c.sslmode)) {
    return invalid("database.sslmode", c.sslmode, "disable, allow, prefer, require, verify-ca, verify-full");
  }
  c.sslrootcert = r.str("database.sslrootcert", "");
  c.sslcert = r.str("database.sslcert", "");
  c.sslkey = r.str("database.sslkey", "");
  c.sslpassword = r.str("database.sslpassword", "");
  if (auto s = validate_tls_files(c); !s) return s.error();
  if (auto factory = r.str("database.sslfactory", ""); !factory.empty()) {
    c.warnings.push_back(fmt::format(
        "database.sslfactory={} is a JDBC driver setting (ignored): sluice verifies the server as "
        "database.sslmode and database.sslrootcert say",
        factory));
  }

  c.topic_prefix = r.str("topic.prefix", "");
  if (c.topic_prefix.empty()) return Error::fatal("missing required property topic.prefix");
  for (char ch : c.topic_prefix) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-')) {
      return invalid("topic.prefix", c.topic_prefix,
                     "letters, digits, '.', '_' and '-' (a Kafka topic name part)");
    }
  }

  auto plugin = lower(r.str("plugin.name", "pgoutput"));
  if (plugin != "pgoutput") {
    return invalid("plugin.name", props.at("plugin.name"),
                   "pgoutput (sluice reads Postgres' built-in pgoutput plugin only)");
  }
  c.slot_name = r.str("slot.name", c.slot_name);
  for (char ch : c.slot_name) {
    if (!(std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) ||
          ch == '_')) {
      return invalid("slot.name", c.slot_name, "lower-case letters, digits and '_' (a Postgres slot name)");
    }
  }
  if (c.slot_name.empty() || c.slot_name.size() > 63)
    return invalid("slot.name", c.slot_name, "1 to 63 characters");
  c.publication_name = r.str("publication.name", c.publication_name);
  if (c.publication_name.empty()) return invalid("publication.name", "", "a non-empty publication name");
  SLUICE_TRY_ASSIGN(c.publication_autocreate,
                    r.choice<AutocreateMode>("publication.autocreate.mode", "all_tables",
                                             {{"all_tables", AutocreateMode::kAllTables},
                                              {"filtered", AutocreateMode::kFiltered},
                                              {"disabled", AutocreateMode::kDisabled}}));
  c.publication_autocreate_explicit = r.has("publication.autocreate.mode");
  SLUICE_TRY_ASSIGN(c.slot_drop_on_stop, r.boolean("slot.drop.on.stop", false));
  SLUICE_TRY_ASSIGN(c.slot_takeover, r.boolean("slot.takeover", false));
  c.topic_delimiter = r.str("topic.delimiter", ".");
  if (c.topic_delimiter.empty() ||
      !std::all_of(c.topic_delimiter.begin(), c.topic_delimiter.end(), [](unsigned char ch) {
        return std::isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
      })) {
    return invalid("topic.delimiter", c.topic_delimiter,
                   "letters, digits, '.', '_' and '-' (a topic name part)");
  }
  // Column filters and masks (Debezium's ColumnMappers): compiled once, applied where each table's
  // converters and value schema are built.
  SLUICE_TRY_ASSIGN(c.column_rules, parse_column_rules(r, props));
  // One database per connector (database.dbname), as Debezium's PostgreSQL connector: a database list is
  // checked against it rather than ignored.
  {
    auto include = r.str("database.include.list", "");
    auto exclude = r.str("database.exclude.list", "");
    if (!include.empty() || !exclude.empty()) {
      IncludeExclude dbs;
      SLUICE_TRY_ASSIGN(dbs.include, PatternList::create("database.include.list", include));
      SLUICE_TRY_ASSIGN(dbs.exclude, PatternList::create("database.exclude.list", exclude));
      if (!dbs.passes(c.dbname)) {
        return Error::fatal(fmt::format(
            "database.dbname={} is left out by database.include.list / database.exclude.list: nothing "
            "would be captured",
            c.dbname));
      }
      c.warnings.push_back(fmt::format(
          "database.include.list / database.exclude.list: the PostgreSQL connector captures one database, "
          "database.dbname={}",
          c.dbname));
    }
  }

  SLUICE_TRY_ASSIGN(c.filter,
                    TableFilter::create(r.str("schema.include.list", ""), r.str("schema.exclude.list", ""),
                                        r.str("table.include.list", ""), r.str("table.exclude.list", "")));

  auto snap_raw = lower(r.str("snapshot.mode", "initial"));
  if (snap_raw == "never") {
    c.warnings.push_back("snapshot.mode=never is deprecated in Debezium: treated as no_data");
  }
  SLUICE_TRY_ASSIGN(c.snapshot_mode, r.choice<SnapshotMode>("snapshot.mode", "initial",
                                                            {{"initial", SnapshotMode::kInitial},
                                                             {"no_data", SnapshotMode::kNoData},
                                                             {"never", SnapshotMode::kNoData},
                                                             {"when_needed", SnapshotMode::kWhenNeeded},
                                                             {"initial_only", SnapshotMode::kInitialOnly},
                                                             {"always", SnapshotMode::kAlways}}));
  SLUICE_TRY_ASSIGN(c.snapshot_include,
                    TableFilter::table_list("snapshot.include.collection.list",
                                            r.str("snapshot.include.collection.list", "")));
  {
    // Debezium: the list names the tables; each has its statement under the list's key + ".<schema>.<table>".
    const std::string key = "snapshot.select.statement.overrides";
    auto raw = r.str(key, "");
    std::stringstream ss(raw);
    std::string name;
    while (std::getline(ss, name, ',')) {
      name = trim(name);
      if (name.empty()) continue;
      if (name.find('.') == std::string::npos) {
        return invalid(key, raw, "a comma-separated list of <schema>.<table>");
      }
      auto sql = r.str(key + "." + name, "");
      if (sql.empty()) {
        return Error::fatal(
            fmt::format("{} names {} but {}.{} (its SELECT statement) is not set", key, name, key, name));
      }
      c.snapshot_select_overrides[name] = sql;
    }
  }
  int64_t fetch = 0, threads = 0;
  SLUICE_TRY_ASSIGN(fetch, r.integer("snapshot.fetch.size", 10240, 1, 1000000));
  SLUICE_TRY_ASSIGN(threads, r.integer("snapshot.max.threads", 1, 1, 64));
  c.snapshot_fetch_size = static_cast<int>(fetch);
  c.snapshot_max_threads = static_cast<int>(threads);
  SLUICE_TRY_ASSIGN(c.snapshot_isolation,
                    r.choice<IsolationMode>("snapshot.isolation.mode", "serializable",
                                            {{"serializable", IsolationMode::kSerializable},
                                             {"repeatable_read", IsolationMode::kRepeatableRead},
                                             {"read_committed", IsolationMode::kReadCommitted},
                                             {"read_uncommitted", IsolationMode::kReadUncommitted}}));

  // Signals and incremental snapshots.
  c.signal_data_collection = r.str("signal.data.collection", "");
  if (!c.signal_data_collection.empty()) {
    auto dot = c.signal_data_collection.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == c.signal_data_collection.size()) {
      return invalid("signal.data.collection", c.signal_data_collection, "<schema>.<table>");
    }
  }
  {
    const std::string key = "signal.enabled.channels";
    auto raw = r.str(key, "source");
    c.signal_source = c.signal_kafka = false;
    std::stringstream ss(raw);
    std::string ch;
    while (std::getline(ss, ch, ',')) {
      ch = lower(trim(ch));
      if (ch == "source") {
        c.signal_source = true;
      } else if (ch == "kafka") {
        c.signal_kafka = true;
      } else if (!ch.empty()) {
        return invalid(key, raw,
                       "a comma-separated list of source, kafka (sluice has no file, jmx or "
                       "in-process channel)");
      }
    }
  }
  c.signal_kafka_topic = r.str("signal.kafka.topic", c.topic_prefix + "-signal");
  c.signal_kafka_group = r.str("signal.kafka.groupId", c.signal_kafka_group);
  c.signal_kafka_bootstrap = r.str("signal.kafka.bootstrap.servers", "");
  int64_t chunk = 0;
  SLUICE_TRY_ASSIGN(chunk, r.integer("incremental.snapshot.chunk.size", 1024, 1, 1000000));
  c.incremental_chunk_size = static_cast<int>(chunk);
  SLUICE_TRY_ASSIGN(c.watermark_strategy,
                    r.choice<WatermarkStrategy>("incremental.snapshot.watermarking.strategy", "insert_insert",
                                                {{"insert_insert", WatermarkStrategy::kInsertInsert},
                                                 {"insert_delete", WatermarkStrategy::kInsertDelete}}));
  SLUICE_TRY_ASSIGN(c.read_only, r.boolean("read.only", false));
  if (c.read_only && !c.signal_kafka) {
    return Error::fatal(fmt::format(
        "read.only=true needs the Kafka signal channel (signal.enabled.channels=kafka or source,kafka; got "
        "'{}'): a read-only connector cannot have signals inserted for it",
        r.str("signal.enabled.channels", "source")));
  }

  SLUICE_TRY_ASSIGN(c.tombstones_on_delete, r.boolean("tombstones.on.delete", true));
  SLUICE_TRY_ASSIGN(c.key_schemas_enable, r.boolean("key.converter.schemas.enable", true));
  SLUICE_TRY_ASSIGN(c.value_schemas_enable, r.boolean("value.converter.schemas.enable", true));
  SLUICE_TRY_ASSIGN(c.status_update_interval_ms, r.integer("status.update.interval.ms", 10000, 1, 3600000));
  SLUICE_TRY_ASSIGN(c.latency_log_interval_ms, r.integer("latency.log.interval.ms", 0, 0, 3600000));
  c.metrics_listeners = trim(r.str("metrics.listeners", ""));
  if (!c.metrics_listeners.empty() && !c.metrics_listeners.starts_with("http://")) {
    return invalid("metrics.listeners", c.metrics_listeners,
                   "http://host:port, e.g. http://0.0.0.0:8080; empty for no listener");
  }
  SLUICE_TRY_ASSIGN(c.metrics_slot_poll_interval_ms,
                    r.integer("metrics.slot.poll.interval.ms", 10000, 100, 3600000));
  if (r.has("metrics.listeners.max.connections")) {
    SLUICE_TRY_ASSIGN(c.metrics_max_connections,
                      r.integer("metrics.listeners.max.connections", 0, 1, 1000000));
  }
  if (r.has("metrics.listeners.max.connections.per.address")) {
    SLUICE_TRY_ASSIGN(c.metrics_max_connections_per_address,
                      r.integer("metrics.listeners.max.connections.per.address", 0, 1, 1000000));
  }
  if (r.has("metrics.listeners.header.timeout.ms")) {
    SLUICE_TRY_ASSIGN(c.metrics_header_timeout_ms,
                      r.integer("metrics.listeners.header.timeout.ms", 0, 100, 600000));
  }

  // skipped.operations: comma-separated c,u,d,t or "none" (Debezium default "t").
  {
    c.skipped_operations_set = r.has("skipped.operations");
    auto raw = r.str("skipped.operations", "t");
    c.skip_truncate = c.skip_create = c.skip_update = c.skip_delete = false;
    std::stringstream ss(raw);
    std::string op;
    while (std::getline(ss, op, ',')) {
      op = lower(trim(op));
      if (op == "c") {
        c.skip_create = true;
      } else if (op == "u") {
        c.skip_update = true;
      } else if (op == "d") {
        c.skip_delete = true;
      } else if (op == "t") {
        c.skip_truncate = true;
      } else if (op == "none" || op.empty()) {
      } else {
        return invalid("skipped.operations", raw, "a comma-separated list of c, u, d, t, or none");
      }
    }
  }

  SLUICE_TRY_ASSIGN(c.decimal_mode, r.choice<DecimalMode>("decimal.handling.mode", "precise",
                                                          {{"precise", DecimalMode::kPrecise},
                                                           {"double", DecimalMode::kDouble},
                                                           {"string", DecimalMode::kString}}));
  SLUICE_TRY_ASSIGN(c.time_precision_mode,
                    r.choice<TimePrecisionMode>(
                        "time.precision.mode", "adaptive",
                        {{"adaptive", TimePrecisionMode::kAdaptive},
                         {"adaptive_time_microseconds", TimePrecisionMode::kAdaptiveTimeMicroseconds},
                         {"connect", TimePrecisionMode::kConnect}}));
  SLUICE_TRY_ASSIGN(c.binary_mode, r.choice<BinaryMode>("binary.handling.mode", "bytes",
                                                        {{"bytes", BinaryMode::kBytes},
                                                         {"base64", BinaryMode::kBase64},
                                                         {"base64-url-safe", BinaryMode::kBase64UrlSafe},
                                                         {"hex", BinaryMode::kHex}}));
  SLUICE_TRY_ASSIGN(c.interval_mode, r.choice<IntervalMode>("interval.handling.mode", "numeric",
                                                            {{"numeric", IntervalMode::kNumeric},
                                                             {"string", IntervalMode::kString}}));
  SLUICE_TRY_ASSIGN(c.hstore_mode,
                    r.choice<HstoreMode>("hstore.handling.mode", "json",
                                         {{"json", HstoreMode::kJson}, {"map", HstoreMode::kMap}}));
  SLUICE_TRY_ASSIGN(c.include_unknown_datatypes, r.boolean("include.unknown.datatypes", false));
  // sluice.compat.version: "3.4", "3.7", or a full Debezium version ("3.4.3.Final"): its major.minor counts.
  {
    auto raw = trim(r.str("sluice.compat.version", fmt::format("3.{}", kNewestCompatMinor)));
    int major = 0, minor = -1;
    auto dot = raw.find('.');
    auto end = raw.find('.', dot == std::string::npos ? raw.size() : dot + 1);
    if (dot != std::string::npos) {
      std::string_view mj(raw.data(), dot), mn(raw.data() + dot + 1, std::min(end, raw.size()) - dot - 1);
      auto r1 = std::from_chars(mj.data(), mj.data() + mj.size(), major);
      auto r2 = std::from_chars(mn.data(), mn.data() + mn.size(), minor);
      if (r1.ptr != mj.data() + mj.size() || r2.ptr != mn.data() + mn.size() || mj.empty() || mn.empty()) {
        minor = -1;
      }
    }
    if (major != 3 || minor < kOldestCompatMinor || minor > kNewestCompatMinor) {
      return invalid("sluice.compat.version", raw,
                     fmt::format("a Debezium release from 3.{} to 3.{} (e.g. 3.4 or 3.4.3.Final)",
                                 kOldestCompatMinor, kNewestCompatMinor));
    }
    c.compat_minor = minor;
  }
  SLUICE_TRY_ASSIGN(c.message_key_columns, MessageKeyColumns::create(r.str("message.key.columns", "")));
  SLUICE_TRY_ASSIGN(c.extended_headers, r.boolean("extended.headers.enabled", true));
  c.unavailable_value_placeholder = r.str("unavailable.value.placeholder", c.unavailable_value_placeholder);
  c.offset_file = r.str("offset.storage.file.filename", "");
  c.offset_topic = r.str("offset.storage.topic", c.offset_topic);
  SLUICE_TRY_ASSIGN(c.offset_storage,
                    r.choice<OffsetStorage>("offset.storage", c.offset_file.empty() ? "kafka" : "file",
                                            {{"kafka", OffsetStorage::kKafka},
                                             {"file", OffsetStorage::kFile},
                                             {"none", OffsetStorage::kNone}}));
  if (c.offset_storage == OffsetStorage::kFile && c.offset_file.empty()) {
    return Error::fatal("offset.storage=file needs offset.storage.file.filename");
  }
  SLUICE_TRY_ASSIGN(c.failure_mode, r.choice<FailureMode>("event.processing.failure.handling.mode", "fail",
                                                          {{"fail", FailureMode::kFail},
                                                           {"warn", FailureMode::kWarn},
                                                           {"skip", FailureMode::kSkip}}));
  SLUICE_TRY_ASSIGN(c.heartbeat_interval_ms, r.integer("heartbeat.interval.ms", 0, 0, 86400000));
  c.heartbeat_topic_prefix = r.str("topic.heartbeat.prefix", c.heartbeat_topic_prefix);
  c.heartbeat_action_query = r.str("heartbeat.action.query", "");
  {
    auto include = r.str("message.prefix.include.list", "");
    auto exclude = r.str("message.prefix.exclude.list", "");
    if (!include.empty() && !exclude.empty()) {
      return Error::fatal("message.prefix.include.list and message.prefix.exclude.list cannot both be set");
    }
    SLUICE_TRY_ASSIGN(c.message_prefixes.include,
                      PatternList::create("message.prefix.include.list", include));
    SLUICE_TRY_ASSIGN(c.message_prefixes.exclude,
                      PatternList::create("message.prefix.exclude.list", exclude));
  }
  SLUICE_TRY_ASSIGN(c.provide_transaction_metadata, r.boolean("provide.transaction.metadata", false));
  c.transaction_topic = r.str("topic.transaction", c.transaction_topic);
  if (c.transaction_topic.empty()) return invalid("topic.transaction", "", "a non-empty topic name suffix");

  SLUICE_TRY_ASSIGN(c.sink_type, r.choice<SinkType>("sink.type", "kafka", sink_type_choices()));
  {
    std::set<std::string> sink_keys;
    SLUICE_TRY_ASSIGN(c.direct, parse_direct_sink(props, sink_type_name(c.sink_type), c.topic_prefix,
                                                  sink_keys, c.warnings));
    for (const auto& key : sink_keys) r.mark(key);
  }
  // Without Kafka there is no Kafka offset topic: the slot (or a configured file) keeps the position.
  if (c.sink_type != SinkType::kKafka && c.offset_storage == OffsetStorage::kKafka) {
    if (r.has("offset.storage")) {
      return invalid("offset.storage", "kafka",
                     "file or none when sink.type is not kafka (sluice never stores offsets in a Kafka the "
                     "sink does not use)");
    }
    c.offset_storage = OffsetStorage::kNone;
  }
  c.bootstrap_servers = r.str("kafka.bootstrap.servers", r.str("bootstrap.servers", c.bootstrap_servers));
  if (c.bootstrap_servers.empty()) return invalid("kafka.bootstrap.servers", "", "host:port[,host:port…]");
  if (c.signal_kafka_bootstrap.empty()) c.signal_kafka_bootstrap = c.bootstrap_servers;

  SLUICE_TRY_ASSIGN(c.exactly_once_support,
                    r.choice<ExactlyOnceSupport>("exactly.once.support", "supported",
                                                 {{"supported", ExactlyOnceSupport::kSupported},
                                                  {"requested", ExactlyOnceSupport::kRequested},
                                                  {"required", ExactlyOnceSupport::kRequired}}));
  c.transactional_id = r.str("transactional.id", r.str("producer.transactional.id", ""));
  SLUICE_TRY_ASSIGN(c.transaction_interval_ms,
                    r.integer("transaction.boundary.interval.ms", 100, 1, 3600000));
  SLUICE_TRY_ASSIGN(c.transaction_max_events,
                    r.integer("transaction.boundary.max.events", 10000, 1, 100000000));
  SLUICE_TRY_ASSIGN(c.transaction_max_bytes,
                    r.integer("transaction.boundary.max.bytes", 8 << 20, 1, int64_t{1} << 40));
  if (auto s = resolve_exactly_once(c); !s) return s.error();
  if (auto s = parse_delivery(r, c); !s) return s.error();
  std::set<std::string> transform_keys;
  if (auto s = parse_transforms(props, c, transform_keys); !s) return s.error();
  for (const auto& key : transform_keys) r.mark(key);
  if (validate_transforms) {
    if (auto s = validate_transforms(c); !s) return s.error();
  }

  // Kafka client properties: producer.override.* (a Debezium connector's), producer.* (a Connect worker's)
  // and kafka.* all name the same settings, in the Java client's or librdkafka's words.
  std::map<std::string, KafkaProperty> kafka;
  std::string bootstrap_from;
  for (const auto& [key, value] : props) {
    if (r.used().count(key) || kAcceptedIgnored.count(key)) continue;
    if (key == "config.providers" || key.starts_with("config.providers.")) continue;  // built in: env, file
    std::string name;
    for (std::string_view prefix : {"producer.override.", "producer.", "kafka."}) {
      if (key.starts_with(prefix)) {
        name = key.substr(prefix.size());
        break;
      }
    }
    if (name.empty()) {
      if (key.starts_with("topic.creation.")) {
        c.warnings.push_back(fmt::format(
            "{} is ignored: sluice does not create data topics (the broker's auto.create.topics.enable "
            "does, or create them first)",
            key));
        continue;
      }
      // Running on with a default where the user named another broker, topic or credential would send
      // data to the wrong place: refuse.
      if (auto what = names_destination(key)) {
        return Error::fatal(fmt::format(
            "unknown property {} names {} that sluice does not read: remove it, or use the property sluice "
            "reads for it (see the README's configuration section), so that no default is used in its place",
            key, *what));
      }
    }
    if (auto refused = unimplemented_output_property(key, value)) return *refused;
    if (name.empty()) {
      c.warnings.push_back(fmt::format("unknown property {} (ignored)", key));
      continue;
    }
    if (name == "bootstrap.servers") {
      // producer.bootstrap.servers / producer.override.bootstrap.servers (a Connect worker's, Debezium
      // Server's): the brokers of every client, as kafka.bootstrap.servers.
      if (r.has("kafka.bootstrap.servers") || r.has("bootstrap.servers") || !bootstrap_from.empty()) {
        if (trim(value) != c.bootstrap_servers) {
          return Error::fatal(
              fmt::format("{} and {} both name the Kafka brokers: set only one", key,
                          bootstrap_from.empty() ? "kafka.bootstrap.servers" : bootstrap_from));
        }
      }
      c.bootstrap_servers = trim(value);
      bootstrap_from = key;
      continue;
    }
    auto [it, inserted] = kafka.try_emplace(name, KafkaProperty{key, value});
    if (!inserted && it->second.value != value) {
      return Error::fatal(
          fmt::format("{} and {} both set the Kafka client's {}: set only one", it->second.key, key, name));
    }
  }
  if (c.bootstrap_servers.empty()) return invalid("kafka.bootstrap.servers", "", "host:port[,host:port…]");
  if (!bootstrap_from.empty() && !r.has("signal.kafka.bootstrap.servers")) {
    c.signal_kafka_bootstrap = c.bootstrap_servers;
  }
  SLUICE_TRY_ASSIGN(c.producer_properties, to_librdkafka(kafka, c.warnings));
  return c;
}
}  // namespace

std::string Config::conninfo(bool replication) const {
  auto quote = [](const std::string& v) {
    std::string out = "'";
    for (char ch : v) {
      if (ch == '\'' || ch == '\\') out.push_back('\\');
      out.push_back(ch);
    }
    return out + "'";
  };
  std::string s =
      fmt::format("host={} port={} user={} dbname={} sslmode={} application_name={}", quote(hostname), port,
                  quote(user), quote(dbname), sslmode, quote("sluice-" + slot_name));
  if (!password.empty()) s += " password=" + quote(password);
  if (sslmode != "disable") {
    if (!sslrootcert.empty()) s += " sslrootcert=" + quote(sslrootcert);
    if (!sslcert.empty()) s += " sslcert=" + quote(sslcert);
    if (!sslkey.empty()) s += " sslkey=" + quote(sslkey);
    if (!sslpassword.empty()) s += " sslpassword=" + quote(sslpassword);
  }
  if (replication) s += " replication=database";
  return s;
}

}  // namespace sluice::config
