// The subcommands of the sluice command line, one file each under app/commands/. Each adds its
// subcommand and options to the parser and returns how to run it; main.cpp parses and runs the chosen one.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <functional>
#include <string>

#include "config/config.h"

namespace sluice::app {

struct Command {
  CLI::App* cli = nullptr;
  std::function<int()> run;  // after parsing (logging is set up); returns the exit code
};

Command add_run(CLI::App& app);
Command add_check(CLI::App& app);
Command add_reset_offsets(CLI::App& app);
Command add_status(CLI::App& app);
Command add_signal(CLI::App& app);
Command add_sink(CLI::App& app);
Command add_tail(CLI::App& app);

// Shared by the commands (command.cpp).
// Loads and validates a connector config; exits 2 with the reason on any problem.
config::Config load_config_or_exit(const std::string& path);
// SIGINT and SIGTERM set the returned flag (a clean stop); SIGPIPE is ignored.
const std::atomic<bool>& stop_on_signals();

// `sluice check`: validates config and connectivity, prints each finding.
int check(const config::Config& config);
// `sluice reset-offsets`: forgets this connector's stored offsets.
int reset_offsets(const config::Config& config);
// `sluice status`: the slot, the confirmed and stored LSNs and the snapshot progress.
int status(const config::Config& config);

}  // namespace sluice::app
