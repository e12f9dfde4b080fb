// The streaming loop (see streamer.h): one thread owns the replication connection; librdkafka sends on
// its own threads and its delivery reports come back through poll() on this thread.
#include "connector/streamer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "common/log.h"
#include "pg/copy_frame.h"

namespace sluice::connector {

namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("connector");
  return l;
}

ChangeOptions change_options(const config::Config& c) {
  return {c.skip_create, c.skip_update, c.skip_delete, c.skip_truncate, c.tombstones_on_delete};
}

}  // namespace

Streamer::Streamer(Pipeline& p, Emitter& out)
    : p_(p),
      out_(out),
      changes_(change_options(p.config)),
      transaction_topic_(p.config.topic_prefix + p.config.topic_delimiter + p.config.transaction_topic),
      messages_(serializer_options(p), converter_options(p.config).binary),
      message_topic_(p.config.topic_prefix + ".message") {
  if (p_.config.provide_transaction_metadata) {
    tx_metadata_.emplace(p_.config.key_schemas_enable, p_.config.value_schemas_enable);
  }
  out_.set_accounting(this);
}

void Streamer::reset() {
  changes_.reset();
  tx_ = CurrentTx{};
}

void Streamer::sent(TxId tx, bool measured) {
  if (!tx_.open || tx != tx_.id) return;
  ++tx_.messages;
  if (measured && p_.latency) {
    p_.latency->produced(tx_.commit_time_us, frame_sent_us_, frame_received_us_, unix_now_us());
  }
}

Status Streamer::emit(const event::ChangeEvent& ev, TxId tx, const Emitter::Headers& headers) {
  if (tx_metadata_ && tx_.open && ev.transaction == nullptr) {  // streamed events carry the transaction block
    event::ChangeEvent with_block = ev;
    with_block.transaction = &tx_metadata_->table_event(ev.table->info().schema, ev.table->info().table,
                                                        ev.source.lsn.value_or(Lsn{}));
    return out_.change(with_block, tx, headers);
  }
  return out_.change(ev, tx, headers);
}

bool Streamer::already_committed(const decode::PgMessage& msg) {
  // A transaction whose commit record starts before eos_resume_ (so ends at or before it) is in Kafka.
  // Relation and type messages are still applied: they describe the rows that follow.
  if (const auto* b = std::get_if<decode::Begin>(&msg)) {
    eos_skipping_ = b->final_lsn < eos_resume_;
    if (eos_skipping_) {
      ++eos_skipped_;
      log()->debug("exactly-once: skipping transaction {} (commit LSN {} < committed offset {})",
                   b->xid.value, b->final_lsn.str(), eos_resume_.str());
    }
    return eos_skipping_;
  }
  if (std::holds_alternative<decode::Commit>(msg)) {
    bool skip = eos_skipping_;
    eos_skipping_ = false;
    return skip;
  }
  if (std::holds_alternative<decode::Relation>(msg)) return false;
  if (const auto* m = std::get_if<decode::Message>(&msg); m != nullptr && !m->transactional()) {
    return m->lsn < eos_resume_;
  }
  return eos_skipping_;
}

Status Streamer::on_message(const decode::Message& m) {
  if (m.prefix == "sluice-watermark" &&
      m.transactional()) {  // incremental snapshot watermark (incremental.cpp)
    const bool open = m.content.ends_with("-open");
    return on_watermark(m.content, open, m.lsn);
  }
  if (!p_.config.message_prefixes.passes(m.prefix)) return ok_status();
  if (m.transactional() && !tx_.open)
    return Error::fatal(fmt::format("transactional message outside a transaction at LSN {}", m.lsn.str()));
  const event::Source source = ChangeBuilder::message_source(m, context(m.lsn));
  const event::TransactionBlock* block = nullptr;
  offsets::AckTracker::TxId tx = tx_.id;
  if (m.transactional()) {
    tx_.captured = true;
    if (tx_metadata_) block = &tx_metadata_->message_event(m.lsn, (identity_hashes_() & 0x7FFFFFFF) | 1);
  } else {
    // Sent at once, outside any transaction: its own unit of acknowledgement, confirmed past its LSN (a
    // restart at exactly its LSN would decode it again). Debezium records it as the last commit.
    last_commit_lsn_ = m.lsn;
    tx = p_.acks.begin(m.lsn);
  }
  messages_.key(m.prefix, out_.key_buf());
  messages_.value(m.prefix, m.content, source, unix_now_us(), block, out_.value_buf());
  auto st = out_.record(message_topic_, message_topic_ready_, tx);
  if (st.ok()) p_.metrics->on_event(ConnectorMetrics::kOpMessage, m.transactional() ? source.ts_us : 0);
  if (!m.transactional()) p_.acks.commit(tx, Lsn(m.lsn.value() + 1));
  return st;
}

