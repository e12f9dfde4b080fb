// Pipeline: what the stages of one connector share — its config, the sink and the acknowledgement
// tracker behind it, the offset store, the catalog connection and the stop request. Owned by the
// Connector; the snapshot orchestration, the emit path and the streaming loop each hold a reference.
// Nothing here is global: several connectors in one process each have their own.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "common/lsn.h"
#include "common/result.h"
#include "config/config.h"
#include "connector/connector_metrics.h"
#include "connector/latency_stats.h"
#include "connector/offset_committer.h"
#include "event/json_serializer.h"
#include "event/table_schema.h"
#include "offsets/ack_tracker.h"
#include "pg/catalog.h"
#include "pg/connection.h"
#include "sink/sink.h"
#include "sink/transactional_sink.h"
#include "sink/transforming_sink.h"
#include "transform/chain.h"

namespace sluice::connector {

struct Pipeline;
event::ConverterOptions converter_options(const config::Config& c);
event::SerializerOptions serializer_options(const Pipeline& p);
int64_t unix_now_us();

struct Pipeline {
  Pipeline(config::Config c, const std::atomic<bool>& stop_flag) : config(std::move(c)), stop(stop_flag) {
    if (config.latency_log_interval_ms > 0) latency.emplace();
    // transforms=…: validated when the config was loaded; a failure here is reported by Connector::open.
    auto chain = transform::build_chain(config);
    if (chain)
      transforms = std::move(*chain);
    else
      transforms_status = chain.error();
  }

  config::Config config;
  std::shared_ptr<transform::Chain> transforms;  // null: no transforms (config.transforms is empty)
  Status transforms_status = ok_status();
  const std::atomic<bool>& stop;
  std::unique_ptr<sink::Sink> sink;        // sink.type: KafkaProducer or NullSink (behind the transforms)
  sink::TransactionalSink* eos = nullptr;  // exactly.once.support: the transactional sink under `sink`
  sink::TransformingSink* transforming = nullptr;  // transforms=…: `sink` itself
  std::unique_ptr<OffsetCommitter> offsets;
  offsets::AckTracker acks;
  std::optional<pg::Connection> catalog;  // the connection for catalog reads, snapshots and watermarks
  Lsn eos_committed;                      // exactly-once: the offset of the last committed Kafka transaction
  // A permanent Kafka delivery failure (or refused credentials): nothing more is confirmed to Postgres.
  bool delivery_failed = false;
  std::string delivery_error;
  // latency.log.interval.ms: per-stage latency of streamed events (also kept for the metrics' histograms).
  std::optional<LatencyStats> latency;
  // What /metrics shows of this connector (a worker's slot keeps it across the connector's restarts).
  std::shared_ptr<ConnectorMetrics> metrics = std::make_shared<ConnectorMetrics>();

  bool stopping() const { return stop.load(std::memory_order_relaxed) || delivery_failed; }
  // A kData failure (an event that cannot be converted or is too large for Kafka) per
  // event.processing.failure.handling.mode: fail stops (kFatal), warn logs and skips, skip skips.
  Status apply_failure_mode(Status s) const;
  // Waits until Kafka acknowledged every event handed to it (exactly-once: and commits the transaction).
  Status wait_for_acks();
  // Exactly-once: waits for every message of the open Kafka transaction, adds the offset record for the
  // LSN they cover (acks.flush_lsn()) and commits; that LSN may then be confirmed to Postgres.
  Status commit_eos();
  // The event schema of a catalog table (message.key.columns applied), its topic created when missing.
  // from_stream: for a pgoutput Relation message (the streamer), else a catalog read (snapshots).
  Result<std::shared_ptr<const event::TableSchema>> schema_for(const pg::CatalogTable& cat,
                                                               bool from_stream = false);
  // The position Postgres may be told is flushed: what the offset store (or Kafka transaction) made durable.
  Lsn confirmable() const { return eos != nullptr ? eos_committed : offsets->confirmable(acks.flush_lsn()); }
};

}  // namespace sluice::connector
