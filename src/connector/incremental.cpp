// Signals and incremental snapshots in the streaming thread: signal rows and Kafka signals become
// actions; chunks are read between watermarks (signal-table rows, logical decoding messages, or in
// read.only mode WAL positions) and their windows emitted when the stream reaches the high watermark.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "config/pattern_list.h"
#include "connector/streamer.h"
#include "snapshot/checkpoint.h"
#include "snapshot/initial_snapshot.h"

namespace sluice::connector {

namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("signals");
  return l;
}

// Watermarks as logical decoding messages when there is no signal table (e.g. the remainder of an
// interrupted initial snapshot): transactional, so they commit in WAL order like rows would.
constexpr std::string_view kWatermarkPrefix = "sluice-watermark";

std::string iso_now() {
  auto now = std::chrono::system_clock::now();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::nanoseconds>(now));
}

}  // namespace

Status Streamer::init_incremental(Lsn start) {
  const auto& extra = p_.offsets->progress_at(start);
  auto restored = snapshot::IncrementalSnapshot::restore(extra, p_.config.incremental_chunk_size);
  if (!restored) return restored.error();
  incremental_ = std::move(*restored);
  incremental_schema_.reset();
  read_only_close_.reset();
  progress_dirty_ = false;
  // An initial snapshot interrupted before every table was in Kafka: the rows not in Kafka yet are read as an
  // incremental snapshot while streaming from the snapshot's LSN (see run_snapshot): the tables not done,
  // each filtered by its resume condition (after the key ranges already in Kafka). A table without a primary
  // key cannot be read in key chunks: it is read again whole, at once, before streaming starts (rows changed
  // since the snapshot's LSN then appear twice: as read now, and as streamed next).
  if (auto cp = snapshot::Checkpoint::parse(extra)) {
    auto all = pg::list_tables(*p_.catalog);
    if (!all) return all.error();
    std::vector<snapshot::SnapshotCollection> rest;
    std::vector<std::pair<pg::TableRef, std::string>> keyless;
    for (const auto& t : cp->tables) {
      if (std::find(cp->done.begin(), cp->done.end(), t) != cp->done.end()) continue;
      auto ref = std::find_if(all->begin(), all->end(),
                              [&](const pg::TableRef& r) { return r.schema + "." + r.table == t; });
      if (ref == all->end()) {
        log()->warn("the interrupted initial snapshot's table {} no longer exists; skipped", t);
        continue;
      }
      auto cat = pg::load_table(*p_.catalog, ref->oid);
      if (!cat) return cat.error();
      if (pg::primary_key_columns(*cat).empty()) {
        keyless.emplace_back(*ref, "");
      } else {
        rest.push_back({t, cp->resume_condition(t), ""});
      }
    }
    std::string resumed;
    for (const auto& c : rest) {
      resumed += fmt::format("{}{}{}", resumed.empty() ? "" : ", ", c.id,
                             c.condition.empty() ? "" : " (rows where " + c.condition + ")");
    }
    log()->info(
        "the initial snapshot was interrupted after {} of {} tables: {} read as an incremental snapshot "
        "while "
        "streaming from LSN {}",
        cp->done.size(), cp->tables.size(), resumed.empty() ? "none" : resumed, start.str());
    if (!keyless.empty()) {
      if (auto s = blocking_snapshot(keyless, start); !s) return s;
      if (auto s = p_.wait_for_acks(); !s) return s;
      if (p_.stopping()) return ok_status();
    }
    incremental_.add(rest);
    auto j = nlohmann::json::parse(extra);
    j.erase("sluice_snapshot");
    p_.offsets->progress(start, incremental_.offset_members(j.empty() ? "" : j.dump()));
  } else {
    p_.offsets->progress(start, extra);  // drops progress of transactions that will be streamed again
  }
  if (incremental_.running()) {
    log()->info("incremental snapshot in progress{}: {}", incremental_.paused() ? " (paused)" : "",
                incremental_.offset_members());
  }
  if (p_.config.signal_kafka && !kafka_signals_) {
    auto ch = KafkaSignalChannel::open(p_.config);
    if (!ch) return ch.error();
    kafka_signals_ = std::move(*ch);
  }
  return ok_status();
}

void Streamer::progress_changed() {
  if (tx_.open) {
    progress_dirty_ = true;
    return;
  }
  p_.offsets->progress(std::max(received_, p_.acks.flush_lsn()), incremental_.offset_members());
}

