// Kafka Connect's ExtractField$Key / $Value: the part replaced by one of its fields.
#pragma once

#include <memory>
#include <string>

#include "transform/connect/part.h"
#include "transform/transform.h"

namespace sluice::transform {

class ExtractField final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Part part_ = Part::kValue;
  std::string field_;
};

}  // namespace sluice::transform
