// io.debezium.transforms.partitions.PartitionRouting: a change event's partition from the hash of some of its
// fields (partition.payload.fields: after.x, before.x, change.x — after, or before for a delete —, source.x,
// op …), modulo partition.topic.num, as Debezium's PartitionRouting.computePartition does with Java's
// hashCode (partition.hash.function=java; murmur is not implemented).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "transform/transform.h"

namespace sluice::transform {

class PartitionRouting final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;

 private:
  std::vector<std::vector<std::string>> fields_;  // each split at '.'
  int32_t partitions_ = 1;
};

// Java's hashCode of a Connect value (String, Integer, Long, Boolean, Float, Double and the smaller
// integers); kData for other types, whose Java hash sluice does not reproduce (structs, bytes, Connect
// logical types).
Result<int32_t> java_hash_code(const Json& value, const Schema& schema);

}  // namespace sluice::transform
