// ConnectorMetrics (the connector's counters) and their Prometheus text (metrics_text).
#include "connector/connector_metrics.h"

#include <gtest/gtest.h>

#include <sstream>

#include "server/metrics_text.h"

namespace sluice::server {

using connector::ConnectorMetrics;
using connector::LatencyStats;
namespace {

// The sample lines of `text` for metric `name` (exact name, any labels).
std::vector<std::string> lines_of(const std::string& text, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(name + "{") || line.starts_with(name + " ")) out.push_back(line);
  }
  return out;
}

TEST(AtomicHistogram, BucketsAreUpperBoundsInclusive) {
  AtomicHistogram h;
  h.record(-5);                // clock skew: 0
  h.record(500);               // <= 0.5 ms
  h.record(501);               // <= 1 ms
  h.record(2000000);           // <= 2.5 s
  h.record(int64_t{1} << 40);  // +Inf
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(h.bucket(11), 1u);
  EXPECT_EQ(h.bucket(AtomicHistogram::kBoundsUs.size()), 1u);
  EXPECT_EQ(h.sum_us(), 500u + 501u + 2000000u + (uint64_t{1} << 40));
}

TEST(ConnectorMetrics, SnapshotCompletesWhenEveryTableIsDone) {
  ConnectorMetrics m;
  snapshot::Progress progress({{"public.a", 10}, {"public.b", 0}}, std::chrono::seconds(5));
  {
    auto scope = m.snapshot_scope(progress, 2);
    EXPECT_TRUE(m.snapshot_running);
    m.snapshot_row(0);
    m.snapshot_row(0);
    m.snapshot_row(7);  // out of range: ignored
    m.snapshot_table_done(0);
    m.snapshot_table_done(0);  // twice counts once
    EXPECT_EQ(m.snapshot_remaining, 1);
    EXPECT_FALSE(m.snapshot_completed);
    m.snapshot_table_done(1);
    auto tables = m.snapshot_tables();
    ASSERT_EQ(tables.size(), 2u);
    EXPECT_EQ(tables[0].name, "public.a");
    EXPECT_EQ(tables[0].rows, 2u);
    EXPECT_EQ(tables[0].estimate, 10);
    EXPECT_TRUE(tables[1].done);
  }
  EXPECT_FALSE(m.snapshot_running);
  EXPECT_TRUE(m.snapshot_completed);
  EXPECT_FALSE(m.snapshot_aborted);
  EXPECT_GE(m.snapshot_duration_ms(), 0);
}

TEST(ConnectorMetrics, SnapshotEndingEarlyIsAborted) {
  ConnectorMetrics m;
  snapshot::Progress progress({{"public.a", 10}}, std::chrono::seconds(5));
  { auto scope = m.snapshot_scope(progress, 1); }
  EXPECT_FALSE(m.snapshot_running);
  EXPECT_FALSE(m.snapshot_completed);
  EXPECT_TRUE(m.snapshot_aborted);
}

TEST(LatencyStats, FeedsTheMetricsHistogramsWithOrWithoutReports) {
  constexpr int64_t kT = 1'700'000'000'000'000;
  for (bool reports : {true, false}) {
    ConnectorMetrics m;
    LatencyStats s;
    s.set_histograms(m.latency.data(), reports);
    s.begin(3, kT);
    s.produced(kT, kT + 1000, kT + 1500, kT + 1700);  // commit->sent 1 ms, sent->received 0.5 ms
    s.acked(3, 4300, -1, kT + 6000);                  // produced->acked 4.3 ms, commit->acked 6 ms
    EXPECT_EQ(m.latency[LatencyStats::kCommitToSent].bucket(1), 1u);     // <= 1 ms
    EXPECT_EQ(m.latency[LatencyStats::kSentToReceived].bucket(0), 1u);   // <= 0.5 ms
    EXPECT_EQ(m.latency[LatencyStats::kProducedToAcked].bucket(3), 1u);  // <= 5 ms
    EXPECT_EQ(m.latency[LatencyStats::kCommitToAcked].bucket(4), 1u);    // <= 10 ms
    EXPECT_EQ(m.latency[LatencyStats::kCommitToAcked].sum_us(), 6000u);
    EXPECT_EQ(m.latency[LatencyStats::kProducedToAppended].sum_us(), 0u);  // not a LogAppendTime topic
    EXPECT_EQ(s.events(), reports ? 1u : 0u);  // the log's histograms are only kept when reported
  }
}