Status Streamer::on_signal_row(const decode::Tuple& tuple, bool deleted, Lsn lsn) {
  auto text = [&](int col) -> std::string {
    if (col < 0 || static_cast<size_t>(col) >= tuple.size() ||
        tuple[col].kind != decode::TupleValue::Kind::kText) {
      return {};
    }
    return std::string(tuple[col].data);
  };
  snapshot::Signal s{text(signal_id_col_), text(signal_type_col_), text(signal_data_col_)};
  if (deleted) {
    // insert_delete watermarking: deleting the low watermark row is the high watermark.
    if (s.id.ends_with("-open")) {
      return on_watermark(s.id.substr(0, s.id.size() - 5) + "-close", false, lsn);
    }
    return ok_status();
  }
  if (s.type == "snapshot-window-open") return on_watermark(s.id, true, lsn);
  if (s.type == "snapshot-window-close") return on_watermark(s.id, false, lsn);
  if (!p_.config.signal_source) return ok_status();
  log()->info("signal {} '{}' from {} at LSN {}: {}", s.id, s.type, p_.config.signal_data_collection,
              lsn.str(), s.data);
  return execute_signal(s, lsn);
}

Status Streamer::on_watermark(std::string_view id, bool open, Lsn lsn) {
  if (!incremental_.on_watermark(id, open)) return ok_status();
  tx_.replayable = false;  // the window's rows are read again, differently, after a restart
  return emit_window(lsn, tx_.id);
}

Status Streamer::execute_signal(const snapshot::Signal& s, Lsn lsn) {
  // A malformed signal is reported and ignored: it must not stop the stream (Debezium logs it likewise).
  auto bad = [&](const Error& e) {
    log()->warn("signal {} ignored: {}", s.id, e.message);
    return ok_status();
  };
  if (s.type == "execute-snapshot") {
    auto req = snapshot::parse_execute_snapshot(s.data);
    if (!req) return bad(req.error());
    return execute_snapshot(*req, lsn);
  }
  if (s.type == "stop-snapshot") {
    auto ids = snapshot::parse_stop_snapshot(s.data);
    if (!ids) return bad(ids.error());
    auto removed = incremental_.stop(*ids);
    std::string names;
    for (auto& r : removed) names += (names.empty() ? "" : ", ") + r;
    log()->info("incremental snapshot stopped for {}", names.empty() ? "(nothing running)" : names);
    read_only_close_.reset();
    progress_changed();
    return next_chunk();
  }
  if (s.type == "pause-snapshot") {
    if (incremental_.running()) {
      incremental_.pause();
      log()->info("incremental snapshot paused");
      progress_changed();
    }
    return ok_status();
  }
  if (s.type == "resume-snapshot") {
    if (incremental_.paused()) {
      incremental_.resume();
      log()->info("incremental snapshot resumed");
      progress_changed();
    }
    return next_chunk();
  }
  if (s.type == "log") {
    auto msg = snapshot::parse_log(s.data);
    if (!msg) return bad(msg.error());
    log()->info("signal log message: {}", *msg);
    return ok_status();
  }
  log()->warn(
      "signal {} has unknown type '{}' (known: execute-snapshot, stop-snapshot, pause-snapshot, "
      "resume-snapshot, log); ignored",
      s.id, s.type);
  return ok_status();
}

