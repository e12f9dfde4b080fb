// The initial snapshot's orchestration (see initial_snapshot_run.h).
#include "snapshot/initial_snapshot_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <tuple>

#include "common/log.h"
#include "snapshot/checkpoint.h"
#include "snapshot/initial_snapshot.h"
#include "snapshot/parallel_snapshot.h"
#include "snapshot/progress.h"

namespace sluice::snapshot {

namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("snapshot");
  return l;
}

int64_t unix_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The temporary slot that holds the exported snapshot; copied to the real slot once the snapshot is
// acknowledged, so a crash mid-snapshot leaves no slot behind and the next start snapshots again.
std::string snapshot_slot_name(const std::string& slot) {
  std::string base = slot.substr(0, std::min<size_t>(slot.size(), 50));
  return base + "_snapshot";
}

}  // namespace

// What the stages of one run share: the tables as read up front, their key-range chunks and how far
// each chunk is, the progress and the resumable checkpoint.
struct InitialSnapshotRun::Plan {
  struct ChunkState {
    offsets::AckTracker::TxId tx = 0;
    uint64_t read = 0, emitted = 0;
    bool read_done = false;
  };

  explicit Plan(std::vector<pg::TableRef> t) : tables(std::move(t)), checkpoint(names(tables)) {}
  static std::vector<std::string> names(const std::vector<pg::TableRef>& tables) {
    std::vector<std::string> out;
    for (const auto& t : tables) out.push_back(t.schema + "." + t.table);
    return out;
  }

  std::vector<pg::TableRef> tables;
  Checkpoint checkpoint;
  bool resumable = false;
  Lsn start;
  std::string snapshot_name;
  int threads = 1;
  // Catalog, schema (and topic), select override and size of each table.
  std::vector<pg::CatalogTable> cats;
  std::vector<std::shared_ptr<const event::TableSchema>> schemas;
  std::vector<std::optional<std::string>> overrides;
  std::vector<TableSize> sizes;
  std::optional<Progress> progress;
  // Tables with a primary key larger than a chunk are read in key ranges: the unit of resumption, and of
  // parallel reads. Per chunk: one acknowledgement unit, so a range is known to be in Kafka before the
  // snapshot ends.
  std::vector<Chunk> chunks;
  std::vector<ChunkState> chunk_state;
  std::vector<std::vector<size_t>> table_chunks;  // per table; empty until the table is planned
  std::vector<size_t> chunks_left;
  Clock::time_point next_checkpoint = Clock::now() + std::chrono::seconds(5);
  // The snapshot's source block: its start time and transaction.
  int64_t ts_us = 0;
  int64_t tx_id = 0;

  // A snapshot read of a row of table ti (marker: source.snapshot).
  event::ChangeEvent read_event(size_t ti, std::span<const decode::TupleValue> row, std::string_view marker,
                                int64_t now_us) const {
    event::ChangeEvent ev;
    ev.op = event::Op::kRead;
    ev.table = schemas[ti].get();
    ev.after = row;
    ev.source.snapshot = marker;
    ev.source.ts_us = ts_us;
    ev.source.tx_id = tx_id;
    ev.source.lsn = start;
    ev.ts_us = now_us;
    return ev;
  }
  void row_values(size_t ti, const PGresult* res, int row, std::vector<decode::TupleValue>& values) const {
    values.resize(cats[ti].columns.size());
    snapshot::row_values(res, row, values);
  }
};

