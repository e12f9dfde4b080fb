// Builds prometheus-cpp MetricFamily values from ConnectorMetrics at scrape time (no registry: the hot path
// only touches its own atomics) and serializes them with prometheus-cpp's TextSerializer.
#include "server/metrics_text.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <functional>
#include <limits>
#include <optional>
#include <sstream>

namespace sluice::server {

using connector::ConnectorMetrics;
using connector::LatencyStats;

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Kafka Connect's connector states, exported one-hot as sluice_connector_state{state=…}.
constexpr std::array<const char*, 6> kStates = {"UNASSIGNED", "RUNNING", "PAUSED",
                                                "STOPPED",    "FAILED",  "RESTARTING"};

const char* stage_label(LatencyStats::Stage s) {
  switch (s) {
    case LatencyStats::kCommitToSent:
      return "commit_to_sent";
    case LatencyStats::kSentToReceived:
      return "sent_to_received";
    case LatencyStats::kReceivedToProduced:
      return "received_to_produced";
    case LatencyStats::kProducedToAppended:
      return "produced_to_appended";
    case LatencyStats::kAppendedToAcked:
      return "appended_to_acked";
    case LatencyStats::kProducedToAcked:
      return "produced_to_acked";
    case LatencyStats::kCommitToAcked:
      return "commit_to_acked";
    case LatencyStats::kStageCount:
      break;
  }
  return "unknown";
}

// A metric's definition: name, type, help, and how to add its samples for one connector.
struct Def {
  const char* name;
  MetricType type;
  const char* help;
  std::function<void(const LabeledMetrics&, std::vector<ClientMetric>&)> add;
};

ClientMetric sample(const std::string& connector, MetricType type, double value,
                    std::vector<ClientMetric::Label> extra = {}) {
  ClientMetric m;
  m.label.push_back({"connector", connector});
  for (auto& l : extra) m.label.push_back(std::move(l));
  if (type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return m;
}

ClientMetric sample(const LabeledMetrics& c, MetricType type, double value,
                    std::vector<ClientMetric::Label> extra = {}) {
  return sample(c.connector, type, value, std::move(extra));
}

void state_samples(const std::string& connector, const std::string& state, std::vector<ClientMetric>& out) {
  for (const char* s : kStates)
    out.push_back(sample(connector, MetricType::Gauge, state == s ? 1 : 0, {{"state", s}}));
}

// A histogram sample of an AtomicHistogram (cumulative buckets in seconds); nullopt without samples.
std::optional<ClientMetric> histogram_sample(const AtomicHistogram& h,
                                             std::vector<ClientMetric::Label> labels) {
  ClientMetric m;
  m.label = std::move(labels);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < AtomicHistogram::kBoundsUs.size(); ++i) {
    cumulative += h.bucket(i);
    m.histogram.bucket.push_back({cumulative, static_cast<double>(AtomicHistogram::kBoundsUs[i]) / 1e6});
  }
  cumulative += h.bucket(AtomicHistogram::kBoundsUs.size());
  if (cumulative == 0) return std::nullopt;
  m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = static_cast<double>(h.sum_us()) / 1e6;
  return m;
}

template <typename T>
double load(const std::atomic<T>& a) {
  return static_cast<double>(a.load(std::memory_order_relaxed));
}

Def counter(const char* name, const char* help, std::atomic<uint64_t> ConnectorMetrics::*field) {
  return {name, MetricType::Counter, help, [field](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
            out.push_back(sample(c, MetricType::Counter, load(c.metrics->*field)));
          }};
}

// A gauge left out while its value is unknown (< 0).
template <typename T>
Def gauge(const char* name, const char* help, std::atomic<T> ConnectorMetrics::*field) {
  return {name, MetricType::Gauge, help, [field](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
            double v = load(c.metrics->*field);
            if (v >= 0) out.push_back(sample(c, MetricType::Gauge, v));
          }};
}

// The connector state and the streaming counters (Debezium StreamingChangeEventSourceMetrics).
void add_streaming_defs(std::vector<Def>& d) {
  d.push_back({"sluice_connector_state", MetricType::Gauge,
               "1 for the connector's current Kafka Connect state (RUNNING, PAUSED, STOPPED, FAILED, "
               "UNASSIGNED, RESTARTING), 0 for the others",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 state_samples(c.connector, c.state, out);
               }});
  d.push_back({"sluice_streaming_events_seen_total", MetricType::Counter,
               "Events handed to Kafka per operation (c, u, d, r, t, m); Debezium "
               "TotalNumberOfEventsSeen / TotalNumberOf{Create,Update,Delete}EventsSeen",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 for (size_t i = 0; i < ConnectorMetrics::kOpCount; ++i) {
                   out.push_back(sample(c, MetricType::Counter, load(c.metrics->events_seen[i]),
                                        {{"op", ConnectorMetrics::kOpNames[i]}}));
                 }
               }});
  d.push_back(counter("sluice_streaming_events_filtered_total",
                      "Changes of tables outside the include/exclude lists; Debezium NumberOfEventsFiltered",
                      &ConnectorMetrics::events_filtered));
  d.push_back(counter("sluice_streaming_events_erroneous_total",
                      "Events skipped by event.processing.failure.handling.mode=warn|skip; Debezium "
                      "NumberOfErroneousEvents",
                      &ConnectorMetrics::events_erroneous));
  d.push_back(
      counter("sluice_streaming_committed_transactions_total",
              "Postgres transactions streamed to their commit; Debezium NumberOfCommittedTransactions",
              &ConnectorMetrics::committed_transactions));
  d.push_back(gauge("sluice_streaming_milliseconds_behind_source",
                    "Milliseconds between the last streamed change's commit in Postgres and its hand-off to "
                    "Kafka; Debezium MilliSecondsBehindSource",
                    &ConnectorMetrics::ms_behind_source));
  d.push_back({"sluice_streaming_milliseconds_since_last_event", MetricType::Gauge,
               "Milliseconds since the last event was handed to Kafka (absent before the first); Debezium "
               "MilliSecondsSinceLastEvent",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 int64_t last = c.metrics->last_event_unix_ms.load(std::memory_order_relaxed);
                 if (last < 0) return;
                 int64_t age = coarse_unix_ms() - last;
                 out.push_back(sample(c, MetricType::Gauge, static_cast<double>(age < 0 ? 0 : age)));
               }});
  d.push_back({"sluice_streaming_connected", MetricType::Gauge,
               "1 while the replication connection streams; Debezium Connected",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 out.push_back(sample(c, MetricType::Gauge, c.metrics->connected.load() ? 1 : 0));
               }});
}

