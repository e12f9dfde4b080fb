// Route patterns: literal segments and {…} placeholders.
#include "server/route.h"

namespace sluice::server {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i >= path.size()) break;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool path_matches(std::string_view pattern, const std::vector<std::string>& segments) {
  const auto parts = split_path(pattern);
  if (parts.size() != segments.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    const bool placeholder = p.size() >= 2 && p.front() == '{' && p.back() == '}';
    if (!placeholder && p != segments[i]) return false;
  }
  return true;
}

}  // namespace sluice::server