Status InitialSnapshotRun::open(pg::Connection* repl, InitialSnapshot& snap, Plan& p) {
  const auto tmp_slot = snapshot_slot_name(config_.slot_name);
  if (repl != nullptr && host_.resumable_offsets()) {
    auto existing = pg::find_slot(*catalog_, config_.slot_name);
    if (!existing) return existing.error();
    p.resumable = !*existing;
  }
  if (p.resumable) {
    // Recorded before the slot exists (LSN 0/0): a crash right after creating it resumes from the slot.
    if (auto s = host_.store_progress(Lsn{}, p.checkpoint.offset_members(), true); !s) return s;
    auto created = pg::create_slot(*repl, config_.slot_name, false, true);
    if (!created) return created.error();
    created_slot_ = true;
    p.start = created->consistent_point;
    p.snapshot_name = created->snapshot_name;
    if (auto s = host_.store_progress(p.start, p.checkpoint.offset_members(), true); !s) return s;
    log()->info("created replication slot {} at LSN {}; the initial snapshot is resumable", config_.slot_name,
                p.start.str());
  } else if (repl != nullptr) {
    if (auto old = pg::find_slot(*catalog_, tmp_slot); old && *old && !(**old).active && !(**old).temporary) {
      (void)pg::drop_slot(*catalog_, tmp_slot);
    }
    auto created = pg::create_slot(*repl, tmp_slot, true, true);
    if (!created) return created.error();
    p.start = created->consistent_point;
    p.snapshot_name = created->snapshot_name;
  }

  // The slot's exported snapshot is read under REPEATABLE READ whatever snapshot.isolation.mode says (as
  // Debezium does); without a slot (initial_only) the mode opens the transaction.
  const auto begin_sql = begin_statement(static_cast<int>(config_.snapshot_isolation));
  if (repl == nullptr) log()->info("snapshot transaction: {}", begin_sql);
  if (auto s = snap.begin(p.snapshot_name, begin_sql); !s) return s;
  if (repl == nullptr) {
    auto lsn = catalog_->exec("SELECT pg_current_wal_lsn()");
    if (!lsn) return lsn.error();
    p.start = Lsn::parse(PQgetvalue(lsn->get(), 0, 0)).value_or(Lsn{});
    if (p.threads > 1) {
      auto exported = snap.export_snapshot();
      if (!exported) return exported.error();
      p.snapshot_name = *exported;
    }
  }
  return ok_status();
}

Status InitialSnapshotRun::load_tables(Plan& p) {
  const bool parallel = p.threads > 1;
  const bool tid_ranges = catalog_->server_version() >= 140000;  // TID Range Scan
  std::vector<Progress::Table> progress_tables;
  for (const auto& t : p.tables) {
    auto cat = pg::load_table(*catalog_, t.oid);
    if (!cat) return cat.error();
    auto schema = host_.schema_for(*cat);
    if (!schema) return schema.error();
    // With several readers every table's size is read now (pg_relation_size waits for a table's lock, as
    // reading it would); one reader reads each table's size when it gets to the table (planned below).
    auto size = table_size(*catalog_, t.oid, parallel);
    if (!size) return size.error();
    auto it = config_.snapshot_select_overrides.find(t.schema + "." + t.table);
    p.overrides.push_back(it == config_.snapshot_select_overrides.end()
                              ? std::nullopt
                              : std::optional<std::string>(it->second));
    size->splittable = tid_ranges && !p.overrides.back();
    progress_tables.push_back({t.schema + "." + t.table, size->estimate});
    p.cats.push_back(std::move(*cat));
    p.schemas.push_back(std::move(*schema));
    p.sizes.push_back(*size);
  }
  p.progress.emplace(std::move(progress_tables), std::chrono::seconds(5));
  p.table_chunks.resize(p.tables.size());
  p.chunks_left.resize(p.tables.size());
  return ok_status();
}

Status InitialSnapshotRun::plan_table(Plan& p, size_t ti, int64_t target_pages) {
  if (!p.overrides[ti] && p.sizes[ti].pages > target_pages) {
    const int pieces = static_cast<int>((p.sizes[ti].pages + target_pages - 1) / target_pages);
    auto bounds = key_boundaries(*catalog_, p.cats[ti], p.sizes[ti].pages, pieces);
    if (!bounds) return bounds.error();
    p.sizes[ti].key_bounds = std::move(*bounds);
  }
  for (auto& c : plan_table_chunks(p.sizes[ti], ti, p.threads, target_pages)) {
    p.table_chunks[ti].push_back(p.chunks.size());
    p.chunks.push_back(std::move(c));
    p.chunk_state.push_back(Plan::ChunkState{acks_.begin(p.start), 0, 0, false});
  }
  p.chunks_left[ti] = p.table_chunks[ti].size();
  if (p.chunks_left[ti] > 1) {
    log()->info("snapshot of {}.{}: {} chunks ({})", p.cats[ti].schema, p.cats[ti].table, p.chunks_left[ti],
                p.sizes[ti].key_bounds.empty() ? "page ranges" : "primary-key ranges");
  }
  return ok_status();
}