Status Streamer::heartbeat() {
  // heartbeat.action.query makes the database write WAL (e.g. an upsert into a published table), so a slot
  // on a quiet database keeps moving while other databases on the server are busy.
  if (!p_.config.heartbeat_action_query.empty()) {
    if (auto s = p_.catalog->run(p_.config.heartbeat_action_query); !s) {
      return Error{s.error().kind, fmt::format("heartbeat.action.query failed: {}", s.error().message)};
    }
  }
  return out_.heartbeat();
}

std::optional<offsets::StoredOffset::InTransaction> Streamer::acknowledged_part() {
  if (!tx_.open || !tx_.replayable || p_.eos != nullptr) return std::nullopt;
  // During the skip the earlier count stands; past it, every message handed to Kafka must be acknowledged
  // (they are not in order across partitions otherwise).
  const uint64_t events = std::max(tx_.messages, tx_.skip);
  if (events == 0 || !p_.acks.all_acked(tx_.id) || p_.sink->out_queue_len() > 0) return std::nullopt;
  return offsets::StoredOffset::InTransaction{tx_.commit_lsn, tx_.last_lsn,
                                              static_cast<int64_t>(tx_.xid.value), events};
}

Status Streamer::stream(pg::ReplicationStream& stream) {
  const auto interval = std::chrono::milliseconds(p_.config.status_update_interval_ms);
  auto next_status = Clock::now() + interval;
  const auto heartbeat_interval = std::chrono::milliseconds(p_.config.heartbeat_interval_ms);
  auto next_heartbeat = Clock::now() + heartbeat_interval;
  const auto latency_interval = std::chrono::milliseconds(p_.config.latency_log_interval_ms);
  auto next_latency_log = Clock::now() + latency_interval;
  stream_ = &stream;
  struct Unset {
    pg::ReplicationStream*& p;
    ~Unset() { p = nullptr; }
  } unset{stream_};
  auto connected = p_.metrics->connected_scope();
  // An incremental snapshot restored from the offsets continues with its next chunk.
  if (auto s = next_chunk(); !s) return s;
  for (;;) {
    if (p_.stopping()) break;
    // Wakes for Kafka's delivery reports too, so acknowledgements (and the slot) move without waiting for
    // the next frame.
    auto frame = stream.read(std::chrono::milliseconds(100), p_.sink->wake_fd());
    if (!frame) {
      // Connection lost: in-flight events are still delivered; the restart resumes after them.
      return frame.error();
    }
    bool reply_now = false;
    if (!frame->empty()) {
      if (p_.latency) frame_received_us_ = unix_now_us();
      auto decoded = pg::decode_server_frame(*frame);
      if (!decoded) return Error::fatal(fmt::format("bad replication frame: {}", decoded.error().message));
      if (auto* ka = std::get_if<pg::Keepalive>(&*decoded)) {
        received_ = std::max(received_, ka->wal_end);
        if (!tx_.open) p_.acks.idle(ka->wal_end);
        log()->debug("keepalive wal_end={} reply={} tx_open={} flush={} in_flight_tx={}", ka->wal_end.str(),
                     ka->reply_requested, tx_.open, p_.acks.flush_lsn().str(),
                     p_.acks.transactions_in_flight());
        reply_now = ka->reply_requested;
      } else {
        auto& x = std::get<pg::XLogData>(*decoded);
        received_ = std::max(received_, x.wal_start);
        frame_sent_us_ = decode::pg_time_to_unix_us(x.send_time);
        auto msg = decode::decode_pgoutput(x.data);
        if (!msg) {
          return Error::fatal(fmt::format("cannot decode pgoutput message at LSN {}: {}", x.wal_start.str(),
                                          msg.error().message));
        }
        if (p_.eos != nullptr && already_committed(*msg)) {
          // exactly-once: already in Kafka (committed before this LSN)
        } else if (auto s = handle(*msg, x.wal_start); !s) {
          if (p_.stopping() && !p_.delivery_failed) break;
          return s;
        }
      }
    }
    p_.sink->poll(0);
    p_.metrics->set_queue(p_.sink->queued_events(), p_.sink->queued_bytes());
    if (p_.delivery_failed) return Error::fatal(p_.delivery_error);
    if (!tx_.open) {
      if (auto s = poll_signals(received_); !s) return s;
    }
    auto now = Clock::now();
    if (p_.latency && latency_interval.count() > 0 && now >= next_latency_log) {
      if (p_.latency->events() > 0) log()->info("latency: {}", p_.latency->interval_report());
      next_latency_log = now + latency_interval;
    }
    if (heartbeat_interval.count() > 0 && now >= next_heartbeat && !tx_.open) {
      if (auto s = heartbeat(); !s) return s;
      next_heartbeat = now + heartbeat_interval;
    }
    if (p_.eos != nullptr && !tx_.open && p_.eos->due()) {
      if (auto s = p_.commit_eos(); !s) return s;
    }
    if (reply_now || now >= next_status) {
      if (auto s = send_status(stream); !s) return s;
      next_status = now + interval;
    }
  }
  return finish(stream);
}

