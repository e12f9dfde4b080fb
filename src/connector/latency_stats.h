// LatencyStats (latency.log.interval.ms): where a streamed change event spends its time between the commit in
// Postgres and Kafka's acknowledgement, one histogram per stage, reported per interval and for the whole run.
// Clocks: commit and send times are the Postgres server's, the append time the Kafka broker's, the rest
// sluice's host's; stages that cross hosts assume synchronized clocks. Pure (no I/O), single-threaded.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>

#include "common/atomic_metrics.h"
#include "common/latency_histogram.h"

namespace sluice::connector {

class LatencyStats {
 public:
  enum Stage {
    kCommitToSent,        // commit -> the walsender sends the change (Postgres: WAL flush, decoding, wake-up)
    kSentToReceived,      // -> sluice reads it from the socket (network, sluice's loop busy elsewhere)
    kReceivedToProduced,  // -> handed to librdkafka (decode, convert, serialize, backpressure)
    kProducedToAppended,  // -> appended to the Kafka log (linger, request queue, broker); LogAppendTime
                          // topics
    kAppendedToAcked,     // -> delivery report served (response, sluice's poll cadence); LogAppendTime topics
    kProducedToAcked,     // produce() -> delivery report (librdkafka's per-message latency)
    kCommitToAcked,       // end to end
    kStageCount
  };
  static const char* stage_name(Stage s);

  // A streamed transaction begins: its acknowledgement id (dense, increasing) and commit time (unix µs).
  void begin(uint64_t tx, int64_t commit_unix_us);
  // Forgets the commit times of transactions before `oldest` (none of their events is in flight).
  void forget_before(uint64_t oldest);
  // An event of the open transaction was handed to the sink: when its frame was sent by the server,
  // received, and when produce() returned (unix µs).
  void produced(int64_t commit_us, int64_t sent_us, int64_t received_us, int64_t produced_us);
  // A delivery report for an event of tx: produce() -> report in µs (< 0: unknown), the broker's log append
  // time in unix ms (< 0: the topic does not use LogAppendTime), and now (unix µs).
  void acked(uint64_t tx, int64_t latency_us, int64_t append_ms, int64_t now_us);

  // "<events> events; <stage> p50/p99/p99.9/max ms, …" over the interval since the last call (which starts a
  // new one), or over the whole run (total). Stages without samples are left out.
  std::string interval_report();
  std::string total_report() const;
  uint64_t events() const { return interval_[kReceivedToProduced].count(); }
  size_t transactions_tracked() const { return commit_us_.size(); }
  // Also records every sample into histograms[stage] (kStageCount of them, the /metrics histograms); with
  // reports false only there (no interval or total report is asked for: latency.log.interval.ms is off).
  void set_histograms(AtomicHistogram* histograms, bool reports = true) {
    histograms_ = histograms;
    reports_ = reports;
  }

 private:
  static std::string format(const std::array<LatencyHistogram, kStageCount>& h);
  void record(Stage s, int64_t us);

  std::array<LatencyHistogram, kStageCount> interval_;
  std::array<LatencyHistogram, kStageCount> total_;
  // Commit time of transaction base_ + i (-1: not a streamed transaction).
  std::deque<int64_t> commit_us_;
  uint64_t base_ = 0;
  AtomicHistogram* histograms_ = nullptr;
  bool reports_ = true;
};

}  // namespace sluice::connector
