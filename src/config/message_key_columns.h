// MessageKeyColumns: Debezium's message.key.columns, "<table-regex>:<col>[,<col>...]" entries separated by
// ';'. Each "<table-regex>.<col>" is a case-insensitive regular expression matched against the whole
// "<schema>.<table>.<column>" (debezium 3.4 Key.CustomKeyMapper, RelationalDatabaseConnectorConfig).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace re2 {
class RE2;
}

namespace sluice::config {

class MessageKeyColumns {
 public:
  // Fails (kFatal) naming message.key.columns and the entry that is not "<table>:<columns>" or does not
  // compile. An empty value configures nothing.
  static Result<MessageKeyColumns> create(std::string_view value);

  bool empty() const { return patterns_.empty(); }
  // The indices into `columns` of the table's message key, in Debezium's order: for each configured column
  // pattern in turn, the columns it matches in table order (a column matched twice counts once). Empty when
  // nothing matches: the key is then the primary key.
  std::vector<size_t> key_columns(std::string_view schema, std::string_view table,
                                  const std::vector<std::string>& columns) const;

 private:
  std::vector<std::shared_ptr<re2::RE2>> patterns_;
};

}  // namespace sluice::config
