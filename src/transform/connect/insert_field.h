// Kafka Connect's InsertField$Key / $Value: the record's topic, partition, offset, timestamp and a static
// value as fields (Connect's record metadata as a source connector's transforms see it: the partition and
// timestamp of a Debezium record are null, and there is no offset).
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

class InsertField final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  // InsertionSpec: a field name with '?' (optional, the default) or '!' (required).
  struct Spec {
    std::string name;
    bool optional = true;
  };
  static std::optional<Spec> parse_spec(const std::string& raw);
  Result<SchemaPtr> updated_schema(const SchemaPtr& schema);

  Part part_ = Part::kValue;
  std::optional<Spec> topic_, partition_, offset_, timestamp_, static_;
  std::string static_value_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

}  // namespace sluice::transform
