// Connector: the wiring of one sluice pipeline. It owns the lifecycle: connect, ensure publication and
// slot, run the initial snapshot when needed, then stream — retrying transient failures with capped
// exponential backoff and resuming from the last position Kafka acknowledged.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/latency_stats.h"
#include "app/offset_committer.h"
#include "app/signal_channel.h"
#include "common/lsn.h"
#include "common/result.h"
#include "config/config.h"
#include "decode/pgoutput.h"
#include "decode/relation_cache.h"
#include "event/change_event.h"
#include "event/json_serializer.h"
#include "event/logical_message.h"
#include "event/transaction_metadata.h"
#include "offsets/ack_tracker.h"
#include "pg/catalog.h"
#include "pg/connection.h"
#include "pg/replication.h"
#include "sink/sink.h"
#include "sink/transactional_sink.h"
#include "snapshot/incremental_snapshot.h"
#include "snapshot/signal.h"

namespace sluice::app {

class Connector final : public sink::DeliveryHandler {
 public:
  Connector(config::Config config, const std::atomic<bool>& stop);
  ~Connector() override;

  // Runs until stopped (returns 0) or a fatal error (returns 1, after logging it).
  int run();
  // After run() returned non-zero: the error that stopped it (for a worker's FAILED status).
  const std::string& failure() const { return failure_; }
  Lsn received_lsn() const { return received_; }
  Lsn confirmed_lsn() const { return acks_.flush_lsn(); }
  // Called (on the thread that runs the connector) with each topic the first time Kafka acknowledges a
  // record written to it; set before run().
  // Replaces the sink that sink.type names by the one `factory` makes (sluice tail --direct prints the
  // events itself); set before run().
  void set_sink_factory(std::function<std::unique_ptr<sink::Sink>(sink::DeliveryHandler*)> factory) {
    sink_factory_ = std::move(factory);
  }
  void set_topic_observer(std::function<void(const std::string&)> observer) {
    topic_observer_ = std::move(observer);
  }

  void on_delivery(uint64_t opaque, std::string_view topic, const char* error) override;
  void on_delivery_timing(uint64_t opaque, int64_t latency_us, int64_t append_ms) override;
  void on_client_error(const std::string& message) override;

 private:
  struct Session;  // connections of one attempt

  // Creates the sink (and the offset committer on it) as sink.type / exactly.once.support say.
  Status make_sink();
  Status run_once();
  Status wait_while_slot_active();
  // slot.drop.on.stop: after a clean stop, drops the slot and resets the stored offsets.
  void drop_slot_on_stop();
  Status ensure_publication(pg::Connection& conn, const std::vector<pg::TableRef>& captured);
  // repl: the replication connection that exports the snapshot and makes the slot; nullptr for
  // snapshot.mode=initial_only (no slot).
  Status run_snapshot(pg::Connection* repl, const std::vector<pg::TableRef>& captured, Lsn& start);
  Status stream(pg::ReplicationStream& stream, Lsn start);
  Status handle(const decode::PgMessage& msg, Lsn wal_start);
  Status on_relation(const decode::Relation& rel);
  Status emit(const event::ChangeEvent& ev, offsets::AckTracker::TxId tx,
              const std::vector<sink::KafkaHeader>& headers = {});
  // Publishes a message serialized elsewhere (a snapshot worker) as emit() would have.
  Status emit_encoded(const event::TableSchema& table, std::optional<std::string_view> key,
                      std::string_view value, offsets::AckTracker::TxId tx);
  Status emit_tombstone(const event::TableSchema& table, offsets::AckTracker::TxId tx, bool has_key = true,
                        const std::vector<sink::KafkaHeader>& headers = {});
  // headers + Debezium's __debezium.context.* headers (extended.headers.enabled).
  const std::vector<sink::KafkaHeader>& with_context_headers(const std::vector<sink::KafkaHeader>& headers);
  std::vector<sink::KafkaHeader> context_headers_;
  std::vector<sink::KafkaHeader> headers_buf_;
  Status wait_for_acks();
  // Exactly-once: waits for every message of the open Kafka transaction, adds the offset record for the
  // LSN they cover (acks_.flush_lsn()) and commits; that LSN may then be confirmed to Postgres.
  Status commit_eos();
  // Exactly-once: a message of a transaction at or before the committed offset (the walsender may send
  // them again after a restart); it is skipped.
  bool already_committed(const decode::PgMessage& msg);
  // Logical decoding messages (op "m"), and the transaction metadata records (provide.transaction.metadata):
  // key_buf_/value_buf_ to a topic of their own, counted in transaction tx, without context headers.
  Status on_message(const decode::Message& m);
  Status emit_record(const std::string& topic, bool& topic_ready, offsets::AckTracker::TxId tx);
  Status heartbeat();
  // A kData failure (an event that cannot be converted or is too large for Kafka) per
  // event.processing.failure.handling.mode: fail stops (kFatal), warn logs and skips, skip skips.
  Status apply_failure_mode(Status s);
  static constexpr uint64_t kHeartbeatOpaque = 0;  // AckTracker ids start at 1
  event::TableInfo table_info(const pg::CatalogTable& cat) const;
  Result<std::shared_ptr<const event::TableSchema>> schema_for(const pg::CatalogTable& cat);
  bool stopping() const { return stop_.load(std::memory_order_relaxed) || delivery_failed_; }

