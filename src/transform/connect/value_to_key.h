// Kafka Connect's ValueToKey: the key rebuilt from fields of the value.
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

class ValueToKey final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;

 private:
  std::vector<std::string> fields_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

}  // namespace sluice::transform
