// Connector lifecycle (see connector.h): the attempts, their retries, the start-up decisions (snapshot,
// resume, refuse) and the hot standby.
#include "connector/connector.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/log.h"
#include "connector/retry_policy.h"
#include "sink/direct_factory.h"
#include "sink/kafka_producer.h"
#include "sink/null_sink.h"
#include "sink/transforming_sink.h"
#include "snapshot/checkpoint.h"
#include "snapshot/initial_snapshot_run.h"

namespace sluice::connector {

namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("connector");
  return l;
}

// What an initial snapshot needs from its connector.
class SnapshotHost final : public snapshot::SnapshotHost {
 public:
  SnapshotHost(Pipeline& p, Emitter& out) : p_(p), out_(out) {}
  bool stopping() const override { return p_.stopping(); }
  void poll() override { p_.sink->poll(0); }
  offsets::AckTracker& acks() override { return p_.acks; }
  Result<std::shared_ptr<const event::TableSchema>> schema_for(const pg::CatalogTable& cat) override {
    return p_.schema_for(cat);
  }
  Status emit(const event::ChangeEvent& ev, TxId tx) override { return out_.change(ev, tx); }
  Status emit_encoded(const event::TableSchema& table, std::optional<std::string_view> key,
                      std::string_view value, TxId tx) override {
    return out_.encoded(table, key, value, tx);
  }
  Status apply_failure_mode(Status s) override { return p_.apply_failure_mode(std::move(s)); }
  Status wait_for_acks() override { return p_.wait_for_acks(); }
  bool resumable_offsets() const override { return p_.offsets->enabled() && p_.eos == nullptr; }
  void on_snapshot_begin(const snapshot::Progress& progress, size_t tables) override {
    p_.metrics->snapshot_begin(progress, tables);
  }
  void on_snapshot_row(size_t table) override { p_.metrics->snapshot_row(table); }
  void on_snapshot_table_done(size_t table) override { p_.metrics->snapshot_table_done(table); }
  void on_snapshot_end() override { p_.metrics->snapshot_end(); }
  Status store_progress(Lsn lsn, const std::string& members, bool durable) override {
    p_.offsets->progress(lsn, members);
    if (auto s = p_.offsets->store(lsn); !s) return s;
    if (durable) p_.offsets->wait_durable([this] { return p_.stopping(); });
    return ok_status();
  }

 private:
  Pipeline& p_;
  Emitter& out_;
};

}  // namespace

Connector::Connector(config::Config config, const std::atomic<bool>& stop)
    : p_(std::move(config), stop), emitter_(p_), streamer_(p_, emitter_) {}

Connector::~Connector() = default;

void Connector::fail(const std::string& message) {
  log()->error("{}", message);
  failure_ = message;
  phase_ = Phase::kFailed;
}

Status Connector::run_snapshot(pg::Connection* repl, const std::vector<pg::TableRef>& captured, Lsn& start) {
  phase_ = Phase::kSnapshot;
  SnapshotHost host(p_, emitter_);
  snapshot::InitialSnapshotRun snapshot(p_.config, *p_.catalog, host, serializer_options(p_));
  auto st = snapshot.run(repl, captured, start);
  if (snapshot.created_slot()) created_slot_ = true;
  return st;
}

