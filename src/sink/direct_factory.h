// Builds the direct sink that sink.type names (file, http, redis, nats).
#pragma once

#include <functional>
#include <memory>

#include "common/result.h"
#include "config/config.h"
#include "sink/direct_sink.h"

namespace sluice::sink {

bool is_direct(config::SinkType type);

// `position` tells where the message being produced (given its opaque) stands, for idempotency keys;
// nullopt for anything but a message of the replayable streamed transaction being sent.
Result<std::unique_ptr<Sink>> make_direct_sink(
    const config::Config& config, DeliveryHandler* handler,
    std::function<std::optional<StreamPosition>(uint64_t)> position);

}  // namespace sluice::sink
