// Small text helpers shared by the config, transform and sink parsers.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

// `s` without leading and trailing white space (space, \t, \n, \v, \f, \r).
inline std::string trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  auto b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(kSpace);
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace sluice
