// message.key.columns parsing and matching; see message_key_columns.h.
#include "config/message_key_columns.h"

#include <re2/re2.h>

#include <algorithm>

#include <fmt/format.h>

#include "config/pattern_list.h"

namespace sluice::config {
namespace {

constexpr std::string_view kKey = "message.key.columns";

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Key.CustomKeyMapper.MSG_KEY_COLUMNS_PATTERN: ^\s*([^\s:]+):([^:\s]+)\s*$
bool well_formed(std::string_view entry) {
  while (!entry.empty() && is_space(entry.front())) entry.remove_prefix(1);
  while (!entry.empty() && is_space(entry.back())) entry.remove_suffix(1);
  size_t colon = entry.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == entry.size()) return false;
  if (entry.find(':', colon + 1) != std::string_view::npos) return false;
  return std::none_of(entry.begin(), entry.end(), is_space);
}

}  // namespace

Result<MessageKeyColumns> MessageKeyColumns::create(std::string_view value) {
  MessageKeyColumns m;
  if (value.empty()) return m;
  // Pattern.split drops trailing empty strings; an empty entry elsewhere is invalid.
  auto entries = split(value, ';');
  while (!entries.empty() && entries.back().empty()) entries.pop_back();
  if (entries.empty()) {
    return Error::fatal(
        fmt::format("invalid value for {}: '{}' (allowed: <table-regex>:<column>[,<column>...] "
                    "entries separated by ';')",
                    kKey, value));
  }
  for (std::string_view entry : entries) {
    if (!well_formed(entry)) {
      return Error::fatal(fmt::format(
          "invalid value for {}: entry '{}' is not <fully-qualified-table-regex>:<column>[,<column>...] "
          "(no whitespace inside; entries separated by ';'), in '{}'",
          kKey, entry, value));
    }
    size_t colon = entry.find(':');
    std::string table(entry.substr(0, colon));
    auto b = table.find_first_not_of(" \t\n\r\f\v");
    table = table.substr(b);
    // Debezium joins "<table>.<column>" and reads the result as a comma-separated regex list.
    for (const auto& column : split(entry.substr(colon + 1), ',')) {
      std::string joined = table + "." + std::string(column);
      for (const auto& p : split_patterns(joined)) {
        RE2::Options opts;
        opts.set_log_errors(false);
        opts.set_case_sensitive(false);
        auto re = std::make_shared<re2::RE2>(p, opts);
        if (!re->ok()) {
          return Error::fatal(
              fmt::format("invalid value for {}: pattern '{}' (from entry '{}') is not a valid regular "
                          "expression ({})",
                          kKey, p, entry, re->error()));
        }
        m.patterns_.push_back(std::move(re));
      }
    }
  }
  return m;
}

std::vector<size_t> MessageKeyColumns::key_columns(std::string_view schema, std::string_view table,
                                                   const std::vector<std::string>& columns) const {
  std::vector<size_t> out;
  if (patterns_.empty()) return out;
  const std::string prefix = fmt::format("{}.{}.", schema, table);
  std::string id;
  for (const auto& re : patterns_) {
    for (size_t i = 0; i < columns.size(); ++i) {
      id.assign(prefix).append(columns[i]);
      if (re2::RE2::FullMatch(id, *re) && std::find(out.begin(), out.end(), i) == out.end()) out.push_back(i);
    }
  }
  return out;
}

}  // namespace sluice::config
