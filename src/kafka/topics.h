// Topic administration shared by every Kafka user: creating a topic (or finding it exists), the compacted
// storage topics (offsets, Connect's config/offset/status), and watermarks read while a topic gets a leader.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace sluice::kafka {

struct TopicSpec {
  std::string name;
  int partitions = -1;          // -1: the broker's default
  int replication_factor = -1;  // -1: the broker's default
  std::vector<std::pair<std::string, std::string>> configs;
  std::string what = "Kafka topic";  // named in errors: "cannot create <what> '<name>': …"
  std::string timeout_hint;          // appended to the timeout error, e.g. " (is Kafka at host:9092 up?)"
};

// Creates the topic through `rk`'s admin API; a topic that already exists is fine. No answer within
// timeout_ms (+1 s) or a request error: transient; Kafka's refusal (no permission, bad settings): fatal.
Status create_topic(rd_kafka_t* rk, const TopicSpec& topic, int timeout_ms);

// create_topic with cleanup.policy=compact: the storage topics whose latest value per key is the state.
Status ensure_compacted_topic(rd_kafka_t* rk, TopicSpec topic, int timeout_ms);

// rd_kafka_query_watermark_offsets, retried within timeout_ms while the partition has no leader yet (a topic
// created a moment ago: NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PART).
rd_kafka_resp_err_t query_watermarks(rd_kafka_t* rk, const std::string& topic, int32_t partition,
                                     int64_t* low, int64_t* high, int timeout_ms);

// The number of partitions of `topic` from the cluster's metadata (0 when it has none yet).
Result<int> partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms);

}  // namespace sluice::kafka
