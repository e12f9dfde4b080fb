// DirectSink: the common half of the sinks that deliver without Kafka (file, http, redis, nats). produce()
// queues a copy of the message (bounded: backpressure); one delivery thread hands batches to the concrete
// sink's deliver() and retries a failed batch with capped exponential backoff while the server is away;
// acknowledgements come back to the connector's thread through poll(), in produce order. So the slot never
// advances past a message the server did not acknowledge.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/lsn.h"
#include "sink/sink.h"

namespace sluice::sink {

// Where a message stands in the change stream, for idempotency keys: the commit LSN of its transaction and
// its index among the transaction's messages (the same each time Postgres sends the transaction again).
struct StreamPosition {
  Lsn commit_lsn;
  uint64_t index = 0;
};

struct DirectMessage {
  std::string topic;
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt: tombstone
  std::vector<KafkaHeader> headers;
  uint64_t opaque = 0;
  std::optional<StreamPosition> position;  // nullopt: not a streamed change (snapshot row, heartbeat)
  uint64_t seq = 0;                        // 1, 2, … in produce order over this sink's life
};

struct RetryLimits {
  int64_t retries = -1;  // failed attempts of one batch before its messages are reported failed; -1 forever
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{30000};
};

class DirectSink : public Sink {
 public:
  // A batch was not delivered: kTransient = retry it (after backoff, reconnecting), else its messages are
  // reported failed with the error's message.
  using Delivery = Status;

  DirectSink(std::string name, DeliveryHandler* handler, int64_t max_queue, size_t max_batch,
             RetryLimits retry);
  ~DirectSink() override;

  // The connector's view of the message being produced, given its opaque (set before the first produce()).
  void set_position_source(std::function<std::optional<StreamPosition>(uint64_t opaque)> source) {
    position_source_ = std::move(source);
  }

  Status produce(const std::string& topic, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, uint64_t opaque,
                 const std::vector<KafkaHeader>& headers, const std::function<bool()>& interrupted) override;
  int poll(int timeout_ms) override;
  bool flush(int timeout_ms) override;
  int out_queue_len() const override;
  int64_t queued_events() const override { return out_queue_len(); }
  Status ensure_topic(const std::string& topic, int timeout_ms) override;
  // Readable once reports wait for poll() (a pipe the delivery thread writes a byte to).
  int wake_fd() override;

  uint64_t attempts_failed() const { return attempts_failed_.load(); }
  // Random per sink instance: tells this run's snapshot rows from an earlier run's in idempotency keys.
  const std::string& run_id() const { return run_id_; }

 protected:
  // Starts the delivery thread; the concrete sink calls it at the end of its constructor.
  void start();
  // Stops the delivery thread (undelivered messages stay unreported); the concrete sink's destructor calls
  // it before its members go away.
  void stop();
  // Delivers the batch (every message acknowledged by the server) or says why not. Runs on the delivery
  // thread only.
  virtual Delivery deliver(std::span<const DirectMessage> batch) = 0;
  // After a transient failure: drop the connection so that the next deliver() opens a new one.
  virtual void disconnect() {}
  // Whether the delivery thread is asked to stop (for waits inside deliver()).
  bool stopping() const { return stop_.load(); }

 private:
  void run();
  struct Report {
    uint64_t opaque;
    std::string topic;
    std::string error;  // empty: acknowledged
  };

  std::string name_;
  DeliveryHandler* handler_;
  const int64_t max_queue_;
  const size_t max_batch_;
  const RetryLimits retry_;
  std::function<std::optional<StreamPosition>(uint64_t)> position_source_;
  std::string run_id_;
  uint64_t seq_ = 0;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // delivery thread: messages queued / stop
  std::condition_variable reports_cv_;  // poll(): reports ready
  std::deque<DirectMessage> queue_;     // not yet taken by the delivery thread
  std::deque<Report> reports_;          // delivered or failed, not yet served
  int64_t in_flight_ = 0;               // produced and not yet served by poll()
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> attempts_failed_{0};
  std::atomic<int> wake_write_{-1};
  int wake_read_ = -1;
  std::thread thread_;
};

}  // namespace sluice::sink