Status InitialSnapshotRun::checkpoint_tables(Plan& p, bool force) {
  if (!p.resumable) return ok_status();
  bool changed = false;
  for (size_t ti = 0; ti < p.tables.size(); ++ti) {
    p.checkpoint.set_rows(ti, p.progress->table(ti).rows);
    if (p.checkpoint.done(ti) || p.table_chunks[ti].empty()) continue;  // done, or not planned yet
    std::vector<const Chunk*> mine;
    std::vector<bool> in_kafka;
    for (size_t ci : p.table_chunks[ti]) {
      const auto& c = p.chunk_state[ci];
      mine.push_back(&p.chunks[ci]);
      in_kafka.push_back(c.read_done && c.emitted == c.read && acks_.all_acked(c.tx));
    }
    if (std::all_of(in_kafka.begin(), in_kafka.end(), [](bool b) { return b; })) {
      changed |= p.checkpoint.mark_done(ti);
    } else {
      changed |= p.checkpoint.set_resume(ti, resume_condition(*catalog_, p.cats[ti], mine, in_kafka));
    }
  }
  if (!changed && !force && Clock::now() < p.next_checkpoint) return ok_status();
  p.next_checkpoint = Clock::now() + std::chrono::seconds(5);
  return host_.store_progress(p.start, p.checkpoint.offset_members(), false);
}

Status InitialSnapshotRun::read_sequential(Plan& p, const std::function<Status(const Batch&)>& handle) {
  // One reader: table by table, each planned when its turn comes, its chunks in order on the snapshot
  // transaction's own connection.
  for (size_t ti = 0; ti < p.tables.size() && !host_.stopping(); ++ti) {
    auto size = table_size(*catalog_, p.tables[ti].oid, true);
    if (!size) return size.error();
    p.sizes[ti].pages = size->pages;
    if (auto s = plan_table(p, ti, chunk_pages({p.sizes[ti]}, p.threads)); !s) return s;
    for (size_t ci : p.table_chunks[ti]) {
      if (host_.stopping()) break;
      Status handled = ok_status();
      auto read = read_chunk(*catalog_, p.cats[ti], p.overrides[ti], p.chunks[ci], ci,
                             config_.snapshot_fetch_size, {}, [&](Batch b) {
                               handled = handle(b);
                               return handled.ok();
                             });
      if (!read) return host_.stopping() ? ok_status() : read;
      if (!handled) return host_.stopping() ? ok_status() : handled;
    }
  }
  return ok_status();
}

ParallelSnapshot::EncoderFactory InitialSnapshotRun::encoders(Plan& p) const {
  // With several threads, each worker converts and serializes its rows as plain snapshot reads (marker
  // "true", ts_ms once per slice) with its own serializer; this thread publishes them, re-serializing only
  // the few rows whose marker differs (first/last) and any row a worker could not encode (to report it as
  // usual).
  return [this, &p]() -> Encoder {
    struct State {
      explicit State(event::SerializerOptions options) : serializer(std::move(options)) {}
      event::JsonSerializer serializer;
      std::vector<decode::TupleValue> values;
      std::string key, value;
    };
    auto st = std::make_shared<State>(serializer_options_);
    return [&p, st](size_t ti, const PGresult* res, int first, int count, EncodedRows& out) {
      out.messages.assign(static_cast<size_t>(count), {});
      if (PQnfields(res) != static_cast<int>(p.cats[ti].columns.size())) return;  // reported by the consumer
      const int64_t now_us = unix_now_us();
      for (int i = 0; i < count; ++i) {
        p.row_values(ti, res, first + i, st->values);
        auto ev = p.read_event(ti, st->values, "true", now_us);
        auto has_key = st->serializer.key(ev, st->key);
        if (!has_key || !st->serializer.value(ev, st->value).ok()) continue;
        auto& m = out.messages[static_cast<size_t>(i)];
        m.key_begin = out.bytes.size();
        m.has_key = *has_key;
        out.bytes += st->key;
        m.key_end = out.bytes.size();
        out.bytes += st->value;
        m.value_end = out.bytes.size();
        m.ok = true;
      }
    };
  };
}

Status InitialSnapshotRun::read_parallel(Plan& p, const ParallelSnapshot::EncoderFactory& encoders,
                                         const std::function<Status(const Batch&)>& handle) {
  // Workers read chunks on their own connections; this thread publishes (the sink is not thread-safe).
  std::vector<ParallelSnapshot::Job> jobs;
  for (size_t ti = 0; ti < p.tables.size(); ++ti) jobs.push_back({&p.cats[ti], p.overrides[ti]});
  ParallelSnapshot par(config_.conninfo(false), p.snapshot_name, p.threads, config_.snapshot_fetch_size,
                       encoders);
  par.start(jobs, p.chunks);
  for (;;) {
    if (host_.stopping()) return ok_status();
    auto batch = par.next(std::chrono::milliseconds(100));
    if (!batch) {
      host_.poll();
      p.progress->maybe_log();
      if (auto s = checkpoint_tables(p, false); !s) return s;
      continue;
    }
    using Kind = Batch::Kind;
    if (batch->kind == Kind::kFinished) break;
    if (batch->kind == Kind::kError) return *batch->error;
    if (auto s = handle(*batch); !s) return host_.stopping() ? ok_status() : s;
  }
  return ok_status();
}

