// Kafka Connect's HoistField$Key / $Value: the part wrapped in a struct (or a map) of one field.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "transform/connect/part.h"
#include "transform/transform.h"

namespace sluice::transform {

class HoistField final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Part part_ = Part::kValue;
  std::string field_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

}  // namespace sluice::transform