Status Connector::make_sink() {
  p_.offsets.reset();  // holds a pointer to the sink
  p_.sink.reset();
  p_.eos = nullptr;
  p_.transforming = nullptr;
  if (sink_factory_) {
    p_.sink = sink_factory_(&emitter_);
  } else if (p_.config.sink_type == config::SinkType::kNull) {
    log()->warn("sink.type=null: events are serialized and discarded, nothing is sent to Kafka");
    p_.sink = std::make_unique<sink::NullSink>(&emitter_);
  } else if (sink::is_direct(p_.config.sink_type)) {
    // file / http / redis / nats: idempotency keys from the change's place in its transaction.
    auto direct = sink::make_direct_sink(p_.config, &emitter_,
                                         [this](uint64_t opaque) { return streamer_.position_of(opaque); });
    if (!direct) return direct.error();
    p_.sink = std::move(*direct);
  } else {
    auto properties = p_.config.producer_properties;
    if (p_.config.exactly_once) {
      // librdkafka wants message.timeout.ms <= transaction.timeout.ms (no infinite delivery timeout): a
      // message that times out aborts its transaction, which is then sent again.
      properties["transactional.id"] = p_.config.transactional_id;
      std::string txn_timeout = properties.try_emplace("transaction.timeout.ms", "300000").first->second;
      properties.try_emplace("message.timeout.ms", txn_timeout);
    }
    sink::QueueLimits queue{p_.config.max_queue_size, p_.config.max_queue_size_in_bytes,
                            p_.config.max_batch_size};
    auto producer = sink::KafkaProducer::create(p_.config.bootstrap_servers, properties, &emitter_, queue);
    if (!producer) return producer.error();
    (*producer)->set_interrupt([this] { return p_.stop.load(); });  // SIGTERM while Kafka is unreachable
    if (p_.config.exactly_once) {
      sink::TransactionalSink::Limits limits{p_.config.transaction_interval_ms,
                                             p_.config.transaction_max_events,
                                             p_.config.transaction_max_bytes};
      auto eos =
          std::make_unique<sink::TransactionalSink>(std::move(*producer), p_.config.transactional_id, limits);
      p_.eos = eos.get();
      p_.sink = std::move(eos);
      log()->info("exactly-once delivery: transactional.id {}, a Kafka transaction every {} ms / {} events",
                  p_.config.transactional_id, p_.config.transaction_interval_ms,
                  p_.config.transaction_max_events);
    } else {
      p_.sink = std::move(*producer);
    }
  }
  p_.offsets = std::make_unique<OffsetCommitter>(p_.config, p_.sink.get(), [this] { return p_.stop.load(); });
  // transforms=…: every record but the offsets' goes through the chain (Connect never transforms offsets).
  if (!p_.transforms_status) return p_.transforms_status;
  if (p_.transforms) {
    auto transforming =
        std::make_unique<sink::TransformingSink>(std::move(p_.sink), p_.transforms, &emitter_);
    p_.transforming = transforming.get();
    p_.sink = std::move(transforming);
  }
  return ok_status();
}

