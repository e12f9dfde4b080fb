// Kafka Connect's Cast$Key / $Value.
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

// Cast: spec field:type,… (or one type: the whole key/value) to int8 int16 int32 int64 float32 float64
// boolean string, from those and from bytes (to string: its base64). Java's conversions: Number.xValue()
// narrowing, Integer.parseInt & co. for strings, Boolean.parseBoolean, Float/Double.toString.
class Cast final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Result<SchemaPtr> updated_schema(const SchemaPtr& schema);
  const std::string* target(const std::string& field) const;

  Part part_ = Part::kValue;
  std::vector<std::pair<std::string, std::string>> casts_;  // field -> Connect type name (int8 … string)
  std::optional<std::string> whole_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

// Cast.castValueToType of one value (schema null: schemaless, from the JSON kind) to a Connect type name.
Result<Json> cast_value(const Schema* schema, const Json& value, const std::string& target);

}  // namespace sluice::transform