// The producer queue and the Kafka side.
void add_queue_defs(std::vector<Def>& d) {
  d.push_back(gauge("sluice_queue_total_capacity",
                    "Events the producer queue holds at most (max.queue.size); Debezium QueueTotalCapacity",
                    &ConnectorMetrics::queue_capacity));
  d.push_back({"sluice_queue_remaining_capacity", MetricType::Gauge,
               "Events the producer queue can still take; Debezium QueueRemainingCapacity",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 double cap = load(c.metrics->queue_capacity), used = load(c.metrics->queue_events);
                 out.push_back(sample(c, MetricType::Gauge, cap > used ? cap - used : 0));
               }});
  d.push_back(gauge("sluice_queue_events",
                    "Events handed to Kafka and not yet acknowledged (producer queue depth)",
                    &ConnectorMetrics::queue_events));
  d.push_back(gauge("sluice_queue_max_bytes",
                    "Bytes the producer queue holds at most (max.queue.size.in.bytes, 0: no bound); Debezium "
                    "MaxQueueSizeInBytes",
                    &ConnectorMetrics::queue_max_bytes));
  d.push_back(gauge("sluice_queue_current_bytes",
                    "Key and value bytes handed to Kafka and not yet acknowledged; Debezium "
                    "CurrentQueueSizeInBytes",
                    &ConnectorMetrics::queue_bytes));
  d.push_back(counter("sluice_kafka_delivery_errors_total",
                      "Delivery reports with an error (Kafka refused or could not take a record)",
                      &ConnectorMetrics::delivery_errors));
  d.push_back(counter("sluice_retries_total",
                      "Reconnects after a transient failure (errors.max.retries counts them)",
                      &ConnectorMetrics::retries));
}

