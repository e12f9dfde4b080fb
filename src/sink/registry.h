// The direct sink registry: sink.type's value -> the maker of that sink. A new direct sink is its own
// .h/.cpp with a make_<name>_sink, one row in config/sink_types.cpp and one line in registry.cpp.
#pragma once

#include <memory>
#include <vector>

#include "config/config.h"
#include "sink/direct_sink.h"

namespace sluice::sink {

using DirectSinkMaker = std::unique_ptr<DirectSink> (*)(const config::Config& config,
                                                        DeliveryHandler* handler);

struct DirectSinkEntry {
  config::SinkType type;
  DirectSinkMaker make;
};

// Every direct sink.
const std::vector<DirectSinkEntry>& direct_sinks();

// The entry of a sink type; nullptr when it is not a direct sink (kafka, null).
const DirectSinkEntry* find_direct_sink(config::SinkType type);

}  // namespace sluice::sink
