// NatsSink (sink.type=nats, Debezium Server's NatsJetStreamChangeConsumer): a JetStream publish of each
// record's value to the subject named like its topic (<prefix>.<schema>.<table>, matched by the default
// subjects *.*.*), waiting for the stream's acknowledgement (cnats, Debian libnats). Record headers go as
// NATS headers; the idempotency key <prefix>-<commit LSN>-<n> goes as Nats-Msg-Id, so JetStream's duplicate
// window drops a record sluice sends again after an outage. With create-stream=true the stream
// (stream-name, subjects, storage) is created when missing.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "config/direct_sink_config.h"
#include "sink/direct_sink.h"

struct __natsConnection;
struct __jsCtx;

namespace sluice::sink {

class NatsSink final : public DirectSink {
 public:
  NatsSink(config::NatsSinkConfig config, std::string id_prefix, DeliveryHandler* handler, int64_t max_queue);
  ~NatsSink() override;

 private:
  Delivery deliver(std::span<const DirectMessage> batch) override;
  void disconnect() override;
  Status connect();

  config::NatsSinkConfig config_;
  std::string id_prefix_;
  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
};

// The registry's maker (sink/registry.cpp): the nats sink sink.type=nats configures.
std::unique_ptr<DirectSink> make_nats_sink(const config::Config& config, DeliveryHandler* handler);

}  // namespace sluice::sink
