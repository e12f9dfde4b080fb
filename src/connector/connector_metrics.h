// ConnectorMetrics: one connector's counters and gauges — Debezium's streaming and snapshot MBean attributes,
// plus what JMX never showed (the slot's lag and retained WAL, the commit->ack latency histogram). The
// connector's thread and the slot monitor write them with relaxed atomics; the /metrics scraper reads them at
// any time (src/server/metrics_text.h). Every field has a single writing thread (the connector's, or the slot
// monitor's for the slot_* fields), so an increment is a relaxed load and store (no locked instruction on
// the hot path); readers see whole values, never torn ones.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/atomic_metrics.h"
#include "connector/latency_stats.h"
#include "event/change_event.h"
#include "snapshot/progress.h"

namespace sluice::connector {

struct ConnectorMetrics {
  // Events seen per operation: Debezium's c/u/d/r/t and the logical decoding messages (m).
  enum OpIndex { kOpCreate, kOpUpdate, kOpDelete, kOpRead, kOpTruncate, kOpMessage, kOpCount };
  static constexpr std::array<const char*, kOpCount> kOpNames = {"c", "u", "d", "r", "t", "m"};
  static OpIndex op_index(event::Op op) {
    switch (op) {
      case event::Op::kCreate:
        return kOpCreate;
      case event::Op::kUpdate:
        return kOpUpdate;
      case event::Op::kDelete:
        return kOpDelete;
      case event::Op::kRead:
        return kOpRead;
      case event::Op::kTruncate:
        return kOpTruncate;
    }
    return kOpCreate;
  }

  // An event handed to the sink. source_ts_us: the commit time of a streamed change (0: a snapshot read,
  // which has no lag behind the source).
  void on_event(OpIndex op, int64_t source_ts_us) {
    bump(events_seen[op]);
    const int64_t now = coarse_unix_ms();
    last_event_unix_ms.store(now, std::memory_order_relaxed);
    if (source_ts_us > 0) ms_behind_source.store(now - source_ts_us / 1000, std::memory_order_relaxed);
  }
  void on_event(event::Op op, int64_t source_ts_us) { on_event(op_index(op), source_ts_us); }
  void count(std::atomic<uint64_t>& counter) { bump(counter); }
  void set_queue(int64_t events, int64_t bytes) {
    queue_events.store(events, std::memory_order_relaxed);
    queue_bytes.store(bytes, std::memory_order_relaxed);
  }

  // Connected: set while the streaming loop runs (a scope guard).
  struct ConnectedScope {
    std::atomic<bool>& flag;
    explicit ConnectedScope(std::atomic<bool>& f) : flag(f) { flag.store(true, std::memory_order_relaxed); }
    ~ConnectedScope() { flag.store(false, std::memory_order_relaxed); }
    ConnectedScope(const ConnectedScope&) = delete;
    ConnectedScope& operator=(const ConnectedScope&) = delete;
  };
  ConnectedScope connected_scope() { return ConnectedScope(connected); }

  // The initial snapshot: running while the returned scope lives; completed once every table is done,
  // aborted when the scope ends before that (a stop, a failure).
  class SnapshotScope {
   public:
    explicit SnapshotScope(ConnectorMetrics& m) : m_(m) {}
    ~SnapshotScope() { m_.snapshot_end(); }
    SnapshotScope(const SnapshotScope&) = delete;
    SnapshotScope& operator=(const SnapshotScope&) = delete;

   private:
    ConnectorMetrics& m_;
  };
  SnapshotScope snapshot_scope(const snapshot::Progress& progress, size_t tables) {
    snapshot_begin(progress, tables);
    return SnapshotScope(*this);
  }
  void snapshot_row(size_t table) {
    if (table < snapshot_table_count_) bump(snapshot_rows_[table]);
  }
  void snapshot_table_done(size_t table) {
    if (table >= snapshot_table_count_ || snapshot_done_[table].exchange(true)) return;
    if (snapshot_remaining.fetch_sub(1, std::memory_order_relaxed) == 1) {
      snapshot_completed.store(true, std::memory_order_relaxed);
    }
  }

  // One table of the snapshot as a scrape sees it.
  struct SnapshotTable {
    std::string name;
    int64_t estimate = 0;
    uint64_t rows = 0;
    bool done = false;
  };
  std::vector<SnapshotTable> snapshot_tables() const {
    std::lock_guard lock(snapshot_mu_);
    std::vector<SnapshotTable> out;
    for (size_t i = 0; i < snapshot_table_count_; ++i) {
      out.push_back({snapshot_names_[i], snapshot_estimates_[i],
                     snapshot_rows_[i].load(std::memory_order_relaxed),
                     snapshot_done_[i].load(std::memory_order_relaxed)});
    }
    return out;
  }
  // SnapshotDurationInSeconds: of the running snapshot, or of the last one.
  int64_t snapshot_duration_ms() const {
    int64_t start = snapshot_started_ms.load(std::memory_order_relaxed);
    if (start < 0) return -1;
    int64_t end = snapshot_ended_ms.load(std::memory_order_relaxed);
    return (end >= start ? end : coarse_unix_ms()) - start;
  }