Status Streamer::send_status(pg::ReplicationStream& stream) {
  Lsn confirm;
  if (p_.eos != nullptr) {
    // Exactly-once: only what a committed Kafka transaction covers. Positions that moved without events
    // (keepalives, transactions outside the capture) get an offset-only transaction.
    if (!tx_.open && !p_.eos->open() && p_.acks.flush_lsn() > p_.eos_committed) {
      if (auto s = p_.commit_eos(); !s) return s;
    }
    confirm = p_.eos_committed;
  } else {
    // Acknowledged changes are first recorded in the offset store; Postgres hears of them once that
    // record is durable.
    if (auto s = p_.offsets->store(p_.acks.flush_lsn()); !s) return s;
    confirm = p_.offsets->confirmable(p_.acks.flush_lsn());
  }
  return stream.send_status(std::max(received_, confirm), confirm, false);
}

Status Streamer::finish(pg::ReplicationStream& stream) {
  // Stopping: let Kafka acknowledge what is in flight, then confirm it to Postgres. Exactly-once: commit
  // the Kafka transaction when it ends between Postgres transactions, else abort it (sent again later).
  if (p_.eos != nullptr) {
    auto s = !p_.delivery_failed && !tx_.open ? p_.commit_eos() : p_.eos->abort();
    if (!s) log()->warn("{}", s.error().message);
    if (eos_skipped_ > 0) {
      log()->info("exactly-once: skipped {} transactions already committed to Kafka", eos_skipped_);
    }
  } else if (!p_.delivery_failed) {
    auto deadline = Clock::now() + std::chrono::seconds(30);
    while (p_.sink->out_queue_len() > 0 && Clock::now() < deadline) p_.sink->poll(100);
    p_.sink->poll(0);
  }
  if (p_.eos == nullptr && !p_.delivery_failed) {
    // Inside a transaction: record how many of its messages Kafka acknowledged, so that they are skipped
    // when Postgres sends the transaction again after the restart (no duplicates after a clean stop).
    auto part = p_.offsets->enabled() ? acknowledged_part() : std::nullopt;
    auto stored = part ? p_.offsets->store_in_transaction(p_.acks.flush_lsn(), *part)
                       : p_.offsets->store(p_.acks.flush_lsn());
    if (stored.ok()) {
      auto deadline = Clock::now() + std::chrono::seconds(30);
      p_.offsets->wait_durable([&] { return Clock::now() > deadline; });
      while (p_.sink->out_queue_len() > 0 && Clock::now() < deadline) p_.sink->poll(50);
      if (part && p_.sink->out_queue_len() == 0) {
        log()->info(
            "stopped inside transaction {} (commit LSN {}): its first {} messages are in Kafka and "
            "recorded in {}; they are skipped when it is sent again",
            part->xid, part->commit_lsn.str(), part->events, p_.offsets->describe());
      }
    }
  }
  if (replay_skipped_ > 0) {
    log()->info("skipped {} messages sent again by Postgres that Kafka had acknowledged before",
                replay_skipped_);
  }
  const Lsn confirm = p_.confirmable();
  log()->info("final standby status: flushed LSN {}", confirm.str());
  if (p_.latency && p_.config.latency_log_interval_ms > 0) {
    log()->info("latency since start: {}", p_.latency->total_report());
  }
  (void)stream.send_status(std::max(received_, confirm), confirm, false);
  stream.finish();
  if (p_.delivery_failed) return Error::fatal(p_.delivery_error);
  return ok_status();
}

