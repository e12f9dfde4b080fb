// Connection caps, rate-limited event summaries and request-target decoding for the HTTP listener.
#include "server/connection_limits.h"

namespace sluice::server {

Admission ConnectionLimits::acquire(const std::string& address) {
  std::lock_guard lock(mu_);
  if (total_ >= max_total_) return Admission::kOverTotalCap;
  auto& n = per_address_[address];
  if (n >= max_per_address_) {
    if (n == 0) per_address_.erase(address);
    return Admission::kOverAddressCap;
  }
  ++n;
  ++total_;
  return Admission::kAdmitted;
}

void ConnectionLimits::release(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(address);
  if (it == per_address_.end())
    return;  // never admitted: a programmer error, ignored rather than underflowed
  if (--it->second == 0) per_address_.erase(it);
  --total_;
}

size_t ConnectionLimits::open() const {
  std::lock_guard lock(mu_);
  return total_;
}

size_t ConnectionLimits::open_from(const std::string& address) const {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

std::optional<uint64_t> EventSummary::record(Clock::time_point now) {
  ++pending_;
  return flush(now);
}

std::optional<uint64_t> EventSummary::flush(Clock::time_point now) {
  if (pending_ == 0) return std::nullopt;
  if (last_line_ && now - *last_line_ < interval_) return std::nullopt;
  last_line_ = now;
  auto n = pending_;
  pending_ = 0;
  return n;
}

std::string percent_decode(std::string_view in, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = hex(in[i + 1]);
      int lo = hex(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

RequestTarget parse_target(std::string_view target) {
  RequestTarget t;
  auto q = target.find('?');
  t.path = percent_decode(target.substr(0, q), false);
  if (q == std::string_view::npos) return t;
  auto query = target.substr(q + 1);
  if (auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      t.query.emplace(percent_decode(pair, true), "");
    } else {
      t.query.emplace(percent_decode(pair.substr(0, eq), true), percent_decode(pair.substr(eq + 1), true));
    }
  }
  return t;
}

}  // namespace sluice::server