Status InitialSnapshotRun::complete(pg::Connection* repl, Plan& p) {
  const uint64_t rows = p.progress->rows();
  if (p.resumable) {
    // Every row is in Kafka: the offsets no longer carry the checkpoint; the slot exists already.
    if (auto s = host_.store_progress(p.start, "", true); !s) return s;
    log()->info("initial snapshot complete: {} rows; streaming from replication slot {} at LSN {}", rows,
                config_.slot_name, p.start.str());
    return ok_status();
  }
  if (repl == nullptr) {
    log()->info("snapshot complete: {} rows (snapshot.mode=initial_only: no replication slot)", rows);
    return ok_status();
  }

  // Every snapshot event is in Kafka: make the slot permanent at the snapshot's consistent point
  // (snapshot.mode=always: replacing the slot of the previous run; a crash between the drop and the copy
  // leaves no slot, and the next start snapshots again).
  if (auto old = pg::find_slot(*catalog_, config_.slot_name); !old) {
    return old.error();
  } else if (*old) {
    if (auto s = pg::drop_slot(*catalog_, config_.slot_name); !s) return s;
    log()->info("dropped replication slot {} (at LSN {}) to replace it by the new snapshot's",
                config_.slot_name, (**old).confirmed_flush.str());
  }
  auto copy = catalog_->exec_params("SELECT pg_copy_logical_replication_slot($1, $2, false)",
                                    {snapshot_slot_name(config_.slot_name), config_.slot_name});
  if (!copy) return copy.error();
  created_slot_ = true;
  log()->info("initial snapshot complete: {} rows; created replication slot {} at LSN {}", rows,
              config_.slot_name, p.start.str());
  return ok_status();
}

