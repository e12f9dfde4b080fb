// Kafka Connect's Flatten$Key / $Value.
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

// Flatten: nested structs (maps, schemaless) become top-level fields named path<delimiter>name; a field is
// optional when it or an enclosing struct is, and takes its default or the enclosing struct's default's.
class Flatten final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Status build_schema(const Schema& schema, const std::string& prefix, Schema& out, bool optional,
                      const Json* parent_default) const;
  void build_value(const Schema& schema, Json& value, const std::string& prefix, const Schema& out_schema,
                   Json& out) const;
  Status build_schemaless(Json& value, const std::string& prefix, Json& out) const;
  std::string name(const std::string& prefix, const std::string& field) const {
    return prefix.empty() ? field : prefix + delimiter_ + field;
  }

  Part part_ = Part::kValue;
  std::string delimiter_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

}  // namespace sluice::transform