// The initial snapshot (Debezium SnapshotChangeEventSourceMetrics).
void add_snapshot_defs(std::vector<Def>& d) {
  auto flag = [](const char* name, const char* help, std::atomic<bool> ConnectorMetrics::*field) {
    return Def{name, MetricType::Gauge, help,
               [field](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 out.push_back(sample(c, MetricType::Gauge, (c.metrics->*field).load() ? 1 : 0));
               }};
  };
  d.push_back(flag("sluice_snapshot_running", "1 while the initial snapshot runs; Debezium SnapshotRunning",
                   &ConnectorMetrics::snapshot_running));
  d.push_back(flag("sluice_snapshot_completed",
                   "1 once the last initial snapshot read every table; Debezium SnapshotCompleted",
                   &ConnectorMetrics::snapshot_completed));
  d.push_back(flag("sluice_snapshot_aborted",
                   "1 when the last initial snapshot stopped before its end; Debezium SnapshotAborted",
                   &ConnectorMetrics::snapshot_aborted));
  d.push_back({"sluice_snapshot_total_tables", MetricType::Gauge,
               "Tables of the last initial snapshot; Debezium TotalTableCount",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 if (c.metrics->snapshot_started_ms.load() < 0) return;
                 out.push_back(
                     sample(c, MetricType::Gauge, static_cast<double>(c.metrics->snapshot_tables().size())));
               }});
  d.push_back({"sluice_snapshot_remaining_tables", MetricType::Gauge,
               "Tables of the initial snapshot not read yet; Debezium RemainingTableCount",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 if (c.metrics->snapshot_started_ms.load() < 0) return;
                 out.push_back(sample(c, MetricType::Gauge, load(c.metrics->snapshot_remaining)));
               }});
  d.push_back({"sluice_snapshot_duration_seconds", MetricType::Gauge,
               "Duration of the running (or last) initial snapshot; Debezium SnapshotDurationInSeconds",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 int64_t ms = c.metrics->snapshot_duration_ms();
                 if (ms >= 0) out.push_back(sample(c, MetricType::Gauge, static_cast<double>(ms) / 1000.0));
               }});
  d.push_back(
      {"sluice_snapshot_rows_scanned", MetricType::Gauge,
       "Rows read per table by the initial snapshot; Debezium RowsScanned",
       [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
         for (const auto& t : c.metrics->snapshot_tables()) {
           out.push_back(sample(c, MetricType::Gauge, static_cast<double>(t.rows), {{"table", t.name}}));
         }
       }});
  d.push_back(
      {"sluice_snapshot_rows_estimated", MetricType::Gauge,
       "Rows per table the initial snapshot expects (pg_class.reltuples; 0: unknown)",
       [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
         for (const auto& t : c.metrics->snapshot_tables()) {
           out.push_back(sample(c, MetricType::Gauge, static_cast<double>(t.estimate), {{"table", t.name}}));
         }
       }});
  d.push_back({"sluice_snapshot_table_done", MetricType::Gauge,
               "1 for each table the initial snapshot finished reading",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 for (const auto& t : c.metrics->snapshot_tables()) {
                   out.push_back(sample(c, MetricType::Gauge, t.done ? 1 : 0, {{"table", t.name}}));
                 }
               }});
}

// The replication slot, the source position and the latency histogram.
void add_slot_defs(std::vector<Def>& d) {
  d.push_back(gauge("sluice_slot_lag_bytes",
                    "WAL between the server's position and the slot's confirmed_flush_lsn "
                    "(pg_current_wal_lsn() - confirmed_flush_lsn)",
                    &ConnectorMetrics::slot_lag_bytes));
  d.push_back(
      gauge("sluice_slot_retained_wal_bytes",
            "WAL the replication slot keeps on the server's disk (pg_current_wal_lsn() - restart_lsn)",
            &ConnectorMetrics::slot_retained_wal_bytes));
  d.push_back(gauge("sluice_slot_active",
                    "1 when a client streams from the replication slot, 0 when none does",
                    &ConnectorMetrics::slot_active));
  d.push_back(gauge("sluice_source_wal_position_bytes",
                    "The Postgres server's WAL position (pg_current_wal_lsn()) in bytes: it moves while the "
                    "source writes",
                    &ConnectorMetrics::server_wal_position));
  d.push_back({"sluice_slot_polled_timestamp_seconds", MetricType::Gauge,
               "When the slot metrics were last read from pg_replication_slots (unix time)",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 int64_t ms = c.metrics->slot_polled_unix_ms.load();
                 if (ms >= 0) out.push_back(sample(c, MetricType::Gauge, static_cast<double>(ms) / 1000.0));
               }});
  d.push_back(counter("sluice_slot_poll_errors_total",
                      "Failed reads of pg_replication_slots by the slot monitor",
                      &ConnectorMetrics::slot_poll_errors));
  d.push_back({"sluice_latency_seconds", MetricType::Histogram,
               "Latency of streamed events per stage, from the commit in Postgres to Kafka's acknowledgement "
               "(stage commit_to_acked is end to end; the stages of latency.log.interval.ms)",
               [](const LabeledMetrics& c, std::vector<ClientMetric>& out) {
                 for (int s = 0; s < LatencyStats::kStageCount; ++s) {
                   // A stage without samples (the broker stages unless topics use LogAppendTime) is left out:
                   // 19 series less per connector and stage.
                   auto m = histogram_sample(c.metrics->latency[static_cast<size_t>(s)],
                                             {{"connector", c.connector},
                                              {"stage", stage_label(static_cast<LatencyStats::Stage>(s))}});
                   if (m) out.push_back(std::move(*m));
                 }
               }});
}