int Connector::run() {
  ScopedLogContext log_context(p_.config.name);  // this thread's lines name the connector
  log()->info("starting connector {}: postgres {}:{}/{} slot={} publication={} kafka={} tables: {}",
              p_.config.name, p_.config.hostname, p_.config.port, p_.config.dbname, p_.config.slot_name,
              p_.config.publication_name, p_.config.bootstrap_servers, p_.config.filter.describe());
  if (auto s = make_sink(); !s) {
    fail(s.error().message);
    return 2;
  }
  log()->info("offsets are recorded in {}", p_.offsets->describe());

  RetryPolicy retry(p_.config.errors_max_retries, std::chrono::milliseconds(p_.config.retry_delay_initial_ms),
                    std::chrono::milliseconds(p_.config.retry_delay_max_ms));
  int exit_code = 0;
  while (!p_.stop.load()) {
    const Lsn flushed_before = p_.acks.flush_lsn();
    auto st = run_once();
    if (p_.delivery_failed) {
      failure_ = p_.delivery_error;
      phase_ = Phase::kFailed;
      exit_code = 1;
      break;
    }
    if (st.ok()) break;  // stopped on request
    if (p_.eos != nullptr && p_.eos->fenced()) {
      // Another instance took over the transactional.id (and so the slot): this producer is finished. Go
      // back to being a hot standby with a new one, which fences the other only once the slot is free.
      ++fences_without_standby_;
      log()->warn("{}; returning to hot standby: waiting for replication slot '{}' to be released",
                  st.error().message, p_.config.slot_name);
      if (auto s = make_sink(); !s) {
        fail(s.error().message);
        exit_code = 1;
        break;
      }
      continue;
    }
    if (st.error().kind != ErrorKind::kTransient) {
      fail(st.error().message);
      exit_code = st.error().config ? 2 : 1;
      break;
    }
    // Changes acknowledged (or WAL confirmed) during the attempt: it worked for a while, start over.
    if (p_.acks.flush_lsn() > flushed_before) retry.reset();
    auto delay = retry.next();
    if (!delay) {
      fail(fmt::format("{} — giving up after {} retries (errors.max.retries={})", st.error().message,
                       retry.retries(), p_.config.errors_max_retries));
      exit_code = 1;
      break;
    }
    p_.metrics->count(p_.metrics->retries);
    log()->warn("{} — retry {} of {} in {} ms", st.error().message, retry.retries(),
                retry.max_retries() < 0 ? std::string("unlimited") : std::to_string(retry.max_retries()),
                delay->count());
    // Let every event already handed to Kafka be acknowledged, so the retry resumes right after the last
    // acknowledged transaction; events of a transaction cut off mid-way are sent again (at-least-once).
    if (p_.sink->out_queue_len() > 0) {
      log()->info("waiting for Kafka to acknowledge {} in-flight events before reconnecting",
                  p_.sink->out_queue_len());
      while (p_.sink->out_queue_len() > 0 && !p_.stop.load() && !p_.delivery_failed) p_.sink->poll(100);
    }
    // The transaction the connection loss cut is sent again from its start: skip what Kafka has.
    streamer_.keep_interrupted_transaction();
    phase_ = Phase::kRetrying;
    p_.sink->poll(0);
    for (auto until = Clock::now() + *delay; Clock::now() < until && !p_.stop.load();) {
      p_.sink->poll(50);
    }
  }

  // Shutdown: wait for Kafka to acknowledge what is in flight (the final status update was sent by the
  // streaming loop, which flushes before returning).
  if (p_.sink->out_queue_len() > 0) {
    log()->info("waiting for Kafka to acknowledge {} in-flight events", p_.sink->out_queue_len());
    if (!p_.sink->flush(30000)) {
      log()->warn("{} events not acknowledged by Kafka at shutdown; they will be re-sent after restart",
                  p_.sink->out_queue_len());
    }
  }
  if (exit_code == 0 && p_.config.slot_drop_on_stop &&
      p_.config.snapshot_mode != config::SnapshotMode::kInitialOnly) {
    drop_slot_on_stop();
  }
  log()->info("stopped: {} events sent, confirmed LSN {}", emitter_.events_sent(), p_.acks.flush_lsn().str());
  phase_ = exit_code == 0 ? Phase::kStopped : Phase::kFailed;
  return exit_code;
}

