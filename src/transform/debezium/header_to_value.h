// io.debezium.transforms.HeaderToValue: headers[i] into value field fields[i] (operation move: the headers
// are removed, copy: kept), with the header's Connect schema (a header as sluice received it: a string), as
// Debezium's HeaderToValue / ConnectRecordUtil.makeNewSchema do; a dotted field name goes into that struct.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "transform/transform.h"

namespace sluice::transform {

class HeaderToValue final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;

 private:
  struct Entry {
    std::string field;
    SchemaPtr schema;
    Json value;
  };
  Result<SchemaPtr> build_schema(std::string_view current, const SchemaPtr& old,
                                 const std::vector<Entry>& entries, size_t level) const;
  Result<Json> build_value(std::string_view current, const Schema& original_schema, const Json& original,
                           const Schema& updated, const std::vector<Entry>& entries, size_t level) const;
  Status check_nested(const Schema& value_schema) const;

  std::vector<std::string> headers_, fields_;
  std::vector<std::string> nested_;  // the dotted ones among fields_
  bool move_ = false;
  // value schema -> schema with the fields (Debezium's schemaUpdateCache is keyed by the value schema alone).
  std::map<std::string, SchemaPtr> cache_;
};

}  // namespace sluice::transform