  // Signals and incremental snapshots (src/app/incremental.cpp).
  // Restores the incremental snapshot (and an interrupted initial snapshot's remainder) from the offset
  // progress that applies at `start`; opens the Kafka signal channel.
  Status init_incremental(Lsn start);
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
  Status emit_window(Lsn lsn, offsets::AckTracker::TxId tx);
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

  config::Config config_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<sink::Sink> producer_;  // sink.type: KafkaProducer, NullSink or a direct sink
  std::function<std::unique_ptr<sink::Sink>(sink::DeliveryHandler*)> sink_factory_;
  event::JsonSerializer serializer_;
  offsets::AckTracker acks_;
  std::unique_ptr<OffsetCommitter> offsets_;
  sink::TransactionalSink* eos_ = nullptr;  // exactly.once.support: producer_ is this transactional sink
  int fences_without_standby_ = 0;          // fenced, and not yet back to waiting as a hot standby
  Lsn eos_committed_;                       // the offset of the last committed Kafka transaction
  Lsn eos_resume_;                          // transactions committed before this LSN are skipped
  bool eos_skipping_ = false;
  uint64_t eos_skipped_ = 0;
  std::optional<pg::Connection> catalog_;

  decode::RelationCache relations_;
  // Relation oid -> schema of a captured table; nullptr for a relation outside the filters.
  std::unordered_map<uint32_t, std::shared_ptr<const event::TableSchema>> schemas_;

  // The transaction being streamed.
  struct CurrentTx {
    offsets::AckTracker::TxId id = 0;
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
  // Skips a message of the transaction being streamed that was acknowledged before the interruption.
  bool skip_replayed(offsets::AckTracker::TxId tx) {
    if (!tx_.open || tx != tx_.id || tx_.messages >= tx_.skip) return false;
    ++tx_.messages;
    ++replay_skipped_;
    return true;
  }
  void count_sent(offsets::AckTracker::TxId tx) {
    if (tx_.open && tx == tx_.id) ++tx_.messages;
  }
  // The open transaction's acknowledged prefix, when it can be recorded.
  std::optional<offsets::StoredOffset::InTransaction> acknowledged_part();
  std::optional<Lsn> last_commit_lsn_;
  bool last_commit_known_ =
      false;  // last_commit_lsn_ was set by a start of this process (not reset by reconnects)
  // snapshot.mode=always: snapshot once per start of sluice, not again when reconnecting.
  bool snapshot_taken_ = false;
  bool created_slot_ = false;  // this process created the slot (it is this connector's)
  Lsn received_;               // highest WAL position received from the server
  pg::ReplicationStream* stream_ =
      nullptr;  // while stream() runs (status updates during a blocking snapshot)

  std::string key_buf_;
  std::string value_buf_;

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
  bool delivery_failed_ = false;
  std::string delivery_error_;
  std::string failure_;
  // Logs the error that stops run() and keeps it for failure().
  void fail(const std::string& message);
  std::function<void(const std::string&)> topic_observer_;
  std::string last_topic_;
  std::unordered_set<std::string> seen_topics_;
  uint64_t events_sent_ = 0;
  // latency.log.interval.ms: per-stage latency of streamed events; the current frame's send (server clock)
  // and receive times, unix µs.
  std::optional<LatencyStats> latency_;
  int64_t frame_sent_us_ = 0;
  int64_t frame_received_us_ = 0;
  void note_produced(offsets::AckTracker::TxId tx);
};

// `sluice check`: validates config and connectivity, prints each finding. Returns the exit code.
int check(const config::Config& config);
// `sluice reset-offsets`: forgets this connector's stored offsets. Returns the exit code.
int reset_offsets(const config::Config& config);
// `sluice status`: the slot, the confirmed and stored LSNs and the snapshot progress. Returns the exit code.
int status(const config::Config& config);

}  // namespace sluice::app
