// Building blocks of the connectors' metrics (src/connector/connector_metrics.h, src/pgsink/sink_metrics.h):
// counters with a single writing thread, the coarse wall clock, and a histogram of durations whose buckets
// a /metrics scrape reads while they move.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <ctime>

namespace sluice {

// Increments a counter that only the calling thread writes.
inline void bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

// Wall clock in ms from the coarse clock (a few ms of resolution, a few ns per read): event ages and lags.
inline int64_t coarse_unix_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// A Prometheus histogram of durations with fixed bounds (seconds, as Prometheus wants them), written by one
// thread; a scrape reads the buckets while they move (each bucket is exact, their sum may be off by the
// events recorded meanwhile).
class AtomicHistogram {
 public:
  static constexpr std::array<int64_t, 17> kBoundsUs = {
      500,    1000,    2500,    5000,    10000,    25000,    50000,    100000,   250000,
      500000, 1000000, 2500000, 5000000, 10000000, 30000000, 60000000, 300000000};

  void record(int64_t us) {
    if (us < 0) us = 0;  // clock skew between hosts
    size_t i = 0;
    while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
    bump(counts_[i]);
    bump(sum_us_, static_cast<uint64_t>(us));
  }
  // Per bucket (not cumulative); the last one is +Inf.
  uint64_t bucket(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t sum_us() const { return sum_us_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<uint64_t>, kBoundsUs.size() + 1> counts_{};
  std::atomic<uint64_t> sum_us_{0};
};

}  // namespace sluice
