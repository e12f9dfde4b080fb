// Kafka Connect's HeaderFrom$Key / $Value.
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

// HeaderFrom: fields[i] of the key/value into header headers[i] (SimpleHeaderConverter's text; a null value
// an empty header), operation move (the fields leave the struct) or copy.
class HeaderFrom final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Part part_ = Part::kValue;
  std::vector<std::string> fields_, headers_;
  bool move_ = false;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

}  // namespace sluice::transform
