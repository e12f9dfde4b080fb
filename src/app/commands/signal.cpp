// `sluice signal --config CONFIG TYPE [ARGS]`: sends one signal (execute-snapshot, stop-snapshot,
// pause-snapshot, resume-snapshot, log) the way the connector reads it.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "app/commands/commands.h"
#include "connector/signal_channel.h"

namespace sluice::app {

namespace {

struct SignalOptions {
  std::string config_path;
  std::string type;
  std::vector<std::string> args;
  std::string snapshot_kind = "incremental";
  std::vector<std::string> filters;
  std::string surrogate_key;
};

int signal(const SignalOptions& o) {
  auto cfg = load_config_or_exit(o.config_path);
  nlohmann::json data = nlohmann::json::object();
  if (o.type == "execute-snapshot" || o.type == "stop-snapshot") {
    if (o.type == "execute-snapshot" && o.args.empty()) {
      std::fprintf(stderr, "sluice signal execute-snapshot: name at least one table (schema.table)\n");
      return 2;
    }
    if (!o.args.empty()) data["data-collections"] = o.args;
    data["type"] = o.snapshot_kind;
    for (const auto& f : o.filters) {
      auto eq = f.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "sluice signal: --filter '%s' is not schema.table=condition\n", f.c_str());
        return 2;
      }
      data["additional-conditions"].push_back(
          {{"data-collection", f.substr(0, eq)}, {"filter", f.substr(eq + 1)}});
    }
    if (!o.surrogate_key.empty()) data["surrogate-key"] = o.surrogate_key;
  } else if (o.type == "log") {
    std::string msg;
    for (const auto& a : o.args) msg += (msg.empty() ? "" : " ") + a;
    data["message"] = msg;
  }
  std::string channel;
  auto text = data.empty() ? std::string() : data.dump();
  if (auto s = connector::send_signal(cfg, o.type, text, channel); !s) {
    std::fprintf(stderr, "sluice signal: %s\n", s.error().message.c_str());
    return 1;
  }
  std::printf("sent %s %s as %s\n", o.type.c_str(), text.c_str(), channel.c_str());
  return 0;
}

}  // namespace

Command add_signal(CLI::App& app) {
  auto o = std::make_shared<SignalOptions>();
  auto* cli = app.add_subcommand(
      "signal",
      "Send a signal (execute-snapshot, stop-snapshot, pause-snapshot, resume-snapshot, log) through "
      "signal.data.collection or the Kafka signal channel");
  cli->add_option("--config", o->config_path, "Connector config file")->required();
  cli->add_option("TYPE", o->type, "Signal type")
      ->required()
      ->check(
          CLI::IsMember({"execute-snapshot", "stop-snapshot", "pause-snapshot", "resume-snapshot", "log"}));
  cli->add_option("ARGS", o->args, "Tables (schema.table) for execute-/stop-snapshot; the message for log");
  cli->add_option("--type", o->snapshot_kind, "execute-snapshot: incremental or blocking")
      ->check(CLI::IsMember({"incremental", "blocking"}))
      ->capture_default_str();
  cli->add_option("--filter", o->filters,
                  "execute-snapshot: an additional condition per table, as schema.table=SQL condition");
  cli->add_option("--surrogate-key", o->surrogate_key, "execute-snapshot: the column to chunk by");
  return {cli, [o] { return signal(*o); }};
}

}  // namespace sluice::app
