// Debezium signals (signal.data.collection rows, Kafka signal messages): the actions sluice understands
// and the parsing of their JSON data. Pure: no I/O.
// Follows io.debezium.pipeline.signal.actions (ExecuteSnapshot, StopSnapshot, PauseIncrementalSnapshot,
// ResumeIncrementalSnapshot, Log) and the watermark rows of the incremental snapshot
// (snapshot-window-open / snapshot-window-close).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sluice::snapshot {

struct Signal {
  std::string id;
  std::string
      type;  // execute-snapshot, stop-snapshot, pause-snapshot, resume-snapshot, log, snapshot-window-*
  std::string data;  // JSON text ("" when null)
};

enum class SnapshotKind { kIncremental, kBlocking };

// execute-snapshot: {"data-collections":["public.t",…],"type":"incremental"|"blocking",
// "additional-conditions":[{"data-collection":"public.t","filter":"color='blue'"}],"surrogate-key":"c"}
struct SnapshotRequest {
  std::vector<std::string> collections;  // schema.table names or regular expressions (anchored)
  SnapshotKind kind = SnapshotKind::kIncremental;
  std::map<std::string, std::string> conditions;  // collection -> SQL condition
  std::string surrogate_key;
};
Result<SnapshotRequest> parse_execute_snapshot(std::string_view data);

// stop-snapshot: {"data-collections":[…] (optional: all), "type":"incremental"}
Result<std::vector<std::string>> parse_stop_snapshot(std::string_view data);

// log: {"message":"…"}
Result<std::string> parse_log(std::string_view data);

// The value of a Kafka signal message: {"type":"…","data":{…}} (data may be an object or a string).
Result<Signal> parse_kafka_signal(std::string_view key, std::string_view value);

// Kafka signal message value for `type` and `data` (JSON text).
std::string kafka_signal_value(std::string_view type, std::string_view data);

}  // namespace sluice::snapshot
