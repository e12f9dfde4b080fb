// Builds the direct sink that sink.type names (file, http, redis, nats).
#pragma once

#include <functional>
#include <memory>

#include "common/result.h"
#include "config/config.h"
#include "sink/direct_sink.h"

namespace sluice::sink {

bool is_direct(config::SinkType type);

// `position` tells where the change being produced stands (for idempotency keys); nullopt outside a
// replayable streamed transaction.
Result<std::unique_ptr<Sink>> make_direct_sink(const config::Config& config, DeliveryHandler* handler,
                                               std::function<std::optional<StreamPosition>()> position);

}  // namespace sluice::sink
