// Offset records go to the Kafka topic through the connector's own sink (so they follow the events they
// cover) or to a file.
#include "connector/offset_committer.h"

#include <fmt/format.h>

#include <chrono>

#include "common/log.h"

namespace sluice::connector {

OffsetCommitter::OffsetCommitter(const config::Config& config, sink::Sink* sink,
                                 std::function<bool()> interrupted)
    : mode_(config.offset_storage),
      sink_(sink),
      interrupted_(std::move(interrupted)),
      topic_(config.offset_topic),
      key_(offsets::offset_key(config.name, config.topic_prefix)),
      bootstrap_(config.bootstrap_servers),
      kafka_properties_(config.producer_properties),
      file_(config.offset_file, key_) {}

std::string OffsetCommitter::describe() const {
  switch (mode_) {
    case config::OffsetStorage::kKafka:
      return fmt::format("Kafka topic {}", topic_);
    case config::OffsetStorage::kFile:
      return fmt::format("file {}", file_.path());
    case config::OffsetStorage::kNone:
      return "the replication slot only";
  }
  return "";
}

Result<std::optional<offsets::StoredOffset>> OffsetCommitter::load() {
  if (loaded_) return *loaded_;
  Result<std::optional<offsets::StoredOffset>> r = std::optional<offsets::StoredOffset>{};
  if (mode_ == config::OffsetStorage::kKafka) {
    if (auto s = sink_->ensure_topic(topic_, 30000); !s) return s.error();
    r = offsets::load_kafka_offset(bootstrap_, kafka_properties_, topic_, key_, 30000);
  } else if (mode_ == config::OffsetStorage::kFile) {
    r = file_.load();
  }
  if (!r) return r.error();
  loaded_ = *r;
  if (*r) {
    written_ = durable_ = (**r).lsn;
    written_extra_ = extra_ = follows_slot(**r) ? std::string() : (**r).extra;
  }
  return *r;
}

void OffsetCommitter::progress(Lsn from, std::string extra) {
  if (!progress_.empty() && progress_.back().first >= from) {
    // Same (or an earlier) position: the newer progress replaces what is queued from there on.
    while (!progress_.empty() && progress_.back().first >= from) progress_.pop_back();
  }
  progress_.emplace_back(from, std::move(extra));
}

const std::string& OffsetCommitter::progress_at(Lsn acked) {
  while (!progress_.empty() && progress_.front().first <= acked) {
    extra_ = std::move(progress_.front().second);
    progress_.pop_front();
  }
  return extra_;
}

Status OffsetCommitter::store_in_transaction(Lsn acked, const offsets::StoredOffset::InTransaction& in_tx) {
  in_tx_ = in_tx;
  rewrite_ = true;
  auto s = store(acked);
  in_tx_.reset();
  return s;
}

Status OffsetCommitter::store(Lsn acked) {
  progress_at(acked);
  if (!enabled() || (acked <= written_ && extra_ == written_extra_ && !rewrite_)) return ok_status();
  rewrite_ = false;
  offsets::StoredOffset o;
  o.in_tx = in_tx_;
  o.lsn = acked;
  o.extra = extra_;
  o.ts_usec = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  if (mode_ == config::OffsetStorage::kFile) {
    if (auto s = file_.store(o); !s) return s;
    stored_any_ = true;
    written_ = durable_ = acked;
    written_extra_ = extra_;
    return ok_status();
  }
  value_buf_ = offsets::offset_value(o);
  auto s = sink_->produce(topic_, std::string_view(key_), std::string_view(value_buf_),
                          kOpaqueBit | acked.value(), {}, interrupted_);
  if (!s) return s;
  stored_any_ = true;
  written_ = acked;
  written_extra_ = extra_;
  return ok_status();
}

void OffsetCommitter::on_delivery(uint64_t opaque, const char* error) {
  Lsn lsn(opaque & ~kOpaqueBit);
  if (error != nullptr) {
    module_logger("offsets")->warn(
        "offset record for LSN {} not stored in {}: {}; retried at the next update", lsn.str(), topic_,
        error);
    written_ = durable_;  // write again next time
    rewrite_ = true;      // (and the progress with it)
    return;
  }
  if (lsn > durable_) durable_ = lsn;
}

Status OffsetCommitter::reset() {
  offsets::StoredOffset marker;
  marker.extra = offsets::kFollowSlotExtra;
  marker.ts_usec = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (mode_ == config::OffsetStorage::kFile) return file_.store(marker);
  if (mode_ != config::OffsetStorage::kKafka) return ok_status();
  if (auto s = sink_->ensure_topic(topic_, 30000); !s) return s;
  value_buf_ = offsets::offset_value(marker);
  auto s = sink_->produce(topic_, std::string_view(key_), std::string_view(value_buf_), kOpaqueBit, {},
                          [] { return false; });
  if (!s) return s;
  if (!sink_->flush(30000))
    return Error::transient(fmt::format("Kafka did not acknowledge the reset of {}", key_));
  loaded_.reset();
  written_ = durable_ = Lsn{};
  progress_.clear();
  extra_.clear();
  written_extra_.clear();
  return ok_status();
}

}  // namespace sluice::connector