Status Streamer::on_relation(const decode::Relation& rel) {
  std::string_view nsp = rel.nspname.empty() ? std::string_view("pg_catalog") : rel.nspname;
  const auto state = changes_.relation(rel, p_.config.filter.captured(nsp, rel.relname));
  if (!p_.config.signal_data_collection.empty() &&
      fmt::format("{}.{}", nsp, rel.relname) == p_.config.signal_data_collection) {
    signal_oid_ = rel.oid.value;
    signal_id_col_ = signal_type_col_ = signal_data_col_ = -1;
    for (size_t i = 0; i < rel.columns.size(); ++i) {
      if (rel.columns[i].name == "id") signal_id_col_ = static_cast<int>(i);
      if (rel.columns[i].name == "type") signal_type_col_ = static_cast<int>(i);
      if (rel.columns[i].name == "data") signal_data_col_ = static_cast<int>(i);
    }
    if (signal_id_col_ < 0 || signal_type_col_ < 0) {
      return Error::fatal(
          fmt::format("signal.data.collection {} needs columns id, type and data (CREATE TABLE {} "
                      "(id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048)))",
                      p_.config.signal_data_collection, p_.config.signal_data_collection));
    }
  }
  if (state != ChangeBuilder::RelationState::kNeedsSchema) return ok_status();
  auto cat = pg::load_table(*p_.catalog, rel.oid);
  if (!cat) return cat.error();
  // pgoutput's column list is authoritative for order; the catalog adds nullability, key and base type.
  pg::CatalogTable merged = *cat;
  merged.schema = std::string(nsp);
  merged.table = std::string(rel.relname);
  merged.replica_identity = rel.replica_identity;
  merged.columns.clear();
  for (const auto& rc : rel.columns) {
    auto it = std::find_if(cat->columns.begin(), cat->columns.end(),
                           [&](const pg::CatalogColumn& c) { return c.name == rc.name; });
    if (it != cat->columns.end()) {
      merged.columns.push_back(*it);
      // The catalog may already describe a later ALTER TYPE; the Relation message describes these rows.
      if (it->declared_type != rc.type || it->declared_typmod != rc.typmod) {
        auto resolved = pg::resolve_type(*p_.catalog, rc.type, rc.typmod);
        if (!resolved) return resolved.error();
        auto& col = merged.columns.back();
        col.type = resolved->type;
        col.typmod = resolved->typmod;
        col.type_name = resolved->name;
        col.type_kind = resolved->kind;
        col.enum_values = resolved->enum_values;
        col.element_kind = resolved->element_kind;
        col.element_name = resolved->element_name;
      }
    } else {
      merged.columns.push_back(pg::CatalogColumn{std::string(rc.name), rc.type, rc.typmod, false, false, 0});
      // Gone from the catalog: Debezium names it by the Relation's type (PostgresType.getName()).
      auto declared = pg::declared_type(*p_.catalog, rc.type);
      if (!declared) return declared.error();
      merged.columns.back().declared_type_name = std::move(declared->first);
      merged.columns.back().declared_type_kind = declared->second;
    }
  }
  auto schema = p_.schema_for(merged, /*from_stream=*/true);
  if (!schema) return schema.error();
  log()->info("relation {}.{} (oid {}): {} columns -> topic {}", merged.schema, merged.table, rel.oid.value,
              merged.columns.size(), (*schema)->topic());
  changes_.set_schema(rel.oid, std::move(*schema));
  return ok_status();
}

