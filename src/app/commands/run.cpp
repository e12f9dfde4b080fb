// `sluice run CONFIG`: one source connector until SIGINT/SIGTERM, with /metrics, /health and /ready beside
// it when metrics.listeners is set.
#include <chrono>
#include <cstdio>
#include <memory>

#include "app/commands/commands.h"
#include "common/log.h"
#include "connector/connector.h"
#include "connector/slot_monitor.h"
#include "server/run_monitor.h"

namespace sluice::app {

namespace {

int run(const std::string& config_path) {
  auto cfg = load_config_or_exit(config_path);
  for (const auto& w : cfg.warnings) spdlog::warn("{}", w);
  const auto& stop = stop_on_signals();
  // metrics.listeners: /metrics, /health and /ready beside the connector (off by default).
  std::unique_ptr<server::RunMonitor> monitor;
  std::unique_ptr<connector::SlotMonitor> slot_monitor;
  auto metrics = std::make_shared<connector::ConnectorMetrics>();
  if (!cfg.metrics_listeners.empty()) {
    auto options = server::parse_listener(cfg.metrics_listeners);
    if (!options) {
      std::fprintf(stderr, "sluice: %s: metrics.listeners: %s\n", config_path.c_str(),
                   options.error().message.c_str());
      return 2;
    }
    server::apply_listener_limits(*options, cfg.metrics_max_connections,
                                  cfg.metrics_max_connections_per_address, cfg.metrics_header_timeout_ms);
    monitor = std::make_unique<server::RunMonitor>(cfg.name, metrics);
    if (auto s = monitor->start(std::move(*options)); !s) {
      std::fprintf(stderr, "sluice: metrics.listeners: %s\n", s.error().message.c_str());
      return 2;
    }
    slot_monitor = std::make_unique<connector::SlotMonitor>(
        cfg.conninfo(false), cfg.slot_name, std::chrono::milliseconds(cfg.metrics_slot_poll_interval_ms),
        metrics);
    slot_monitor->start();
  }
  connector::Connector connector(std::move(cfg), stop);
  if (monitor) connector.set_metrics(metrics);
  int rc = connector.run();
  if (monitor && rc != 0) monitor->set_failed(connector.failure());
  if (monitor) monitor->stop();
  return rc;
}

}  // namespace

Command add_run(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* cli =
      app.add_subcommand("run", "Snapshot (if needed) and stream changes to Kafka until SIGINT/SIGTERM");
  cli->add_option("CONFIG", *path,
                  "Connector config: Kafka Connect registration JSON, flat JSON object or .properties file")
      ->required();
  return {cli, [path] { return run(*path); }};
}

}  // namespace sluice::app
