// The direct sinks, one line each.
#include "sink/registry.h"

#include "sink/file_sink.h"
#include "sink/http_sink.h"
#include "sink/nats_sink.h"
#include "sink/redis_sink.h"

namespace sluice::sink {

const std::vector<DirectSinkEntry>& direct_sinks() {
  using config::SinkType;
  static const std::vector<DirectSinkEntry> kSinks = {
      {SinkType::kFile, make_file_sink},
      {SinkType::kHttp, make_http_sink},
      {SinkType::kRedis, make_redis_sink},
      {SinkType::kNats, make_nats_sink},
  };
  return kSinks;
}

const DirectSinkEntry* find_direct_sink(config::SinkType type) {
  for (const auto& e : direct_sinks()) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

}  // namespace sluice::sink
