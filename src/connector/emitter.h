// Emitter: the one emit path. Every record a connector publishes — change events, snapshot rows a worker
// serialized, tombstones, transaction metadata, logical decoding messages, heartbeats — goes through
// send(), which hands it to the sink (the transforms sit in front of Kafka there) and counts it in its
// acknowledgement unit; Kafka's delivery reports come back here and move the AckTracker.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "connector/pipeline.h"
#include "event/change_event.h"
#include "event/json_serializer.h"
#include "offsets/ack_tracker.h"
#include "sink/sink.h"

namespace sluice::connector {

class Emitter final : public sink::DeliveryHandler {
 public:
  using TxId = offsets::AckTracker::TxId;
  using Headers = std::vector<sink::KafkaHeader>;

  // What the streaming loop accounts per transaction: after an interruption, the messages of a
  // transaction Kafka had acknowledged are skipped when Postgres sends it again.
  class Accounting {
   public:
    virtual ~Accounting() = default;
    // A message of unit tx acknowledged before the interruption: it is not sent again.
    virtual bool skip_replayed(TxId tx) = 0;
    // A message of unit tx was handed to the sink; `measured`: a change event (latency.log.interval.ms).
    virtual void sent(TxId tx, bool measured) = 0;
  };

  explicit Emitter(Pipeline& p);

  void set_accounting(Accounting* a) { accounting_ = a; }
  // Called with each topic the first time Kafka acknowledges a record written to it.
  void set_topic_observer(std::function<void(const std::string&)> observer) {
    topic_observer_ = std::move(observer);
  }

  // A change event, serialized here.
  Status change(const event::ChangeEvent& ev, TxId tx, const Headers& headers = {});
  // A snapshot row a worker serialized already.
  Status encoded(const event::TableSchema& table, std::optional<std::string_view> key, std::string_view value,
                 TxId tx);
  // The tombstone after a delete: key_buf() still holds the delete's key (without key: a null key).
  Status tombstone(const event::TableSchema& table, TxId tx, bool has_key = true,
                   const Headers& headers = {});
  // A record written into key_buf()/value_buf() (transaction metadata, logical decoding messages), on a
  // topic of its own created at its first use, without context headers.
  Status record(const std::string& topic, bool& topic_ready, TxId tx);
  // A heartbeat (heartbeat.interval.ms): in no acknowledgement unit.
  Status heartbeat();

  event::JsonSerializer& serializer() { return serializer_; }
  std::string& key_buf() { return key_buf_; }
  std::string& value_buf() { return value_buf_; }
  uint64_t events_sent() const { return events_sent_; }

  void on_delivery(uint64_t opaque, std::string_view topic, const char* error) override;
  void on_delivery_timing(uint64_t opaque, int64_t latency_us, int64_t append_ms) override;
  void on_client_error(const std::string& message) override;

 private:
  enum class Kind { kChange, kRecord, kHeartbeat };
  static constexpr uint64_t kHeartbeatOpaque = 0;  // AckTracker ids start at 1
  Status send(Kind kind, const std::string& topic, std::optional<std::string_view> key,
              std::optional<std::string_view> value, TxId tx, const Headers& headers);
  // send() after the replay check. dropped: the serializer already applied the transform that drops the
  // record (SerializerOptions::unwrap); it is acknowledged as the chain's drops are.
  Status publish(Kind kind, const std::string& topic, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, TxId tx, const Headers& headers,
                 bool dropped = false);
  // headers + Debezium's __debezium.context.* headers (extended.headers.enabled).
  const Headers& with_context_headers(const Headers& headers);

  Pipeline& p_;
  event::JsonSerializer serializer_;
  Accounting* accounting_ = nullptr;
  std::string key_buf_;
  std::string value_buf_;
  Headers context_headers_;
  Headers headers_buf_;
  uint64_t events_sent_ = 0;
  std::function<void(const std::string&)> topic_observer_;
  std::string last_topic_;
  std::unordered_set<std::string> seen_topics_;
};

}  // namespace sluice::connector
