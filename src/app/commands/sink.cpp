// `sluice sink CONFIG`: the Postgres sink (Kafka -> a target Postgres) until SIGINT/SIGTERM, with
// /metrics, /health and /ready beside it when metrics.listeners is set.
#include <cstdio>
#include <memory>

#include "app/commands/commands.h"
#include "common/log.h"
#include "pgsink/sink_config.h"
#include "pgsink/sink_runner.h"
#include "server/run_monitor.h"

namespace sluice::app {

namespace {

// Exits 2 on an invalid config, else runs the sink until a signal.
int sink(const std::string& path) {
  auto props = config::load_properties(path);
  if (!props) {
    std::fprintf(stderr, "sluice: %s\n", props.error().message.c_str());
    return 2;
  }
  auto resolved = config::resolve_providers(*props);
  if (!resolved) {
    std::fprintf(stderr, "sluice: %s: %s\n", path.c_str(), resolved.error().message.c_str());
    return 2;
  }
  auto cfg = pgsink::parse_sink_config(*resolved);
  if (!cfg) {
    std::fprintf(stderr, "sluice: %s: %s\n", path.c_str(), cfg.error().message.c_str());
    return 2;
  }
  for (const auto& w : cfg->warnings) spdlog::warn("{}", w);
  const auto& stop = stop_on_signals();
  if (cfg->metrics_listeners.empty()) return pgsink::run_sink(*cfg, stop);
  // metrics.listeners: /metrics, /health and /ready beside the sink.
  auto options = server::parse_listener(cfg->metrics_listeners);
  if (!options) {
    std::fprintf(stderr, "sluice: %s: metrics.listeners: %s\n", path.c_str(),
                 options.error().message.c_str());
    return 2;
  }
  server::apply_listener_limits(*options, cfg->metrics_max_connections,
                                cfg->metrics_max_connections_per_address, cfg->metrics_header_timeout_ms);
  auto metrics = std::make_shared<pgsink::SinkMetrics>();
  server::RunMonitor monitor(cfg->name, metrics);
  if (auto s = monitor.start(std::move(*options)); !s) {
    std::fprintf(stderr, "sluice: metrics.listeners: %s\n", s.error().message.c_str());
    return 2;
  }
  auto outcome = pgsink::run_sink_task(*cfg, stop, {}, metrics.get());
  if (outcome.exit_code != 0) monitor.set_failed(outcome.failure);
  monitor.stop();
  return outcome.exit_code;
}

}  // namespace

Command add_sink(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* cli = app.add_subcommand("sink",
                                 "Apply Debezium-format topics to a target Postgres (Debezium JDBC sink's "
                                 "properties) until SIGINT/SIGTERM");
  cli->add_option("CONFIG", *path, "Sink config: registration JSON, flat JSON object or .properties file")
      ->required();
  return {cli, [path] { return sink(*path); }};
}

}  // namespace sluice::app
