// NullSink (sink.type=null): takes every message, keeps nothing but its opaque, and acknowledges it at the
// next poll(). With it sluice decodes and serializes everything as usual, so a run measures sluice's own
// cost without a broker's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sink/sink.h"

namespace sluice::sink {

class NullSink final : public Sink {
 public:
  explicit NullSink(DeliveryHandler* handler) : handler_(handler) {}

  Status produce(const std::string& topic, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, uint64_t opaque,
                 const std::vector<KafkaHeader>& headers, const std::function<bool()>& interrupted) override;
  // Records are counted and discarded: where they would go does not matter.
  Status produce_placed(const std::string& topic, int32_t /*partition*/, int64_t /*timestamp_ms*/,
                        std::optional<std::string_view> key, std::optional<std::string_view> value,
                        uint64_t opaque, const std::vector<KafkaHeader>& headers,
                        const std::function<bool()>& interrupted) override {
    return produce(topic, key, value, opaque, headers, interrupted);
  }
  int poll(int timeout_ms) override;
  bool flush(int timeout_ms) override;
  int out_queue_len() const override { return static_cast<int>(pending_.size()); }
  int64_t queued_events() const override { return static_cast<int64_t>(pending_.size()); }
  Status ensure_topic(const std::string& topic, int timeout_ms) override;

  uint64_t messages() const { return messages_; }
  uint64_t bytes() const { return bytes_; }  // keys + values (+ headers), as Kafka would have received them

 private:
  struct Pending {
    uint64_t opaque;
    const std::string* topic;  // owned by topics_ (node-based, stable)
  };
  DeliveryHandler* handler_;
  std::vector<Pending> pending_;
  std::vector<Pending> serving_;
  std::vector<std::unique_ptr<std::string>> topics_;
  const std::string* last_topic_ = nullptr;
  uint64_t messages_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace sluice::sink
