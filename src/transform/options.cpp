// Options: typed reads of one transform's or predicate's settings, with errors that name the full key.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/text.h"
#include "transform/transform.h"

namespace sluice::transform {

std::string Options::str(const std::string& option, std::string def) {
  known_.push_back(option);
  auto it = values_.find(option);
  return it == values_.end() ? def : trim(it->second);
}

Result<bool> Options::boolean(const std::string& option, bool def) {
  auto v = str(option, def ? "true" : "false");
  std::string l = v;
  std::transform(l.begin(), l.end(), l.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (l == "true") return true;
  if (l == "false") return false;
  return invalid(option, v, "true, false");
}

Result<int64_t> Options::integer(const std::string& option, int64_t def, int64_t min, int64_t max) {
  auto v = str(option, std::to_string(def));
  int64_t out = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || out < min || out > max) {
    return invalid(option, v, fmt::format("an integer from {} to {}", min, max));
  }
  return out;
}

std::vector<std::string> Options::list(const std::string& option) {
  return split_list(str(option));
}

Error Options::invalid(const std::string& option, std::string_view value, std::string_view allowed) const {
  return Error::fatal(fmt::format("invalid value for {}: '{}' (allowed: {})", key(option), value, allowed));
}

Error Options::missing(const std::string& option, std::string_view what) const {
  return Error::fatal(fmt::format("missing required property {} ({})", key(option), what));
}

Status Options::check_unknown(std::string_view class_name) const {
  for (const auto& [option, value_unused] : values_) {
    (void)value_unused;
    if (std::find(known_.begin(), known_.end(), option) != known_.end()) continue;
    std::string known;
    auto sorted = known_;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (const auto& k : sorted) known += (known.empty() ? "" : ", ") + k;
    return Error::fatal(fmt::format("unknown property {}: {} has no option '{}'; its options: {}",
                                    key(option), class_name, option, known.empty() ? "none" : known));
  }
  return ok_status();
}

}  // namespace sluice::transform