const std::vector<Def>& defs() {
  static const std::vector<Def> all = [] {
    std::vector<Def> d;
    add_streaming_defs(d);
    add_queue_defs(d);
    add_snapshot_defs(d);
    add_slot_defs(d);
    return d;
  }();
  return all;
}

using pgsink::SinkMetrics;

// One sink connector as a scrape sees it: its partition table (with the lag) read once, so the partition
// gauges agree with each other and the watermarks are looked up once per partition and scrape.
struct SinkView {
  const std::string& connector;
  const SinkMetrics* metrics;
  std::vector<SinkMetrics::Partition> partitions;
};

// The sink connectors' metrics (Kafka Connect's sink-task metrics; pgsink::SinkMetrics).
struct SinkDef {
  const char* name;
  MetricType type;
  const char* help;
  std::function<void(const SinkView&, std::vector<ClientMetric>&)> add;
};

SinkDef sink_counter(const char* name, const char* help, std::atomic<uint64_t> SinkMetrics::*field) {
  return {name, MetricType::Counter, help, [field](const SinkView& c, std::vector<ClientMetric>& out) {
            out.push_back(sample(c.connector, MetricType::Counter, load(c.metrics->*field)));
          }};
}

SinkDef sink_flag(const char* name, const char* help, std::atomic<bool> SinkMetrics::*field) {
  return {name, MetricType::Gauge, help, [field](const SinkView& c, std::vector<ClientMetric>& out) {
            out.push_back(sample(c.connector, MetricType::Gauge, (c.metrics->*field).load() ? 1 : 0));
          }};
}

std::vector<ClientMetric::Label> partition_labels(const SinkView& c, const SinkMetrics::Partition& p) {
  return {{"connector", c.connector}, {"topic", p.tp.topic}, {"partition", std::to_string(p.tp.partition)}};
}

// A per-partition gauge from the scrape's partition table (a partition whose value is unknown is left out).
SinkDef sink_partition_gauge(const char* name, const char* help,
                             int64_t (*get)(const SinkMetrics::Partition&)) {
  return {name, MetricType::Gauge, help, [get](const SinkView& c, std::vector<ClientMetric>& out) {
            for (const auto& p : c.partitions) {
              int64_t v = get(p);
              if (v < 0) continue;
              ClientMetric m;
              m.label = partition_labels(c, p);
              m.gauge.value = static_cast<double>(v);
              out.push_back(std::move(m));
            }
          }};
}

