// TransactionalSink: exactly-once delivery over a transactional KafkaProducer. Every produce() joins the
// open Kafka transaction (beginning one when none is open); the connector decides where transactions end
// (never inside a Postgres transaction) and commits them together with the offset record they cover.
// Error classes follow librdkafka's transactional API: retriable (the call is repeated), abortable (the
// transaction is aborted and the stream resumes from the last committed offset) and fatal (this producer
// is finished, e.g. fenced by another instance with the same transactional.id).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "sink/kafka_producer.h"
#include "sink/sink.h"

namespace sluice::sink {

class TransactionalSink final : public Sink {
 public:
  // When to end a Kafka transaction: after interval_ms, max_events messages or max_bytes of keys and values.
  struct Limits {
    int64_t interval_ms = 100;
    int64_t max_events = 10000;
    int64_t max_bytes = 8 << 20;
    int timeout_ms = 60000;  // for init/commit/abort
  };

  TransactionalSink(std::unique_ptr<KafkaProducer> producer, std::string transactional_id, Limits limits);
  ~TransactionalSink() override;

  Status produce(const std::string& topic, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, uint64_t opaque,
                 const std::vector<KafkaHeader>& headers, const std::function<bool()>& interrupted) override;
  Status produce_placed(const std::string& topic, int32_t partition, int64_t timestamp_ms,
                        std::optional<std::string_view> key, std::optional<std::string_view> value,
                        uint64_t opaque, const std::vector<KafkaHeader>& headers,
                        const std::function<bool()>& interrupted) override;
  int poll(int timeout_ms) override { return producer_->poll(timeout_ms); }
  bool flush(int timeout_ms) override { return producer_->flush(timeout_ms); }
  int out_queue_len() const override { return producer_->out_queue_len(); }
  int64_t queued_events() const override { return producer_->queued_events(); }
  int64_t queued_bytes() const override { return producer_->queued_bytes(); }
  int wake_fd() override { return producer_->wake_fd(); }
  Status ensure_topic(const std::string& topic, int timeout_ms) override {
    return producer_->ensure_topic(topic, timeout_ms);
  }

  // init_transactions, once per producer: fences every earlier producer with this transactional.id and
  // aborts the transaction it left open. Call it only when this instance is about to write (after the
  // hot-standby wait), or it fences the active instance.
  Status init();
  bool initialized() const { return initialized_; }
  // Begins a transaction unless one is open.
  Status begin();
  bool open() const { return open_; }
  // A transaction is open and reached one of its limits.
  bool due() const;
  // Commits the open transaction (flushing it first). Abortable errors abort it and return kTransient;
  // fatal ones return kFatal.
  Status commit();
  // Aborts the open transaction, if any (its messages are never seen by read_committed consumers).
  Status abort();
  // Outside the streaming loop (the snapshot) every message is a boundary: produce() commits a due
  // transaction itself.
  void set_auto_commit(bool on) { auto_commit_ = on; }
  // A delivery report failed: the open transaction can only be aborted.
  void delivery_failed(std::string_view topic, const char* error);
  const std::string& transactional_id() const { return transactional_id_; }
  // Another producer with this transactional.id fenced this one: it can never write again (a new
  // producer must be made, and init() called once this instance may write).
  bool fenced() const { return fenced_; }
  uint64_t committed_transactions() const { return committed_; }

 private:
  Status classify(rd_kafka_error_t* error, const char* what);
  std::string fatal_message(int code, const std::string& reason);

  std::unique_ptr<KafkaProducer> producer_;
  std::string transactional_id_;
  Limits limits_;
  bool initialized_ = false;
  bool fenced_ = false;
  bool open_ = false;
  bool auto_commit_ = true;
  std::chrono::steady_clock::time_point opened_;
  int64_t events_ = 0;
  int64_t bytes_ = 0;
  uint64_t committed_ = 0;
  std::string delivery_error_;
};

}  // namespace sluice::sink
