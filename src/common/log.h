// Logging setup: spdlog, one named logger per module, human-readable by default or one JSON object per
// line (--log-format json) for log shippers.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace sluice {

enum class LogFormat { kText, kJson };

// Configures the default logger (stderr) and the level (trace|debug|info|warn|error).
void init_logging(LogFormat format, const std::string& level);

// The named logger for a module ("pg", "kafka", "snapshot", …), created on first use.
std::shared_ptr<spdlog::logger> module_logger(const std::string& name);

}  // namespace sluice
