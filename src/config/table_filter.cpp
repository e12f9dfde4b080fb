// Table filters: anchored RE2 matches, Debezium semantics (system schemas are never captured).
#include "config/table_filter.h"

#include <re2/re2.h>

#include <fmt/format.h>

namespace sluice::config {

namespace {
bool is_system_schema(std::string_view s) {
  return s == "pg_catalog" || s == "information_schema" || s.starts_with("pg_toast") ||
         s.starts_with("pg_temp");
}

std::vector<std::string> split_patterns(std::string_view v) {
  // Debezium splits on commas; a comma inside a regex can be escaped as "\,".
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == ',') {
      cur.push_back(',');
      ++i;
    } else if (v[i] == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(v[i]);
    }
  }
  out.push_back(cur);
  std::vector<std::string> trimmed;
  for (auto& p : out) {
    auto b = p.find_first_not_of(" \t\n\r");
    if (b == std::string::npos) continue;
    auto e = p.find_last_not_of(" \t\n\r");
    trimmed.push_back(p.substr(b, e - b + 1));
  }
  return trimmed;
}
}  // namespace

TableFilter::TableFilter() = default;
TableFilter::~TableFilter() = default;
TableFilter::TableFilter(TableFilter&&) noexcept = default;
TableFilter& TableFilter::operator=(TableFilter&&) noexcept = default;

Result<TableFilter> TableFilter::create(std::string_view schema_include, std::string_view schema_exclude,
                                        std::string_view table_include, std::string_view table_exclude) {
  if (!schema_include.empty() && !schema_exclude.empty()) {
    return Error::fatal("schema.include.list and schema.exclude.list cannot both be set");
  }
  if (!table_include.empty() && !table_exclude.empty()) {
    return Error::fatal("table.include.list and table.exclude.list cannot both be set");
  }
  TableFilter f;
  struct Spec {
    const char* key;
    std::string_view value;
    List* list;
  };
  Spec specs[] = {{"schema.include.list", schema_include, &f.schema_include_},
                  {"schema.exclude.list", schema_exclude, &f.schema_exclude_},
                  {"table.include.list", table_include, &f.table_include_},
                  {"table.exclude.list", table_exclude, &f.table_exclude_}};
  for (auto& s : specs) {
    for (auto& pattern : split_patterns(s.value)) {
      RE2::Options opts;
      opts.set_log_errors(false);
      auto re = std::make_shared<RE2>(pattern, opts);
      if (!re->ok()) {
        return Error::fatal(
            fmt::format("invalid value for {}: pattern '{}' is not a valid regular expression ({})", s.key,
                        pattern, re->error()));
      }
      s.list->push_back(std::move(re));
    }
    if (!s.value.empty()) {
      if (!f.description_.empty()) f.description_ += ", ";
      f.description_ += fmt::format("{}={}", s.key, s.value);
    }
  }
  if (f.description_.empty()) f.description_ = "all tables";
  return f;
}

Result<TableFilter> TableFilter::table_list(std::string_view key, std::string_view patterns) {
  TableFilter f;
  for (auto& pattern : split_patterns(patterns)) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<RE2>(pattern, opts);
    if (!re->ok()) {
      return Error::fatal(
          fmt::format("invalid value for {}: pattern '{}' is not a valid regular expression ({})", key,
                      pattern, re->error()));
    }
    f.table_include_.push_back(std::move(re));
  }
  f.description_ = patterns.empty() ? "all tables" : fmt::format("{}={}", key, patterns);
  return f;
}

bool TableFilter::any_full_match(const List& list, std::string_view s) {
  for (const auto& re : list) {
    if (RE2::FullMatch(s, *re)) return true;
  }
  return false;
}

bool TableFilter::captured(std::string_view schema, std::string_view table) const {
  if (is_system_schema(schema)) return false;
  if (!schema_include_.empty() && !any_full_match(schema_include_, schema)) return false;
  if (!schema_exclude_.empty() && any_full_match(schema_exclude_, schema)) return false;
  std::string full = fmt::format("{}.{}", schema, table);
  if (!table_include_.empty() && !any_full_match(table_include_, full)) return false;
  if (!table_exclude_.empty() && any_full_match(table_exclude_, full)) return false;
  return true;
}

std::string TableFilter::describe() const {
  return description_;
}

}  // namespace sluice::config
