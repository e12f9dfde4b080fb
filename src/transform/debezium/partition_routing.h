// io.debezium.transforms.partitions.PartitionRouting: a change event's partition from the hash of some of its
// fields (partition.payload.fields: after.x, before.x, change.x — after, or before for a delete —, source.x,
// op …), modulo partition.topic.num, as Debezium's PartitionRouting.computePartition does with Java's
// hashCode (partition.hash.function=java) or Debezium's io.debezium.util.MurmurHash3 (murmur).
#pragma once

#include <memory>
#include <string>
#include <string_view>
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
  bool murmur_ = false;
};

// Java's hashCode of a Connect value (String, Integer, Long, Boolean, Float, Double and the smaller
// integers); kData for other types, whose Java hash sluice does not reproduce (structs, bytes, Connect
// logical types).
Result<int32_t> java_hash_code(const Json& value, const Schema& schema);

// Debezium's MurmurHash3.getInstance().hash(Object) (Infinispan's x64 variant, seed 9001, the upper 32 bits
// of h1): a String by its UTF-8 bytes, any other value by hash(int) of its Java hashCode; kData where
// java_hash_code is. Debezium's quirks kept: the tail bytes are sign-extended before they are shifted in.
Result<int32_t> murmur_hash_code(const Json& value, const Schema& schema);
// MurmurHash3_x64_64(bytes, 9001) >>> 32 and hash(int), exposed for the unit tests' vectors.
int32_t murmur_hash_bytes(std::string_view bytes);
int32_t murmur_hash_int(int32_t hashcode);

}  // namespace sluice::transform
