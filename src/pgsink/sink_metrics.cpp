// SinkMetrics' partition table and the lag a scrape computes. See sink_metrics.h.
#include "pgsink/sink_metrics.h"

namespace sluice::pgsink {

void SinkMetrics::set_watermarks(WatermarkFn fn, bool from_earliest) {
  std::lock_guard lock(mu_);
  if (!fn) next_.clear();  // the consumer closes: it owns no partition any more
  watermarks_ = std::move(fn);
  from_earliest_ = from_earliest;
}

void SinkMetrics::assigned(const TopicPartition& tp, int64_t next_offset) {
  std::lock_guard lock(mu_);
  next_[tp] = next_offset;
}

void SinkMetrics::revoked(const TopicPartition& tp) {
  std::lock_guard lock(mu_);
  next_.erase(tp);
}

void SinkMetrics::applied(const std::map<TopicPartition, int64_t>& next_offsets) {
  std::lock_guard lock(mu_);
  for (const auto& [tp, off] : next_offsets) {
    if (auto it = next_.find(tp); it != next_.end()) it->second = off;  // revoked meanwhile: not ours
  }
}

std::vector<SinkMetrics::Partition> SinkMetrics::partitions() const {
  std::lock_guard lock(mu_);
  std::vector<Partition> out;
  out.reserve(next_.size());
  for (const auto& [tp, next] : next_) {
    Partition p{tp, next, -1, -1};
    int64_t low = -1, high = -1, from = next;
    if (watermarks_ && watermarks_(tp, low, high)) {
      if (high >= 0) p.high_watermark = high;
      if (from < 0 && from_earliest_ && low >= 0) from = low;  // nothing stored yet: all of it is to apply
    }
    if (p.high_watermark >= 0 && from >= 0) p.lag = p.high_watermark > from ? p.high_watermark - from : 0;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace sluice::pgsink
