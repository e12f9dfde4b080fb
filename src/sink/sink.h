// Sink: where serialized events go. The connector hands each event to produce() and learns of its
// acknowledgement through DeliveryHandler::on_delivery, always on the thread that calls poll()/flush().
// Implementations: KafkaProducer (librdkafka), NullSink (acknowledges everything; measures sluice's own
// cost).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sluice::sink {

class DeliveryHandler {
 public:
  virtual ~DeliveryHandler() = default;
  // opaque is the value given to produce(); error is empty on success.
  virtual void on_delivery(uint64_t opaque, std::string_view topic, const char* error) = 0;
  // Timing of a message the sink delivered, just before its on_delivery: microseconds from produce() to the
  // report (-1: unknown) and the broker's log append time in unix ms (-1 unless the topic has
  // message.timestamp.type=LogAppendTime).
  virtual void on_delivery_timing(uint64_t /*opaque*/, int64_t /*latency_us*/, int64_t /*append_ms*/) {}
  // The Kafka client cannot work as configured (authentication or TLS refused): delivery cannot succeed
  // until the configuration changes. Called once, on the thread that calls poll().
  virtual void on_client_error(const std::string& /*message*/) {}
};

struct KafkaHeader {
  std::string name;
  std::string value;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Enqueues one message (value nullopt = tombstone); the sink copies what it keeps. When the sink's queue
  // is full it serves delivery reports and waits (backpressure) until there is room or `interrupted`
  // returns true.
  virtual Status produce(const std::string& topic, std::optional<std::string_view> key,
                         std::optional<std::string_view> value, uint64_t opaque,
                         const std::vector<KafkaHeader>& headers,
                         const std::function<bool()>& interrupted) = 0;
  // produce() into a given partition (-1: the partitioner's choice, by key) and with a given record timestamp
  // (-1: the producer's clock), as a transform chose them. A sink that cannot place records refuses.
  virtual Status produce_placed(const std::string& topic, int32_t partition, int64_t timestamp_ms,
                                std::optional<std::string_view> key, std::optional<std::string_view> value,
                                uint64_t opaque, const std::vector<KafkaHeader>& headers,
                                const std::function<bool()>& interrupted) {
    if (partition < 0 && timestamp_ms < 0) return produce(topic, key, value, opaque, headers, interrupted);
    return Error::fatal("this sink cannot send a record to a chosen partition or with a chosen timestamp");
  }
  // Serves delivery reports (waiting up to timeout_ms for one); returns how many were served.
  virtual int poll(int timeout_ms) = 0;
  // Waits until every enqueued message is acknowledged or failed; false on timeout.
  virtual bool flush(int timeout_ms) = 0;
  // Messages enqueued and not yet reported.
  virtual int out_queue_len() const = 0;
  // Messages and key+value bytes enqueued and not yet reported, as the sink's own queue bound counts them
  // (plain reads on the producing thread: the /metrics queue gauges); -1 when the sink keeps no such count.
  virtual int64_t queued_events() const { return -1; }
  virtual int64_t queued_bytes() const { return -1; }
  // Makes sure the topic exists before the first event goes to it (kFatal naming the topic when refused).
  virtual Status ensure_topic(const std::string& topic, int timeout_ms) = 0;
  // A descriptor that becomes readable when delivery reports wait to be served by poll(), for a loop that
  // waits on other sockets too (the caller reads it empty, then polls); -1 when the sink has none.
  virtual int wake_fd() { return -1; }
};

}  // namespace sluice::sink
