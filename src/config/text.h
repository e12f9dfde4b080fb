// Small text helpers the config parsers share: trimming, lower-casing, and the error for a value outside
// what a key allows (naming the key, the value and what is allowed).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sluice::config {

inline std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n\f");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n\f");
  return std::string(s.substr(b, e - b + 1));
}

inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

inline Error invalid(std::string_view key, std::string_view value, std::string_view allowed) {
  return Error::fatal(fmt::format("invalid value for {}: '{}' (allowed: {})", key, value, allowed));
}

}  // namespace sluice::config
