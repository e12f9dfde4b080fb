// Direct sink construction through the registry (sink/registry.cpp).
#include "sink/direct_factory.h"

#include "sink/registry.h"

namespace sluice::sink {

bool is_direct(config::SinkType type) {
  return find_direct_sink(type) != nullptr;
}

Result<std::unique_ptr<Sink>> make_direct_sink(
    const config::Config& config, DeliveryHandler* handler,
    std::function<std::optional<StreamPosition>(uint64_t)> position) {
  const DirectSinkEntry* entry = find_direct_sink(config.sink_type);
  if (entry == nullptr) return Error::fatal("sink.type is not a direct sink");
  std::unique_ptr<DirectSink> sink = entry->make(config, handler);
  sink->set_position_source(std::move(position));
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace sluice::sink
