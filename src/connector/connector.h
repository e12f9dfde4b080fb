// Connector: one sluice pipeline's lifecycle. It connects, ensures the publication and the slot, decides
// from the stored offsets whether to snapshot (snapshot/initial_snapshot_run.h) or resume, then streams
// (connector/streamer.h) — retrying transient failures with capped exponential backoff and resuming from the
// last position Kafka acknowledged. Every record goes out through one emit path (connector/emitter.h). A
// connector shares no mutable state with others: a worker runs many in one process.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/lsn.h"
#include "common/result.h"
#include "config/config.h"
#include "connector/emitter.h"
#include "connector/pipeline.h"
#include "connector/streamer.h"
#include "offsets/offset_store.h"
#include "pg/catalog.h"
#include "pg/connection.h"
#include "pg/replication.h"

namespace sluice::connector {

class Connector {
 public:
  // What the connector is doing (for status and metrics; read from any thread).
  enum class Phase { kStarting, kStandby, kSnapshot, kStreaming, kRetrying, kStopped, kFailed };

  Connector(config::Config config, const std::atomic<bool>& stop);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  // Runs until stopped (returns 0) or a fatal error (returns 1, or 2 for a configuration error, after
  // logging it).
  int run();
  // After run() returned non-zero: the error that stopped it (for a worker's FAILED status).
  const std::string& failure() const { return failure_; }
  Phase phase() const { return phase_.load(std::memory_order_relaxed); }
  Lsn received_lsn() const { return streamer_.received_lsn(); }
  Lsn confirmed_lsn() const { return p_.acks.flush_lsn(); }
  // Called (on the thread that runs the connector) with each topic the first time Kafka acknowledges a
  // record written to it; set before run().
  void set_topic_observer(std::function<void(const std::string&)> observer) {
    emitter_.set_topic_observer(std::move(observer));
  }
  // Replaces the sink that sink.type names by the one `factory` makes (sluice tail --direct prints the
  // events itself); set before run().
  void set_sink_factory(std::function<std::unique_ptr<sink::Sink>(sink::DeliveryHandler*)> factory) {
    sink_factory_ = std::move(factory);
  }
  // The metrics /metrics serves for this connector (they outlive it in a worker); set before run(). Keeps
  // the latency stages measured for the histograms even without latency.log.interval.ms.
  void set_metrics(std::shared_ptr<ConnectorMetrics> metrics) {
    p_.metrics = std::move(metrics);
    p_.metrics->queue_capacity.store(p_.config.max_queue_size);
    p_.metrics->queue_max_bytes.store(p_.config.max_queue_size_in_bytes);
    if (!p_.latency) p_.latency.emplace();
    p_.latency->set_histograms(p_.metrics->latency.data(), p_.config.latency_log_interval_ms > 0);
  }

 private:
  // Creates the sink (and the offset committer on it) as sink.type / exactly.once.support say.
  Status make_sink();
  Status run_once();
  // run_once's stages: connects (replication and catalog), lists the captured tables and ensures the
  // publication; returns the replication connection.
  Result<pg::Connection> connect(std::vector<pg::TableRef>& captured);
  // Applies what the stored offsets mean next to the slot (an initial snapshot's checkpoint, a reset) and
  // the acknowledged part of an interrupted transaction.
  void adopt_offsets(std::optional<offsets::StoredOffset>& stored, const std::optional<pg::SlotInfo>& slot);
  // Refuses a slot that is not this connector's, or that moved past (or lost) what the offsets say.
  Status check_slot(const std::optional<pg::SlotInfo>& slot,
                    const std::optional<offsets::StoredOffset>& stored, config::SnapshotMode mode,
                    bool resnapshots);
  // Records the starting point and streams from `start` until stopped or the connection fails. resumed: an
  // existing slot was resumed (no snapshot).
  Status stream_from(pg::Connection repl, Lsn start, bool resumed);
  Status wait_while_slot_active();
  // slot.drop.on.stop: after a clean stop, drops the slot and resets the stored offsets.
  void drop_slot_on_stop();
  // Snapshots the captured tables (see snapshot::InitialSnapshotRun::run).
  Status run_snapshot(pg::Connection* repl, const std::vector<pg::TableRef>& captured, Lsn& start);
  // Logs the error that stops run() and keeps it for failure().
  void fail(const std::string& message);

  Pipeline p_;
  Emitter emitter_;
  Streamer streamer_;
  std::function<std::unique_ptr<sink::Sink>(sink::DeliveryHandler*)> sink_factory_;
  std::atomic<Phase> phase_{Phase::kStarting};
  int fences_without_standby_ = 0;  // fenced, and not yet back to waiting as a hot standby
  // snapshot.mode=always: snapshot once per start of sluice, not again when reconnecting.
  bool snapshot_taken_ = false;
  bool created_slot_ = false;  // this process created the slot (it is this connector's)
  std::string failure_;
};

// Creates or updates the connector's publication as publication.autocreate.mode says
// (connector/publication.cpp).
Status ensure_publication(pg::Connection& conn, const config::Config& config,
                          const std::vector<pg::TableRef>& captured);

}  // namespace sluice::connector