Status Streamer::execute_snapshot(const snapshot::SnapshotRequest& req, Lsn lsn) {
  auto tables = pg::list_tables(*p_.catalog);
  if (!tables) return tables.error();
  std::vector<std::pair<pg::TableRef, std::string>> matches;  // table, additional condition
  for (const auto& want : req.collections) {
    auto pattern = config::PatternList::create("data-collections", want);
    bool matched = false;
    for (const auto& t : *tables) {
      const std::string id = t.schema + "." + t.table;
      if (id != want && !(pattern && pattern->full_match(id))) continue;
      matched = true;
      if (!p_.config.filter.captured(t.schema, t.table)) {
        log()->warn("execute-snapshot: table {} is not captured (table.include.list etc.); skipped", id);
        continue;
      }
      if (std::any_of(matches.begin(), matches.end(),
                      [&](const auto& m) { return m.first.oid.value == t.oid.value; })) {
        continue;
      }
      std::string condition;
      if (auto it = req.conditions.find(id); it != req.conditions.end()) condition = it->second;
      if (auto it = req.conditions.find(want); it != req.conditions.end()) condition = it->second;
      matches.emplace_back(t, std::move(condition));
    }
    if (!matched) log()->warn("execute-snapshot: no table matches '{}'", want);
  }
  if (req.kind == snapshot::SnapshotKind::kBlocking) return blocking_snapshot(matches, lsn);
  std::vector<snapshot::SnapshotCollection> cols;
  for (auto& [t, condition] : matches) {
    cols.push_back({t.schema + "." + t.table, condition, req.surrogate_key});
  }
  auto added = incremental_.add(cols);
  std::string names;
  for (auto& a : added) names += (names.empty() ? "" : ", ") + a;
  if (!added.empty()) {
    log()->info("incremental snapshot requested for {} (chunks of {} rows)", names,
                p_.config.incremental_chunk_size);
    progress_changed();
  }
  return next_chunk();
}

Status Streamer::blocking_snapshot(const std::vector<std::pair<pg::TableRef, std::string>>& wanted, Lsn lsn) {
  // As Debezium's blocking snapshot: streaming stops at the signal, the tables are read in TableId order
  // in one REPEATABLE READ transaction with the initial snapshot's markers, then streaming goes on from
  // the signal. The rows belong to the acknowledgement unit of the signal's transaction (or, for a Kafka
  // signal, one of their own at the stream's position): the slot does not pass the signal before they are
  // all in Kafka, and a restart in between reads the signal, and the tables, again.
  auto tables = wanted;
  std::sort(tables.begin(), tables.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.schema, a.first.table) < std::tie(b.first.schema, b.first.table);
  });
  if (tables.empty()) {
    log()->warn("blocking snapshot: no captured table requested; nothing to read");
    return ok_status();
  }
  const bool own_tx = !tx_.open;
  const auto tx = own_tx ? p_.acks.begin(lsn) : tx_.id;
  if (!own_tx) tx_.replayable = false;
  // Snapshot rows carry no transaction block (provide.transaction.metadata), even inside the signal's
  // transaction: emit() adds one only while tx_.open.
  struct Reopen {
    bool& open;
    bool was;
    ~Reopen() { open = was; }
  } reopen{tx_.open, tx_.open};
  tx_.open = false;
  snapshot::InitialSnapshot snap(*p_.catalog, p_.config.snapshot_fetch_size);
  std::string names;
  for (const auto& [t, cond] : tables) names += (names.empty() ? "" : ", ") + t.schema + "." + t.table;
  log()->info("blocking snapshot of {} at LSN {}: streaming paused", names, lsn.str());
  auto fail = [&](Status s) {
    // The acknowledgement unit stays open: the error ends the stream, the slot stays before the signal.
    (void)p_.catalog->run("ROLLBACK");
    return s;
  };
  if (auto s = snap.begin("", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) return fail(s);

  // The read may take long: Postgres still hears from the stream (wal_sender_timeout), at the position
  // acknowledged before the signal.
  const auto interval = std::chrono::milliseconds(p_.config.status_update_interval_ms);
  auto next_status = std::chrono::steady_clock::now() + interval;
  auto keep_alive = [&]() -> Status {
    p_.sink->poll(0);
    if (p_.delivery_failed) return Error::fatal(p_.delivery_error);
    if (stream_ == nullptr || std::chrono::steady_clock::now() < next_status) return ok_status();
    next_status = std::chrono::steady_clock::now() + interval;
    const Lsn confirm = p_.confirmable();
    return stream_->send_status(std::max(received_, confirm), confirm, false);
  };

  const int64_t ts_us = unix_now_us();
  uint64_t total = 0;
  for (size_t ti = 0; ti < tables.size(); ++ti) {
    const auto& [ref, condition] = tables[ti];
    auto cat = pg::load_table(*p_.catalog, ref.oid);
    if (!cat) return fail(cat.error());
    auto schema = p_.schema_for(*cat);
    if (!schema) return fail(schema.error());
    std::optional<std::string> select;
    const std::string id = ref.schema + "." + ref.table;
    if (!condition.empty()) {
      std::string cols;
      for (const auto& c : cat->columns)
        cols += (cols.empty() ? "" : ", ") + p_.catalog->escape_identifier(c.name);
      select = fmt::format("SELECT {} FROM {} WHERE {}", cols,
                           pg::qualified_name(*p_.catalog, ref.schema, ref.table), condition);
    } else if (auto it = p_.config.snapshot_select_overrides.find(id);
               it != p_.config.snapshot_select_overrides.end()) {
      select = it->second;
    }
    const bool first_table = ti == 0;
    const bool last_table = ti + 1 == tables.size();
    auto sink = [&](const pg::CatalogTable&, std::span<const decode::TupleValue> row,
                    snapshot::RowPosition pos) -> Status {
      if (p_.stopping()) return Error::transient("stopped during the blocking snapshot");
      event::ChangeEvent ev;
      ev.op = event::Op::kRead;
      ev.table = schema->get();
      ev.after = row;
      ev.source.snapshot = snapshot::snapshot_marker(pos, first_table, last_table);
      ev.source.ts_us = ts_us;
      ev.source.tx_id = snap.tx_id();
      ev.source.lsn = lsn;
      ev.ts_us = unix_now_us();
      if ((++total & 1023) == 0) {
        if (auto s = keep_alive(); !s) return s;
      }
      auto st = emit(ev, tx);
      if (st.ok()) return st;
      return p_.apply_failure_mode(
          Error{st.error().kind, fmt::format("{} (blocking snapshot of table {})", st.error().message, id)});
    };
    auto rows = snap.read_table(*cat, sink, select);
    if (!rows) {
      return fail(
          Error{rows.error().kind,
                fmt::format("blocking snapshot of {}{}: {}", id,
                            condition.empty() ? "" : " (filter '" + condition + "')", rows.error().message)});
    }
    log()->info("blocking snapshot of {}: {} rows", id, *rows);
  }
  if (auto s = snap.commit(); !s) return fail(s);
  if (own_tx) p_.acks.commit(tx, lsn);
  log()->info("blocking snapshot complete: {} rows; streaming resumes at LSN {}", total, lsn.str());
  return ok_status();
}

