// Connector lifecycle and the streaming loop (one thread owns the replication connection; librdkafka
// sends on its own threads and its delivery reports come back through poll() on this thread).
#include "app/connector.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <tuple>

#include "app/retry_policy.h"
#include "common/log.h"
#include "event/heartbeat.h"
#include "pg/copy_frame.h"
#include "sink/direct_factory.h"
#include "sink/kafka_producer.h"
#include "sink/null_sink.h"
#include "sink/transforming_sink.h"
#include "snapshot/checkpoint.h"
#include "snapshot/initial_snapshot.h"
#include "snapshot/parallel_snapshot.h"
#include "snapshot/progress.h"

namespace sluice::app {

namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("connector");
  return l;
}

int64_t unix_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

event::ConverterOptions converter_options(const config::Config& c) {
  event::ConverterOptions o;
  o.decimal = static_cast<event::ConverterOptions::DecimalMode>(c.decimal_mode);
  o.time_precision = static_cast<event::ConverterOptions::TimePrecisionMode>(c.time_precision_mode);
  o.binary = static_cast<event::ConverterOptions::BinaryMode>(c.binary_mode);
  o.interval = static_cast<event::ConverterOptions::IntervalMode>(c.interval_mode);
  o.hstore = static_cast<event::ConverterOptions::HstoreMode>(c.hstore_mode);
  o.unavailable_value_placeholder = c.unavailable_value_placeholder;
  o.include_unknown_datatypes = c.include_unknown_datatypes;
  o.compat_minor = c.compat_minor;
  o.column_rules = c.column_rules;
  return o;
}

event::SerializerOptions serializer_options(const config::Config& c) {
  event::SerializerOptions o;
  o.server_name = c.topic_prefix;
  o.database = c.dbname;
  o.key_schemas_enable = c.key_schemas_enable;
  o.value_schemas_enable = c.value_schemas_enable;
  o.compat_minor = c.compat_minor;
  return o;
}

// Whether an update's old tuple holds the whole message key: a full old row ('O') does; a key-only one
// ('K') carries the replica identity's columns and nulls for the others.
bool old_key_known(const event::TableSchema& t, char old_kind, const decode::Tuple& old_tuple) {
  if (old_kind == 'O') return true;
  const auto& columns = t.info().columns;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!columns[i].key) continue;
    if (i >= old_tuple.size() || old_tuple[i].kind != decode::TupleValue::Kind::kText) return false;
  }
  return true;
}

// The temporary slot that holds the exported snapshot; copied to the real slot once the snapshot is
// acknowledged, so a crash mid-snapshot leaves no slot behind and the next start snapshots again.
std::string snapshot_slot_name(const std::string& slot) {
  std::string base = slot.substr(0, std::min<size_t>(slot.size(), 50));
  return base + "_snapshot";
}

}  // namespace

Connector::Connector(config::Config config, const std::atomic<bool>& stop)
    : config_(std::move(config)),
      stop_(stop),
      serializer_(serializer_options(config_)),
      transaction_topic_(config_.topic_prefix + config_.topic_delimiter + config_.transaction_topic),
      messages_(serializer_options(config_), converter_options(config_).binary),
      message_topic_(config_.topic_prefix + ".message") {
  if (config_.provide_transaction_metadata) {
    tx_metadata_.emplace(config_.key_schemas_enable, config_.value_schemas_enable);
  }
  if (config_.latency_log_interval_ms > 0) latency_.emplace();
}

Connector::~Connector() = default;

void Connector::on_delivery(uint64_t opaque, std::string_view topic, const char* error) {
  if (error != nullptr && eos_ != nullptr) {  // the transaction is aborted and sent again
    eos_->delivery_failed(topic, error);
    return;
  }
  if (OffsetCommitter::is_offset_opaque(opaque)) {
    offsets_->on_delivery(opaque, error);
    return;
  }
  if (opaque == kHeartbeatOpaque) {  // heartbeats carry no change: nothing to confirm
    if (error != nullptr) log()->warn("heartbeat to {} not delivered: {}", topic, error);
    return;
  }
  if (error != nullptr && config_.failure_mode != config::FailureMode::kFail) {
    // The broker refused this one event (e.g. larger than its message.max.bytes): warn/skip drop it.
    if (config_.failure_mode == config::FailureMode::kWarn) {
      log()->warn(
          "Kafka rejected an event for topic '{}': {}; skipped (event.processing.failure.handling.mode=warn)",
          topic, error);
    }
    acks_.acked(opaque);
    return;
  }
  if (error != nullptr) {
    // librdkafka retries transient failures itself (message.timeout.ms=0: forever); what reaches here is
    // permanent (message too large, not authorized, …). Stop without confirming it to Postgres.
    if (!delivery_failed_) {
      delivery_failed_ = true;
      delivery_error_ = fmt::format("Kafka rejected an event for topic '{}': {}", topic, error);
      log()->error("{}", delivery_error_);
    }
    return;
  }
  if (topic_observer_ && topic != last_topic_) {
    last_topic_ = topic;
    if (seen_topics_.insert(last_topic_).second) topic_observer_(last_topic_);
  }
  acks_.acked(opaque);
}

void Connector::fail(const std::string& message) {
  log()->error("{}", message);
  failure_ = message;
}

void Connector::on_delivery_timing(uint64_t opaque, int64_t latency_us, int64_t append_ms) {
  if (!latency_ || opaque == kHeartbeatOpaque || OffsetCommitter::is_offset_opaque(opaque)) return;
  latency_->acked(opaque, latency_us, append_ms, unix_now_us());
}

void Connector::note_produced(offsets::AckTracker::TxId tx) {
  if (latency_ && tx_.open && tx == tx_.id) {
    latency_->produced(tx_.commit_time_us, frame_sent_us_, frame_received_us_, unix_now_us());
  }
}

// Kafka refused sluice's credentials or TLS: nothing can be delivered until the configuration changes.
// Stop (exit 1) without confirming anything further to Postgres.
void Connector::on_client_error(const std::string& message) {
  if (!delivery_failed_) {
    delivery_failed_ = true;
    delivery_error_ = message;
  }
}

Status Connector::make_sink() {
  offsets_.reset();  // holds a pointer to the sink
  producer_.reset();
  eos_ = nullptr;
  if (sink_factory_) {
    producer_ = sink_factory_(this);
  } else if (config_.sink_type == config::SinkType::kNull) {
    log()->warn("sink.type=null: events are serialized and discarded, nothing is sent to Kafka");
    producer_ = std::make_unique<sink::NullSink>(this);
  } else if (sink::is_direct(config_.sink_type)) {
    // file / http / redis / nats: idempotency keys from the change's place in its transaction.
    auto direct =
        sink::make_direct_sink(config_, this, [this](uint64_t opaque) -> std::optional<sink::StreamPosition> {
          if (!tx_.open || !tx_.replayable || opaque != tx_.id) return std::nullopt;  // heartbeats, offsets
          return sink::StreamPosition{tx_.commit_lsn, tx_.messages};
        });
    if (!direct) return direct.error();
    producer_ = std::move(*direct);
  } else {
    auto properties = config_.producer_properties;
    if (config_.exactly_once) {
      // librdkafka wants message.timeout.ms <= transaction.timeout.ms (no infinite delivery timeout): a
      // message that times out aborts its transaction, which is then sent again.
      properties["transactional.id"] = config_.transactional_id;
      std::string txn_timeout = properties.try_emplace("transaction.timeout.ms", "300000").first->second;
      properties.try_emplace("message.timeout.ms", txn_timeout);
    }
    sink::QueueLimits queue{config_.max_queue_size, config_.max_queue_size_in_bytes, config_.max_batch_size};
    auto producer = sink::KafkaProducer::create(config_.bootstrap_servers, properties, this, queue);
    if (!producer) return producer.error();
    (*producer)->set_interrupt([this] { return stop_.load(); });  // SIGTERM while Kafka is unreachable
    if (config_.exactly_once) {
      sink::TransactionalSink::Limits limits{config_.transaction_interval_ms, config_.transaction_max_events,
                                             config_.transaction_max_bytes};
      auto eos =
          std::make_unique<sink::TransactionalSink>(std::move(*producer), config_.transactional_id, limits);
      eos_ = eos.get();
      producer_ = std::move(eos);
      log()->info("exactly-once delivery: transactional.id {}, a Kafka transaction every {} ms / {} events",
                  config_.transactional_id, config_.transaction_interval_ms, config_.transaction_max_events);
    } else {
      producer_ = std::move(*producer);
    }
  }
  offsets_ = std::make_unique<OffsetCommitter>(config_, producer_.get(), [this] { return stop_.load(); });
  // transforms=…: every record but the offsets' goes through the chain (Connect never transforms offsets).
  if (config_.transforms)
    producer_ = std::make_unique<sink::TransformingSink>(std::move(producer_), config_.transforms, this);
  return ok_status();
}

