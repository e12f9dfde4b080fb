// KafkaLog: one of the worker's compacted storage topics (Connect's KafkaBasedLog): created when missing,
// read whole from the beginning, written synchronously (a write returns once Kafka acknowledged it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "worker/worker_config.h"

namespace sluice::worker {

struct LogRecord {
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone
  int32_t partition = 0;
  int64_t offset = 0;
};

class KafkaLog {
 public:
  ~KafkaLog();
  // Creates the topic (compacted; partitions and replication factor as configured) when it is missing.
  static Result<std::unique_ptr<KafkaLog>> open(const std::string& bootstrap,
                                                const std::map<std::string, std::string>& properties,
                                                const StorageTopic& topic, int timeout_ms);

  // Every record from the beginning up to the end offsets at the call, per partition in offset order.
  Result<std::vector<LogRecord>> read_all(int timeout_ms) const;
  // Produces key -> value (nullopt: tombstone) and waits for the acknowledgement; returns its offset.
  Result<int64_t> write(const std::string& key, std::optional<std::string_view> value,
                        int timeout_ms = 30000);
  const std::string& topic() const { return topic_.name; }
  // The cluster id (GET / kafka_cluster_id); "" when it cannot be read.
  std::string cluster_id(int timeout_ms) const;

 private:
  KafkaLog() = default;
  std::string bootstrap_;
  std::map<std::string, std::string> properties_;
  StorageTopic topic_;
  struct Handle;
  std::unique_ptr<Handle> producer_;
};

}  // namespace sluice::worker