Status Streamer::next_chunk() {
  if (!incremental_.running() || incremental_.paused() || incremental_.chunk_in_flight()) return ok_status();
  auto more = incremental_.read_chunk(
      *p_.catalog, [this](const std::string& id, bool open) { return write_watermark(id, open); });
  if (!more) return more.error();
  if (!*more) {  // the tables left were empty, missing or without key
    log()->info("incremental snapshot complete: {} rows", incremental_.rows_emitted());
  }
  progress_changed();
  return ok_status();
}

Status Streamer::write_watermark(const std::string& chunk_id, bool open) {
  if (p_.config.read_only) {
    // No writes: the window is open from before the chunk's SELECT until the stream has passed the WAL
    // insert position read after it (every transaction the SELECT saw committed before that position).
    if (open) {
      incremental_.on_watermark(chunk_id + "-open", true);
      return ok_status();
    }
    auto r = p_.catalog->exec(
        "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() "
        "END");
    if (!r) return r.error();
    auto lsn = Lsn::parse(PQgetvalue(r->get(), 0, 0));
    if (!lsn) return Error::fatal("read.only incremental snapshot: cannot read the WAL position");
    read_only_close_ = *lsn;
    return ok_status();
  }
  // A watermark only reaches the stream once its commit is flushed: with synchronous_commit=off (common for
  // CDC'd databases, and sluice's test servers) that waits for the WAL writer (wal_writer_delay, 200 ms),
  // i.e. every chunk would wait that long. Flush the watermark commits locally (no wait for synchronous
  // standbys).
  if (auto sc = p_.catalog->exec("SET synchronous_commit = local"); !sc) return sc.error();
  if (!p_.config.signal_data_collection.empty()) {
    auto dot = p_.config.signal_data_collection.find('.');
    auto table = pg::qualified_name(*p_.catalog, p_.config.signal_data_collection.substr(0, dot),
                                    p_.config.signal_data_collection.substr(dot + 1));
    Result<pg::PgResult> r = Error::fatal("");
    if (!open && p_.config.watermark_strategy == config::WatermarkStrategy::kInsertDelete) {
      r = p_.catalog->exec_params(fmt::format("DELETE FROM {} WHERE id = $1", table), {chunk_id + "-open"});
    } else {
      nlohmann::json data = {{"openWindowTimestamp", iso_now()}};
      if (!open) data["closeWindowTimestamp"] = iso_now();
      r = p_.catalog->exec_params(
          fmt::format("INSERT INTO {} (id, type, data) VALUES ($1, $2, $3)", table),
          {chunk_id + (open ? "-open" : "-close"),
           std::string(open ? "snapshot-window-open" : "snapshot-window-close"), data.dump()});
    }
    if (!r) {
      return Error{r.error().kind, fmt::format("cannot write the incremental snapshot watermark to {} "
                                               "(signal.data.collection): {}",
                                               p_.config.signal_data_collection, r.error().message)};
    }
    return ok_status();
  }
  auto r = p_.catalog->exec_params("SELECT pg_logical_emit_message(true, $1, $2)",
                                   {std::string(kWatermarkPrefix), chunk_id + (open ? "-open" : "-close")});
  if (!r) {
    return Error{r.error().kind,
                 fmt::format("cannot write the incremental snapshot watermark (pg_logical_emit_message): {}",
                             r.error().message)};
  }
  return ok_status();
}