TEST(MetricsText, EveryFamilyHasHelpTypeAndTheConnectorLabel) {
  ConnectorMetrics m;
  m.on_event(event::Op::kCreate, (coarse_unix_ms() - 250) * 1000);
  m.on_event(event::Op::kCreate, 0);
  m.on_event(ConnectorMetrics::kOpMessage, 0);
  m.count(m.committed_transactions);
  m.latency[LatencyStats::kCommitToAcked].record(3000);
  m.slot_lag_bytes = 4096;
  m.queue_capacity = 8192;
  m.set_queue(3, 300);
  auto text = metrics_text({{"inventory", "RUNNING", &m}});
  for (const auto& name : metric_names()) {
    EXPECT_NE(text.find("# HELP " + name + " "), std::string::npos) << name;
    EXPECT_NE(text.find("# TYPE " + name + " "), std::string::npos) << name;
  }
  EXPECT_EQ(lines_of(text, "sluice_streaming_events_seen_total").size(), 6u);
  EXPECT_NE(text.find("sluice_streaming_events_seen_total{connector=\"inventory\",op=\"c\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_streaming_events_seen_total{connector=\"inventory\",op=\"m\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_streaming_committed_transactions_total{connector=\"inventory\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_connector_state{connector=\"inventory\",state=\"RUNNING\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_connector_state{connector=\"inventory\",state=\"FAILED\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_slot_lag_bytes{connector=\"inventory\"} 4096"), std::string::npos);
  EXPECT_NE(text.find("sluice_queue_remaining_capacity{connector=\"inventory\"} 8189"), std::string::npos);
  EXPECT_NE(text.find("sluice_queue_current_bytes{connector=\"inventory\"} 300"), std::string::npos);
  // Unknown gauges are left out rather than shown as a made-up value.
  EXPECT_TRUE(lines_of(text, "sluice_slot_retained_wal_bytes").empty());
  // behind source: about 250 ms (the coarse clock moves in a few ms steps).
  auto behind = lines_of(text, "sluice_streaming_milliseconds_behind_source");
  ASSERT_EQ(behind.size(), 1u);
  double ms = std::stod(behind[0].substr(behind[0].rfind(' ') + 1));
  EXPECT_GE(ms, 200);
  EXPECT_LT(ms, 60000);
  // The histogram: cumulative buckets in seconds, +Inf, _sum and _count.
  EXPECT_NE(
      text.find(
          "sluice_latency_seconds_bucket{connector=\"inventory\",stage=\"commit_to_acked\",le=\"0.0025\"} 0"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "sluice_latency_seconds_bucket{connector=\"inventory\",stage=\"commit_to_acked\",le=\"0.005\"} 1"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "sluice_latency_seconds_bucket{connector=\"inventory\",stage=\"commit_to_acked\",le=\"+Inf\"} 1"),
      std::string::npos);
  EXPECT_NE(text.find("sluice_latency_seconds_count{connector=\"inventory\",stage=\"commit_to_acked\"} 1"),
            std::string::npos);
  EXPECT_EQ(text.find("stage=\"produced_to_appended\""), std::string::npos);  // no sample: left out
}

TEST(MetricsText, LabelValuesAreEscaped) {
  ConnectorMetrics m;
  auto text = metrics_text({{"a\"b\\c", "FAILED", &m}});
  EXPECT_NE(text.find("sluice_connector_state{connector=\"a\\\"b\\\\c\",state=\"FAILED\"} 1"),
            std::string::npos)
      << text;
}

