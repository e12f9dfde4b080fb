// sluice command line: run, check, version.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "app/commands/connect.h"
#include "app/connector.h"
#include "app/metrics_text.h"
#include "app/slot_monitor.h"
#include "common/log.h"
#include "config/config.h"
#include "pgsink/sink_config.h"
#include "pgsink/sink_runner.h"
#include "server/http_server.h"
#include "server/monitoring.h"
#include "tail/tail.h"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

// `sluice run` with metrics.listeners: its one connector's /metrics, /health and /ready. Ready while the
// connector streams or snapshots; starting, reconnecting or failed answer 503.
class RunMonitor final : public sluice::server::MonitoringSource {
 public:
  RunMonitor(std::string name, std::shared_ptr<sluice::app::ConnectorMetrics> metrics)
      : name_(std::move(name)), metrics_(std::move(metrics)) {}
  void set_failed(std::string trace) {
    std::lock_guard lock(mu_);
    failed_ = true;
    trace_ = std::move(trace);
  }
  std::string metrics_text() override {
    return sluice::app::metrics_text({{name_, state().state, metrics_.get()}});
  }
  std::vector<sluice::server::ConnectorStatus> statuses() override { return {state()}; }

 private:
  sluice::server::ConnectorStatus state() {
    sluice::server::ConnectorStatus st;
    st.name = name_;
    std::lock_guard lock(mu_);
    if (failed_) {
      st.state = "FAILED";
      st.trace = trace_;
    } else {
      st.state = "RUNNING";
    }
    sluice::server::TaskStatus task{0, st.state, "", st.trace};
    if (!failed_ && !metrics_->connected.load() && !metrics_->snapshot_running.load()) {
      task.state = "UNASSIGNED";
      task.trace = metrics_->retries.load() > 0 ? "not connected to Postgres: reconnecting after a failure"
                                                : "not connected to Postgres yet: starting";
    }
    st.tasks.push_back(task);
    return st;
  }

  std::string name_;
  std::shared_ptr<sluice::app::ConnectorMetrics> metrics_;
  std::mutex mu_;
  bool failed_ = false;
  std::string trace_;
};

// `sluice sink` with metrics.listeners: the sink's /metrics, /health and /ready. Ready while it consumes and
// holds a working target connection; starting, reconnecting to the target or failed answer 503.
class SinkMonitor final : public sluice::server::MonitoringSource {
 public:
  explicit SinkMonitor(std::string name) : name_(std::move(name)) {}
  sluice::pgsink::SinkMetrics& metrics() { return metrics_; }
  void set_failed(std::string trace) {
    std::lock_guard lock(mu_);
    failed_ = true;
    trace_ = std::move(trace);
  }
  std::string metrics_text() override {
    return sluice::app::metrics_text({}, {{name_, state().state, &metrics_}});
  }
  std::vector<sluice::server::ConnectorStatus> statuses() override { return {state()}; }

 private:
  sluice::server::ConnectorStatus state() {
    sluice::server::ConnectorStatus st;
    st.name = name_;
    std::lock_guard lock(mu_);
    st.state = failed_ ? "FAILED" : "RUNNING";
    st.trace = failed_ ? trace_ : "";
    sluice::server::TaskStatus task{0, st.state, "", st.trace};
    if (!failed_ && !metrics_.target_connected.load()) {
      task.state = "UNASSIGNED";
      task.trace = metrics_.batch_retries.load() > 0 ? "the target Postgres is not reachable: retrying"
                                                     : "not connected to the target Postgres yet: starting";
    } else if (!failed_ && !metrics_.consuming.load()) {
      task.state = "UNASSIGNED";
      task.trace = "the Kafka consumer is not subscribed yet: starting";
    }
    st.tasks.push_back(task);
    return st;
  }

  std::string name_;
  sluice::pgsink::SinkMetrics metrics_;
  std::mutex mu_;
  bool failed_ = false;
  std::string trace_;
};

