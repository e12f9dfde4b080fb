// sluice command line: parses it and runs the chosen subcommand (app/commands/<subcommand>.cpp).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <vector>

#include "app/commands/commands.h"
#include "app/commands/connect.h"
#include "common/log.h"

namespace {

// `sluice connect` (a worker) and `sluice connectors` (its REST client).
std::vector<sluice::app::Command> add_worker_commands(CLI::App& app) {
  auto properties = std::make_shared<std::string>();
  auto* connect = app.add_subcommand(
      "connect",
      "Run a worker: many connectors, managed over Kafka Connect's REST API, state in Kafka topics");
  connect->add_option("WORKER_PROPERTIES", *properties,
                      "Worker properties (Kafka Connect names; a connect-distributed.properties runs as is)");

  struct ConnectorsArgs {
    std::string url = "http://127.0.0.1:8083";
    std::string action, name, ca_file;
  };
  auto a = std::make_shared<ConnectorsArgs>();
  auto* conns =
      app.add_subcommand("connectors", "Manage the connectors of a worker (sluice connect) over REST");
  conns->add_option("ACTION", a->action, "list, status, pause, resume, stop, restart or delete")
      ->required()
      ->check(CLI::IsMember({"list", "status", "pause", "resume", "stop", "restart", "delete"}));
  conns->add_option("NAME", a->name, "The connector (all but list)");
  conns->add_option("--url", a->url, "The worker's REST URL (user:password@ for basic auth)")
      ->capture_default_str();
  conns->add_option(
      "--cacert", a->ca_file,
      "For an https URL: the CA certificate (PEM) to verify the worker with, as curl's --cacert "
      "(default: the system's CAs)");
  return {
      {connect,
       [properties] { return sluice::app::run_connect(*properties, sluice::app::stop_on_signals()); }},
      {conns, [a] { return sluice::app::connectors_command(a->url, a->action, a->name, a->ca_file); }},
  };
}

}  // namespace

int main(int argc, char** argv) {
  namespace app = sluice::app;
  CLI::App cli{"sluice: Postgres change data capture to Apache Kafka, Debezium-compatible"};
  cli.require_subcommand(1);
  std::string log_format = "text";
  std::string log_level = "info";
  cli.add_option("--log-format", log_format, "Log format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cli.add_option("--log-level", log_level, "Log level: trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();

  std::vector<app::Command> commands = {app::add_run(cli), app::add_check(cli), app::add_reset_offsets(cli),
                                        app::add_status(cli), app::add_signal(cli)};
  for (auto& c : add_worker_commands(cli)) commands.push_back(std::move(c));
  commands.push_back(app::add_sink(cli));
  commands.push_back(app::add_tail(cli));
  auto* version = cli.add_subcommand("version", "Print the version");
  commands.push_back({version, [] {
                        std::printf("sluice %s\n", SLUICE_VERSION);
                        return 0;
                      }});

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }

  sluice::init_logging(log_format == "json" ? sluice::LogFormat::kJson : sluice::LogFormat::kText, log_level);
  for (const auto& c : commands) {
    if (c.cli->parsed()) return c.run();
  }
  return 2;  // require_subcommand(1): not reached
}