TEST(MetricsText, SinkConnectorsHaveTheirFamiliesAndShareTheStateFamily) {
  ConnectorMetrics source;
  pgsink::SinkMetrics sink;
  bump(sink.records_read, 12);
  bump(sink.records_applied[pgsink::SinkMetrics::kUpsert], 9);
  bump(sink.records_applied[pgsink::SinkMetrics::kDelete], 1);
  bump(sink.records_ignored);
  bump(sink.records_skipped);
  bump(sink.dead_letter_records);
  bump(sink.transactions_committed, 2);
  sink.batch_apply.record(3000);
  sink.batch_apply.record(40000);
  sink.target_connected = true;
  std::map<pgsink::TopicPartition, std::pair<int64_t, int64_t>> marks = {{{"inv.public.t", 0}, {0, 20}}};
  sink.set_watermarks(
      [&marks](const pgsink::TopicPartition& tp, int64_t& low, int64_t& high) {
        auto it = marks.find(tp);
        if (it == marks.end()) return false;
        low = it->second.first;
        high = it->second.second;
        return true;
      },
      true);
  sink.assigned({"inv.public.t", 0}, 12);
  sink.assigned({"inv.public.t", 1}, -1);  // nothing known: left out of the per-partition gauges
  auto text = metrics_text({{"inventory", "RUNNING", &source}}, {{"pg-sink", "PAUSED", &sink}});
  for (const auto& name : metric_names()) {
    EXPECT_NE(text.find("# HELP " + name + " "), std::string::npos) << name;
    EXPECT_NE(text.find("# TYPE " + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(text.find("sluice_connector_state{connector=\"inventory\",state=\"RUNNING\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_connector_state{connector=\"pg-sink\",state=\"PAUSED\"} 1"), std::string::npos);
  EXPECT_NE(text.find("sluice_sink_records_read_total{connector=\"pg-sink\"} 12"), std::string::npos) << text;
  EXPECT_EQ(lines_of(text, "sluice_sink_records_applied_total").size(), 5u);
  EXPECT_NE(text.find("sluice_sink_records_applied_total{connector=\"pg-sink\",op=\"upsert\"} 9"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_sink_records_applied_total{connector=\"pg-sink\",op=\"delete\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_sink_records_applied_total{connector=\"pg-sink\",op=\"insert\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_sink_records_ignored_total{connector=\"pg-sink\"} 1"), std::string::npos);
  EXPECT_NE(text.find("sluice_sink_records_skipped_total{connector=\"pg-sink\"} 1"), std::string::npos);
  EXPECT_NE(text.find("sluice_sink_dead_letter_records_total{connector=\"pg-sink\"} 1"), std::string::npos);
  EXPECT_NE(text.find("sluice_sink_transactions_committed_total{connector=\"pg-sink\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_sink_target_connected{connector=\"pg-sink\"} 1"), std::string::npos);
  EXPECT_NE(text.find("sluice_sink_consuming{connector=\"pg-sink\"} 0"), std::string::npos);
  EXPECT_NE(text.find("sluice_sink_assigned_partitions{connector=\"pg-sink\"} 2"), std::string::npos);
  EXPECT_NE(
      text.find("sluice_sink_consumer_lag{connector=\"pg-sink\",topic=\"inv.public.t\",partition=\"0\"} 8"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_sink_high_watermark_offset{connector=\"pg-sink\",topic=\"inv.public.t\","
                      "partition=\"0\"} 20"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_sink_last_applied_offset{connector=\"pg-sink\",topic=\"inv.public.t\","
                      "partition=\"0\"} 11"),
            std::string::npos);
  EXPECT_EQ(lines_of(text, "sluice_sink_consumer_lag").size(), 1u);  // partition 1 unknown: left out
  // The batch histogram: 3 ms and 40 ms.
  EXPECT_NE(text.find("sluice_sink_batch_apply_seconds_bucket{connector=\"pg-sink\",le=\"0.0025\"} 0"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_sink_batch_apply_seconds_bucket{connector=\"pg-sink\",le=\"0.005\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_sink_batch_apply_seconds_bucket{connector=\"pg-sink\",le=\"0.05\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_sink_batch_apply_seconds_count{connector=\"pg-sink\"} 2"), std::string::npos);
  EXPECT_NE(text.find("sluice_sink_batch_apply_seconds_sum{connector=\"pg-sink\"} 0.043"), std::string::npos);
  EXPECT_TRUE(lines_of(text, "sluice_sink_last_commit_timestamp_seconds").empty());  // no commit yet
  // The source's families have no sink samples and the sink's none of the source.
  EXPECT_EQ(text.find("sluice_streaming_events_seen_total{connector=\"pg-sink\""), std::string::npos);
  EXPECT_EQ(text.find("sluice_sink_records_read_total{connector=\"inventory\""), std::string::npos);
}

}  // namespace
}  // namespace sluice::server
