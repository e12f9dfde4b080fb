// Progress lines of the snapshot (module logger "snapshot").
#include "snapshot/progress.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/log.h"

namespace sluice::snapshot {

Progress::Progress(std::vector<Table> tables, std::chrono::milliseconds interval, Clock::time_point now)
    : tables_(std::move(tables)), interval_(interval), started_(now), last_log_(now) {}

void Progress::maybe_log(Clock::time_point now) {
  if (now - last_log_ < interval_) return;
  static auto log = module_logger("snapshot");
  log->info("{}", describe(now));
}

std::string Progress::describe(Clock::time_point now) {
  const double secs = std::chrono::duration<double>(now - last_log_).count();
  const double rate = secs > 0 ? static_cast<double>(rows_ - rows_at_last_log_) / secs : 0.0;
  last_log_ = now;
  rows_at_last_log_ = rows_;
  uint64_t estimate = 0;
  size_t done = 0;
  for (const auto& t : tables_) {
    // A finished table counts what it had; an estimate below what was already read is raised to it.
    estimate +=
        t.done ? t.rows : std::max<uint64_t>(t.rows, static_cast<uint64_t>(std::max<int64_t>(t.estimate, 0)));
    if (t.done) ++done;
  }
  auto pct = [](uint64_t a, uint64_t b) { return b == 0 ? 100 : static_cast<int>(100.0 * a / b); };
  std::string eta = "unknown";
  if (rate > 0 && estimate >= rows_)
    eta = fmt::format("{}s", static_cast<int64_t>((estimate - rows_) / rate));
  auto out =
      fmt::format("snapshot progress: {}/{} rows ({}%), {} of {} tables done, {} rows/s, ETA {}", rows_,
                  estimate, pct(rows_, estimate), done, tables_.size(), static_cast<int64_t>(rate), eta);
  std::string running;
  for (const auto& t : tables_) {
    if (!t.started || t.done) continue;
    uint64_t est = std::max<uint64_t>(t.rows, static_cast<uint64_t>(std::max<int64_t>(t.estimate, 0)));
    running +=
        fmt::format("{}{} {}/{} ({}%)", running.empty() ? "; " : ", ", t.name, t.rows, est, pct(t.rows, est));
  }
  return out + running;
}

}  // namespace sluice::snapshot
