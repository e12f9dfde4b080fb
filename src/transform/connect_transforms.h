// More of Kafka Connect's org.apache.kafka.connect.transforms: ReplaceField, ExtractField, HoistField and
// SetSchemaMetadata (each $Key and $Value), InsertHeader and DropHeaders, following Connect's sources
// (schemas rebuilt with SchemaUtil.copySchemaBasics, values in schema order; records without a schema handled
// as Connect's schemaless path handles a map).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transform/transform.h"

namespace sluice::transform {

enum class Part { kKey, kValue };

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

class ExtractField final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Part part_ = Part::kValue;
  std::string field_;
};

class HoistField final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Part part_ = Part::kValue;
  std::string field_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

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

class InsertHeader final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;
  bool reads_data() const override { return false; }

 private:
  std::string name_, value_;
};

class DropHeaders final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;
  bool reads_data() const override { return false; }

 private:
  std::vector<std::string> names_;
};

}  // namespace sluice::transform