Status Streamer::emit_window(Lsn lsn, offsets::AckTracker::TxId tx) {
  const auto& cat = incremental_.table();
  if (!incremental_schema_ || incremental_schema_->info().oid.value != cat.oid.value) {
    auto schema = p_.schema_for(cat);
    if (!schema) return schema.error();
    incremental_schema_ = std::move(*schema);
  }
  const size_t rows = incremental_.rows_left();
  std::vector<decode::TupleValue> values;
  const int64_t now = unix_now_us();
  auto st = incremental_.for_each_row([&](const snapshot::IncrementalSnapshot::Values& row) -> Status {
    values.resize(row.size());
    for (size_t c = 0; c < row.size(); ++c) {
      values[c] = row[c] ? decode::TupleValue{decode::TupleValue::Kind::kText, *row[c]}
                         : decode::TupleValue{decode::TupleValue::Kind::kNull, {}};
    }
    event::ChangeEvent ev;
    ev.op = event::Op::kRead;
    ev.table = incremental_schema_.get();
    ev.after = event::Row(values);
    // As Debezium 3.4: read time, no txId / lsn, source.sequence [high watermark, high watermark].
    ev.source.snapshot = "incremental";
    ev.source.ts_us = now;
    ev.source.last_commit_lsn = lsn;
    ev.source.sequence_lsn = lsn;
    ev.ts_us = unix_now_us();
    auto s = emit(ev, tx);
    if (s.ok()) return s;
    return p_.apply_failure_mode(Error{
        s.error().kind,
        fmt::format("{} (incremental snapshot of table {}.{})", s.error().message, cat.schema, cat.table)});
  });
  if (!st) return st;
  if ((rows & 1023) == 0) p_.sink->poll(0);
  log()->debug("incremental snapshot window of {}: {} rows emitted at LSN {}", incremental_.collection_id(),
               rows, lsn.str());
  if (auto done = incremental_.window_emitted()) {
    log()->info("incremental snapshot of {} done", *done);
    if (!incremental_.running()) {
      log()->info("incremental snapshot complete: {} rows", incremental_.rows_emitted());
    }
  }
  progress_changed();
  return next_chunk();
}

Status Streamer::maybe_close_read_only(Lsn position) {
  if (!read_only_close_ || position < *read_only_close_) return ok_status();
  read_only_close_.reset();
  if (!incremental_.close_window()) return ok_status();
  // The window of the chunk in flight closes here, in an acknowledgement unit of its own at `position`.
  auto tx = p_.acks.begin(position);
  auto st = emit_window(position, tx);
  p_.acks.commit(tx, position);
  return st;
}

Status Streamer::poll_signals(Lsn position) {
  if (auto s = maybe_close_read_only(position); !s) return s;
  if (!kafka_signals_) return ok_status();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_signal_poll_) return ok_status();
  next_signal_poll_ = now + std::chrono::milliseconds(100);
  auto signals = kafka_signals_->poll();
  if (!signals) return signals.error();
  for (const auto& sig : *signals) {
    log()->info("signal {} '{}' from Kafka topic {}: {}", sig.id, sig.type, p_.config.signal_kafka_topic,
                sig.data);
    if (auto s = execute_signal(sig, position); !s) return s;
  }
  kafka_signals_->commit();
  return ok_status();
}

}  // namespace sluice::connector
