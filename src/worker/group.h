// Group membership and storage-topic tails for several workers sharing one group.id. Kafka's group
// coordinator decides who runs what: every worker is a consumer of the group over an assignment topic, each
// connector belongs to one of its partitions, and a worker runs the connectors of the partitions it is
// assigned (cooperative-sticky, so a joining or leaving worker moves only what must move). Postgres' rule
// that one walsender uses a slot at a time is the second fence.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "worker/kafka_log.h"

namespace sluice::worker {

// The assignment topic partition a connector belongs to (FNV-1a of its name: the same in every worker).
int32_t assignment_partition(const std::string& connector, int partitions);

// Reads a topic continuously from the beginning (every partition); poll() returns what arrived.
class LogTail {
 public:
  ~LogTail();
  static Result<std::unique_ptr<LogTail>> open(const std::string& bootstrap,
                                               const std::map<std::string, std::string>& properties,
                                               const std::string& topic, int timeout_ms);
  std::vector<LogRecord> poll(int timeout_ms);
  // Whether every partition was read up to the end offsets seen at open().
  bool caught_up() const { return pending_.empty(); }

 private:
  LogTail() = default;
  struct Handle;
  std::unique_ptr<Handle> h_;
  std::string topic_;
  std::map<int32_t, int64_t> pending_;  // partition -> end offset at open, until reached
};

// The group as its coordinator describes it: whether it is between rebalances, and which worker (its id,
// host:port) holds each partition of the assignment topic.
struct GroupView {
  std::string state;  // Stable, PreparingRebalance, CompletingRebalance, Empty, Dead, Unknown
  std::map<int32_t, std::string> owners;
};

// Why a request that a connector's owner must act on cannot be served now, as Connect's 409 (its
// RebalanceNeededException): the group is rebalancing, or no live worker holds the connector's partition
// (its worker died and the group has not reassigned it yet). nullopt when it can.
std::optional<std::string> rebalance_conflict(const GroupView& group, int32_t partition);

// This worker's membership of the group. on_assigned/on_revoked run on the thread that calls poll().
class GroupMember {
 public:
  using Callback = std::function<void(const std::set<int32_t>& partitions)>;
  ~GroupMember();
  static Result<std::unique_ptr<GroupMember>> join(const std::string& bootstrap,
                                                   const std::map<std::string, std::string>& properties,
                                                   const std::string& group_id, const std::string& topic,
                                                   const std::string& member_id, Callback on_assigned,
                                                   Callback on_revoked);
  void poll(int timeout_ms);
  // Leaves the group (the coordinator reassigns this worker's partitions at once).
  void leave();
  // Asks the group coordinator for the group's state and assignment (any thread).
  Result<GroupView> describe(int timeout_ms);

 private:
  GroupMember() = default;
  struct Handle;
  std::unique_ptr<Handle> h_;
};

}  // namespace sluice::worker