Status InitialSnapshotRun::run(pg::Connection* repl, const std::vector<pg::TableRef>& captured, Lsn& start) {
  // repl: the snapshot is exported by a temporary slot that becomes the real one at the end. Without it
  // (snapshot.mode=initial_only) the catalog connection's own transaction is the snapshot, and no slot
  // is made.
  // Resumable (offsets stored, no slot yet, not exactly-once): the real slot is created at the start and
  // holds the WAL from the snapshot's consistent point; the tables acknowledged so far are recorded in the
  // offsets, and after a crash the others are read as an incremental snapshot while streaming from that
  // point (init_incremental). Otherwise a temporary slot becomes the real one only at the end.
  std::vector<pg::TableRef> tables;
  for (const auto& t : captured) {
    if (config_.snapshot_include.captured(t.schema, t.table)) tables.push_back(t);
  }
  std::sort(tables.begin(), tables.end(), [](const pg::TableRef& a, const pg::TableRef& b) {
    return std::tie(a.schema, a.table) < std::tie(b.schema, b.table);
  });
  Plan p(std::move(tables));
  p.threads = config_.snapshot_max_threads;
  InitialSnapshot snap(*catalog_, config_.snapshot_fetch_size);
  if (auto s = open(repl, snap, p); !s) return s;
  start = p.start;

  // Debezium snapshots tables in TableId order (schema, then table name), and moves the "last" marker to the
  // last row emitted when the last tables are empty (MarkerSequencer holds a table's last row back for that).
  log()->info("snapshot: {} at LSN {} for {} of {} captured tables, {} thread(s)",
              repl != nullptr ? "exported snapshot " + p.snapshot_name : std::string("transaction snapshot"),
              start.str(), p.tables.size(), captured.size(), p.threads);

  // Catalog, schema (and topic), select override and size of each table, read up front.
  const bool parallel = p.threads > 1;
  if (auto s = load_tables(p); !s) return s;
  auto& progress = *p.progress;
  host_.on_snapshot_begin(progress, p.tables.size());
  struct End {
    SnapshotHost& host;
    ~End() { host.on_snapshot_end(); }
  } end{host_};
  if (parallel) {
    const int64_t target_pages = chunk_pages(p.sizes, p.threads);
    for (size_t ti = 0; ti < p.tables.size(); ++ti) {
      if (auto s = plan_table(p, ti, target_pages); !s) return s;
    }
    log()->info("snapshot: {} chunks for {} threads", p.chunks.size(), p.threads);
  }

  p.next_checkpoint = Clock::now() + std::chrono::seconds(5);
  p.ts_us = unix_now_us();
  p.tx_id = snap.tx_id();
  // Publishes one row of chunk `ci`: `publish` emits it (from the event, or as encoded by a snapshot worker).
  auto emit_row_with = [&](size_t ti, size_t ci, auto&& publish) -> Status {
    if (host_.stopping()) return Error::transient("stopped during the snapshot");
    progress.add(ti, 1);
    host_.on_snapshot_row(ti);
    // Serve delivery reports as they come, so what the sink holds for them stays small.
    if ((progress.rows() & 1023) == 0) {
      host_.poll();
      progress.maybe_log();
      if (auto s = checkpoint_tables(p, false); !s) return s;
    }
    Status st = publish();
    // Counted once handed to the sink (its acknowledgement unit counts it from there on): until then the
    // chunk is not complete.
    ++p.chunk_state[ci].emitted;
    if (st.ok()) return st;
    return host_.apply_failure_mode(
        Error{st.error().kind, fmt::format("{} (snapshot of table {}.{})", st.error().message,
                                           p.cats[ti].schema, p.cats[ti].table)});
  };
  std::vector<decode::TupleValue> values;
  // Rows are emitted with the markers of MarkerSequencer (which also orders the interleaved chunks of
  // several workers as the sequential snapshot would mark them).
  MarkerSequencer markers(
      p.tables.size(), [&](const MarkerSequencer::Row& r, std::string_view marker) -> Status {
        if (r.encoded != nullptr && marker == "true") {
          const auto& m = r.encoded->at(r.index);
          if (m.ok) {
            return emit_row_with(r.table, r.chunk, [&] {
              return host_.emit_encoded(*p.schemas[r.table],
                                        m.has_key ? std::optional(r.encoded->key(m)) : std::nullopt,
                                        r.encoded->value(m), p.chunk_state[r.chunk].tx);
            });
          }
        }
        p.row_values(r.table, r.batch->get(), r.index, values);
        return emit_row_with(r.table, r.chunk, [&] {
          return host_.emit(p.read_event(r.table, values, marker, unix_now_us()), p.chunk_state[r.chunk].tx);
        });
      });
  // One batch of rows, or the end of a chunk, from the reader(s).
  auto handle = [&](const Batch& batch) -> Status {
    const size_t ti = batch.table;
    if (batch.kind == Batch::Kind::kChunkDone) {
      p.chunk_state[batch.chunk].read_done = true;
      if (--p.chunks_left[ti] == 0) {
        progress.done(ti);
        host_.on_snapshot_table_done(ti);
        // The rows read: the table's last row is still held back by the sequencer (for its marker), so the
        // emitted count would be one short.
        uint64_t rows = 0;
        for (size_t ci : p.table_chunks[ti]) rows += p.chunk_state[ci].read;
        log()->info("snapshot of {}.{}: {} rows", p.cats[ti].schema, p.cats[ti].table, rows);
        return markers.table_done(ti);
      }
      return checkpoint_tables(p, false);
    }
    if (PQnfields(batch.rows->get()) != static_cast<int>(p.cats[ti].columns.size())) {
      return Error::fatal(fmt::format(
          "snapshot of {}.{}: the SELECT returned {} columns, the table has {} (a "
          "snapshot.select.statement.overrides statement must return the table's columns in order)",
          p.cats[ti].schema, p.cats[ti].table, PQnfields(batch.rows->get()), p.cats[ti].columns.size()));
    }
    p.chunk_state[batch.chunk].read += static_cast<uint64_t>(batch.count);
    return markers.rows(ti, batch.rows, batch.count, batch.first, batch.encoded, batch.chunk);
  };

  if (auto s = parallel ? read_parallel(p, encoders(p), handle) : read_sequential(p, handle); !s) return s;
  if (host_.stopping()) return ok_status();
  if (auto s = markers.finish(); !s) return host_.stopping() ? ok_status() : s;
  if (auto s = snap.commit(); !s) return s;
  for (const auto& c : p.chunk_state) acks_.commit(c.tx, start);
  if (auto s = host_.wait_for_acks(); !s) return s;
  if (host_.stopping()) {
    if (p.resumable) (void)checkpoint_tables(p, true);
    return ok_status();
  }
  return complete(repl, p);
}

}  // namespace sluice::snapshot
