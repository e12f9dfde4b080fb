// What the subcommands share: loading a connector config, stopping on SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "app/commands/commands.h"
#include "transform/chain.h"

namespace sluice::app {

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}
}  // namespace

config::Config load_config_or_exit(const std::string& path) {
  auto props = config::load_properties(path);
  if (!props) {
    std::fprintf(stderr, "sluice: %s\n", props.error().message.c_str());
    std::exit(2);
  }
  auto resolved = config::resolve_providers(*props);
  if (!resolved) {
    std::fprintf(stderr, "sluice: %s: %s\n", path.c_str(), resolved.error().message.c_str());
    std::exit(2);
  }
  auto cfg = config::parse_config(*resolved, transform::validate_chain);
  if (!cfg) {
    std::fprintf(stderr, "sluice: %s: %s\n", path.c_str(), cfg.error().message.c_str());
    std::exit(2);
  }
  return std::move(*cfg);
}

const std::atomic<bool>& stop_on_signals() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  return g_stop;
}

}  // namespace sluice::app
