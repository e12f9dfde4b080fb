// Kafka Connect's MaskField$Key / $Value: the listed fields replaced by their type's empty value or a
// replacement.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transform/connect/part.h"
#include "transform/transform.h"

namespace sluice::transform {

class MaskField final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  // The masked form of a non-null value of this schema (null: schemaless, from the JSON kind).
  Result<Json> masked(const Json& value, const Schema* schema) const;
  bool is_masked(const std::string& name) const;

  Part part_ = Part::kValue;
  std::vector<std::string> fields_;
  std::optional<std::string> replacement_;
};

}  // namespace sluice::transform