// Loads and validates CONFIG; exits 2 with the reason on any problem.
sluice::config::Config load_or_exit(const std::string& path) {
  auto props = sluice::config::load_properties(path);
  if (!props) {
    std::fprintf(stderr, "sluice: %s\n", props.error().message.c_str());
    std::exit(2);
  }
  auto resolved = sluice::config::resolve_providers(*props);
  if (!resolved) {
    std::fprintf(stderr, "sluice: %s: %s\n", path.c_str(), resolved.error().message.c_str());
    std::exit(2);
  }
  auto cfg = sluice::config::parse_config(*resolved);
  if (!cfg) {
    std::fprintf(stderr, "sluice: %s: %s\n", path.c_str(), cfg.error().message.c_str());
    std::exit(2);
  }
  return std::move(*cfg);
}

// `sluice sink CONFIG`: exits 2 on an invalid config, else runs the Postgres sink until a signal.
int run_sink_or_exit(const std::string& path) {
  auto props = sluice::config::load_properties(path);
  if (!props) {
    std::fprintf(stderr, "sluice: %s\n", props.error().message.c_str());
    return 2;
  }
  auto resolved = sluice::config::resolve_providers(*props);
  if (!resolved) {
    std::fprintf(stderr, "sluice: %s: %s\n", path.c_str(), resolved.error().message.c_str());
    return 2;
  }
  auto cfg = sluice::pgsink::parse_sink_config(*resolved);
  if (!cfg) {
    std::fprintf(stderr, "sluice: %s: %s\n", path.c_str(), cfg.error().message.c_str());
    return 2;
  }
  for (const auto& w : cfg->warnings) spdlog::warn("{}", w);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  if (cfg->metrics_listeners.empty()) return sluice::pgsink::run_sink(*cfg, g_stop);
  // metrics.listeners: /metrics, /health and /ready beside the sink.
  auto options = sluice::server::parse_listener(cfg->metrics_listeners);
  if (!options) {
    std::fprintf(stderr, "sluice: %s: metrics.listeners: %s\n", path.c_str(),
                 options.error().message.c_str());
    return 2;
  }
  SinkMonitor monitor(cfg->name);
  sluice::server::MonitoringApi monitoring(monitor);
  options->description = "metrics (/metrics, /health, /ready)";
  sluice::server::apply_listener_limits(*options, cfg->metrics_max_connections,
                                        cfg->metrics_max_connections_per_address,
                                        cfg->metrics_header_timeout_ms);
  sluice::server::HttpServer http(monitoring, *options);
  if (auto s = http.start(); !s) {
    std::fprintf(stderr, "sluice: metrics.listeners: %s\n", s.error().message.c_str());
    return 2;
  }
  auto outcome = sluice::pgsink::run_sink_task(*cfg, g_stop, {}, &monitor.metrics());
  if (outcome.exit_code != 0) monitor.set_failed(outcome.failure);
  http.stop();
  return outcome.exit_code;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice: Postgres change data capture to Apache Kafka, Debezium-compatible"};
  app.require_subcommand(1);
  std::string log_format = "text";
  std::string log_level = "info";
  app.add_option("--log-format", log_format, "Log format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "Log level: trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();

  std::string config_path;
  auto* run =
      app.add_subcommand("run", "Snapshot (if needed) and stream changes to Kafka until SIGINT/SIGTERM");
  run->add_option("CONFIG", config_path,
                  "Connector config: Kafka Connect registration JSON, flat JSON object or .properties file")
      ->required();
  auto* chk = app.add_subcommand("check", "Validate the config and check Postgres and Kafka are ready");
  chk->add_option("CONFIG", config_path, "Connector config file")->required();
  auto* reset = app.add_subcommand("reset-offsets",
                                   "Forget the connector's stored offsets (after a slot was "
                                   "dropped or recreated on purpose)");
  reset->add_option("CONFIG", config_path, "Connector config file")->required();
  auto* stat = app.add_subcommand("status",
                                  "Print the replication slot, the stored offsets and the snapshot progress");
  stat->add_option("CONFIG", config_path, "Connector config file")->required();
  auto* sig = app.add_subcommand(
      "signal",
      "Send a signal (execute-snapshot, stop-snapshot, pause-snapshot, resume-snapshot, log) through "
      "signal.data.collection or the Kafka signal channel");
  std::string signal_type;
  std::vector<std::string> signal_args;
  std::string snapshot_kind = "incremental";
  std::vector<std::string> filters;
  std::string surrogate_key;
  sig->add_option("--config", config_path, "Connector config file")->required();
  sig->add_option("TYPE", signal_type, "Signal type")
      ->required()
      ->check(
          CLI::IsMember({"execute-snapshot", "stop-snapshot", "pause-snapshot", "resume-snapshot", "log"}));
  sig->add_option("ARGS", signal_args,
                  "Tables (schema.table) for execute-/stop-snapshot; the message for log");
  sig->add_option("--type", snapshot_kind, "execute-snapshot: incremental or blocking")
      ->check(CLI::IsMember({"incremental", "blocking"}))
      ->capture_default_str();
  sig->add_option("--filter", filters,
                  "execute-snapshot: an additional condition per table, as schema.table=SQL condition");
  sig->add_option("--surrogate-key", surrogate_key, "execute-snapshot: the column to chunk by");
  std::string worker_properties;
  auto* connect = app.add_subcommand(
      "connect",
      "Run a worker: many connectors, managed over Kafka Connect's REST API, state in Kafka topics");
  connect->add_option("WORKER_PROPERTIES", worker_properties,
                      "Worker properties (Kafka Connect names; a connect-distributed.properties runs as is)");
  std::string url = "http://127.0.0.1:8083";
  std::string action, connector_name, ca_file;
  auto* conns =
      app.add_subcommand("connectors", "Manage the connectors of a worker (sluice connect) over REST");
  conns->add_option("ACTION", action, "list, status, pause, resume, stop, restart or delete")
      ->required()
      ->check(CLI::IsMember({"list", "status", "pause", "resume", "stop", "restart", "delete"}));
  conns->add_option("NAME", connector_name, "The connector (all but list)");
  conns->add_option("--url", url, "The worker's REST URL (user:password@ for basic auth)")
      ->capture_default_str();
  conns->add_option(
      "--cacert", ca_file,
      "For an https URL: the CA certificate (PEM) to verify the worker with, as curl's --cacert "
      "(default: the system's CAs)");
  auto* sink = app.add_subcommand("sink",
                                  "Apply Debezium-format topics to a target Postgres (Debezium JDBC sink's "
                                  "properties) until SIGINT/SIGTERM");
  sink->add_option("CONFIG", config_path,
                   "Sink config: registration JSON, flat JSON object or .properties file")
      ->required();
  sluice::tail::TailOptions tail_options;
  auto* tail = app.add_subcommand("tail",
                                  "Show changes on the terminal, one line per event: from Kafka, or with "
                                  "--direct CONFIG from the database itself (no Kafka)");
  tail->add_option("NAMES", tail_options.names, "Topics, or tables (schema.table or table)");
  tail->add_option("--op", tail_options.ops,
                   "Only these ops: c/create, u/update, d/delete, r/read, t/truncate")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  tail->add_option("--table", tail_options.tables, "Only these tables (schema.table or table)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  tail->add_flag(
      "--from-beginning", tail_options.from_beginning,
      "Kafka: from the topics' start; --direct: the tables' rows first (a snapshot). Default: from now");
  tail->add_flag("--json", tail_options.json, "The raw event JSON, one per line");
  tail->add_option("--bootstrap-server", tail_options.bootstrap, "Kafka brokers")->capture_default_str();
  tail->add_option("--direct", tail_options.direct_config,
                   "Connector config: read the database through a slot of tail's own, dropped at exit");
  tail->add_option("--color", tail_options.color, "auto (when stdout is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  auto* ver = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  sluice::init_logging(log_format == "json" ? sluice::LogFormat::kJson : sluice::LogFormat::kText, log_level);

  if (ver->parsed()) {
    std::printf("sluice %s\n", SLUICE_VERSION);
    return 0;
  }
  if (conns->parsed()) return sluice::app::connectors_command(url, action, connector_name, ca_file);
  if (connect->parsed()) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    return sluice::app::run_connect(worker_properties, g_stop);
  }
  if (sink->parsed()) return run_sink_or_exit(config_path);
  if (tail->parsed()) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    return sluice::tail::run_tail(tail_options, g_stop);
  }
  auto cfg = load_or_exit(config_path);
  if (chk->parsed()) return sluice::app::check(cfg);
  if (reset->parsed()) return sluice::app::reset_offsets(cfg);
  if (stat->parsed()) return sluice::app::status(cfg);
  if (sig->parsed()) {
    nlohmann::json data = nlohmann::json::object();
    if (signal_type == "execute-snapshot" || signal_type == "stop-snapshot") {
      if (signal_type == "execute-snapshot" && signal_args.empty()) {
        std::fprintf(stderr, "sluice signal execute-snapshot: name at least one table (schema.table)\n");
        return 2;
      }
      if (!signal_args.empty()) data["data-collections"] = signal_args;
      data["type"] = snapshot_kind;
      for (const auto& f : filters) {
        auto eq = f.find('=');
        if (eq == std::string::npos) {
          std::fprintf(stderr, "sluice signal: --filter '%s' is not schema.table=condition\n", f.c_str());
          return 2;
        }
        data["additional-conditions"].push_back(
            {{"data-collection", f.substr(0, eq)}, {"filter", f.substr(eq + 1)}});
      }
      if (!surrogate_key.empty()) data["surrogate-key"] = surrogate_key;
    } else if (signal_type == "log") {
      std::string msg;
      for (const auto& a : signal_args) msg += (msg.empty() ? "" : " ") + a;
      data["message"] = msg;
    }
    std::string channel;
    auto text = data.empty() ? std::string() : data.dump();
    if (auto s = sluice::app::send_signal(cfg, signal_type, text, channel); !s) {
      std::fprintf(stderr, "sluice signal: %s\n", s.error().message.c_str());
      return 1;
    }
    std::printf("sent %s %s as %s\n", signal_type.c_str(), text.c_str(), channel.c_str());
    return 0;
  }

  for (const auto& w : cfg.warnings) spdlog::warn("{}", w);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  // metrics.listeners: /metrics, /health and /ready beside the connector (off by default).
  std::unique_ptr<RunMonitor> monitor;
  std::unique_ptr<sluice::server::MonitoringApi> monitoring;
  std::unique_ptr<sluice::server::HttpServer> http;
  std::unique_ptr<sluice::app::SlotMonitor> slot_monitor;
  auto metrics = std::make_shared<sluice::app::ConnectorMetrics>();
  if (!cfg.metrics_listeners.empty()) {
    auto options = sluice::server::parse_listener(cfg.metrics_listeners);
    if (!options) {
      std::fprintf(stderr, "sluice: %s: metrics.listeners: %s\n", config_path.c_str(),
                   options.error().message.c_str());
      return 2;
    }
    monitor = std::make_unique<RunMonitor>(cfg.name, metrics);
    monitoring = std::make_unique<sluice::server::MonitoringApi>(*monitor);
    options->description = "metrics (/metrics, /health, /ready)";
    sluice::server::apply_listener_limits(*options, cfg.metrics_max_connections,
                                          cfg.metrics_max_connections_per_address,
                                          cfg.metrics_header_timeout_ms);
    http = std::make_unique<sluice::server::HttpServer>(*monitoring, *options);
    if (auto s = http->start(); !s) {
      std::fprintf(stderr, "sluice: metrics.listeners: %s\n", s.error().message.c_str());
      return 2;
    }
    slot_monitor = std::make_unique<sluice::app::SlotMonitor>(
        cfg.conninfo(false), cfg.slot_name, std::chrono::milliseconds(cfg.metrics_slot_poll_interval_ms),
        metrics);
    slot_monitor->start();
  }
  sluice::app::Connector connector(std::move(cfg), g_stop);
  if (monitor) connector.set_metrics(metrics);
  int rc = connector.run();
  if (monitor && rc != 0) monitor->set_failed(connector.failure());
  if (http) http->stop();
  return rc;
}
