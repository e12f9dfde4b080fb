// RedisSink (sink.type=redis, Debezium Server's RedisStreamChangeConsumer): XADD of each record to the
// stream named like its topic, pipelined per batch through hiredis. Fields as Debezium writes them:
// message.format=compact one field <key>=<value>; extended the fields key and value plus every record
// header (name upper-cased). A null key or value is written as null.key / null.value ("default").
// Acknowledged when Redis answered every XADD of the batch with an entry id.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/direct_sink_config.h"
#include "sink/direct_sink.h"

namespace sluice::sink {

// The XADD arguments for one record (stream, [MAXLEN ~ n], *, fields…).
std::vector<std::string> redis_xadd_args(const config::RedisSinkConfig& config, const DirectMessage& m);

class RedisSink final : public DirectSink {
 public:
  RedisSink(config::RedisSinkConfig config, DeliveryHandler* handler, int64_t max_queue);
  ~RedisSink() override;

 private:
  Delivery deliver(std::span<const DirectMessage> batch) override;
  void disconnect() override;
  Status connect();

  struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  config::RedisSinkConfig config_;
  std::unique_ptr<redisContext, ContextDeleter> ctx_;
};

// The registry's maker (sink/registry.cpp): the redis sink sink.type=redis configures.
std::unique_ptr<DirectSink> make_redis_sink(const config::Config& config, DeliveryHandler* handler);

}  // namespace sluice::sink
