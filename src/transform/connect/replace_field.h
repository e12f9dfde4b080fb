// Kafka Connect's ReplaceField$Key / $Value: fields dropped (exclude, include) and renamed; the schema
// rebuilt with SchemaUtil.copySchemaBasics, values in schema order, a record without a schema as Connect's
// map.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transform/connect/part.h"
#include "transform/transform.h"

namespace sluice::transform {

class ReplaceField final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  bool keep(const std::string& name) const;
  std::string renamed(const std::string& name) const;
  Part part_ = Part::kValue;
  std::vector<std::string> exclude_, include_;
  std::vector<std::pair<std::string, std::string>> renames_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

}  // namespace sluice::transform