int Connector::run() {
  log()->info("starting connector {}: postgres {}:{}/{} slot={} publication={} kafka={} tables: {}",
              config_.name, config_.hostname, config_.port, config_.dbname, config_.slot_name,
              config_.publication_name, config_.bootstrap_servers, config_.filter.describe());
  if (auto s = make_sink(); !s) {
    fail(s.error().message);
    return 2;
  }
  log()->info("offsets are recorded in {}", offsets_->describe());

  RetryPolicy retry(config_.errors_max_retries, std::chrono::milliseconds(config_.retry_delay_initial_ms),
                    std::chrono::milliseconds(config_.retry_delay_max_ms));
  int exit_code = 0;
  while (!stop_.load()) {
    const Lsn flushed_before = acks_.flush_lsn();
    auto st = run_once();
    if (delivery_failed_) {
      failure_ = delivery_error_;
      exit_code = 1;
      break;
    }
    if (st.ok()) break;  // stopped on request
    if (eos_ != nullptr && eos_->fenced()) {
      // Another instance took over the transactional.id (and so the slot): this producer is finished. Go
      // back to being a hot standby with a new one, which fences the other only once the slot is free.
      ++fences_without_standby_;
      log()->warn("{}; returning to hot standby: waiting for replication slot '{}' to be released",
                  st.error().message, config_.slot_name);
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
    if (acks_.flush_lsn() > flushed_before) retry.reset();
    auto delay = retry.next();
    if (!delay) {
      fail(fmt::format("{} — giving up after {} retries (errors.max.retries={})", st.error().message,
                       retry.retries(), config_.errors_max_retries));
      exit_code = 1;
      break;
    }
    log()->warn("{} — retry {} of {} in {} ms", st.error().message, retry.retries(),
                retry.max_retries() < 0 ? std::string("unlimited") : std::to_string(retry.max_retries()),
                delay->count());
    // Let every event already handed to Kafka be acknowledged, so the retry resumes right after the last
    // acknowledged transaction; events of a transaction cut off mid-way are sent again (at-least-once).
    if (producer_->out_queue_len() > 0) {
      log()->info("waiting for Kafka to acknowledge {} in-flight events before reconnecting",
                  producer_->out_queue_len());
      while (producer_->out_queue_len() > 0 && !stop_.load() && !delivery_failed_) producer_->poll(100);
    }
    // The transaction the connection loss cut is sent again from its start: skip what Kafka has.
    if (auto part = acknowledged_part(); part && !replay_) replay_ = part;
    producer_->poll(0);
    for (auto until = Clock::now() + *delay; Clock::now() < until && !stop_.load();) {
      producer_->poll(50);
    }
  }

  // Shutdown: wait for Kafka to acknowledge what is in flight (the final status update was sent by the
  // streaming loop, which flushes before returning).
  if (producer_->out_queue_len() > 0) {
    log()->info("waiting for Kafka to acknowledge {} in-flight events", producer_->out_queue_len());
    if (!producer_->flush(30000)) {
      log()->warn("{} events not acknowledged by Kafka at shutdown; they will be re-sent after restart",
                  producer_->out_queue_len());
    }
  }
  if (exit_code == 0 && config_.slot_drop_on_stop &&
      config_.snapshot_mode != config::SnapshotMode::kInitialOnly) {
    drop_slot_on_stop();
  }
  log()->info("stopped: {} events sent, confirmed LSN {}", events_sent_, acks_.flush_lsn().str());
  return exit_code;
}

void Connector::drop_slot_on_stop() {
  // Debezium's slot.drop.on.stop: no slot (and so no retained WAL) is left behind. The changes until the
  // next start are not kept, so the stored offsets are reset too: the next start snapshots again
  // (snapshot.mode permitting) instead of refusing a missing slot.
  auto conn = pg::Connection::connect(config_.conninfo(false));
  if (!conn) {
    log()->warn("slot.drop.on.stop: cannot drop replication slot {}: {}", config_.slot_name,
                conn.error().message);
    return;
  }
  // The walsender may take a moment to release the slot after the replication connection closed.
  Status dropped = ok_status();
  for (auto until = Clock::now() + std::chrono::seconds(10);;) {
    auto slot = pg::find_slot(*conn, config_.slot_name);
    if (slot && !*slot) return;  // none (never created, or already dropped)
    dropped = pg::drop_slot(*conn, config_.slot_name);
    if (dropped.ok() || Clock::now() > until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!dropped) {
    log()->warn("slot.drop.on.stop: cannot drop replication slot {}: {}", config_.slot_name,
                dropped.error().message);
    return;
  }
  auto reset = offsets_->reset();
  log()->info("slot.drop.on.stop=true: dropped replication slot {}{}", config_.slot_name,
              reset.ok() ? "; stored offsets reset: the next start takes a new snapshot"
                         : "; the stored offsets could not be reset: " + reset.error().message);
}

Status Connector::run_once() {
  schemas_.clear();
  relations_.clear();
  tx_ = CurrentTx{};
  acks_.reset(acks_.flush_lsn());  // a transaction cut off by a lost connection is streamed again
  if (eos_ != nullptr) {
    // Exactly-once: what the open Kafka transaction holds is discarded; resume after the committed offset.
    if (auto s = eos_->abort(); !s) return s;
    eos_->set_auto_commit(true);
    acks_.reset(eos_committed_);
    offsets_->rewind(eos_committed_);
    offsets_->forget_loaded();
  }

  auto repl = pg::Connection::connect(config_.conninfo(true));
  if (!repl) return repl.error();
  log()->info("connected to Postgres {} (database.sslmode={})", repl->tls_description(), config_.sslmode);
  auto problems = pg::check_server(*repl);
  if (!problems.empty()) {
    std::string all;
    for (auto& p : problems) all += "\n  - " + p;
    return Error::fatal(fmt::format("Postgres is not ready for logical replication:{}", all));
  }
  auto cat = pg::Connection::connect(config_.conninfo(false));
  if (!cat) return cat.error();
  catalog_.emplace(std::move(*cat));

  auto tables = pg::list_tables(*catalog_);
  if (!tables) return tables.error();
  std::vector<pg::TableRef> captured;
  for (auto& t : *tables) {
    if (config_.filter.captured(t.schema, t.table)) captured.push_back(t);
  }
  std::string names;
  for (auto& t : captured) names += (names.empty() ? "" : ", ") + t.schema + "." + t.table;
  log()->info("tables captured: {}", names.empty() ? "(none yet)" : names);
  // The signal table is published too (its rows are read from the stream), captured or not.
  auto published = captured;
  for (auto& t : *tables) {
    if (t.schema + "." + t.table == config_.signal_data_collection &&
        !config_.filter.captured(t.schema, t.table)) {
      published.push_back(t);
    }
  }
  if (auto s = ensure_publication(*catalog_, published); !s) return s;

  if (auto s = wait_while_slot_active(); !s) return s;
  if (stopping()) return ok_status();
  // Only now (not while waiting as a hot standby): fence earlier producers of this transactional.id and
  // abort what they left open, so the offsets read next are the last committed ones.
  if (eos_ != nullptr) {
    if (auto s = eos_->init(); !s) return s;
  }
  auto stored = offsets_->load();
  if (!stored) return stored.error();
  if (eos_ != nullptr && *stored) eos_committed_ = std::max(eos_committed_, (**stored).lsn);
  auto slot = pg::find_slot(*catalog_, config_.slot_name);
  if (!slot) return slot.error();
  if (*stored && !(**stored).lsn.valid() && snapshot::Checkpoint::parse((**stored).extra)) {
    // A resumable initial snapshot recorded its tables before creating the slot (LSN 0/0): with the slot it
    // resumes from the slot's consistent point; without it, nothing of it happened.
    if (*slot) {
      (**stored).lsn = (**slot).confirmed_flush;
    } else {
      stored->reset();
    }
  }
  if (*stored && OffsetCommitter::follows_slot(**stored)) {
    // `sluice reset-offsets`: this connector continues from the slot, or snapshots when there is none.
    if (*slot) {
      log()->info("offsets were reset: continuing from replication slot {} at LSN {}", config_.slot_name,
                  (**slot).confirmed_flush.str());
      (**stored).lsn = (**slot).confirmed_flush;
      (**stored).extra.clear();
    } else {
      stored->reset();
    }
  }
  // A stop inside a transaction recorded its acknowledged part (a reconnect in this process knows it).
  if (*stored && (**stored).in_tx && eos_ == nullptr && !replay_) replay_ = (**stored).in_tx;
  if (*stored) {
    log()->info("offsets stored in {}: LSN {}", offsets_->describe(), (**stored).lsn.str());
  } else if (offsets_->enabled()) {
    log()->info("no offsets stored in {} for connector {} (topic.prefix {})", offsets_->describe(),
                config_.name, config_.topic_prefix);
  }
  // A slot ahead of the stored offsets, or missing while offsets exist, was recreated, advanced by another
  // client or dropped: the changes in between may be gone. Never skip them silently.
  auto mode = config_.snapshot_mode;
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
    if (!stopping()) log()->info("snapshot.mode=initial_only: snapshot done, stopping without streaming");
    return ok_status();
  }
  // Whether to snapshot is decided by this connector's stored offsets (as Debezium does), not by the slot:
  // a slot that exists while this connector has none may be another connector's (two configs that both
  // default to slot.name=debezium). Streaming from it would take the changes that connector has not read
  // yet, and skip this connector's snapshot.
  if (*slot && !*stored && offsets_->enabled() && !offsets_->stored_any() && !created_slot_ && !resnapshots) {
    if (!config_.slot_takeover) {
      return Error::fatal(fmt::format(
          "replication slot '{}' exists ({}) but connector {} (topic.prefix {}) has no offsets in {}: the "
          "slot may belong to another connector, and streaming from it would take the changes that "
          "connector has not read yet and skip this connector's snapshot. Give this connector its own "
          "slot.name; or, if the slot is this connector's, confirm with slot.takeover=true or `sluice "
          "reset-offsets CONFIG` (it then continues from the slot without a snapshot)",
          config_.slot_name, pg::slot_activity(*catalog_, config_.slot_name), config_.name,
          config_.topic_prefix, offsets_->describe()));
    }
    log()->warn(
        "slot.takeover=true: continuing from existing replication slot {} although connector {} has no "
        "stored offsets (no snapshot)",
        config_.slot_name, config_.name);
  }
  if (*slot && *stored && (**slot).confirmed_flush > (**stored).lsn && !resnapshots) {
    return Error::fatal(fmt::format(
        "replication slot '{}' is at LSN {} but the offsets in {} say sluice delivered changes only up to "
        "LSN {}: "
        "the slot was recreated or advanced by another client, and the changes in between may be lost. "
        "Check, "
        "then either drop the slot and re-snapshot (snapshot.mode=when_needed), or run `sluice "
        "reset-offsets` "
        "to continue from the slot",
        config_.slot_name, (**slot).confirmed_flush.str(), offsets_->describe(), (**stored).lsn.str()));
  }
  if (!*slot && *stored && mode != config::SnapshotMode::kWhenNeeded && !resnapshots) {
    return Error::fatal(
        fmt::format("replication slot '{}' does not exist, but the offsets in {} say sluice delivered "
                    "changes up to LSN {}: "
                    "the slot was dropped and the changes after that LSN may be lost. Set "
                    "snapshot.mode=when_needed to take "
                    "a new snapshot, or run `sluice reset-offsets` to start over",
                    config_.slot_name, offsets_->describe(), (**stored).lsn.str()));
  }
  Lsn start;
  bool snapshotted = false;
  if (*slot && mode == config::SnapshotMode::kAlways && (**slot).active) {
    return Error::transient(
        fmt::format("replication slot '{}' is active for PID {}: another client is "
                    "streaming from it; waiting for it to be released",
                    config_.slot_name, (**slot).active_pid.value_or(0)));
  }
  if (*slot && mode != config::SnapshotMode::kAlways) {
    const auto& info = **slot;
    if (info.plugin != "pgoutput") {
      return Error::fatal(
          fmt::format("replication slot '{}' uses plugin '{}', not pgoutput: drop it with SELECT "
                      "pg_drop_replication_slot('{}') or set slot.name to another slot",
                      config_.slot_name, info.plugin, config_.slot_name));
    }
    if (info.active) {
      return Error::transient(
          fmt::format("replication slot '{}' is active for PID {}: another client is "
                      "streaming from it; waiting for it to be released",
                      config_.slot_name, info.active_pid.value_or(0)));
    }
    // Past the slot's position when Kafka acknowledged more than Postgres was told: no duplicates.
    start = std::max({info.confirmed_flush, acks_.flush_lsn(), *stored ? (**stored).lsn : Lsn{}});
    log()->info("resuming from existing slot {} at LSN {} (confirmed_flush_lsn {})", config_.slot_name,
                start.str(), info.confirmed_flush.str());
  } else if (mode != config::SnapshotMode::kNoData) {
    if (*stored && !*slot) {
      log()->warn(
          "replication slot {} is missing while offsets exist (LSN {}): taking a new snapshot "
          "(snapshot.mode=when_needed)",
          config_.slot_name, (**stored).lsn.str());
    }
    if (auto s = run_snapshot(&*repl, captured, start); !s) return s;
    if (stopping()) return ok_status();
    snapshotted = true;
    snapshot_taken_ = true;
    // The snapshot's temporary slot ends with this connection; stream on a fresh one.
    auto fresh = pg::Connection::connect(config_.conninfo(true));
    if (!fresh) return fresh.error();
    repl = std::move(fresh);
  } else {
    auto created = pg::create_slot(*repl, config_.slot_name, false, false);
    if (!created) return created.error();
    created_slot_ = true;
    start = created->consistent_point;
    log()->info("created replication slot {} at LSN {} (snapshot.mode=no_data: streaming only)",
                config_.slot_name, start.str());
  }
  acks_.reset(std::max(start, acks_.flush_lsn()));
  // A new slot (snapshot or no_data): no commit processed yet, source.sequence starts with null (Debezium's
  // lsn_commit before its first commit); resuming an existing slot: its position. A reconnect in this
  // process keeps what the stream set, or null when this process created the slot (Debezium's offset
  // context survives its reconnects too).
  if (!last_commit_known_) {
    last_commit_lsn_ =
        start.valid() && *slot && !snapshotted && !created_slot_ ? std::optional<Lsn>(start) : std::nullopt;
    last_commit_known_ = true;
  }
  if (auto s = init_incremental(start); !s) return s;
  // Record the starting point before streaming, so the stored offsets are never behind the slot.
  if (eos_ != nullptr) {
    eos_resume_ = start;
    eos_skipping_ = false;
    if (auto s = commit_eos(); !s) return s;
    eos_->set_auto_commit(false);  // the streaming loop ends transactions between Postgres transactions
  } else {
    if (auto s = offsets_->store(start); !s) return s;
    offsets_->wait_durable([this] { return stopping(); });
  }

  pg::ReplicationStream stream(std::move(*repl));
  // pgoutput sends logical decoding messages only when asked (Postgres 14+).
  const bool messages = stream.connection().server_version() >= 140000;
  if (auto s = stream.start(config_.slot_name, start, config_.publication_name, messages); !s) return s;
  log()->info("streaming from slot {} publication {} at LSN {}", config_.slot_name, config_.publication_name,
              start.str());
  return this->stream(stream, start);
}

Status Connector::wait_while_slot_active() {
  // Hot standby: while another client (typically another sluice) streams from the slot, wait and poll, and
  // take over within about a second of it going away. Its offsets move on meanwhile: read them afresh.
  auto last_log = Clock::now() - std::chrono::hours(1);
  bool waited = false;
  // Fenced (exactly-once): the instance that fenced this one initialized its producer just before it starts
  // streaming from the slot; give it time to appear there.
  const auto fence_grace = Clock::now() + std::chrono::seconds(10);
  while (!stopping()) {
    auto slot = pg::find_slot(*catalog_, config_.slot_name);
    if (!slot) return slot.error();
    if (!*slot || !(**slot).active) {
      if (waited || fences_without_standby_ == 0) break;
      // Fenced, and nobody streams from the slot: either the instance that fenced this one streamed from
      // it and is gone already (it committed offsets past ours), or it streams from another slot.
      offsets_->forget_loaded();
      auto stored = offsets_->load();
      if (!stored) return stored.error();
      if (*stored && (**stored).lsn > eos_committed_) {
        log()->info("the instance that fenced this one streamed up to LSN {} and stopped: taking over",
                    (**stored).lsn.str());
        offsets_->forget_loaded();
        fences_without_standby_ = 0;
        break;
      }
      if (Clock::now() > fence_grace) {
        return Error::fatal(fmt::format(
            "fenced by another producer with transactional.id '{}' that does not stream from replication "
            "slot '{}': give each connector its own transactional.id",
            config_.transactional_id, config_.slot_name));
      }
      for (auto until = Clock::now() + std::chrono::milliseconds(500); Clock::now() < until && !stopping();) {
        producer_->poll(50);
      }
      continue;
    }
    if (Clock::now() - last_log > std::chrono::seconds(60)) {
      log()->warn(
          "replication slot '{}' is active for PID {}: another client is streaming from it; waiting as a "
          "hot standby, taking over when it is released",
          config_.slot_name, (**slot).active_pid.value_or(0));
      last_log = Clock::now();
    }
    waited = true;
    for (auto until = Clock::now() + std::chrono::milliseconds(500); Clock::now() < until && !stopping();) {
      producer_->poll(50);
    }
  }
  if (waited) {
    log()->info("replication slot '{}' was released: taking over", config_.slot_name);
    offsets_->forget_loaded();
    fences_without_standby_ = 0;
    if (eos_ != nullptr && eos_->initialized()) {
      // Exactly-once: whoever held the slot initialized our transactional.id after us, so this producer is
      // fenced; take over with a new one.
      log()->info("exactly-once: a new transactional producer for transactional.id {}",
                  config_.transactional_id);
      if (auto s = make_sink(); !s) return s;
    }
  }
  return ok_status();
}

Status Connector::ensure_publication(pg::Connection& conn, const std::vector<pg::TableRef>& captured) {
  auto r = conn.exec_params("SELECT puballtables FROM pg_publication WHERE pubname = $1",
                            {config_.publication_name});
  if (!r) return r.error();
  bool exists = PQntuples(r->get()) > 0;
  const auto mode = config_.publication_autocreate;
  auto table_list = [&] {
    std::string s;
    for (auto& t : captured) s += (s.empty() ? "" : ", ") + pg::qualified_name(conn, t.schema, t.table);
    return s;
  };
  auto pub = conn.escape_identifier(config_.publication_name);
  // Debezium 3.6 (dbz#1970): an explicitly set skipped.operations leaves the skipped operations out of the
  // publication it creates, so Postgres does not send them at all.
  const bool limit_publish =
      config_.compat_minor >= 6 && config_.skipped_operations_set &&
      (config_.skip_create || config_.skip_update || config_.skip_delete || config_.skip_truncate);
  std::string publish, with;
  if (limit_publish) {
    for (auto [skip, op] :
         {std::pair{config_.skip_create, "insert"}, std::pair{config_.skip_update, "update"},
          std::pair{config_.skip_delete, "delete"}, std::pair{config_.skip_truncate, "truncate"}}) {
      if (!skip) publish += (publish.empty() ? "" : ",") + std::string(op);
    }
    with = fmt::format(" WITH (publish = '{}')", publish);
  }
  if (mode == config::AutocreateMode::kDisabled) {
    if (!exists) {
      return Error::fatal(
          fmt::format("publication '{}' does not exist and publication.autocreate.mode=disabled: "
                      "create it (CREATE PUBLICATION {} FOR TABLE …) or change the mode",
                      config_.publication_name, pub));
    }
    return ok_status();
  }
  // A publication of updates and deletes makes Postgres refuse the UPDATE and DELETE of a table it covers
  // that has no replica identity: the applications' writes would fail.
  auto keyless = pg::tables_without_replica_identity(conn);
  if (!keyless) return keyless.error();
  auto listed = [](const std::vector<std::string>& tables) {
    std::string s;
    for (const auto& t : tables) s += (s.empty() ? "" : ", ") + t;
    return s;
  };
  std::vector<std::string> captured_keyless;
  for (const auto& t : captured) {
    if (std::find(keyless->begin(), keyless->end(), t.schema + "." + t.table) != keyless->end()) {
      captured_keyless.push_back(t.schema + "." + t.table);
    }
  }
  auto effective = mode;
  if (mode == config::AutocreateMode::kAllTables && !config_.publication_autocreate_explicit &&
      !keyless->empty() && !captured.empty() &&
      (!exists || std::string_view(PQgetvalue(r->get(), 0, 0)) != "t")) {
    // sluice's default goes beyond Debezium's here: a filtered publication covers only the captured tables.
    effective = config::AutocreateMode::kFiltered;
    if (!exists) {
      log()->warn(
          "publication.autocreate.mode is not set and {} table(s) have no replica identity: {}. A "
          "publication FOR ALL TABLES would make Postgres refuse their UPDATE and DELETE, so publication {} "
          "is created FOR TABLE the captured tables (filtered; kept in sync at each start). Set "
          "publication.autocreate.mode=all_tables for Debezium's default, or give the tables a replica "
          "identity (ALTER TABLE … REPLICA IDENTITY FULL, or a primary key)",
          keyless->size(), listed(*keyless), config_.publication_name);
    }
  }
  if (effective == config::AutocreateMode::kAllTables) {
    if (!exists) {
      if (!keyless->empty()) {
        log()->warn(
            "creating publication {} FOR ALL TABLES: Postgres will refuse UPDATE and DELETE on these {} "
            "table(s) without a replica identity: {}. Fix each with ALTER TABLE <table> REPLICA IDENTITY "
            "FULL (or add a primary key), or set publication.autocreate.mode=filtered to publish only the "
            "captured tables",
            config_.publication_name, keyless->size(), listed(*keyless));
      }
      if (auto s = conn.run(fmt::format("CREATE PUBLICATION {} FOR ALL TABLES{}", pub, with)); !s) return s;
      log()->info("created publication {} FOR ALL TABLES{}", config_.publication_name, with);
    }
    return ok_status();
  }
  if (!captured_keyless.empty() && !exists) {
    log()->warn(
        "creating publication {} FOR TABLE the captured tables: Postgres will refuse UPDATE and DELETE "
        "on these captured table(s) without a replica identity: {}. Fix each with ALTER TABLE <table> "
        "REPLICA IDENTITY FULL (or add a primary key)",
        config_.publication_name, listed(captured_keyless));
  }
  // filtered: the publication lists exactly the captured tables.
  if (captured.empty()) {
    return Error::fatal(
        fmt::format("publication.autocreate.mode=filtered but no table matches the filters ({})",
                    config_.filter.describe()));
  }
  if (!exists) {
    if (auto s = conn.run(fmt::format("CREATE PUBLICATION {} FOR TABLE {}{}", pub, table_list(), with)); !s) {
      return s;
    }
    log()->info("created publication {} FOR TABLE {}{}", config_.publication_name, table_list(), with);
  } else if (std::string_view(PQgetvalue(r->get(), 0, 0)) == "t") {
    log()->warn("publication {} is FOR ALL TABLES; filtered mode leaves it as it is",
                config_.publication_name);
  } else {
    if (auto s = conn.run(fmt::format("ALTER PUBLICATION {} SET TABLE {}", pub, table_list())); !s) return s;
    // Debezium 3.6 appends the WITH clause to this ALTER, which Postgres rejects; its intent, in two steps.
    if (limit_publish) {
      if (auto s = conn.run(fmt::format("ALTER PUBLICATION {} SET (publish = '{}')", pub, publish)); !s)
        return s;
    }
  }
  return ok_status();
}

event::TableInfo Connector::table_info(const pg::CatalogTable& cat) const {
  event::TableInfo info;
  info.oid = cat.oid;
  info.schema = cat.schema;
  info.table = cat.table;
  info.replica_identity = cat.replica_identity;
  for (const auto& c : cat.columns) {
    event::ColumnInfo col;
    col.name = c.name;
    col.type = c.type;
    col.typmod = c.typmod;
    col.optional = !c.not_null;
    col.key = c.primary_key;
    col.key_position = c.pk_position;
    col.type_name = c.type_name;
    col.type_kind = c.type_kind;
    col.enum_values = c.enum_values;
    col.element_kind = c.element_kind;
    col.element_name = c.element_name;
    col.default_expr = c.default_expr;
    info.columns.push_back(std::move(col));
  }
  // message.key.columns: the configured columns, in configured order, replace the primary key as the key.
  std::vector<std::string> names;
  for (const auto& col : info.columns) names.push_back(col.name);
  if (auto key = config_.message_key_columns.key_columns(info.schema, info.table, names); !key.empty()) {
    for (auto& col : info.columns) col.key = false, col.key_position = 0;
    for (size_t i = 0; i < key.size(); ++i) {
      info.columns[key[i]].key = true;
      info.columns[key[i]].key_position = static_cast<int16_t>(i + 1);
    }
  }
  return info;
}

Result<std::shared_ptr<const event::TableSchema>> Connector::schema_for(const pg::CatalogTable& cat) {
  auto schema = event::TableSchema::build(table_info(cat), config_.topic_prefix, converter_options(config_),
                                          config_.topic_delimiter);
  if (!schema) return schema;
  if (auto s = producer_->ensure_topic((*schema)->topic(), 30000); !s) return s.error();
  return schema;
}

Status Connector::run_snapshot(pg::Connection* repl, const std::vector<pg::TableRef>& captured, Lsn& start) {
  // repl: the snapshot is exported by a temporary slot that becomes the real one at the end. Without it
  // (snapshot.mode=initial_only) the catalog connection's own transaction is the snapshot, and no slot
  // is made.
  const auto tmp_slot = snapshot_slot_name(config_.slot_name);
  std::string snapshot_name;
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
  std::vector<std::string> table_names;
  for (const auto& t : tables) table_names.push_back(t.schema + "." + t.table);
  snapshot::Checkpoint checkpoint(table_names);
  bool resumable = false;
  if (repl != nullptr && offsets_->enabled() && eos_ == nullptr) {
    auto existing = pg::find_slot(*catalog_, config_.slot_name);
    if (!existing) return existing.error();
    resumable = !*existing;
  }
  if (resumable) {
    // Recorded before the slot exists (LSN 0/0): a crash right after creating it resumes from the slot.
    offsets_->progress(Lsn{}, checkpoint.offset_members());
    if (auto s = offsets_->store(Lsn{}); !s) return s;
    offsets_->wait_durable([this] { return stopping(); });
    auto created = pg::create_slot(*repl, config_.slot_name, false, true);
    if (!created) return created.error();
    created_slot_ = true;
    start = created->consistent_point;
    snapshot_name = created->snapshot_name;
    offsets_->progress(start, checkpoint.offset_members());
    if (auto s = offsets_->store(start); !s) return s;
    offsets_->wait_durable([this] { return stopping(); });
    log()->info("created replication slot {} at LSN {}; the initial snapshot is resumable", config_.slot_name,
                start.str());
  } else if (repl != nullptr) {
    if (auto old = pg::find_slot(*catalog_, tmp_slot); old && *old && !(**old).active && !(**old).temporary) {
      (void)pg::drop_slot(*catalog_, tmp_slot);
    }
    auto created = pg::create_slot(*repl, tmp_slot, true, true);
    if (!created) return created.error();
    start = created->consistent_point;
    snapshot_name = created->snapshot_name;
  }

  const int threads = config_.snapshot_max_threads;
  snapshot::InitialSnapshot snap(*catalog_, config_.snapshot_fetch_size);
  // The slot's exported snapshot is read under REPEATABLE READ whatever snapshot.isolation.mode says (as
  // Debezium does); without a slot (initial_only) the mode opens the transaction.
  const auto begin_sql = snapshot::begin_statement(static_cast<int>(config_.snapshot_isolation));
  if (repl == nullptr) log()->info("snapshot transaction: {}", begin_sql);
  if (auto s = snap.begin(snapshot_name, begin_sql); !s) return s;
  if (repl == nullptr) {
    auto lsn = catalog_->exec("SELECT pg_current_wal_lsn()");
    if (!lsn) return lsn.error();
    start = Lsn::parse(PQgetvalue(lsn->get(), 0, 0)).value_or(Lsn{});
    if (threads > 1) {
      auto exported = snap.export_snapshot();
      if (!exported) return exported.error();
      snapshot_name = *exported;
    }
  }

  // Debezium snapshots tables in TableId order (schema, then table name), and moves the "last" marker to the
  // last row emitted when the last tables are empty (MarkerSequencer holds a table's last row back for that).
  log()->info("snapshot: {} at LSN {} for {} of {} captured tables, {} thread(s)",
              repl != nullptr ? "exported snapshot " + snapshot_name : std::string("transaction snapshot"),
              start.str(), tables.size(), captured.size(), threads);

  // Catalog, schema (and topic), select override and size of each table, read up front.
  const bool parallel = threads > 1;
  const bool tid_ranges = catalog_->server_version() >= 140000;  // TID Range Scan
  std::vector<pg::CatalogTable> cats;
  std::vector<std::shared_ptr<const event::TableSchema>> schemas;
  std::vector<std::optional<std::string>> overrides;
  std::vector<snapshot::TableSize> sizes;
  std::vector<snapshot::Progress::Table> progress_tables;
  for (const auto& t : tables) {
    auto cat = pg::load_table(*catalog_, t.oid);
    if (!cat) return cat.error();
    auto schema = schema_for(*cat);
    if (!schema) return schema.error();
    // With several readers every table's size is read now (pg_relation_size waits for a table's lock, as
    // reading it would); one reader reads each table's size when it gets to the table (planned below).
    auto size = snapshot::table_size(*catalog_, t.oid, parallel);
    if (!size) return size.error();
    auto it = config_.snapshot_select_overrides.find(t.schema + "." + t.table);
    overrides.push_back(it == config_.snapshot_select_overrides.end()
                            ? std::nullopt
                            : std::optional<std::string>(it->second));
    size->splittable = tid_ranges && !overrides.back();
    progress_tables.push_back({t.schema + "." + t.table, size->estimate});
    cats.push_back(std::move(*cat));
    schemas.push_back(std::move(*schema));
    sizes.push_back(*size);
  }
  snapshot::Progress progress(std::move(progress_tables), std::chrono::seconds(5));

  // Tables with a primary key larger than a chunk are read in key ranges: the unit of resumption, and of
  // parallel reads. Per chunk: one acknowledgement unit, so a range is known to be in Kafka before the
  // snapshot ends.
  struct ChunkState {
    offsets::AckTracker::TxId tx = 0;
    uint64_t read = 0, emitted = 0;
    bool read_done = false;
  };
  std::vector<snapshot::Chunk> chunks;
  std::vector<ChunkState> chunk_state;
  std::vector<std::vector<size_t>> table_chunks(tables.size());  // empty until the table is planned
  std::vector<size_t> chunks_left(tables.size());
  auto plan_table = [&](size_t ti, int64_t target_pages) -> Status {
    if (!overrides[ti] && sizes[ti].pages > target_pages) {
      const int pieces = static_cast<int>((sizes[ti].pages + target_pages - 1) / target_pages);
      auto bounds = snapshot::key_boundaries(*catalog_, cats[ti], sizes[ti].pages, pieces);
      if (!bounds) return bounds.error();
      sizes[ti].key_bounds = std::move(*bounds);
    }
    for (auto& c : snapshot::plan_table_chunks(sizes[ti], ti, threads, target_pages)) {
      table_chunks[ti].push_back(chunks.size());
      chunks.push_back(std::move(c));
      chunk_state.push_back(ChunkState{acks_.begin(start), 0, 0, false});
    }
    chunks_left[ti] = table_chunks[ti].size();
    if (chunks_left[ti] > 1) {
      log()->info("snapshot of {}.{}: {} chunks ({})", cats[ti].schema, cats[ti].table, chunks_left[ti],
                  sizes[ti].key_bounds.empty() ? "page ranges" : "primary-key ranges");
    }
    return ok_status();
  };
  if (parallel) {
    const int64_t target_pages = snapshot::chunk_pages(sizes, threads);
    for (size_t ti = 0; ti < tables.size(); ++ti) {
      if (auto s = plan_table(ti, target_pages); !s) return s;
    }
    log()->info("snapshot: {} chunks for {} threads", chunks.size(), threads);
  }

  auto next_checkpoint = Clock::now() + std::chrono::seconds(5);
  // Records the tables whose rows were all read, emitted and acknowledged, and for the others the end of
  // the leading key ranges that were (and, every few seconds, the row counts for `sluice status`).
  auto checkpoint_tables = [&](bool force) -> Status {
    if (!resumable) return ok_status();
    bool changed = false;
    for (size_t ti = 0; ti < tables.size(); ++ti) {
      checkpoint.set_rows(ti, progress.table(ti).rows);
      if (checkpoint.done(ti) || table_chunks[ti].empty()) continue;  // done, or not planned yet
      std::vector<const snapshot::Chunk*> mine;
      std::vector<bool> in_kafka;
      for (size_t ci : table_chunks[ti]) {
        const auto& c = chunk_state[ci];
        mine.push_back(&chunks[ci]);
        in_kafka.push_back(c.read_done && c.emitted == c.read && acks_.all_acked(c.tx));
      }
      if (std::all_of(in_kafka.begin(), in_kafka.end(), [](bool b) { return b; })) {
        changed |= checkpoint.mark_done(ti);
      } else {
        changed |= checkpoint.set_resume(ti, snapshot::resume_condition(*catalog_, cats[ti], mine, in_kafka));
      }
    }
    if (!changed && !force && Clock::now() < next_checkpoint) return ok_status();
    next_checkpoint = Clock::now() + std::chrono::seconds(5);
    offsets_->progress(start, checkpoint.offset_members());
    return offsets_->store(start);
  };
  const int64_t ts_us = unix_now_us();
  auto read_event = [&, tx_id = snap.tx_id()](size_t ti, std::span<const decode::TupleValue> row,
                                              std::string_view marker, int64_t now_us) {
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
  };
  // Publishes one row of chunk `ci`: `publish` emits it (from the event, or as encoded by a snapshot worker).
  auto emit_row_with = [&](size_t ti, size_t ci, auto&& publish) -> Status {
    if (stopping()) return Error::transient("stopped during the snapshot");
    progress.add(ti, 1);
    // Serve delivery reports as they come, so what the sink holds for them stays small.
    if ((progress.rows() & 1023) == 0) {
      producer_->poll(0);
      progress.maybe_log();
      if (auto s = checkpoint_tables(false); !s) return s;
    }
    Status st = publish();
    // Counted once handed to the sink (its acknowledgement unit counts it from there on): until then the
    // chunk is not complete.
    ++chunk_state[ci].emitted;
    if (st.ok()) return st;
    return apply_failure_mode(Error{
        st.error().kind,
        fmt::format("{} (snapshot of table {}.{})", st.error().message, cats[ti].schema, cats[ti].table)});
  };
  auto row_values = [&](size_t ti, const PGresult* res, int row, std::vector<decode::TupleValue>& values) {
    values.resize(cats[ti].columns.size());
    snapshot::row_values(res, row, values);
  };
  // With several threads, each worker converts and serializes its rows as plain snapshot reads (marker
  // "true", ts_ms once per slice) with its own serializer; this thread publishes them, re-serializing only
  // the few rows whose marker differs (first/last) and any row a worker could not encode (to report it as
  // usual).
  auto encoders = [&]() -> snapshot::Encoder {
    struct State {
      explicit State(event::SerializerOptions options) : serializer(std::move(options)) {}
      event::JsonSerializer serializer;
      std::vector<decode::TupleValue> values;
      std::string key, value;
    };
    auto st = std::make_shared<State>(serializer_options(config_));
    return [&, st](size_t ti, const PGresult* res, int first, int count, snapshot::EncodedRows& out) {
      out.messages.assign(static_cast<size_t>(count), {});
      if (PQnfields(res) != static_cast<int>(cats[ti].columns.size())) return;  // reported by the consumer
      const int64_t now_us = unix_now_us();
      for (int i = 0; i < count; ++i) {
        row_values(ti, res, first + i, st->values);
        auto ev = read_event(ti, st->values, "true", now_us);
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
  std::vector<decode::TupleValue> values;
  // Rows are emitted with the markers of MarkerSequencer (which also orders the interleaved chunks of
  // several workers as the sequential snapshot would mark them).
  snapshot::MarkerSequencer markers(
      tables.size(), [&](const snapshot::MarkerSequencer::Row& r, std::string_view marker) -> Status {
        if (r.encoded != nullptr && marker == "true") {
          const auto& m = r.encoded->at(r.index);
          if (m.ok) {
            return emit_row_with(r.table, r.chunk, [&] {
              return emit_encoded(*schemas[r.table],
                                  m.has_key ? std::optional(r.encoded->key(m)) : std::nullopt,
                                  r.encoded->value(m), chunk_state[r.chunk].tx);
            });
          }
        }
        row_values(r.table, r.batch->get(), r.index, values);
        return emit_row_with(r.table, r.chunk, [&] {
          return emit(read_event(r.table, values, marker, unix_now_us()), chunk_state[r.chunk].tx);
        });
      });
  // One batch of rows, or the end of a chunk, from the reader(s).
  auto handle = [&](const snapshot::Batch& batch) -> Status {
    const size_t ti = batch.table;
    if (batch.kind == snapshot::Batch::Kind::kChunkDone) {
      chunk_state[batch.chunk].read_done = true;
      if (--chunks_left[ti] == 0) {
        progress.done(ti);
        // The rows read: the table's last row is still held back by the sequencer (for its marker), so the
        // emitted count would be one short.
        uint64_t rows = 0;
        for (size_t ci : table_chunks[ti]) rows += chunk_state[ci].read;
        log()->info("snapshot of {}.{}: {} rows", cats[ti].schema, cats[ti].table, rows);
        return markers.table_done(ti);
      }
      return checkpoint_tables(false);
    }
    if (PQnfields(batch.rows->get()) != static_cast<int>(cats[ti].columns.size())) {
      return Error::fatal(fmt::format(
          "snapshot of {}.{}: the SELECT returned {} columns, the table has {} (a "
          "snapshot.select.statement.overrides statement must return the table's columns in order)",
          cats[ti].schema, cats[ti].table, PQnfields(batch.rows->get()), cats[ti].columns.size()));
    }
    chunk_state[batch.chunk].read += static_cast<uint64_t>(batch.count);
    return markers.rows(ti, batch.rows, batch.count, batch.first, batch.encoded, batch.chunk);
  };

  if (!parallel) {
    // One reader: table by table, each planned when its turn comes, its chunks in order on the snapshot
    // transaction's own connection.
    for (size_t ti = 0; ti < tables.size() && !stopping(); ++ti) {
      auto size = snapshot::table_size(*catalog_, tables[ti].oid, true);
      if (!size) return size.error();
      sizes[ti].pages = size->pages;
      if (auto s = plan_table(ti, snapshot::chunk_pages({sizes[ti]}, threads)); !s) return s;
      for (size_t ci : table_chunks[ti]) {
        if (stopping()) break;
        Status handled = ok_status();
        auto read = snapshot::read_chunk(*catalog_, cats[ti], overrides[ti], chunks[ci], ci,
                                         config_.snapshot_fetch_size, {}, [&](snapshot::Batch b) {
                                           handled = handle(b);
                                           return handled.ok();
                                         });
        if (!read) return stopping() ? ok_status() : read;
        if (!handled) return stopping() ? ok_status() : handled;
      }
    }
  } else {
    // Workers read chunks on their own connections; this thread publishes (the sink is not thread-safe).
    std::vector<snapshot::ParallelSnapshot::Job> jobs;
    for (size_t ti = 0; ti < tables.size(); ++ti) jobs.push_back({&cats[ti], overrides[ti]});
    snapshot::ParallelSnapshot par(config_.conninfo(false), snapshot_name, threads,
                                   config_.snapshot_fetch_size, encoders);
    par.start(jobs, chunks);
    for (;;) {
      if (stopping()) return ok_status();
      auto batch = par.next(std::chrono::milliseconds(100));
      if (!batch) {
        producer_->poll(0);
        progress.maybe_log();
        if (auto s = checkpoint_tables(false); !s) return s;
        continue;
      }
      using Kind = snapshot::Batch::Kind;
      if (batch->kind == Kind::kFinished) break;
      if (batch->kind == Kind::kError) return *batch->error;
      if (auto s = handle(*batch); !s) return stopping() ? ok_status() : s;
    }
  }
  if (stopping()) return ok_status();
  if (auto s = markers.finish(); !s) return stopping() ? ok_status() : s;
  if (auto s = snap.commit(); !s) return s;
  for (const auto& c : chunk_state) acks_.commit(c.tx, start);
  if (auto s = wait_for_acks(); !s) return s;
  if (stopping()) {
    if (resumable) (void)checkpoint_tables(true);
    return ok_status();
  }
  if (resumable) {
    // Every row is in Kafka: the offsets no longer carry the checkpoint; the slot exists already.
    offsets_->progress(start, "");
    if (auto s = offsets_->store(start); !s) return s;
    offsets_->wait_durable([this] { return stopping(); });
    log()->info("initial snapshot complete: {} rows; streaming from replication slot {} at LSN {}",
                progress.rows(), config_.slot_name, start.str());
    return ok_status();
  }
  if (repl == nullptr) {
    log()->info("snapshot complete: {} rows (snapshot.mode=initial_only: no replication slot)",
                progress.rows());
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
                                    {tmp_slot, config_.slot_name});
  if (!copy) return copy.error();
  created_slot_ = true;
  log()->info("initial snapshot complete: {} rows; created replication slot {} at LSN {}", progress.rows(),
              config_.slot_name, start.str());
  return ok_status();
}

Status Connector::apply_failure_mode(Status s) {
  if (s.ok() || s.error().kind != ErrorKind::kData) return s;
  switch (config_.failure_mode) {
    case config::FailureMode::kFail:
      return Error::fatal(
          fmt::format("{} (event.processing.failure.handling.mode=fail: set it to warn or skip to "
                      "skip such events)",
                      s.error().message));
    case config::FailureMode::kWarn:
      log()->warn("skipped an event: {} (event.processing.failure.handling.mode=warn)", s.error().message);
      return ok_status();
    case config::FailureMode::kSkip:
      log()->debug("skipped an event: {}", s.error().message);
      return ok_status();
  }
  return s;
}

Status Connector::commit_eos() {
  // Every message of the transaction acknowledged: acks_.flush_lsn() then covers all of them (the loop
  // commits only between Postgres transactions).
  while (producer_->out_queue_len() > 0) producer_->poll(50);
  const Lsn lsn = acks_.flush_lsn();
  if (lsn > eos_committed_) {
    if (auto s = offsets_->store(lsn); !s) return s;
  }
  if (!eos_->open()) return ok_status();
  if (auto s = eos_->commit(); !s) return s;
  eos_committed_ = std::max(eos_committed_, lsn);
  return ok_status();
}

bool Connector::already_committed(const decode::PgMessage& msg) {
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

Status Connector::wait_for_acks() {
  while (acks_.events_in_flight() > 0 && !stopping()) producer_->poll(100);
  if (delivery_failed_) return Error::fatal(delivery_error_);
  if (eos_ != nullptr && !stopping()) return eos_->commit();
  return ok_status();
}

Status Connector::emit(const event::ChangeEvent& ev, offsets::AckTracker::TxId tx,
                       const std::vector<sink::KafkaHeader>& headers) {
  if (tx_metadata_ && tx_.open && ev.transaction == nullptr) {  // streamed events carry the transaction block
    event::ChangeEvent with_block = ev;
    with_block.transaction = &tx_metadata_->table_event(ev.table->info().schema, ev.table->info().table,
                                                        ev.source.lsn.value_or(Lsn{}));
    return emit(with_block, tx, headers);
  }
  auto has_key = serializer_.key(ev, key_buf_);
  if (!has_key) return has_key.error();
  if (skip_replayed(tx)) return ok_status();  // after the key: a tombstone that follows reuses it
  if (auto s = serializer_.value(ev, value_buf_); !s) return s;
  std::optional<std::string_view> key;
  if (*has_key) key = key_buf_;
  auto st = producer_->produce(ev.table->topic(), key, std::string_view(value_buf_), tx,
                               with_context_headers(headers), [this] { return stopping(); });
  if (!st) return st;
  acks_.sent(tx);
  count_sent(tx);
  ++events_sent_;
  note_produced(tx);
  return ok_status();
}

Status Connector::emit_encoded(const event::TableSchema& table, std::optional<std::string_view> key,
                               std::string_view value, offsets::AckTracker::TxId tx) {
  static const std::vector<sink::KafkaHeader> kNoHeaders;
  auto st = producer_->produce(table.topic(), key, value, tx, with_context_headers(kNoHeaders),
                               [this] { return stopping(); });
  if (!st) return st;
  acks_.sent(tx);
  ++events_sent_;
  return ok_status();
}

const std::vector<sink::KafkaHeader>& Connector::with_context_headers(
    const std::vector<sink::KafkaHeader>& headers) {
  if (!config_.extended_headers) return headers;
  if (context_headers_.empty()) {
    // Debezium 3's extended headers: logical name, task, connector type, and an id of this run.
    std::random_device rd;
    std::string run_id = fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:08x}{:04x}", rd(), rd() & 0xFFFF,
                                     rd() & 0xFFF, 0x8000 | (rd() & 0x3FFF), rd(), rd() & 0xFFFF);
    context_headers_ = {{"__debezium.context.connectorLogicalName", config_.topic_prefix},
                        {"__debezium.context.taskId", "0"},
                        {"__debezium.context.connectorName", "postgresql"},
                        {"__debezium.context.runId", run_id}};
  }
  if (headers.empty()) return context_headers_;
  headers_buf_ = headers;
  headers_buf_.insert(headers_buf_.end(), context_headers_.begin(), context_headers_.end());
  return headers_buf_;
}

Status Connector::emit_tombstone(const event::TableSchema& table, offsets::AckTracker::TxId tx, bool has_key,
                                 const std::vector<sink::KafkaHeader>& headers) {
  // key_buf_ still holds the delete event's key (a table without key: a null key, as Debezium).
  if (skip_replayed(tx)) return ok_status();
  std::optional<std::string_view> key;
  if (has_key) key = key_buf_;
  auto st = producer_->produce(table.topic(), key, std::nullopt, tx, with_context_headers(headers),
                               [this] { return stopping(); });
  if (!st) return st;
  acks_.sent(tx);
  count_sent(tx);
  ++events_sent_;
  note_produced(tx);
  return ok_status();
}

Status Connector::emit_record(const std::string& topic, bool& topic_ready, offsets::AckTracker::TxId tx) {
  if (!topic_ready) {
    if (auto s = producer_->ensure_topic(topic, 30000); !s) return s;
    topic_ready = true;
  }
  static const std::vector<sink::KafkaHeader> kNoHeaders;
  if (skip_replayed(tx)) return ok_status();
  auto st = producer_->produce(topic, std::string_view(key_buf_), std::string_view(value_buf_), tx,
                               kNoHeaders, [this] { return stopping(); });
  if (!st) return st;
  acks_.sent(tx);
  count_sent(tx);
  ++events_sent_;
  return ok_status();
}

Status Connector::on_message(const decode::Message& m) {
  if (m.prefix == "sluice-watermark" &&
      m.transactional()) {  // incremental snapshot watermark (incremental.cpp)
    const bool open = m.content.ends_with("-open");
    return on_watermark(m.content, open, m.lsn);
  }
  if (!config_.message_prefixes.passes(m.prefix)) return ok_status();
  event::Source source;
  source.ts_us = tx_.commit_time_us;  // a non-transactional one: the last transaction's, as Debezium
  source.lsn = m.lsn;
  source.origin = tx_.origin;
  source.origin_lsn = tx_.origin_lsn;
  const event::TransactionBlock* block = nullptr;
  offsets::AckTracker::TxId tx = tx_.id;
  if (m.transactional()) {
    if (!tx_.open)
      return Error::fatal(fmt::format("transactional message outside a transaction at LSN {}", m.lsn.str()));
    tx_.captured = true;
    source.tx_id = static_cast<int64_t>(tx_.xid.value);
    source.last_commit_lsn = last_commit_lsn_;
    if (tx_metadata_) block = &tx_metadata_->message_event(m.lsn, (identity_hashes_() & 0x7FFFFFFF) | 1);
  } else {
    // Sent at once, outside any transaction: its own unit of acknowledgement, confirmed past its LSN (a
    // restart at exactly its LSN would decode it again). Debezium records it as the last commit.
    last_commit_lsn_ = m.lsn;
    source.last_commit_lsn = m.lsn;
    tx = acks_.begin(m.lsn);
  }
  messages_.key(m.prefix, key_buf_);
  messages_.value(m.prefix, m.content, source, unix_now_us(), block, value_buf_);
  auto st = emit_record(message_topic_, message_topic_ready_, tx);
  if (!m.transactional()) acks_.commit(tx, Lsn(m.lsn.value() + 1));
  return st;
}

Status Connector::heartbeat() {
  // heartbeat.action.query makes the database write WAL (e.g. an upsert into a published table), so a slot
  // on a quiet database keeps moving while other databases on the server are busy.
  if (!config_.heartbeat_action_query.empty()) {
    if (auto s = catalog_->run(config_.heartbeat_action_query); !s) {
      return Error{s.error().kind, fmt::format("heartbeat.action.query failed: {}", s.error().message)};
    }
  }
  const std::string topic = config_.heartbeat_topic_prefix + config_.topic_delimiter + config_.topic_prefix;
  if (auto s = producer_->ensure_topic(topic, 30000); !s) return s;
  event::heartbeat_key(config_.topic_prefix, config_.key_schemas_enable, key_buf_);
  event::heartbeat_value(unix_now_us() / 1000, config_.value_schemas_enable, value_buf_);
  return producer_->produce(topic, std::string_view(key_buf_), std::string_view(value_buf_), kHeartbeatOpaque,
                            {}, [this] { return stopping(); });
}

std::optional<offsets::StoredOffset::InTransaction> Connector::acknowledged_part() {
  if (!tx_.open || !tx_.replayable || eos_ != nullptr) return std::nullopt;
  // During the skip the earlier count stands; past it, every message handed to Kafka must be acknowledged
  // (they are not in order across partitions otherwise).
  const uint64_t events = std::max(tx_.messages, tx_.skip);
  if (events == 0 || !acks_.all_acked(tx_.id) || producer_->out_queue_len() > 0) return std::nullopt;
  return offsets::StoredOffset::InTransaction{tx_.commit_lsn, tx_.last_lsn,
                                              static_cast<int64_t>(tx_.xid.value), events};
}

Status Connector::stream(pg::ReplicationStream& stream, Lsn /*start*/) {
  const auto interval = std::chrono::milliseconds(config_.status_update_interval_ms);
  auto next_status = Clock::now() + interval;
  const auto heartbeat_interval = std::chrono::milliseconds(config_.heartbeat_interval_ms);
  auto next_heartbeat = Clock::now() + heartbeat_interval;
  const auto latency_interval = std::chrono::milliseconds(config_.latency_log_interval_ms);
  auto next_latency_log = Clock::now() + latency_interval;
  stream_ = &stream;
  struct Unset {
    pg::ReplicationStream*& p;
    ~Unset() { p = nullptr; }
  } unset{stream_};
  // An incremental snapshot restored from the offsets continues with its next chunk.
  if (auto s = next_chunk(); !s) return s;
  for (;;) {
    if (stopping()) break;
    // Wakes for Kafka's delivery reports too, so acknowledgements (and the slot) move without waiting for
    // the next frame.
    auto frame = stream.read(std::chrono::milliseconds(100), producer_->wake_fd());
    if (!frame) {
      // Connection lost: in-flight events are still delivered; the restart resumes after them.
      return frame.error();
    }
    bool reply_now = false;
    if (!frame->empty()) {
      if (latency_) frame_received_us_ = unix_now_us();
      auto decoded = pg::decode_server_frame(*frame);
      if (!decoded) return Error::fatal(fmt::format("bad replication frame: {}", decoded.error().message));
      if (auto* ka = std::get_if<pg::Keepalive>(&*decoded)) {
        received_ = std::max(received_, ka->wal_end);
        if (!tx_.open) acks_.idle(ka->wal_end);
        log()->debug("keepalive wal_end={} reply={} tx_open={} flush={} in_flight_tx={}", ka->wal_end.str(),
                     ka->reply_requested, tx_.open, acks_.flush_lsn().str(), acks_.transactions_in_flight());
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
        if (eos_ != nullptr && already_committed(*msg)) {
          // exactly-once: already in Kafka (committed before this LSN)
        } else if (auto s = handle(*msg, x.wal_start); !s) {
          if (stopping() && !delivery_failed_) break;
          return s;
        }
      }
    }
    producer_->poll(0);
    if (delivery_failed_) return Error::fatal(delivery_error_);
    if (!tx_.open) {
      if (auto s = poll_signals(received_); !s) return s;
    }
    auto now = Clock::now();
    if (latency_ && now >= next_latency_log) {
      if (latency_->events() > 0) log()->info("latency: {}", latency_->interval_report());
      next_latency_log = now + latency_interval;
    }
    if (heartbeat_interval.count() > 0 && now >= next_heartbeat && !tx_.open) {
      if (auto s = heartbeat(); !s) return s;
      next_heartbeat = now + heartbeat_interval;
    }
    if (eos_ != nullptr && !tx_.open && eos_->due()) {
      if (auto s = commit_eos(); !s) return s;
    }
    if (reply_now || now >= next_status) {
      Lsn confirm;
      if (eos_ != nullptr) {
        // Exactly-once: only what a committed Kafka transaction covers. Positions that moved without events
        // (keepalives, transactions outside the capture) get an offset-only transaction.
        if (!tx_.open && !eos_->open() && acks_.flush_lsn() > eos_committed_) {
          if (auto s = commit_eos(); !s) return s;
        }
        confirm = eos_committed_;
      } else {
        // Acknowledged changes are first recorded in the offset store; Postgres hears of them once that
        // record is durable.
        if (auto s = offsets_->store(acks_.flush_lsn()); !s) return s;
        confirm = offsets_->confirmable(acks_.flush_lsn());
      }
      if (auto s = stream.send_status(std::max(received_, confirm), confirm, false); !s) return s;
      next_status = now + interval;
    }
  }
  // Stopping: let Kafka acknowledge what is in flight, then confirm it to Postgres. Exactly-once: commit
  // the Kafka transaction when it ends between Postgres transactions, else abort it (sent again later).
  if (eos_ != nullptr) {
    auto s = !delivery_failed_ && !tx_.open ? commit_eos() : eos_->abort();
    if (!s) log()->warn("{}", s.error().message);
    if (eos_skipped_ > 0) {
      log()->info("exactly-once: skipped {} transactions already committed to Kafka", eos_skipped_);
    }
  } else if (!delivery_failed_) {
    auto deadline = Clock::now() + std::chrono::seconds(30);
    while (producer_->out_queue_len() > 0 && Clock::now() < deadline) producer_->poll(100);
    producer_->poll(0);
  }
  if (eos_ == nullptr && !delivery_failed_) {
    // Inside a transaction: record how many of its messages Kafka acknowledged, so that they are skipped
    // when Postgres sends the transaction again after the restart (no duplicates after a clean stop).
    auto part = offsets_->enabled() ? acknowledged_part() : std::nullopt;
    auto stored =
        part ? offsets_->store_in_transaction(acks_.flush_lsn(), *part) : offsets_->store(acks_.flush_lsn());
    if (stored.ok()) {
      auto deadline = Clock::now() + std::chrono::seconds(30);
      offsets_->wait_durable([&] { return Clock::now() > deadline; });
      while (producer_->out_queue_len() > 0 && Clock::now() < deadline) producer_->poll(50);
      if (part && producer_->out_queue_len() == 0) {
        log()->info(
            "stopped inside transaction {} (commit LSN {}): its first {} messages are in Kafka and "
            "recorded in {}; they are skipped when it is sent again",
            part->xid, part->commit_lsn.str(), part->events, offsets_->describe());
      }
    }
  }
  if (replay_skipped_ > 0) {
    log()->info("skipped {} messages sent again by Postgres that Kafka had acknowledged before",
                replay_skipped_);
  }
  Lsn confirm = eos_ != nullptr ? eos_committed_ : offsets_->confirmable(acks_.flush_lsn());
  log()->info("final standby status: flushed LSN {}", confirm.str());
  if (latency_) log()->info("latency since start: {}", latency_->total_report());
  (void)stream.send_status(std::max(received_, confirm), confirm, false);
  stream.finish();
  if (delivery_failed_) return Error::fatal(delivery_error_);
  return ok_status();
}

Status Connector::on_relation(const decode::Relation& rel) {
  std::string_view nsp = rel.nspname.empty() ? std::string_view("pg_catalog") : rel.nspname;
  // Postgres re-sends Relation messages (after reconnects, before truncates): rebuild the schema only when
  // the columns, the name or the replica identity changed.
  bool layout_changed = relations_.put(rel);
  if (!config_.signal_data_collection.empty() &&
      fmt::format("{}.{}", nsp, rel.relname) == config_.signal_data_collection) {
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
                      config_.signal_data_collection, config_.signal_data_collection));
    }
  }
  if (auto it = schemas_.find(rel.oid.value); it != schemas_.end() && !layout_changed) {
    const auto* t = it->second.get();
    if (t == nullptr ? !config_.filter.captured(nsp, rel.relname)
                     : t->info().schema == nsp && t->info().table == rel.relname &&
                           t->info().replica_identity == rel.replica_identity) {
      return ok_status();
    }
  }
  if (!config_.filter.captured(nsp, rel.relname)) {
    schemas_[rel.oid.value] = nullptr;
    return ok_status();
  }
  auto cat = pg::load_table(*catalog_, rel.oid);
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
        auto resolved = pg::resolve_type(*catalog_, rc.type, rc.typmod);
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
    }
  }
  auto schema = schema_for(merged);
  if (!schema) return schema.error();
  log()->info("relation {}.{} (oid {}): {} columns -> topic {}", merged.schema, merged.table, rel.oid.value,
              merged.columns.size(), (*schema)->topic());
  schemas_[rel.oid.value] = std::move(*schema);
  return ok_status();
}

