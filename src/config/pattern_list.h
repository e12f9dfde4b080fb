// PatternList: one property's comma-separated regular expressions (RE2, matched against the whole string),
// as Debezium's include/exclude lists, e.g. message.prefix.include.list.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace re2 {
class RE2;
}

namespace sluice::config {

// Debezium's list splitting: on commas ("\," is a literal comma), each pattern trimmed, empty ones dropped.
std::vector<std::string> split_patterns(std::string_view value);

class PatternList {
 public:
  // Fails (kFatal) naming `key` and the pattern that does not compile. An empty value is an empty list.
  static Result<PatternList> create(std::string_view key, std::string_view value);

  bool empty() const { return patterns_.empty(); }
  // True when one of the patterns matches the whole of s.
  bool full_match(std::string_view s) const;

 private:
  std::vector<std::shared_ptr<re2::RE2>> patterns_;
};

// An include list and an exclude list of one kind (at most one of them set, as Debezium requires):
// passes() is true for everything when neither is set.
struct IncludeExclude {
  PatternList include;
  PatternList exclude;
  bool passes(std::string_view s) const {
    if (!include.empty()) return include.full_match(s);
    return exclude.empty() || !exclude.full_match(s);
  }
};

}  // namespace sluice::config
