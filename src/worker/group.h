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

 private:
  GroupMember() = default;
  struct Handle;
  std::unique_ptr<Handle> h_;
};

}  // namespace sluice::worker