const std::vector<SinkDef>& sink_defs() {
  static const std::vector<SinkDef> all = [] {
    std::vector<SinkDef> d;
    d.push_back(sink_counter("sluice_sink_records_read_total",
                             "Records consumed from Kafka; Kafka Connect sink-record-read-total",
                             &SinkMetrics::records_read));
    d.push_back({"sluice_sink_records_applied_total", MetricType::Counter,
                 "Records committed in the target per operation (insert, upsert, update: the writes by "
                 "insert.mode; delete, truncate); Kafka Connect sink-record-send-total",
                 [](const SinkView& c, std::vector<ClientMetric>& out) {
                   for (size_t i = 0; i < SinkMetrics::kAppliedCount; ++i) {
                     out.push_back(sample(c.connector, MetricType::Counter,
                                          load(c.metrics->records_applied[i]),
                                          {{"op", SinkMetrics::kAppliedNames[i]}}));
                   }
                 }});
    d.push_back(sink_counter("sluice_sink_records_ignored_total",
                             "Records that ask nothing of the target (tombstones, deletes without "
                             "delete.enabled, truncates without truncate.enabled); their offsets are stored",
                             &SinkMetrics::records_ignored));
    d.push_back(
        sink_counter("sluice_sink_records_skipped_total",
                     "Records that failed (conversion or the target refused them) and were skipped by "
                     "errors.tolerance=all; Kafka Connect total-records-skipped",
                     &SinkMetrics::records_skipped));
    d.push_back(sink_counter("sluice_sink_dead_letter_records_total",
                             "Skipped records written to errors.deadletterqueue.topic.name; Kafka Connect "
                             "deadletterqueue-produce-requests",
                             &SinkMetrics::dead_letter_records));
    d.push_back(sink_counter("sluice_sink_transactions_committed_total",
                             "Target transactions committed: one per batch, with its Kafka offsets",
                             &SinkMetrics::transactions_committed));
    d.push_back(sink_counter("sluice_sink_batch_retries_total",
                             "Batches retried after a transient failure (target unreachable, serialization "
                             "failure; flush.max.retries, flush.retry.delay.ms)",
                             &SinkMetrics::batch_retries));
    d.push_back({"sluice_sink_batch_apply_seconds", MetricType::Histogram,
                 "Time from a batch's first apply attempt to its commit in the target (retries included); "
                 "Kafka Connect put-batch-avg-time-ms / put-batch-max-time-ms",
                 [](const SinkView& c, std::vector<ClientMetric>& out) {
                   auto m = histogram_sample(c.metrics->batch_apply, {{"connector", c.connector}});
                   if (m) out.push_back(std::move(*m));
                 }});
    d.push_back({"sluice_sink_last_commit_timestamp_seconds", MetricType::Gauge,
                 "When the last batch committed in the target (unix time; absent before the first)",
                 [](const SinkView& c, std::vector<ClientMetric>& out) {
                   int64_t ms = c.metrics->last_commit_unix_ms.load(std::memory_order_relaxed);
                   if (ms >= 0)
                     out.push_back(sample(c.connector, MetricType::Gauge, static_cast<double>(ms) / 1000.0));
                 }});
    d.push_back(sink_flag("sluice_sink_consuming", "1 while the sink's Kafka consumer runs (subscribed)",
                          &SinkMetrics::consuming));
    d.push_back(sink_flag("sluice_sink_target_connected",
                          "1 while the sink holds a working connection to the target Postgres",
                          &SinkMetrics::target_connected));
    d.push_back({"sluice_sink_assigned_partitions", MetricType::Gauge,
                 "Topic partitions assigned to the sink; Kafka Connect partition-count",
                 [](const SinkView& c, std::vector<ClientMetric>& out) {
                   out.push_back(
                       sample(c.connector, MetricType::Gauge, static_cast<double>(c.partitions.size())));
                 }});
    d.push_back(sink_partition_gauge(
        "sluice_sink_last_applied_offset",
        "Per partition, the offset of the last record committed in the target (stored next offset - 1)",
        [](const SinkMetrics::Partition& p) { return p.next_offset > 0 ? p.next_offset - 1 : int64_t{-1}; }));
    d.push_back(sink_partition_gauge(
        "sluice_sink_high_watermark_offset",
        "Per partition, the end offset (high watermark) the consumer last saw from Kafka",
        [](const SinkMetrics::Partition& p) { return p.high_watermark; }));
    d.push_back(sink_partition_gauge(
        "sluice_sink_consumer_lag",
        "Per partition, records in Kafka not yet applied: high watermark - next offset to apply; Kafka "
        "Connect's consumer records-lag",
        [](const SinkMetrics::Partition& p) { return p.lag; }));
    return d;
  }();
  return all;
}

}  // namespace

std::string metrics_text(const std::vector<LabeledMetrics>& connectors,
                         const std::vector<LabeledSinkMetrics>& sinks) {
  std::vector<MetricFamily> families;
  for (const auto& def : defs()) {
    MetricFamily f{def.name, def.help, def.type, {}};
    for (const auto& c : connectors) {
      if (c.metrics != nullptr) def.add(c, f.metric);
    }
    if (f.name == "sluice_connector_state") {
      for (const auto& c : sinks) {
        if (c.metrics != nullptr) state_samples(c.connector, c.state, f.metric);
      }
    }
    families.push_back(std::move(f));
  }
  std::vector<SinkView> views;
  for (const auto& c : sinks) {
    if (c.metrics != nullptr) views.push_back({c.connector, c.metrics, c.metrics->partitions()});
  }
  for (const auto& def : sink_defs()) {
    MetricFamily f{def.name, def.help, def.type, {}};
    for (const auto& v : views) def.add(v, f.metric);
    families.push_back(std::move(f));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

std::vector<std::string> metric_names() {
  std::vector<std::string> out;
  for (const auto& def : defs()) out.push_back(def.name);
  for (const auto& def : sink_defs()) out.push_back(def.name);
  return out;
}

}  // namespace sluice::server