void Connector::drop_slot_on_stop() {
  // Debezium's slot.drop.on.stop: no slot (and so no retained WAL) is left behind. The changes until the
  // next start are not kept, so the stored offsets are reset too: the next start snapshots again
  // (snapshot.mode permitting) instead of refusing a missing slot.
  auto conn = pg::Connection::connect(p_.config.conninfo(false));
  if (!conn) {
    log()->warn("slot.drop.on.stop: cannot drop replication slot {}: {}", p_.config.slot_name,
                conn.error().message);
    return;
  }
  // The walsender may take a moment to release the slot after the replication connection closed.
  Status dropped = ok_status();
  for (auto until = Clock::now() + std::chrono::seconds(10);;) {
    auto slot = pg::find_slot(*conn, p_.config.slot_name);
    if (slot && !*slot) return;  // none (never created, or already dropped)
    dropped = pg::drop_slot(*conn, p_.config.slot_name);
    if (dropped.ok() || Clock::now() > until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!dropped) {
    log()->warn("slot.drop.on.stop: cannot drop replication slot {}: {}", p_.config.slot_name,
                dropped.error().message);
    return;
  }
  auto reset = p_.offsets->reset();
  log()->info("slot.drop.on.stop=true: dropped replication slot {}{}", p_.config.slot_name,
              reset.ok() ? "; stored offsets reset: the next start takes a new snapshot"
                         : "; the stored offsets could not be reset: " + reset.error().message);
}

Result<pg::Connection> Connector::connect(std::vector<pg::TableRef>& captured) {
  auto repl = pg::Connection::connect(p_.config.conninfo(true));
  if (!repl) return repl.error();
  log()->info("connected to Postgres {} (database.sslmode={})", repl->tls_description(), p_.config.sslmode);
  auto problems = pg::check_server(*repl);
  if (!problems.empty()) {
    std::string all;
    for (auto& p : problems) all += "\n  - " + p;
    return Error::fatal(fmt::format("Postgres is not ready for logical replication:{}", all));
  }
  auto cat = pg::Connection::connect(p_.config.conninfo(false));
  if (!cat) return cat.error();
  p_.catalog.emplace(std::move(*cat));

  auto tables = pg::list_tables(*p_.catalog);
  if (!tables) return tables.error();
  captured.clear();
  for (auto& t : *tables) {
    if (p_.config.filter.captured(t.schema, t.table)) captured.push_back(t);
  }
  std::string names;
  for (auto& t : captured) names += (names.empty() ? "" : ", ") + t.schema + "." + t.table;
  log()->info("tables captured: {}", names.empty() ? "(none yet)" : names);
  // The signal table is published too (its rows are read from the stream), captured or not.
  auto published = captured;
  for (auto& t : *tables) {
    if (t.schema + "." + t.table == p_.config.signal_data_collection &&
        !p_.config.filter.captured(t.schema, t.table)) {
      published.push_back(t);
    }
  }
  if (auto s = ensure_publication(*p_.catalog, p_.config, published); !s) return s.error();
  return repl;
}

void Connector::adopt_offsets(std::optional<offsets::StoredOffset>& stored,
                              const std::optional<pg::SlotInfo>& slot) {
  if (stored && !(*stored).lsn.valid() && snapshot::Checkpoint::parse((*stored).extra)) {
    // A resumable initial snapshot recorded its tables before creating the slot (LSN 0/0): with the slot it
    // resumes from the slot's consistent point; without it, nothing of it happened.
    if (slot) {
      (*stored).lsn = (*slot).confirmed_flush;
    } else {
      stored.reset();
    }
  }
  if (stored && OffsetCommitter::follows_slot(*stored)) {
    // `sluice reset-offsets`: this connector continues from the slot, or snapshots when there is none.
    if (slot) {
      log()->info("offsets were reset: continuing from replication slot {} at LSN {}", p_.config.slot_name,
                  (*slot).confirmed_flush.str());
      (*stored).lsn = (*slot).confirmed_flush;
      (*stored).extra.clear();
    } else {
      stored.reset();
    }
  }
  // A stop inside a transaction recorded its acknowledged part (a reconnect in this process knows it).
  if (stored && (*stored).in_tx && p_.eos == nullptr) streamer_.expect_replay(*(*stored).in_tx);
  if (stored) {
    log()->info("offsets stored in {}: LSN {}", p_.offsets->describe(), (*stored).lsn.str());
  } else if (p_.offsets->enabled()) {
    log()->info("no offsets stored in {} for connector {} (topic.prefix {})", p_.offsets->describe(),
                p_.config.name, p_.config.topic_prefix);
  }
}

Status Connector::check_slot(const std::optional<pg::SlotInfo>& slot,
                             const std::optional<offsets::StoredOffset>& stored, config::SnapshotMode mode,
                             bool resnapshots) {
  // Whether to snapshot is decided by this connector's stored offsets (as Debezium does), not by the slot:
  // a slot that exists while this connector has none may be another connector's (two configs that both
  // default to slot.name=debezium). Streaming from it would take the changes that connector has not read
  // yet, and skip this connector's snapshot.
  if (slot && !stored && p_.offsets->enabled() && !p_.offsets->stored_any() && !created_slot_ &&
      !resnapshots) {
    if (!p_.config.slot_takeover) {
      return Error::fatal(fmt::format(
          "replication slot '{}' exists ({}) but connector {} (topic.prefix {}) has no offsets in {}: the "
          "slot may belong to another connector, and streaming from it would take the changes that "
          "connector has not read yet and skip this connector's snapshot. Give this connector its own "
          "slot.name; or, if the slot is this connector's, confirm with slot.takeover=true or `sluice "
          "reset-offsets CONFIG` (it then continues from the slot without a snapshot)",
          p_.config.slot_name, pg::slot_activity(*p_.catalog, p_.config.slot_name), p_.config.name,
          p_.config.topic_prefix, p_.offsets->describe()));
    }
    log()->warn(
        "slot.takeover=true: continuing from existing replication slot {} although connector {} has no "
        "stored offsets (no snapshot)",
        p_.config.slot_name, p_.config.name);
  }
  if (slot && stored && (*slot).confirmed_flush > (*stored).lsn && !resnapshots) {
    return Error::fatal(fmt::format(
        "replication slot '{}' is at LSN {} but the offsets in {} say sluice delivered changes only up to "
        "LSN {}: "
        "the slot was recreated or advanced by another client, and the changes in between may be lost. "
        "Check, "
        "then either drop the slot and re-snapshot (snapshot.mode=when_needed), or run `sluice "
        "reset-offsets` "
        "to continue from the slot",
        p_.config.slot_name, (*slot).confirmed_flush.str(), p_.offsets->describe(), (*stored).lsn.str()));
  }
  if (!slot && stored && mode != config::SnapshotMode::kWhenNeeded && !resnapshots) {
    return Error::fatal(
        fmt::format("replication slot '{}' does not exist, but the offsets in {} say sluice delivered "
                    "changes up to LSN {}: "
                    "the slot was dropped and the changes after that LSN may be lost. Set "
                    "snapshot.mode=when_needed to take "
                    "a new snapshot, or run `sluice reset-offsets` to start over",
                    p_.config.slot_name, p_.offsets->describe(), (*stored).lsn.str()));
  }
  return ok_status();
}

Status Connector::stream_from(pg::Connection repl, Lsn start, bool resumed) {
  p_.acks.reset(std::max(start, p_.acks.flush_lsn()));
  // A new slot (snapshot or no_data): no commit processed yet, source.sequence starts with null (Debezium's
  // lsn_commit before its first commit); resuming an existing slot: its position. A reconnect in this
  // process keeps what the stream set, or null when this process created the slot (Debezium's offset
  // context survives its reconnects too).
  streamer_.set_last_commit(start.valid() && resumed && !created_slot_ ? std::optional<Lsn>(start)
                                                                       : std::nullopt);
  if (auto s = streamer_.init_incremental(start); !s) return s;
  // Record the starting point before streaming, so the stored offsets are never behind the slot.
  if (p_.eos != nullptr) {
    streamer_.resume_exactly_once(start);
    if (auto s = p_.commit_eos(); !s) return s;
    p_.eos->set_auto_commit(false);  // the streaming loop ends transactions between Postgres transactions
  } else {
    if (auto s = p_.offsets->store(start); !s) return s;
    p_.offsets->wait_durable([this] { return p_.stopping(); });
  }

  pg::ReplicationStream stream(std::move(repl));
  // pgoutput sends logical decoding messages only when asked (Postgres 14+).
  const bool messages = stream.connection().server_version() >= 140000;
  if (auto s = stream.start(p_.config.slot_name, start, p_.config.publication_name, messages); !s) return s;
  log()->info("streaming from slot {} publication {} at LSN {}", p_.config.slot_name,
              p_.config.publication_name, start.str());
  phase_ = Phase::kStreaming;
  return streamer_.stream(stream);
}

Status Connector::run_once() {
  phase_ = Phase::kStarting;
  streamer_.reset();
  p_.acks.reset(p_.acks.flush_lsn());  // a transaction cut off by a lost connection is streamed again
  if (p_.eos != nullptr) {
    // Exactly-once: what the open Kafka transaction holds is discarded; resume after the committed offset.
    if (auto s = p_.eos->abort(); !s) return s;
    p_.eos->set_auto_commit(true);
    p_.acks.reset(p_.eos_committed);
    p_.offsets->rewind(p_.eos_committed);
    p_.offsets->forget_loaded();
  }

  std::vector<pg::TableRef> captured;
  auto repl = connect(captured);
  if (!repl) return repl.error();

  if (auto s = wait_while_slot_active(); !s) return s;
  if (p_.stopping()) return ok_status();
  // Only now (not while waiting as a hot standby): fence earlier producers of this transactional.id and
  // abort what they left open, so the offsets read next are the last committed ones.
  if (p_.eos != nullptr) {
    if (auto s = p_.eos->init(); !s) return s;
  }
  auto stored = p_.offsets->load();
  if (!stored) return stored.error();
  if (p_.eos != nullptr && *stored) p_.eos_committed = std::max(p_.eos_committed, (**stored).lsn);
  auto slot = pg::find_slot(*p_.catalog, p_.config.slot_name);
  if (!slot) return slot.error();
  adopt_offsets(*stored, *slot);
  // A slot ahead of the stored offsets, or missing while offsets exist, was recreated, advanced by another
  // client or dropped: the changes in between may be gone. Never skip them silently.
  auto mode = p_.config.snapshot_mode;
  // always: at every start of sluice, not again when reconnecting after a transient failure.
  if (mode == config::SnapshotMode::kAlways && snapshot_taken_) mode = config::SnapshotMode::kInitial;
  // always re-snapshots at every start and initial_only does not use the slot: no check applies to them.
  const bool resnapshots =
      mode == config::SnapshotMode::kAlways || mode == config::SnapshotMode::kInitialOnly;
  if (mode == config::SnapshotMode::kInitialOnly) {
    // Debezium's initial_only: snapshot, then no streaming (Debezium then idles; sluice exits 0). No slot is
    // created or used, no offsets are stored: each run takes the snapshot again.
    Lsn snapshot_lsn;
    if (auto s = run_snapshot(nullptr, captured, snapshot_lsn); !s) return s;
    if (!p_.stopping()) log()->info("snapshot.mode=initial_only: snapshot done, stopping without streaming");
    return ok_status();
  }
  if (auto s = check_slot(*slot, *stored, mode, resnapshots); !s) return s;
  Lsn start;
  bool snapshotted = false;
  if (*slot && mode == config::SnapshotMode::kAlways && (**slot).active) {
    return Error::transient(
        fmt::format("replication slot '{}' is active for PID {}: another client is "
                    "streaming from it; waiting for it to be released",
                    p_.config.slot_name, (**slot).active_pid.value_or(0)));
  }
  if (*slot && mode != config::SnapshotMode::kAlways) {
    const auto& info = **slot;
    if (info.plugin != "pgoutput") {
      return Error::fatal(
          fmt::format("replication slot '{}' uses plugin '{}', not pgoutput: drop it with SELECT "
                      "pg_drop_replication_slot('{}') or set slot.name to another slot",
                      p_.config.slot_name, info.plugin, p_.config.slot_name));
    }
    if (info.active) {
      return Error::transient(
          fmt::format("replication slot '{}' is active for PID {}: another client is "
                      "streaming from it; waiting for it to be released",
                      p_.config.slot_name, info.active_pid.value_or(0)));
    }
    // Past the slot's position when Kafka acknowledged more than Postgres was told: no duplicates.
    start = std::max({info.confirmed_flush, p_.acks.flush_lsn(), *stored ? (**stored).lsn : Lsn{}});
    log()->info("resuming from existing slot {} at LSN {} (confirmed_flush_lsn {})", p_.config.slot_name,
                start.str(), info.confirmed_flush.str());
  } else if (mode != config::SnapshotMode::kNoData) {
    if (*stored && !*slot) {
      log()->warn(
          "replication slot {} is missing while offsets exist (LSN {}): taking a new snapshot "
          "(snapshot.mode=when_needed)",
          p_.config.slot_name, (**stored).lsn.str());
    }
    if (auto s = run_snapshot(&*repl, captured, start); !s) return s;
    if (p_.stopping()) return ok_status();
    snapshotted = true;
    snapshot_taken_ = true;
    // The snapshot's temporary slot ends with this connection; stream on a fresh one.
    auto fresh = pg::Connection::connect(p_.config.conninfo(true));
    if (!fresh) return fresh.error();
    repl = std::move(fresh);
  } else {
    auto created = pg::create_slot(*repl, p_.config.slot_name, false, false);
    if (!created) return created.error();
    created_slot_ = true;
    start = created->consistent_point;
    log()->info("created replication slot {} at LSN {} (snapshot.mode=no_data: streaming only)",
                p_.config.slot_name, start.str());
  }
  return stream_from(std::move(*repl), start, /*resumed=*/*slot && !snapshotted);
}

Status Connector::wait_while_slot_active() {
  // Hot standby: while another client (typically another sluice) streams from the slot, wait and poll, and
  // take over within about a second of it going away. Its offsets move on meanwhile: read them afresh.
  auto last_log = Clock::now() - std::chrono::hours(1);
  bool waited = false;
  // Fenced (exactly-once): the instance that fenced this one initialized its producer just before it starts
  // streaming from the slot; give it time to appear there.
  const auto fence_grace = Clock::now() + std::chrono::seconds(10);
  while (!p_.stopping()) {
    auto slot = pg::find_slot(*p_.catalog, p_.config.slot_name);
    if (!slot) return slot.error();
    if (!*slot || !(**slot).active) {
      if (waited || fences_without_standby_ == 0) break;
      // Fenced, and nobody streams from the slot: either the instance that fenced this one streamed from
      // it and is gone already (it committed offsets past ours), or it streams from another slot.
      p_.offsets->forget_loaded();
      auto stored = p_.offsets->load();
      if (!stored) return stored.error();
      if (*stored && (**stored).lsn > p_.eos_committed) {
        log()->info("the instance that fenced this one streamed up to LSN {} and stopped: taking over",
                    (**stored).lsn.str());
        p_.offsets->forget_loaded();
        fences_without_standby_ = 0;
        break;
      }
      if (Clock::now() > fence_grace) {
        return Error::fatal(fmt::format(
            "fenced by another producer with transactional.id '{}' that does not stream from replication "
            "slot '{}': give each connector its own transactional.id",
            p_.config.transactional_id, p_.config.slot_name));
      }
      for (auto until = Clock::now() + std::chrono::milliseconds(500);
           Clock::now() < until && !p_.stopping();) {
        p_.sink->poll(50);
      }
      continue;
    }
    if (Clock::now() - last_log > std::chrono::seconds(60)) {
      log()->warn(
          "replication slot '{}' is active for PID {}: another client is streaming from it; waiting as a "
          "hot standby, taking over when it is released",
          p_.config.slot_name, (**slot).active_pid.value_or(0));
      last_log = Clock::now();
    }
    waited = true;
    phase_ = Phase::kStandby;
    for (auto until = Clock::now() + std::chrono::milliseconds(500);
         Clock::now() < until && !p_.stopping();) {
      p_.sink->poll(50);
    }
  }
  if (waited) {
    log()->info("replication slot '{}' was released: taking over", p_.config.slot_name);
    p_.offsets->forget_loaded();
    fences_without_standby_ = 0;
    if (p_.eos != nullptr && p_.eos->initialized()) {
      // Exactly-once: whoever held the slot initialized our transactional.id after us, so this producer is
      // fenced; take over with a new one.
      log()->info("exactly-once: a new transactional producer for transactional.id {}",
                  p_.config.transactional_id);
      if (auto s = make_sink(); !s) return s;
    }
  }
  return ok_status();
}

}  // namespace sluice::connector