ChangeContext Streamer::context(Lsn lsn) const {
  return {lsn, tx_.xid, tx_.commit_time_us, last_commit_lsn_, tx_.origin, tx_.origin_lsn, unix_now_us()};
}

Result<const event::TableSchema*> Streamer::table_of(Oid relation, Lsn lsn) {
  auto t = changes_.table(relation, lsn);
  if (!t) return t;
  if (*t != nullptr) tx_.captured = true;
  if (*t == nullptr) p_.metrics->count(p_.metrics->events_filtered);
  return t;
}

Status Streamer::publish(const event::TableSchema& t, Lsn lsn) {
  // Failures while publishing a change name the table and the change's LSN, whatever their kind; a bad
  // event is then handled per event.processing.failure.handling.mode.
  for (const auto& r : records_) {
    auto s = r.kind == ChangeRecord::Kind::kEvent ? emit(r.event, tx_.id, r.headers)
                                                  : out_.tombstone(t, tx_.id, r.has_key, r.headers);
    if (!s) return with_context(std::move(s), t, lsn);
  }
  return ok_status();
}

Status Streamer::with_context(Status s, const event::TableSchema& t, Lsn lsn) const {
  return p_.apply_failure_mode(
      Error{s.error().kind, fmt::format("{} (table {}.{}, LSN {})", s.error().message, t.info().schema,
                                        t.info().table, lsn.str())});
}

Status Streamer::on_begin(const decode::Begin& m, Lsn wal_start) {
  // read.only: a transaction committed after the chunk's SELECT closes its window first.
  if (auto s = maybe_close_read_only(m.final_lsn); !s) return s;
  tx_.id = p_.acks.begin(m.final_lsn);
  tx_.xid = m.xid;
  tx_.commit_lsn = m.final_lsn;
  tx_.messages = tx_.skip = 0;
  tx_.replayable = true;
  if (replay_ && m.final_lsn >= replay_->commit_lsn) {
    if (m.final_lsn == replay_->commit_lsn && static_cast<int64_t>(m.xid.value) == replay_->xid) {
      tx_.skip = replay_->events;
      log()->info(
          "transaction {} (commit LSN {}) is sent again: skipping its first {} messages, acknowledged by "
          "Kafka before the stop",
          m.xid.value, m.final_lsn.str(), tx_.skip);
    }
    replay_.reset();
  }
  tx_.commit_time_us = decode::pg_time_to_unix_us(m.commit_time);
  tx_.open = true;
  if (p_.latency) p_.latency->begin(tx_.id, tx_.commit_time_us);
  tx_.captured = false;
  tx_.origin.clear();
  tx_.origin_lsn.reset();
  if (tx_metadata_) {
    tx_metadata_->begin(tx_.xid, wal_start, tx_.commit_time_us, out_.key_buf(), out_.value_buf());
    return out_.record(transaction_topic_, transaction_topic_ready_, tx_.id);
  }
  return ok_status();
}

