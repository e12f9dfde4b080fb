// Streamer: the streaming loop of one connector. It owns the replication stream while it runs: reads
// frames within a deadline, decodes pgoutput, turns each change into events for the emit path, keeps the
// state of the transaction being streamed, runs signals and incremental snapshots (incremental.cpp)
// between and inside transactions, and reports the acknowledged position back to Postgres.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/lsn.h"
#include "common/result.h"
#include "connector/change_builder.h"
#include "connector/emitter.h"
#include "connector/pipeline.h"
#include "connector/signal_channel.h"
#include "decode/pgoutput.h"
#include "event/logical_message.h"
#include "event/transaction_metadata.h"
#include "offsets/offset_store.h"
#include "pg/replication.h"
#include "sink/direct_sink.h"
#include "snapshot/incremental_snapshot.h"
#include "snapshot/signal.h"

namespace sluice::connector {

class Streamer final : public Emitter::Accounting {
 public:
  using TxId = offsets::AckTracker::TxId;

  Streamer(Pipeline& p, Emitter& out);

  // Before each attempt (connect, snapshot, stream): relations and schemas are learnt again, and a
  // transaction cut off by a lost connection is streamed again from its start.
  void reset();
  // A stop inside a transaction recorded how many of its messages Kafka acknowledged (the stored offsets,
  // or the attempt that just failed): they are skipped when Postgres sends it again.
  void expect_replay(const offsets::StoredOffset::InTransaction& part) {
    if (!replay_) replay_ = part;
  }
  // After a failed attempt: the transaction it cut, as far as Kafka acknowledged it.
  void keep_interrupted_transaction() {
    if (auto part = acknowledged_part(); part) expect_replay(*part);
  }
  // source.sequence's last commit LSN at the start: `start` when resuming an existing slot, null for a new
  // one (Debezium's lsn_commit before its first commit). Set once per process: reconnects keep what the
  // stream set (Debezium's offset context survives its reconnects too).
  void set_last_commit(std::optional<Lsn> lsn) {
    if (last_commit_known_) return;
    last_commit_lsn_ = lsn;
    last_commit_known_ = true;
  }
  // Exactly-once: transactions whose commit LSN is before `resume` are in Kafka and are skipped.
  void resume_exactly_once(Lsn resume) {
    eos_resume_ = resume;
    eos_skipping_ = false;
  }
  // Restores the incremental snapshot (and an interrupted initial snapshot's remainder) from the offset
  // progress that applies at `start`; opens the Kafka signal channel.
  Status init_incremental(Lsn start);
  // Streams until stopped (ok) or the connection fails.
  Status stream(pg::ReplicationStream& stream);
  Lsn received_lsn() const { return received_; }
  // Where a message of unit tx stands in the transaction being streamed (its commit LSN, the messages
  // before it): the direct sinks' idempotency keys. nullopt for what has no place that repeats when Postgres
  // sends it again (snapshot rows, heartbeats, offsets).
  std::optional<sink::StreamPosition> position_of(TxId tx) const {
    if (!tx_.open || !tx_.replayable || tx != tx_.id) return std::nullopt;
    return sink::StreamPosition{tx_.commit_lsn, tx_.messages};
  }

  // Emitter::Accounting
  bool skip_replayed(TxId tx) override {
    if (!tx_.open || tx != tx_.id || tx_.messages >= tx_.skip) return false;
    ++tx_.messages;
    ++replay_skipped_;
    return true;
  }
  void sent(TxId tx, bool measured) override;

 private:
  Status handle(const decode::PgMessage& msg, Lsn wal_start);
  Status on_begin(const decode::Begin& m, Lsn wal_start);
  Status on_commit(const decode::Commit& m, Lsn wal_start);
  Status on_relation(const decode::Relation& rel);
  // Row changes: ChangeBuilder makes their records (in records_), publish() sends them.
  Status on_row(const decode::Insert& m, Lsn lsn);
  Status on_row(const decode::Update& m, Lsn lsn);
  Status on_row(const decode::Delete& m, Lsn lsn);
  Status on_row(const decode::Truncate& m, Lsn lsn);
  // The schema of a change's relation (nullptr: outside the filters); counts the change as captured or
  // filtered.
  Result<const event::TableSchema*> table_of(Oid relation, Lsn lsn);
  // Where a change at `lsn` stands in the transaction being streamed.
  ChangeContext context(Lsn lsn) const;
  // Sends records_ (the change of table t at lsn), stopping at the first failure.
  Status publish(const event::TableSchema& t, Lsn lsn);
  // A failure while publishing a change of table t: named with the table and LSN, then handled per
  // event.processing.failure.handling.mode.
  Status with_context(Status s, const event::TableSchema& t, Lsn lsn) const;
  // A change event of the stream (or of a snapshot running inside it), with the transaction block when
  // provide.transaction.metadata is set and a transaction is open.
  Status emit(const event::ChangeEvent& ev, TxId tx, const Emitter::Headers& headers = {});
  // Logical decoding messages (op "m"), and the transaction metadata records (provide.transaction.metadata):
  // to a topic of their own, counted in transaction tx.
  Status on_message(const decode::Message& m);
  Status heartbeat();
  // Exactly-once: a message of a transaction at or before the committed offset (the walsender may send
  // them again after a restart); it is skipped.
  bool already_committed(const decode::PgMessage& msg);
  // The open transaction's acknowledged prefix, when it can be recorded.
  std::optional<offsets::StoredOffset::InTransaction> acknowledged_part();
  // Between status updates: what Postgres may be told is flushed.
  Status send_status(pg::ReplicationStream& stream);
  // Stopping: lets Kafka acknowledge what is in flight and records it (and the acknowledged part of an
  // interrupted transaction), then sends the final status update.
  Status finish(pg::ReplicationStream& stream);

