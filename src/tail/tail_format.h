// `sluice tail` lines: one Debezium change event (full envelope or ExtractNewRecordState's flat row, with
// or without schemas) as one line for people:
//   <op> <schema.table> <key> <changed columns>
// e.g.  update  public.customers  id=7  email: "a@x.org" → "b@x.org"
// create/read show the new row, delete the old one, update the columns whose value changed (every column
// of the new row when the event has no before image). Pure: no I/O.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sluice::tail {

struct Filter {
  std::set<std::string> ops;     // Debezium op letters (c u d r t m); empty: every op
  std::set<std::string> tables;  // "schema.table" or "table"; empty: every table
};

struct FormatOptions {
  bool color = false;  // ANSI colours (stdout is a terminal)
  bool json = false;   // the raw value JSON instead of the readable line
};

// Debezium's op letter for --op's words and letters: c/create/insert, u/update, d/delete, r/read/snapshot,
// t/truncate, m/message; nullopt for anything else.
std::optional<std::string> op_letter(std::string_view word);

// The line for one record (no trailing newline); nullopt when the filter drops it, or for a tombstone and
// records that are no change events (heartbeats, offsets, schema changes) unless json.
std::optional<std::string> format_event(std::string_view topic, std::optional<std::string_view> key,
                                        std::optional<std::string_view> value, const Filter& filter,
                                        const FormatOptions& options);

}  // namespace sluice::tail
