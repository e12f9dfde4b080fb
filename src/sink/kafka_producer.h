// KafkaProducer: librdkafka producer (acks=all, in order, murmur2 key partitioning as the Java client)
// with delivery reports routed to a DeliveryHandler on the thread that calls poll().
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/result.h"
#include "kafka/handles.h"
#include "sink/in_flight_limit.h"
#include "sink/sink.h"

namespace sluice::sink {

// sluice's queue between reading the WAL and Kafka's acknowledgement (max.queue.size,
// max.queue.size.in.bytes; 0 bytes: no byte bound of its own) and the messages per produce request
// (max.batch.size).
struct QueueLimits {
  int64_t max_events = 100000;
  int64_t max_bytes = 0;
  int64_t batch_events = 10000;
};

// Whether Kafka's refusal to create a topic passes (retry later) rather than needs the user (no CREATE
// permission, a replication factor larger than the cluster, an invalid name).
bool create_topic_error_is_transient(rd_kafka_resp_err_t code, std::string_view message);

class KafkaProducer final : public Sink {
 public:
  // Properties are librdkafka names; sluice's defaults (acks=all, max.in.flight 1, …) are applied
  // first so the user's properties override them. Unknown/invalid properties fail naming the key.
  static Result<std::unique_ptr<KafkaProducer>> create(const std::string& bootstrap_servers,
                                                       const std::map<std::string, std::string>& properties,
                                                       DeliveryHandler* handler, QueueLimits limits = {});
  ~KafkaProducer() override;

  // Enqueues one message (value nullopt = tombstone). When the queue is full (QueueLimits, or librdkafka's
  // own bounds) it serves delivery reports and waits (backpressure) until there is room or `interrupted`
  // returns true; a wait over a second is logged, with the resumption.
  Status produce(const std::string& topic, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, uint64_t opaque,
                 const std::vector<KafkaHeader>& headers, const std::function<bool()>& interrupted) override;
  Status produce_placed(const std::string& topic, int32_t partition, int64_t timestamp_ms,
                        std::optional<std::string_view> key, std::optional<std::string_view> value,
                        uint64_t opaque, const std::vector<KafkaHeader>& headers,
                        const std::function<bool()>& interrupted) override;
  // Serves delivery reports; returns how many were served.
  int poll(int timeout_ms) override;
  // Waits until every enqueued message is acknowledged or failed; false on timeout.
  bool flush(int timeout_ms) override;
  int out_queue_len() const override;
  int64_t queued_events() const override { return limit_.events(); }
  int64_t queued_bytes() const override { return limit_.bytes(); }
  // A non-blocking pipe librdkafka writes a byte to when an event is queued for poll() on an empty queue.
  int wake_fd() override;
  // Makes sure the topic exists before the first event goes to it: creates it with the broker's default
  // partitions and replication (CreateTopics), accepting "already exists". Fails (kFatal) naming the topic
  // when the cluster refuses (not authorized, policy), so a missing topic is never a silent stall.
  Status ensure_topic(const std::string& topic, int timeout_ms) override;
  // Asks the cluster for metadata (connectivity check). Returns the number of brokers.
  Result<int> check_connectivity(int timeout_ms);
  // The librdkafka handle (TransactionalSink drives the transaction API on it).
  rd_kafka_t* handle() const { return rk_.get(); }
  // The first authentication or TLS failure a broker connection reported ("" while there is none), as
  // served by poll(). librdkafka would retry those forever; sluice stops instead, naming the settings.
  std::string client_error() const;
  // Messages and key+value bytes sent and not yet acknowledged.
  const InFlightLimit& in_flight() const { return limit_; }
  // Ends ensure_topic's wait early when it returns true (a stop requested while Kafka is unreachable).
  void set_interrupt(std::function<bool()> interrupted) { interrupted_ = std::move(interrupted); }

 private:
  KafkaProducer(DeliveryHandler* handler, QueueLimits limits)
      : handler_(handler), limit_(limits.max_events, limits.max_bytes) {}
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void on_delivery_report(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  Status wait_for_room(int64_t bytes, const std::function<bool()>& interrupted);
  rd_kafka_resp_err_t try_produce(const std::string& topic, std::optional<std::string_view> key,
                                  std::optional<std::string_view> value, uint64_t opaque,
                                  const std::vector<KafkaHeader>& headers, int32_t partition = -1,
                                  int64_t timestamp_ms = -1);
  static Status status_of(rd_kafka_resp_err_t err, const std::string& topic);

  DeliveryHandler* handler_;
  InFlightLimit limit_;
  mutable std::mutex client_error_mu_;
  std::string client_error_;  // guarded by client_error_mu_
  // Since when Kafka is unreachable (the first "kafka unavailable"); the next acknowledgement logs the
  // recovery with the outage's length. Guarded by client_error_mu_.
  std::optional<std::chrono::steady_clock::time_point> unavailable_since_;
  std::atomic<bool> unavailable_{false};  // unavailable_since_ is set (checked per acknowledgement)
  void note_available();
  std::function<bool()> interrupted_;
  struct Fd {
    int fd = -1;
    Fd() = default;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();
  };
  Fd wake_read_, wake_write_;  // declared before rk_: closed after it is destroyed
  kafka::Client rk_;

  rd_kafka_topic_t* topic_handle(const std::string& topic);

  std::unordered_set<std::string> known_topics_;
  // Topic handles, so a produce does not look the topic up by name (a lock and a hash per message);
  // the last one used is remembered, as events mostly go to the same topic. Destroyed before rk_.
  std::unordered_map<std::string, kafka::Topic> topics_;
  const std::string* last_topic_name_ = nullptr;
  rd_kafka_topic_t* last_topic_ = nullptr;
};

// For an authentication or TLS failure (librdkafka's error code and reason): the message sluice stops
// with, naming the settings to check; "" for other errors (transient: librdkafka retries them).
std::string kafka_config_error(rd_kafka_resp_err_t code, std::string_view reason);

}  // namespace sluice::sink
