// A sink connector's offsets as Kafka Connect's REST API shows and takes them (KIP-875, SinkUtils):
// {"partition":{"kafka_topic":…,"kafka_partition":…},"offset":{"kafka_offset":…}}, and the requests on its
// consumer group that keep the group's committed offsets in line with the positions the sink stores in its
// target (the target's table is what the sink resumes from; the group's offsets are where a sink with no
// stored position starts, as Connect's).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "pgsink/target_writer.h"

namespace sluice::worker {

using SinkPositions = std::map<pgsink::TopicPartition, int64_t>;
// nullopt: the partition's offset is reset (it starts over).
using SinkOffsetChanges = std::map<pgsink::TopicPartition, std::optional<int64_t>>;

// GET /connectors/{name}/offsets' entries (Connect's order: by topic, then partition).
nlohmann::json sink_offsets_json(const SinkPositions& positions);

// PATCH's entries, checked as SinkUtils.parseSinkConnectorOffsets (numbers or numeric strings); the error
// is Connect's 400 message.
Result<SinkOffsetChanges> parse_sink_offsets(const nlohmann::json& entries);

// What an admin request on the consumer group did: kNotEmpty when the group still has members (the sink's
// tasks have not left it yet: Connect's GroupNotEmpty / UnknownMemberId / GroupSubscribedToTopic).
enum class GroupChange { kDone, kNotEmpty, kFailed };
struct GroupChangeResult {
  GroupChange outcome = GroupChange::kDone;
  std::string message;  // kFailed: why
};

// Deletes the consumer group (Connect's offset reset of a sink); a group that does not exist is fine.
GroupChangeResult delete_consumer_group(const std::string& bootstrap,
                                        const std::map<std::string, std::string>& properties,
                                        const std::string& group, int timeout_ms);

// Commits the given offsets for the group and deletes its committed offsets of the reset partitions.
GroupChangeResult alter_consumer_group_offsets(const std::string& bootstrap,
                                               const std::map<std::string, std::string>& properties,
                                               const std::string& group, const SinkOffsetChanges& changes,
                                               int timeout_ms);

}  // namespace sluice::worker
