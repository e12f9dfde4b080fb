// PatternList: comma-separated RE2 patterns, anchored at both ends (Debezium's Pattern.matches()).
#include "config/pattern_list.h"

#include <re2/re2.h>

#include <fmt/format.h>

namespace sluice::config {

std::vector<std::string> split_patterns(std::string_view v) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    auto b = cur.find_first_not_of(" \t\n\r");
    if (b != std::string::npos) {
      auto e = cur.find_last_not_of(" \t\n\r");
      out.push_back(cur.substr(b, e - b + 1));
    }
    cur.clear();
  };
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == ',') {
      cur.push_back(',');
      ++i;
    } else if (v[i] == ',') {
      flush();
    } else {
      cur.push_back(v[i]);
    }
  }
  flush();
  return out;
}

Result<PatternList> PatternList::create(std::string_view key, std::string_view value) {
  PatternList list;
  for (const auto& p : split_patterns(value)) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<re2::RE2>(p, opts);
    if (!re->ok()) {
      return Error::fatal(fmt::format(
          "invalid value for {}: pattern '{}' is not a valid regular expression ({})", key, p, re->error()));
    }
    list.patterns_.push_back(std::move(re));
  }
  return list;
}

bool PatternList::full_match(std::string_view s) const {
  for (const auto& re : patterns_) {
    if (re2::RE2::FullMatch(s, *re)) return true;
  }
  return false;
}

}  // namespace sluice::config
