// `sluice sink CONFIG`: the Postgres sink's consumer loop. A librdkafka consumer (group connect-<name>)
// reads the topics; batches of up to batch.size records are converted and applied by TargetWriter in one
// target transaction together with their offsets; on every (re)assignment the consumer seeks to the
// offsets stored in the target, so Kafka's committed offsets are informational (lag monitoring) only.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>

#include "pgsink/sink_config.h"
#include "pgsink/sink_metrics.h"

namespace sluice::pgsink {

// The librdkafka consumer settings of the sink: sluice's defaults, then the user's consumer.* properties.
// queued.max.messages.kbytes defaults to 64 MiB: librdkafka (2.0) stops fetching for a second whenever the
// prefetch queue is over that bound, so a queue the sink empties in less than a second stalls it (16 MiB of
// 3.6 KB change events ran it at a third of the speed).
std::map<std::string, std::string> consumer_settings(const SinkConfig& config);

// group.instance.id: sluice-sink-<name>-<hash of the subscribed topics or topics.regex>.
std::string static_member_id(const SinkConfig& config);

// How a run ended: exit code 0 (stopped on request), 1 (a fatal error or a record refused with
// errors.tolerance=none: `failure` says which, naming topic, partition and offset for a record) or 2 (a bad
// consumer setting).
struct SinkOutcome {
  int exit_code = 0;
  std::string failure;
};

// Called once per topic, with the first record consumed from it (Connect's active topics).
using TopicObserver = std::function<void(const std::string& topic)>;

// Runs until `stop`, a fatal error or a record refused with errors.tolerance=none. metrics (optional) may
// be read by another thread at any time and may outlive the run (a worker keeps it across restarts).
SinkOutcome run_sink_task(const SinkConfig& config, const std::atomic<bool>& stop,
                          const TopicObserver& on_topic = {}, SinkMetrics* metrics = nullptr);
// run_sink_task's exit code (`sluice sink`).
int run_sink(const SinkConfig& config, const std::atomic<bool>& stop, SinkMetrics* metrics = nullptr);

}  // namespace sluice::pgsink
