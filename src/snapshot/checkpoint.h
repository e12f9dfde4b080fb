// Progress of a resumable initial snapshot, kept in the stored offsets as the member "sluice_snapshot":
// {"tables":[…],"done":[…],"rows":{"schema.table":n},"resume":{"schema.table":"<condition>"}}. A table is
// done once every one of its rows was acknowledged by Kafka; for a table read in primary-key ranges, "resume"
// holds the condition selecting the rows after the leading ranges acknowledged so far. After a crash the
// tables not done are read as an incremental snapshot, filtered by their resume condition. Pure: no I/O.
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
      : tables_(std::move(tables)),
        done_(tables_.size(), false),
        rows_(tables_.size(), 0),
        resume_(tables_.size()) {}

  void set_rows(size_t table, uint64_t rows) { rows_[table] = rows; }
  // Marks the table done; false when it already was.
  bool mark_done(size_t table) {
    if (done_[table]) return false;
    done_[table] = true;
    return true;
  }
  bool done(size_t table) const { return done_[table]; }
  // The rows of the table still to read are those matching `condition`; false when it already was so.
  bool set_resume(size_t table, std::string condition) {
    if (resume_[table] == condition) return false;
    resume_[table] = std::move(condition);
    return true;
  }
  size_t done_count() const;
  // The offset members: {"sluice_snapshot":{…}}.
  std::string offset_members() const;

  struct Parsed {
    std::vector<std::string> tables;
    std::vector<std::string> done;
    std::vector<std::pair<std::string, uint64_t>> rows;
    std::vector<std::pair<std::string, std::string>> resume;  // table -> condition, for tables not done
    // The condition of a table not done ("" to read it whole).
    std::string resume_condition(std::string_view table) const;
  };
  // The checkpoint in stored offset members; nullopt when there is none.
  static std::optional<Parsed> parse(std::string_view offset_members);

 private:
  std::vector<std::string> tables_;
  std::vector<bool> done_;
  std::vector<uint64_t> rows_;
  std::vector<std::string> resume_;
};

}  // namespace sluice::snapshot
