// LatencyStats: per-stage histograms of streamed events, and their one-line reports.
#include "connector/latency_stats.h"

#include <fmt/format.h>

#include "connector/connector_metrics.h"

namespace sluice::connector {

namespace {
// Transactions whose commit time is kept at most (a bound of last resort: forget_before() trims as
// transactions are acknowledged, and sluice's queue bounds what is in flight).
constexpr size_t kMaxTracked = 1 << 20;
}  // namespace

const char* LatencyStats::stage_name(Stage s) {
  switch (s) {
    case kCommitToSent:
      return "commit->sent";
    case kSentToReceived:
      return "sent->received";
    case kReceivedToProduced:
      return "received->produced";
    case kProducedToAppended:
      return "produced->appended";
    case kAppendedToAcked:
      return "appended->acked";
    case kProducedToAcked:
      return "produced->acked";
    case kCommitToAcked:
      return "commit->acked";
    case kStageCount:
      break;
  }
  return "?";
}

void LatencyStats::record(Stage s, int64_t us) {
  if (reports_) interval_[s].record(us);
  if (histograms_ != nullptr) histograms_[s].record(us);
}

void LatencyStats::begin(uint64_t tx, int64_t commit_unix_us) {
  if (commit_us_.empty() || tx < base_) {
    commit_us_.clear();
    base_ = tx;
  }
  while (base_ + commit_us_.size() < tx) commit_us_.push_back(-1);
  if (base_ + commit_us_.size() == tx) commit_us_.push_back(commit_unix_us);
  while (commit_us_.size() > kMaxTracked) {
    commit_us_.pop_front();
    ++base_;
  }
}

void LatencyStats::forget_before(uint64_t oldest) {
  while (!commit_us_.empty() && base_ < oldest) {
    commit_us_.pop_front();
    ++base_;
  }
}

void LatencyStats::produced(int64_t commit_us, int64_t sent_us, int64_t received_us, int64_t produced_us) {
  record(kCommitToSent, sent_us - commit_us);
  record(kSentToReceived, received_us - sent_us);
  record(kReceivedToProduced, produced_us - received_us);
}

void LatencyStats::acked(uint64_t tx, int64_t latency_us, int64_t append_ms, int64_t now_us) {
  if (latency_us >= 0) {
    record(kProducedToAcked, latency_us);
    if (append_ms >= 0) {
      const int64_t produced_us = now_us - latency_us;
      record(kProducedToAppended, append_ms * 1000 - produced_us);
      record(kAppendedToAcked, now_us - append_ms * 1000);
    }
  }
  if (tx >= base_ && tx - base_ < commit_us_.size()) {
    int64_t commit = commit_us_[static_cast<size_t>(tx - base_)];
    if (commit >= 0) record(kCommitToAcked, now_us - commit);
  }
}

std::string LatencyStats::format(const std::array<LatencyHistogram, kStageCount>& h) {
  std::string out = fmt::format("{} events (ms p50/p99/p99.9/max)", h[kReceivedToProduced].count());
  for (int s = 0; s < kStageCount; ++s) {
    if (h[s].count() == 0) continue;
    auto ms = [&](double q) { return static_cast<double>(h[s].percentile(q)) / 1000.0; };
    fmt::format_to(std::back_inserter(out), "; {} {:.1f}/{:.1f}/{:.1f}/{:.1f}",
                   stage_name(static_cast<Stage>(s)), ms(0.5), ms(0.99), ms(0.999),
                   static_cast<double>(h[s].max()) / 1000.0);
  }
  return out;
}

std::string LatencyStats::interval_report() {
  std::string out = format(interval_);
  for (int s = 0; s < kStageCount; ++s) {
    total_[s].merge(interval_[s]);
    interval_[s].reset();
  }
  return out;
}

std::string LatencyStats::total_report() const {
  auto all = total_;
  for (int s = 0; s < kStageCount; ++s) all[s].merge(interval_[s]);
  return format(all);
}

}  // namespace sluice::connector
