// What the HTTP listener admits and how loudly it complains: connection caps per client address and in total,
// and a count of refused or timed-out connections that is logged at most once per interval. Pure: no sockets,
// no logging; the clock is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace sluice::server {

enum class Admission { kAdmitted, kOverAddressCap, kOverTotalCap };

// Counts open connections per client address. Thread-safe: a connection may end on any thread.
class ConnectionLimits {
 public:
  ConnectionLimits(size_t max_total, size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // Admits one more connection from `address` unless a cap is reached; an admitted one is released once.
  Admission acquire(const std::string& address);
  void release(const std::string& address);

  size_t open() const;
  size_t open_from(const std::string& address) const;

 private:
  const size_t max_total_;
  const size_t max_per_address_;
  mutable std::mutex mu_;
  size_t total_ = 0;
  std::map<std::string, size_t> per_address_;  // only addresses with open connections
};

// Events of one kind (refused connections, header timeouts …) summarized in at most one log line per
// interval: record() says when a line is due and how many events it reports; flush() reports the rest once
// the interval has passed, for a periodic timer, so a burst's tail is not lost.
class EventSummary {
 public:
  using Clock = std::chrono::steady_clock;
  explicit EventSummary(Clock::duration interval) : interval_(interval) {}

  // Counts one event; the number of events to report when a line is due now.
  std::optional<uint64_t> record(Clock::time_point now);
  // The events not yet reported, when the interval since the last line has passed.
  std::optional<uint64_t> flush(Clock::time_point now);

 private:
  Clock::duration interval_;
  std::optional<Clock::time_point> last_line_;
  uint64_t pending_ = 0;
};

// A request target split into the decoded path and the decoded query parameters ('+' is a space in the
// query only), in order of appearance.
struct RequestTarget {
  std::string path;
  std::multimap<std::string, std::string> query;
};
RequestTarget parse_target(std::string_view target);

// %XX decoding; invalid escapes stay as written.
std::string percent_decode(std::string_view in, bool plus_is_space);

}  // namespace sluice::server
