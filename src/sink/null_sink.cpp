// NullSink: acknowledges each message at the next poll(), on the polling thread as librdkafka would.
#include "sink/null_sink.h"

#include <chrono>
#include <memory>
#include <thread>

namespace sluice::sink {

Status NullSink::produce(const std::string& topic, std::optional<std::string_view> key,
                         std::optional<std::string_view> value, uint64_t opaque,
                         const std::vector<KafkaHeader>& headers,
                         const std::function<bool()>& /*interrupted*/) {
  // Topic names are few: compare with the last one instead of hashing per message.
  if (last_topic_ == nullptr || *last_topic_ != topic) {
    last_topic_ = nullptr;
    for (const auto& t : topics_) {
      if (*t == topic) last_topic_ = t.get();
    }
    if (last_topic_ == nullptr) {
      topics_.push_back(std::make_unique<std::string>(topic));
      last_topic_ = topics_.back().get();
    }
  }
  pending_.push_back(Pending{opaque, last_topic_});
  ++messages_;
  bytes_ += (key ? key->size() : 0) + (value ? value->size() : 0);
  for (const auto& h : headers) bytes_ += h.name.size() + h.value.size();
  return ok_status();
}

int NullSink::poll(int timeout_ms) {
  if (pending_.empty()) {
    // Nothing to report: wait as a broker poll would, so callers' poll loops do not spin.
    if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return 0;
  }
  // The handler may produce again while being called back: serve a snapshot.
  serving_.swap(pending_);
  for (const auto& p : serving_) handler_->on_delivery(p.opaque, *p.topic, nullptr);
  int n = static_cast<int>(serving_.size());
  serving_.clear();
  return n;
}

bool NullSink::flush(int /*timeout_ms*/) {
  while (!pending_.empty()) poll(0);
  return true;
}

Status NullSink::ensure_topic(const std::string& /*topic*/, int /*timeout_ms*/) {
  return ok_status();
}

}  // namespace sluice::sink
