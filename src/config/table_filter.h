// TableFilter: Debezium's schema.include.list / schema.exclude.list / table.include.list /
// table.exclude.list — comma-separated regular expressions (RE2) matched against the whole schema name
// or the whole "schema.table" name.
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

class TableFilter {
 public:
  TableFilter();
  ~TableFilter();
  TableFilter(TableFilter&&) noexcept;
  TableFilter& operator=(TableFilter&&) noexcept;

  // Each argument is the raw comma-separated property value ("" = not set). Fails naming the key and the
  // offending pattern when a pattern does not compile, or when both include and exclude are set.
  static Result<TableFilter> create(std::string_view schema_include, std::string_view schema_exclude,
                                    std::string_view table_include, std::string_view table_exclude);

  // One property's comma-separated "schema.table" patterns alone (e.g. snapshot.include.collection.list);
  // errors name `key`. An empty value matches every table.
  static Result<TableFilter> table_list(std::string_view key, std::string_view patterns);

  bool captured(std::string_view schema, std::string_view table) const;
  bool has_table_include() const { return !table_include_.empty(); }
  std::string describe() const;  // for logs

 private:
  using List = std::vector<std::shared_ptr<re2::RE2>>;
  static bool any_full_match(const List& list, std::string_view s);
  List schema_include_, schema_exclude_, table_include_, table_exclude_;
  std::string description_;
};

}  // namespace sluice::config
