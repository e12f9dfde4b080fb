// PropertyReader: typed reads of connector properties (trimmed strings, booleans, bounded integers, one of
// a set of values), each bad value a config error naming the key, the value and what is allowed; every key
// read is recorded in `used`, so that the keys nobody read can be reported.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "config/text.h"

namespace sluice::config {

class PropertyReader {
 public:
  PropertyReader(const Properties& p, std::set<std::string>& used) : props_(p), used_(used) {}

  std::string str(const std::string& key, std::string def) {
    used_.insert(key);
    auto it = props_.find(key);
    return it == props_.end() ? def : trim(it->second);
  }
  bool has(const std::string& key) const { return props_.count(key) > 0; }

  Result<bool> boolean(const std::string& key, bool def) {
    auto v = lower(str(key, def ? "true" : "false"));
    if (v == "true") return true;
    if (v == "false") return false;
    return invalid(key, props_.at(key), "true, false");
  }

  Result<int64_t> integer(const std::string& key, int64_t def, int64_t min, int64_t max) {
    auto v = str(key, std::to_string(def));
    int64_t out = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size() || out < min || out > max) {
      return invalid(key, v, fmt::format("an integer from {} to {}", min, max));
    }
    return out;
  }

  // One of `options` (case-insensitive): the value it maps to.
  template <typename E>
  Result<E> choice(const std::string& key, std::string def,
                   const std::vector<std::pair<std::string, E>>& options) {
    auto v = lower(str(key, def));
    std::string allowed;
    for (const auto& [name, e] : options) {
      if (name == v) return e;
      if (!allowed.empty()) allowed += ", ";
      allowed += name;
    }
    return invalid(key, props_.at(key), allowed);
  }
  // One of `options` (case-insensitive), lower-cased.
  Result<std::string> choice(const std::string& key, std::string def,
                             const std::vector<std::string>& options) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& o : options) pairs.emplace_back(o, o);
    return choice<std::string>(key, std::move(def), pairs);
  }

  void mark(const std::string& key) { used_.insert(key); }
  const std::set<std::string>& used() const { return used_; }

 private:
  const Properties& props_;
  std::set<std::string>& used_;
};

// Assigns the value of a Result expression, or returns its error from the enclosing function.
#define SLUICE_TRY_ASSIGN(lhs, expr) \
  do {                               \
    auto _r = (expr);                \
    if (!_r) return _r.error();      \
    lhs = std::move(*_r);            \
  } while (0)

}  // namespace sluice::config
