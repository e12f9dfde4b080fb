// Small text helpers the config parsers share: lower-casing and the error for a value outside
// what a key allows (naming the key, the value and what is allowed).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/text.h"  // trim

namespace sluice::config {

inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

inline Error invalid(std::string_view key, std::string_view value, std::string_view allowed) {
  return Error::fatal(fmt::format("invalid value for {}: '{}' (allowed: {})", key, value, allowed));
}

}  // namespace sluice::config
