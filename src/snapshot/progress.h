// Snapshot progress: rows done per table against pg_class.reltuples estimates, the rate and an ETA,
// logged every few seconds while a snapshot runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::snapshot {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  struct Table {
    std::string name;      // schema.table
    int64_t estimate = 0;  // reltuples; 0 when unknown
    uint64_t rows = 0;
    bool started = false;
    bool done = false;
  };

  Progress(std::vector<Table> tables, std::chrono::milliseconds interval,
           Clock::time_point now = Clock::now());

  void add(size_t table, uint64_t rows) {
    tables_[table].rows += rows;
    tables_[table].started = true;
    rows_ += rows;
  }
  void done(size_t table) { tables_[table].done = true; }
  uint64_t rows() const { return rows_; }
  const Table& table(size_t i) const { return tables_[i]; }

  // Logs a progress line when `interval` passed since the last one.
  void maybe_log(Clock::time_point now = Clock::now());
  // "snapshot progress: 120000/500000 rows (24%), 2 of 5 tables done, 60000 rows/s, ETA 7s; public.t
  // 100000/400000 (25%)" — the rate over the last interval, tables in progress listed.
  std::string describe(Clock::time_point now);

 private:
  std::vector<Table> tables_;
  std::chrono::milliseconds interval_;
  Clock::time_point started_, last_log_;
  uint64_t rows_ = 0;
  uint64_t rows_at_last_log_ = 0;
};

}  // namespace sluice::snapshot