  // Streaming (Debezium's StreamingChangeEventSourceMetrics).
  std::array<std::atomic<uint64_t>, kOpCount> events_seen{};
  std::atomic<uint64_t> events_filtered{0};
  std::atomic<uint64_t> events_erroneous{0};
  std::atomic<uint64_t> committed_transactions{0};
  std::atomic<int64_t> last_event_unix_ms{-1};  // -1: no event yet
  std::atomic<int64_t> ms_behind_source{-1};
  std::atomic<bool> connected{false};
  // The producer queue (max.queue.size / max.queue.size.in.bytes; 0 bytes: no byte bound).
  std::atomic<int64_t> queue_capacity{0};
  std::atomic<int64_t> queue_max_bytes{0};
  std::atomic<int64_t> queue_events{0};
  std::atomic<int64_t> queue_bytes{0};
  // Kafka and retries.
  std::atomic<uint64_t> delivery_errors{0};
  std::atomic<uint64_t> retries{0};
  // Snapshot (Debezium's SnapshotChangeEventSourceMetrics).
  std::atomic<bool> snapshot_running{false};
  std::atomic<bool> snapshot_completed{false};
  std::atomic<bool> snapshot_aborted{false};
  std::atomic<int64_t> snapshot_remaining{0};
  std::atomic<int64_t> snapshot_started_ms{-1};
  std::atomic<int64_t> snapshot_ended_ms{-1};
  // The replication slot, polled by SlotMonitor on its own connection (-1: not known yet / no slot).
  std::atomic<int64_t> slot_lag_bytes{-1};
  std::atomic<int64_t> slot_retained_wal_bytes{-1};
  std::atomic<int64_t> server_wal_position{-1};  // pg_current_wal_lsn() as a byte position
  std::atomic<int> slot_active{-1};
  std::atomic<int64_t> slot_polled_unix_ms{-1};
  std::atomic<uint64_t> slot_poll_errors{0};
  // Per latency stage (LatencyStats::Stage) of streamed events.
  std::array<AtomicHistogram, LatencyStats::kStageCount> latency;

  // The snapshot of `tables` tables (named in `progress`) starts: running until snapshot_end() (or the end of
  // a snapshot_scope()).
  void snapshot_begin(const snapshot::Progress& progress, size_t tables) {
    std::lock_guard lock(snapshot_mu_);
    snapshot_names_.clear();
    snapshot_estimates_.clear();
    for (size_t i = 0; i < tables; ++i) {
      snapshot_names_.push_back(progress.table(i).name);
      snapshot_estimates_.push_back(progress.table(i).estimate);
    }
    snapshot_rows_ = std::make_unique<std::atomic<uint64_t>[]>(tables);
    snapshot_done_ = std::make_unique<std::atomic<bool>[]>(tables);
    snapshot_table_count_ = tables;
    snapshot_remaining.store(static_cast<int64_t>(tables), std::memory_order_relaxed);
    snapshot_completed.store(tables == 0, std::memory_order_relaxed);
    snapshot_aborted.store(false, std::memory_order_relaxed);
    snapshot_started_ms.store(coarse_unix_ms(), std::memory_order_relaxed);
    snapshot_ended_ms.store(-1, std::memory_order_relaxed);
    snapshot_running.store(true, std::memory_order_relaxed);
  }
  void snapshot_end() {
    snapshot_running.store(false, std::memory_order_relaxed);
    snapshot_ended_ms.store(coarse_unix_ms(), std::memory_order_relaxed);
    if (!snapshot_completed.load(std::memory_order_relaxed)) {
      snapshot_aborted.store(true, std::memory_order_relaxed);
    }
  }

 private:
  // Written by the connector's thread only; the table list changes under snapshot_mu_ (read by scrapes).
  mutable std::mutex snapshot_mu_;
  std::vector<std::string> snapshot_names_;
  std::vector<int64_t> snapshot_estimates_;
  std::unique_ptr<std::atomic<uint64_t>[]> snapshot_rows_;
  std::unique_ptr<std::atomic<bool>[]> snapshot_done_;
  size_t snapshot_table_count_ = 0;
};

}  // namespace sluice::connector
