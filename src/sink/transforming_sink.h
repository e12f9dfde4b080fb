// TransformingSink: applies the connector's transform chain (src/transform/) to each record before the
// sink it wraps sends it. A record the chain drops is acknowledged through the DeliveryHandler at the next
// poll()/flush() (the thread that serves delivery reports), so the AckTracker's order holds. Topics are
// created for where records go after routing, not where the connector first aimed them. Only built when
// `transforms` is set: without it the connector talks to its sink directly. A chain that reads no data
// (after the serializer took a leading unwrap over) passes the bytes through (transform::ChainRunner).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sink/sink.h"
#include "transform/chain.h"
#include "transform/chain_runner.h"

namespace sluice::sink {

class TransformingSink final : public Sink {
 public:
  TransformingSink(std::unique_ptr<Sink> inner, std::shared_ptr<transform::Chain> chain,
                   DeliveryHandler* handler);

  Status produce(const std::string& topic, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, uint64_t opaque,
                 const std::vector<KafkaHeader>& headers, const std::function<bool()>& interrupted) override;
  int poll(int timeout_ms) override;
  bool flush(int timeout_ms) override;
  int out_queue_len() const override { return inner_->out_queue_len() + static_cast<int>(dropped_.size()); }
  int64_t queued_events() const override { return inner_->queued_events(); }
  int64_t queued_bytes() const override { return inner_->queued_bytes(); }
  // The connector's own topic is created only when a record is sent to it (a router may send none there).
  Status ensure_topic(const std::string& topic, int timeout_ms) override;
  int wake_fd() override { return inner_->wake_fd(); }

  // A record the chain drops before it reaches produce() (ExtractNewRecordState done while serializing:
  // event::SerializerOptions::unwrap): acknowledged like one the chain dropped here.
  void drop(const std::string& topic, uint64_t opaque);

  Sink& inner() { return *inner_; }

 private:
  int serve_dropped();
  // Creates the topic at its first use (the last one is remembered: records come in runs of one topic).
  Status ready(const std::string& topic);

  std::unique_ptr<Sink> inner_;
  transform::ChainRunner runner_;
  DeliveryHandler* handler_;
  std::set<std::string> topics_ready_;
  std::string last_ready_;
  int topic_timeout_ms_ = 30000;
  struct Dropped {
    uint64_t opaque;
    std::string topic;
  };
  std::vector<Dropped> dropped_;
  std::vector<Dropped> serving_;
  std::vector<KafkaHeader> headers_;
};

}  // namespace sluice::sink
