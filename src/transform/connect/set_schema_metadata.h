// Kafka Connect's SetSchemaMetadata$Key / $Value: the schema's name and/or version replaced.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "transform/connect/part.h"
#include "transform/transform.h"

namespace sluice::transform {

// The schema's name and/or version replaced; the payload as it is. As Connect's: a Kafka null passes, data
// without a schema or with a schema other than a struct fails the record.
class SetSchemaMetadata final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Part part_ = Part::kValue;
  std::optional<std::string> name_;
  std::optional<int64_t> version_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

}  // namespace sluice::transform
