// `sluice sink CONFIG`: the Postgres sink's consumer loop. A librdkafka consumer (group connect-<name>)
// reads the topics; batches of up to batch.size records are converted and applied by TargetWriter in one
// target transaction together with their offsets; on every (re)assignment the consumer seeks to the
// offsets stored in the target, so Kafka's committed offsets are informational (lag monitoring) only.
#pragma once

#include <atomic>

#include "pgsink/sink_config.h"

namespace sluice::pgsink {

// Runs until `stop` (exit code 0), a fatal error or a record refused with errors.tolerance=none (1).
int run_sink(const SinkConfig& config, const std::atomic<bool>& stop);

}  // namespace sluice::pgsink
