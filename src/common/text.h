// Small text helpers shared by the config, transform and sink parsers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// `s` without leading and trailing white space (space, \t, \n, \v, \f, \r).
inline std::string trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  auto b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(kSpace);
  return std::string(s.substr(b, e - b + 1));
}

// The items of a comma-separated list, each trimmed; empty items are dropped ("a, ,b" -> {"a", "b"}).
inline std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string_view::npos) comma = s.size();
    auto item = trim(s.substr(pos, comma - pos));
    if (!item.empty()) out.push_back(std::move(item));
    pos = comma + 1;
  }
  return out;
}

}  // namespace sluice
