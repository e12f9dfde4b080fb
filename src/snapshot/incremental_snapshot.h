// Incremental (ad-hoc) snapshots as Debezium 3 takes them (DBLog,
// AbstractIncrementalSnapshotChangeEventSource): tables are read in chunks of incremental.snapshot.chunk.size
// rows in key order, each chunk between a low and a high watermark written to the WAL. The streaming side
// drops every buffered row whose key a streamed change touches until the high watermark (the log wins; the
// window opens at the low watermark or, as here, as soon as the chunk is read: see read_chunk), and emits
// what is left as op "r" at the high watermark. So each row's last event is never older than the last
// streamed change of its key. The progress (collections left, last key emitted, the table's maximum key) is
// kept as offset members.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "decode/pgoutput.h"
#include "pg/catalog.h"
#include "pg/connection.h"

namespace sluice::snapshot {

struct SnapshotCollection {
  std::string id;             // schema.table
  std::string condition;      // additional condition ("" for none)
  std::string surrogate_key;  // a column to chunk by instead of the primary key ("" for the primary key)
  bool operator==(const SnapshotCollection&) const = default;
};

// Writes a watermark for chunk `chunk_id` (open: the low one, else the high one) so that it appears in
// the WAL after everything committed before it.
using WatermarkFn = std::function<Status(const std::string& chunk_id, bool open)>;

class IncrementalSnapshot {
 public:
  using Values = std::vector<std::optional<std::string>>;  // one row, text values in table column order

  IncrementalSnapshot() = default;
  explicit IncrementalSnapshot(int chunk_size) : chunk_size_(chunk_size) {}

  // Restores the progress from stored offset members (a JSON object); an empty snapshot when it has none.
  static Result<IncrementalSnapshot> restore(std::string_view offset_members, int chunk_size);
  // The progress as offset members (Debezium's incremental_snapshot_collections / _primary_key /
  // _maximum_key) merged into `members` (a JSON object text, "" for none); without a running snapshot
  // these members are removed.
  std::string offset_members(std::string_view members = {}) const;

  bool running() const { return current_.has_value() || !pending_.empty(); }
  bool paused() const { return paused_; }
  void pause() { paused_ = true; }
  void resume() { paused_ = false; }
  // Queues collections not queued yet; returns those added.
  std::vector<std::string> add(const std::vector<SnapshotCollection>& collections);
  // Removes the given collections (all when empty) from the snapshot; returns the ids removed. Stopping the
  // table being read drops its open window.
  std::vector<std::string> stop(const std::vector<std::string>& ids);

  // A chunk was read and its high watermark not yet seen: no new chunk may start.
  bool chunk_in_flight() const { return chunk_id_.has_value(); }
  // Reads the next chunk (moving on to the next collection when the current one is done): low watermark,
  // SELECT … WHERE key > last AND key <= max [AND condition] ORDER BY key LIMIT chunk, high watermark.
  // Returns false when no collection is left. Tables without the key to chunk by, or that no longer exist,
  // are skipped (logged).
  Result<bool> read_chunk(pg::Connection& conn, const WatermarkFn& watermark);

  // Stream side. A watermark of the signal table / message stream: `signal_id` "<chunk>-open" or
  // "<chunk>-close". Returns true when it closed the current window (the caller then emits rows() and
  // calls window_emitted()). Watermarks of other chunks (e.g. from before a restart) are ignored.
  bool on_watermark(std::string_view signal_id, bool open);
  bool window_open() const { return window_open_; }
  // read.only: closes the window of the chunk in flight (its end is a WAL position, not a watermark row).
  bool close_window() {
    if (!chunk_id_) return false;
    window_open_ = false;
    return true;
  }
  // The table whose chunk is buffered (valid while chunk_in_flight()).
  const pg::CatalogTable& table() const { return table_; }
  uint32_t table_oid() const { return table_.oid.value; }
  const std::string& collection_id() const { return current_->collection.id; }
  // A streamed change of table `oid` with these column values (a new or old tuple): drops the buffered row
  // of the same key while the window is open.
  void deduplicate(uint32_t oid, std::span<const decode::TupleValue> tuple);
  // Rows of the closed window still to emit, in key order.
  template <typename F>
  Status for_each_row(F&& f) const {
    for (const auto& r : rows_) {
      if (r.removed) continue;
      if (auto s = f(r.values); !s) return s;
    }
    return ok_status();
  }
  size_t rows_left() const;
  // The closed window was emitted: the last key moves to the chunk's end; a short chunk ends the table.
  // Returns the id of a table that is now complete, if any.
  std::optional<std::string> window_emitted();
  uint64_t rows_emitted() const { return rows_emitted_; }
  uint64_t table_rows_emitted() const { return current_ ? current_->rows : 0; }

  // Key of a tuple (text values of the key columns) as used for deduplication.
  static std::string key_of(std::span<const decode::TupleValue> tuple,
                            const std::vector<size_t>& key_columns);

 private:
  struct Current {
    SnapshotCollection collection;
    std::optional<std::vector<std::string>> last_key;  // the last key emitted
    std::optional<std::vector<std::string>> max_key;   // the largest key when the table was started
    uint64_t rows = 0;                                 // rows emitted for this table so far
  };
  struct Row {
    Values values;
    bool removed = false;
  };
  // Loads the table of current_ (catalog, key columns) and its maximum key; false when it must be skipped.
  Result<bool> prepare(pg::Connection& conn);

  int chunk_size_ = 1024;
  std::deque<SnapshotCollection> pending_;
  std::optional<Current> current_;
  bool paused_ = false;
  bool prepared_ = false;  // table_ / key_columns_ loaded for current_
  pg::CatalogTable table_;
  std::vector<size_t> key_columns_;
  std::optional<std::string> chunk_id_;
  bool window_open_ = false;
  std::vector<Row> rows_;
  std::unordered_map<std::string, size_t> index_;  // key -> rows_ index
  std::optional<std::vector<std::string>> chunk_last_key_;
  bool chunk_short_ = false;
  uint64_t rows_emitted_ = 0;
};

}  // namespace sluice::snapshot
