// RetryPolicy: how sluice retries after a transient failure (a lost connection, a server not up yet):
// capped exponential backoff (errors.retry.delay.initial.ms doubled up to errors.retry.delay.max.ms) and at
// most errors.max.retries consecutive retries (-1: no limit, 0: none). An attempt that made progress resets
// both, as Debezium resets its retry count once records flow again.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

namespace sluice::connector {

class RetryPolicy {
 public:
  RetryPolicy(int64_t max_retries, std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : max_retries_(max_retries), initial_(initial), max_(std::max(initial, max)), delay_(initial) {}

  // The delay before the next retry, or nullopt when the retries are used up.
  std::optional<std::chrono::milliseconds> next() {
    if (max_retries_ >= 0 && retries_ >= max_retries_) return std::nullopt;
    ++retries_;
    auto d = delay_;
    delay_ = std::min(delay_ * 2, max_);
    return d;
  }
  // The last attempt made progress: the next failure starts over at the initial delay.
  void reset() {
    retries_ = 0;
    delay_ = initial_;
  }
  int64_t retries() const { return retries_; }  // retries so far (the number of the last one)
  int64_t max_retries() const { return max_retries_; }

 private:
  int64_t max_retries_;
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds delay_;
  int64_t retries_ = 0;
};

}  // namespace sluice::connector
