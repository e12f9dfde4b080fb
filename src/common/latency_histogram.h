// LatencyHistogram: a fixed-size log-linear histogram of durations in microseconds (HdrHistogram's layout:
// each power of two split into 32 linear sub-buckets, so a reported percentile is within ~3 % of the true
// value). Recording is O(1) without allocation; pure, not thread-safe.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sluice {

class LatencyHistogram {
 public:
  // Negative durations (clock skew between hosts) count as 0.
  void record(int64_t us) {
    uint64_t v = us < 0 ? 0 : static_cast<uint64_t>(us);
    ++counts_[index(v)];
    ++count_;
    if (v > max_) max_ = v;
  }

  void merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    if (other.max_ > max_) max_ = other.max_;
  }

  void reset() { *this = LatencyHistogram{}; }

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }

  // The value at quantile q (0..1): the upper bound of the bucket holding the ceil(q * count)-th value,
  // capped at the maximum recorded. 0 when empty.
  uint64_t percentile(double q) const {
    if (count_ == 0) return 0;
    auto rank = static_cast<uint64_t>(q * static_cast<double>(count_) + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > count_) rank = count_;
    uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return upper(i) < max_ ? upper(i) : max_;
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 5;  // 32 sub-buckets per power of two
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  static constexpr int kGroups = 64 - kSubBits + 1;

  // Values below kSub are exact (group 0); a value with highest bit b >= kSubBits falls in group
  // b - kSubBits + 1, sub-bucket (v >> (b - kSubBits)) - kSub.
  static std::size_t index(uint64_t v) {
    if (v < kSub) return static_cast<std::size_t>(v);
    int b = 63 - std::countl_zero(v);
    int shift = b - kSubBits;
    return static_cast<std::size_t>((shift + 1) * kSub + ((v >> shift) - kSub));
  }
  // The largest value that maps to bucket i.
  static uint64_t upper(std::size_t i) {
    if (i < kSub) return i;
    std::size_t group = i / kSub;  // >= 1
    uint64_t sub = i % kSub;
    int shift = static_cast<int>(group) - 1;
    return ((kSub + sub + 1) << shift) - 1;
  }

  std::array<uint64_t, kGroups * kSub> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace sluice
