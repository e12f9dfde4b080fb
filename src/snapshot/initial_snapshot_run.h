// InitialSnapshotRun: the orchestration of an initial snapshot (snapshot.mode initial, always,
// when_needed, initial_only) — the exported snapshot and its slot, the plan of tables and key-range chunks,
// one or several readers, Debezium's first/last markers, the resumable checkpoint in the offsets, and the
// slot made permanent once every row is in Kafka. The connector provides the rest through SnapshotHost.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/lsn.h"
#include "common/result.h"
#include "config/config.h"
#include "event/change_event.h"
#include "event/json_serializer.h"
#include "event/table_schema.h"
#include "offsets/ack_tracker.h"
#include "pg/catalog.h"
#include "pg/connection.h"
#include "pg/replication.h"
#include "snapshot/initial_snapshot.h"
#include "snapshot/parallel_snapshot.h"
#include "snapshot/progress.h"

namespace sluice::snapshot {

// What the snapshot needs from the connector that runs it.
class SnapshotHost {
 public:
  using TxId = offsets::AckTracker::TxId;
  virtual ~SnapshotHost() = default;
  virtual bool stopping() const = 0;
  // Serves Kafka's delivery reports.
  virtual void poll() = 0;
  virtual offsets::AckTracker& acks() = 0;
  // The event schema of a table, its topic created when missing.
  virtual Result<std::shared_ptr<const event::TableSchema>> schema_for(const pg::CatalogTable& cat) = 0;
  virtual Status emit(const event::ChangeEvent& ev, TxId tx) = 0;
  // A row serialized by a snapshot worker already.
  virtual Status emit_encoded(const event::TableSchema& table, std::optional<std::string_view> key,
                              std::string_view value, TxId tx) = 0;
  // event.processing.failure.handling.mode for a row that cannot be converted.
  virtual Status apply_failure_mode(Status s) = 0;
  virtual Status wait_for_acks() = 0;
  // Offsets are stored and the snapshot may be resumed from them (not exactly-once).
  virtual bool resumable_offsets() const = 0;
  // Records the snapshot's progress (offset members; "" when complete) at `lsn` in the offset store,
  // waiting until it is durable when `durable`.
  virtual Status store_progress(Lsn lsn, const std::string& members, bool durable) = 0;
  // Progress for monitoring: the tables (named in `progress`) are being read, a row was read, a table is
  // done, the snapshot ended (complete or not).
  virtual void on_snapshot_begin(const Progress& /*progress*/, size_t /*tables*/) {}
  virtual void on_snapshot_row(size_t /*table*/) {}
  virtual void on_snapshot_table_done(size_t /*table*/) {}
  virtual void on_snapshot_end() {}
};

class InitialSnapshotRun {
 public:
  InitialSnapshotRun(const config::Config& config, pg::Connection& catalog, SnapshotHost& host,
                     event::SerializerOptions serializer_options)
      : config_(config),
        catalog_(&catalog),
        host_(host),
        acks_(host.acks()),
        serializer_options_(std::move(serializer_options)) {}

  // Snapshots the captured tables. repl: the replication connection that exports the snapshot and makes
  // the slot; nullptr for snapshot.mode=initial_only (no slot). `start`: the snapshot's LSN.
  Status run(pg::Connection* repl, const std::vector<pg::TableRef>& captured, Lsn& start);
  // The run created the connector's replication slot.
  bool created_slot() const { return created_slot_; }

 private:
  struct Plan;  // the state the stages of one run share (initial_snapshot_run.cpp)
  // run()'s stages: makes the slot (or the temporary one) and opens the snapshot transaction.
  Status open(pg::Connection* repl, InitialSnapshot& snap, Plan& p);
  // Reads each table's catalog, schema, select override and size.
  Status load_tables(Plan& p);
  // Splits table ti into chunks of about target_pages.
  Status plan_table(Plan& p, size_t ti, int64_t target_pages);
  // Records the tables whose rows were all read, emitted and acknowledged, and for the others the end of
  // the leading key ranges that were (and, every few seconds, the row counts for `sluice status`).
  Status checkpoint_tables(Plan& p, bool force);
  Status read_sequential(Plan& p, const std::function<Status(const Batch&)>& handle);
  Status read_parallel(Plan& p, const ParallelSnapshot::EncoderFactory& encoders,
                       const std::function<Status(const Batch&)>& handle);
  // With several threads, the snapshot workers' encoders (each with its own serializer).
  ParallelSnapshot::EncoderFactory encoders(Plan& p) const;
  // Every row is in Kafka: clears the checkpoint, or makes the slot permanent.
  Status complete(pg::Connection* repl, Plan& p);

  const config::Config& config_;
  pg::Connection* catalog_;
  SnapshotHost& host_;
  offsets::AckTracker& acks_;
  event::SerializerOptions serializer_options_;
  bool created_slot_ = false;
};

}  // namespace sluice::snapshot
