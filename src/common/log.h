// Logging setup: spdlog, one named logger per module, human-readable by default or one JSON object per
// line (--log-format json) for log shippers.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace sluice {

enum class LogFormat { kText, kJson };

// The line format: "<time> <level> [<module>[ <connector>]] <message>", or one JSON object per line.
std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format);

// Configures the default logger (stderr) and the level (trace|debug|info|warn|error).
void init_logging(LogFormat format, const std::string& level);

// The named logger for a module ("pg", "kafka", "snapshot", …), created on first use.
std::shared_ptr<spdlog::logger> module_logger(const std::string& name);

// While alive, every line this thread logs names the connector it works for ("[connector orders] …", and a
// "connector" member in JSON): a worker runs many connectors in one process, one thread each.
class ScopedLogContext {
 public:
  explicit ScopedLogContext(std::string connector);
  ~ScopedLogContext();
  ScopedLogContext(const ScopedLogContext&) = delete;
  ScopedLogContext& operator=(const ScopedLogContext&) = delete;

 private:
  std::string previous_;
};

}  // namespace sluice