Status Streamer::on_commit(const decode::Commit& m, Lsn wal_start) {
  if (!tx_.open) return Error::fatal(fmt::format("Commit without Begin at LSN {}", wal_start.str()));
  if (tx_metadata_) {
    tx_metadata_->end(wal_start, decode::pg_time_to_unix_us(m.commit_time), out_.key_buf(), out_.value_buf());
    if (auto s = out_.record(transaction_topic_, transaction_topic_ready_, tx_.id); !s) return s;
  }
  if (tx_.messages < tx_.skip) {
    log()->warn("transaction {} had {} messages, fewer than the {} acknowledged before the stop",
                tx_.xid.value, tx_.messages, tx_.skip);
  }
  p_.acks.commit(tx_.id, m.end_lsn);
  p_.metrics->count(p_.metrics->committed_transactions);
  if (p_.latency) p_.latency->forget_before(p_.acks.oldest_in_flight());
  if (progress_dirty_) {  // this transaction's snapshot rows are in Kafka once it is acknowledged
    p_.offsets->progress(m.end_lsn, incremental_.offset_members());
    progress_dirty_ = false;
  }
  // Debezium's lsn_commit (source.sequence[0]) moves with transactions that had captured changes.
  if (tx_.captured) last_commit_lsn_ = m.end_lsn;
  tx_.open = false;
  return ok_status();
}

Status Streamer::on_row(const decode::Insert& m, Lsn lsn) {
  auto t = table_of(m.relation, lsn);
  if (!t) return t.error();
  if (signal_oid_ && m.relation.value == *signal_oid_) {
    if (auto s = on_signal_row(m.new_tuple, false, lsn); !s) return s;
  }
  if (*t == nullptr) return ok_status();
  deduplicate(*t, m.new_tuple);
  records_.clear();
  changes_.insert(**t, m, context(lsn), records_);
  return publish(**t, lsn);
}

Status Streamer::on_row(const decode::Update& m, Lsn lsn) {
  auto t = table_of(m.relation, lsn);
  if (!t) return t.error();
  if (*t == nullptr) return ok_status();
  deduplicate(*t, m.new_tuple);
  if (m.old_kind != 0) deduplicate(*t, m.old_tuple);
  records_.clear();
  if (auto s = changes_.update(**t, m, context(lsn), out_.serializer(), records_); !s)
    return with_context(std::move(s), **t, lsn);
  return publish(**t, lsn);
}

Status Streamer::on_row(const decode::Delete& m, Lsn lsn) {
  auto t = table_of(m.relation, lsn);
  if (!t) return t.error();
  if (signal_oid_ && m.relation.value == *signal_oid_) {
    if (auto s = on_signal_row(m.old_tuple, true, lsn); !s) return s;
  }
  if (*t == nullptr) return ok_status();
  deduplicate(*t, m.old_tuple);
  records_.clear();
  changes_.remove(**t, m, context(lsn), records_);
  return publish(**t, lsn);
}

Status Streamer::on_row(const decode::Truncate& m, Lsn lsn) {
  if (changes_.skips_truncate()) {
    for (auto oid : m.relations) (void)table_of(oid, lsn);  // a skipped truncate still counts as captured
    return ok_status();
  }
  for (auto oid : m.relations) {
    auto t = table_of(oid, lsn);
    if (!t) return t.error();
    if (*t == nullptr) continue;
    records_.clear();
    changes_.truncate(**t, context(lsn), records_);
    if (auto s = publish(**t, lsn); !s) return s;
  }
  return ok_status();
}

Status Streamer::handle(const decode::PgMessage& msg, Lsn wal_start) {
  if (tx_.open) tx_.last_lsn = wal_start;
  return std::visit(
      [&](const auto& m) -> Status {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, decode::Begin>) {
          return on_begin(m, wal_start);
        } else if constexpr (std::is_same_v<T, decode::Commit>) {
          return on_commit(m, wal_start);
        } else if constexpr (std::is_same_v<T, decode::Relation>) {
          return on_relation(m);
        } else if constexpr (std::is_same_v<T, decode::Insert> || std::is_same_v<T, decode::Update> ||
                             std::is_same_v<T, decode::Delete> || std::is_same_v<T, decode::Truncate>) {
          return on_row(m, wal_start);
        } else if constexpr (std::is_same_v<T, decode::Message>) {
          return on_message(m);
        } else if constexpr (std::is_same_v<T, decode::Origin>) {
          tx_.origin = m.name;
          tx_.origin_lsn = m.commit_lsn;
          return ok_status();
        } else {
          return ok_status();  // Type: nothing to publish
        }
      },
      msg);
}

}  // namespace sluice::connector
