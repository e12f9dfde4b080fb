// SinkMetrics: one Postgres sink connector's counters and gauges, Kafka Connect's sink-task metrics
// (sink-record-read/send-total, put-batch-time, partition-count, records-lag) under sluice_sink_* names
// (src/server/metrics_text.h serializes them). The sink's thread writes the counters with relaxed atomics
// (one writer each: a load and a store, no locked instruction per record); the per-partition offsets change
// under a mutex once per batch or rebalance, and a scrape computes the lag from them and the consumer's
// cached high watermarks (rd_kafka_get_watermark_offsets: no request to Kafka).
#pragma once

#include <array>
#include <atomic>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/atomic_metrics.h"

namespace sluice::pgsink {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

class SinkMetrics {
 public:
  // Records applied per operation: writes by insert.mode (insert, upsert, update), deletes, truncates.
  enum AppliedOp { kInsert, kUpsert, kUpdate, kDelete, kTruncate, kAppliedCount };
  static constexpr std::array<const char*, kAppliedCount> kAppliedNames = {"insert", "upsert", "update",
                                                                           "delete", "truncate"};

  std::atomic<uint64_t> records_read{0};  // consumed from Kafka (sink-record-read-total)
  std::array<std::atomic<uint64_t>, kAppliedCount> records_applied{};  // committed in the target
  std::atomic<uint64_t> records_ignored{0};  // apply nothing: tombstones, deletes with delete.enabled=false …
  std::atomic<uint64_t> records_skipped{0};         // failed and skipped (errors.tolerance=all)
  std::atomic<uint64_t> dead_letter_records{0};     // written to errors.deadletterqueue.topic.name
  std::atomic<uint64_t> transactions_committed{0};  // target transactions (one per batch)
  std::atomic<uint64_t> batch_retries{0};           // a batch retried after a transient failure
  AtomicHistogram batch_apply;                      // per batch: from its first attempt to its commit
  std::atomic<int64_t> last_commit_unix_ms{-1};
  std::atomic<bool> consuming{false};         // the consumer loop runs (subscribed)
  std::atomic<bool> target_connected{false};  // a target connection is open and was not lost

  // One assigned partition as a scrape sees it (-1: not known).
  struct Partition {
    TopicPartition tp;
    int64_t next_offset = -1;     // the next offset to apply, as stored in the target
    int64_t high_watermark = -1;  // the partition's end offset, as the consumer last saw it
    int64_t lag = -1;             // high_watermark - next_offset (the low watermark when none is stored yet)
  };

  // A partition's low and high watermarks as the consumer knows them, without a request to Kafka (the
  // sink's: rd_kafka_get_watermark_offsets); false or a negative value: not known.
  using WatermarkFn = std::function<bool(const TopicPartition&, int64_t& low, int64_t& high)>;
  // What a scrape reads the watermarks with (empty before the consumer exists and before it is closed,
  // which also forgets the partitions). from_earliest: auto.offset.reset=earliest, so a partition without
  // a stored offset starts at its low watermark.
  void set_watermarks(WatermarkFn fn, bool from_earliest);
  // A partition assigned, with its stored next offset (-1: none stored).
  void assigned(const TopicPartition& tp, int64_t next_offset);
  void revoked(const TopicPartition& tp);
  // A batch committed: its partitions' next offsets (one lock per batch).
  void applied(const std::map<TopicPartition, int64_t>& next_offsets);
  // The assigned partitions, in topic/partition order, with their lag when both ends are known.
  std::vector<Partition> partitions() const;

 private:
  mutable std::mutex mu_;
  WatermarkFn watermarks_;
  bool from_earliest_ = true;
  std::map<TopicPartition, int64_t> next_;
};

}  // namespace sluice::pgsink
