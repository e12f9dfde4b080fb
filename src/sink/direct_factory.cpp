// Direct sink construction: the config's settings to each sink's, logged without secrets.
#include "sink/direct_factory.h"

#include "common/log.h"
#include "sink/file_sink.h"
#include "sink/http_sink.h"
#include "sink/nats_sink.h"
#include "sink/redis_sink.h"

namespace sluice::sink {

bool is_direct(config::SinkType type) {
  using config::SinkType;
  return type == SinkType::kFile || type == SinkType::kHttp || type == SinkType::kRedis ||
         type == SinkType::kNats;
}

Result<std::unique_ptr<Sink>> make_direct_sink(
    const config::Config& config, DeliveryHandler* handler,
    std::function<std::optional<StreamPosition>(uint64_t)> position) {
  auto log = module_logger("sink");
  std::unique_ptr<DirectSink> sink;
  const auto& d = config.direct;
  switch (config.sink_type) {
    case config::SinkType::kFile: {
      log->info("sink.type=file: JSON lines to {}{}", d.file.path == "-" ? "stdout" : d.file.path,
                d.file.rotate_bytes > 0 ? fmt::format(", rotated at {} bytes", d.file.rotate_bytes) : "");
      FileSinkOptions o{d.file.path, d.file.rotate_bytes, d.file.fsync, d.file.value_only};
      sink = std::make_unique<FileSink>(o, handler, config.max_queue_size,
                                        static_cast<size_t>(config.max_batch_size));
      break;
    }
    case config::SinkType::kHttp:
      log->info("sink.type=http: POST to {}{}", d.http.url, d.http.batch ? " (JSON array batches)" : "");
      sink = std::make_unique<HttpSink>(d.http, handler, config.max_queue_size);
      break;
    case config::SinkType::kRedis:
      log->info("sink.type=redis: XADD to redis {}:{}", d.redis.host, d.redis.port);
      sink = std::make_unique<RedisSink>(d.redis, handler, config.max_queue_size);
      break;
    case config::SinkType::kNats:
      log->info("sink.type=nats: JetStream publish to {}", d.nats.url);
      sink = std::make_unique<NatsSink>(d.nats, config.topic_prefix, handler, config.max_queue_size);
      break;
    default:
      return Error::fatal("sink.type is not a direct sink");
  }
  sink->set_position_source(std::move(position));
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace sluice::sink
