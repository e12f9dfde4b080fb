// Progress of a resumable initial snapshot, kept in the stored offsets as the member "sluice_snapshot":
// {"tables":[…],"done":[…],"rows":{"schema.table":n}}. A table is done once every one of its rows was
// acknowledged by Kafka; after a crash the tables not done are read again as an incremental snapshot.
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::snapshot {

class Checkpoint {
 public:
  explicit Checkpoint(std::vector<std::string> tables)
      : tables_(std::move(tables)), done_(tables_.size(), false), rows_(tables_.size(), 0) {}

  void set_rows(size_t table, uint64_t rows) { rows_[table] = rows; }
  // Marks the table done; false when it already was.
  bool mark_done(size_t table) {
    if (done_[table]) return false;
    done_[table] = true;
    return true;
  }
  bool done(size_t table) const { return done_[table]; }
  size_t done_count() const;
  // The offset members: {"sluice_snapshot":{…}}.
  std::string offset_members() const;

  struct Parsed {
    std::vector<std::string> tables;
    std::vector<std::string> done;
    std::vector<std::pair<std::string, uint64_t>> rows;
  };
  // The checkpoint in stored offset members; nullopt when there is none.
  static std::optional<Parsed> parse(std::string_view offset_members);

 private:
  std::vector<std::string> tables_;
  std::vector<bool> done_;
  std::vector<uint64_t> rows_;
};

}  // namespace sluice::snapshot