  // Signals and incremental snapshots (src/connector/incremental.cpp).
  // A row inserted into (or, for insert_delete watermarks, deleted from) signal.data.collection.
  Status on_signal_row(const decode::Tuple& tuple, bool deleted, Lsn lsn);
  // A watermark (signal row, logical message): opens the window, or closes it and emits its rows.
  Status on_watermark(std::string_view id, bool open, Lsn lsn);
  Status execute_signal(const snapshot::Signal& signal, Lsn lsn);
  Status execute_snapshot(const snapshot::SnapshotRequest& request, Lsn lsn);
  // execute-snapshot type blocking: streaming pauses while the tables are read like an initial snapshot.
  Status blocking_snapshot(const std::vector<std::pair<pg::TableRef, std::string>>& tables, Lsn lsn);
  // Reads the next chunk when a snapshot runs, is not paused and no window is in flight.
  Status next_chunk();
  Status write_watermark(const std::string& chunk_id, bool open);
  // Emits the closed window's rows as op "r" (source.snapshot=incremental) in acknowledgement unit tx.
  Status emit_window(Lsn lsn, TxId tx);
  // A streamed change of table t: drops the buffered row of its key while a window is open.
  void deduplicate(const event::TableSchema* t, const decode::Tuple& tuple) {
    if (incremental_.window_open() && t->info().oid.value == incremental_.table_oid()) {
      incremental_.deduplicate(incremental_.table_oid(), tuple);
    }
  }
  // The snapshot's progress changed: recorded with the offsets at the current transaction's end (or at
  // once between transactions).
  void progress_changed();
  // Between transactions: Kafka channel signals, and read.only windows whose end the stream passed.
  Status poll_signals(Lsn position);
  // read.only: closes the window once the stream has passed `position` (a Begin's or keepalive's LSN).
  Status maybe_close_read_only(Lsn position);

  Pipeline& p_;
  Emitter& out_;

  ChangeBuilder changes_;  // relations and their schemas; row messages -> records
  ChangeRecords records_;  // the current change's (reused)

  // The transaction being streamed.
  struct CurrentTx {
    TxId id = 0;
    Xid xid;
    int64_t commit_time_us = 0;  // unix
    bool open = false;
    bool captured = false;  // had a change of a captured table (published or skipped)
    Lsn commit_lsn;         // Begin's final_lsn
    Lsn last_lsn;           // the last change's
    // Messages of this transaction handed to Kafka (or skipped as sent before a stop) so far, in order;
    // the first `skip` were acknowledged before a clean stop or a reconnect and are not sent again.
    uint64_t messages = 0;
    uint64_t skip = 0;
    // Its messages are the same each time Postgres sends it (no incremental or blocking snapshot rows):
    // a stop inside it can record how many were acknowledged.
    bool replayable = true;
    // pgoutput's Origin message of the transaction (source.origin / origin_lsn); cleared at Begin, as
    // Debezium's offset context is, and kept for the non-transactional messages that follow.
    std::string origin;
    std::optional<Lsn> origin_lsn;
  } tx_;
  // The transaction a clean stop (or a reconnect) interrupted after Kafka acknowledged its first messages:
  // when Postgres sends it again, those are skipped.
  std::optional<offsets::StoredOffset::InTransaction> replay_;
  uint64_t replay_skipped_ = 0;
  std::optional<Lsn> last_commit_lsn_;
  bool last_commit_known_ = false;  // last_commit_lsn_ was set by a start of this process
  Lsn received_;                    // highest WAL position received from the server
  pg::ReplicationStream* stream_ =
      nullptr;  // while stream() runs (status updates during a blocking snapshot)

  Lsn eos_resume_;  // exactly-once: transactions committed before this LSN are skipped
  bool eos_skipping_ = false;
  uint64_t eos_skipped_ = 0;

  std::optional<event::TransactionMetadata> tx_metadata_;  // provide.transaction.metadata=true
  std::string transaction_topic_;
  bool transaction_topic_ready_ = false;
  event::MessageSerializer messages_;
  std::string message_topic_;
  bool message_topic_ready_ = false;
  std::minstd_rand identity_hashes_{std::random_device{}()};  // Java identity hashes of message ids

  snapshot::IncrementalSnapshot incremental_;
  std::shared_ptr<const event::TableSchema> incremental_schema_;
  std::optional<uint32_t> signal_oid_;  // relation oid of signal.data.collection once its Relation arrived
  int signal_id_col_ = -1, signal_type_col_ = -1, signal_data_col_ = -1;
  bool progress_dirty_ = false;
  std::optional<Lsn> read_only_close_;  // read.only: the window closes when the stream passes this LSN
  std::unique_ptr<KafkaSignalChannel> kafka_signals_;
  std::chrono::steady_clock::time_point next_signal_poll_;  // the Kafka channel is polled every 100 ms

  // latency.log.interval.ms: the current frame's send (server clock) and receive times, unix µs.
  int64_t frame_sent_us_ = 0;
  int64_t frame_received_us_ = 0;
};

}  // namespace sluice::connector