Status Connector::handle(const decode::PgMessage& msg, Lsn wal_start) {
  if (tx_.open) tx_.last_lsn = wal_start;
  auto table_of = [&](Oid oid) -> Result<const event::TableSchema*> {
    auto it = schemas_.find(oid.value);
    if (it == schemas_.end()) {
      return Error::fatal(
          fmt::format("change for relation oid {} at LSN {} arrived before its Relation message", oid.value,
                      wal_start.str()));
    }
    if (it->second != nullptr) tx_.captured = true;
    return it->second.get();
  };
  auto base_event = [&](event::Op op, const event::TableSchema* t) {
    event::ChangeEvent ev;
    ev.op = op;
    ev.table = t;
    ev.source.ts_us = tx_.commit_time_us;
    ev.source.tx_id = static_cast<int64_t>(tx_.xid.value);
    ev.source.lsn = wal_start;
    ev.source.last_commit_lsn = last_commit_lsn_;
    ev.source.origin = tx_.origin;
    ev.source.origin_lsn = tx_.origin_lsn;
    ev.ts_us = unix_now_us();
    return ev;
  };
  // Failures while publishing a change name the table and the change's LSN, whatever their kind; a bad
  // event is then handled per event.processing.failure.handling.mode.
  auto with_context = [&](Status s, const event::TableSchema* t) -> Status {
    if (s.ok()) return s;
    return apply_failure_mode(
        Error{s.error().kind, fmt::format("{} (table {}.{}, LSN {})", s.error().message, t->info().schema,
                                          t->info().table, wal_start.str())});
  };

  return std::visit(
      [&](const auto& m) -> Status {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, decode::Begin>) {
          // read.only: a transaction committed after the chunk's SELECT closes its window first.
          if (auto s = maybe_close_read_only(m.final_lsn); !s) return s;
          tx_.id = acks_.begin(m.final_lsn);
          tx_.xid = m.xid;
          tx_.commit_lsn = m.final_lsn;
          tx_.messages = tx_.skip = 0;
          tx_.replayable = true;
          if (replay_ && m.final_lsn >= replay_->commit_lsn) {
            if (m.final_lsn == replay_->commit_lsn && static_cast<int64_t>(m.xid.value) == replay_->xid) {
              tx_.skip = replay_->events;
              log()->info(
                  "transaction {} (commit LSN {}) is sent again: skipping its first {} messages, "
                  "acknowledged by Kafka before the stop",
                  m.xid.value, m.final_lsn.str(), tx_.skip);
            }
            replay_.reset();
          }
          tx_.commit_time_us = decode::pg_time_to_unix_us(m.commit_time);
          tx_.open = true;
          if (latency_) latency_->begin(tx_.id, tx_.commit_time_us);
          tx_.captured = false;
          tx_.origin.clear();
          tx_.origin_lsn.reset();
          if (tx_metadata_) {
            tx_metadata_->begin(tx_.xid, wal_start, tx_.commit_time_us, key_buf_, value_buf_);
            return emit_record(transaction_topic_, transaction_topic_ready_, tx_.id);
          }
          return ok_status();
        } else if constexpr (std::is_same_v<T, decode::Commit>) {
          if (!tx_.open) return Error::fatal(fmt::format("Commit without Begin at LSN {}", wal_start.str()));
          if (tx_metadata_) {
            tx_metadata_->end(wal_start, decode::pg_time_to_unix_us(m.commit_time), key_buf_, value_buf_);
            if (auto s = emit_record(transaction_topic_, transaction_topic_ready_, tx_.id); !s) return s;
          }
          if (tx_.messages < tx_.skip) {
            log()->warn("transaction {} had {} messages, fewer than the {} acknowledged before the stop",
                        tx_.xid.value, tx_.messages, tx_.skip);
          }
          acks_.commit(tx_.id, m.end_lsn);
          if (latency_) latency_->forget_before(acks_.oldest_in_flight());
          if (progress_dirty_) {  // this transaction's snapshot rows are in Kafka once it is acknowledged
            offsets_->progress(m.end_lsn, incremental_.offset_members());
            progress_dirty_ = false;
          }
          // Debezium's lsn_commit (source.sequence[0]) moves with transactions that had captured changes.
          if (tx_.captured) last_commit_lsn_ = m.end_lsn;
          tx_.open = false;
          return ok_status();
        } else if constexpr (std::is_same_v<T, decode::Relation>) {
          return on_relation(m);
        } else if constexpr (std::is_same_v<T, decode::Insert>) {
          auto t = table_of(m.relation);
          if (!t) return t.error();
          if (signal_oid_ && m.relation.value == *signal_oid_) {
            if (auto s = on_signal_row(m.new_tuple, false, wal_start); !s) return s;
          }
          if (*t == nullptr) return ok_status();
          deduplicate(*t, m.new_tuple);
          if (config_.skip_create) return ok_status();
          auto ev = base_event(event::Op::kCreate, *t);
          ev.after = event::Row(m.new_tuple);
          return with_context(emit(ev, tx_.id), *t);
        } else if constexpr (std::is_same_v<T, decode::Update>) {
          auto t = table_of(m.relation);
          if (!t) return t.error();
          if (*t == nullptr) return ok_status();
          deduplicate(*t, m.new_tuple);
          if (m.old_kind != 0) deduplicate(*t, m.old_tuple);
          // Key change (Debezium's RelationalChangeRecordEmitter: the key of the old tuple, as converted,
          // differs from the new one, e.g. a primary-key update): delete (+ tombstone) under the old key,
          // create under the new one. Deliberately unlike Debezium, a key-only old tuple that lacks a key
          // column (REPLICA IDENTITY USING INDEX, or message.key.columns beyond the identity) gives an
          // update: Debezium would delete a made-up key (the missing columns' zero values).
          auto del = base_event(event::Op::kDelete, *t);
          auto cre = base_event(event::Op::kCreate, *t);
          std::string new_key, old_key;
          if (m.old_kind != 0 && (*t)->has_key() && old_key_known(**t, m.old_kind, m.old_tuple)) {
            del.before = event::Row(m.old_tuple);
            cre.after = event::Row(m.new_tuple);
            if (auto k = serializer_.key_header(cre, new_key); !k) return with_context(k.error(), *t);
            if (auto k = serializer_.key_header(del, old_key); !k) return with_context(k.error(), *t);
          }
          if (new_key != old_key) {
            if (!config_.skip_delete) {
              if (auto s = emit(del, tx_.id, {{"__debezium.newkey", new_key}}); !s)
                return with_context(s, *t);
              if (config_.tombstones_on_delete) {
                if (auto s = emit_tombstone(**t, tx_.id, true, {{"__debezium.newkey", new_key}}); !s)
                  return with_context(s, *t);
              }
            }
            if (config_.skip_create) return ok_status();
            return with_context(emit(cre, tx_.id, {{"__debezium.oldkey", old_key}}), *t);
          }
          if (config_.skip_update) return ok_status();
          auto ev = base_event(event::Op::kUpdate, *t);
          if (m.old_kind != 0) ev.before = event::Row(m.old_tuple);
          ev.after = event::Row(m.new_tuple);
          return with_context(emit(ev, tx_.id), *t);
        } else if constexpr (std::is_same_v<T, decode::Delete>) {
          auto t = table_of(m.relation);
          if (!t) return t.error();
          if (signal_oid_ && m.relation.value == *signal_oid_) {
            if (auto s = on_signal_row(m.old_tuple, true, wal_start); !s) return s;
          }
          if (*t == nullptr) return ok_status();
          deduplicate(*t, m.old_tuple);
          if (config_.skip_delete) return ok_status();
          auto ev = base_event(event::Op::kDelete, *t);
          ev.before = event::Row(m.old_tuple);
          if (auto s = emit(ev, tx_.id); !s) return with_context(s, *t);
          if (config_.tombstones_on_delete)  // Debezium: also for a null key (a table without key)
            return with_context(emit_tombstone(**t, tx_.id, (*t)->has_key()), *t);
          return ok_status();
        } else if constexpr (std::is_same_v<T, decode::Truncate>) {
          if (config_.skip_truncate) {
            for (auto oid : m.relations) (void)table_of(oid);  // a skipped truncate still counts as captured
            return ok_status();
          }
          for (auto oid : m.relations) {
            auto t = table_of(oid);
            if (!t) return t.error();
            if (*t == nullptr) continue;
            auto ev = base_event(event::Op::kTruncate, *t);
            if (auto s = emit(ev, tx_.id); !s) return with_context(s, *t);
          }
          return ok_status();
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

}  // namespace sluice::app
