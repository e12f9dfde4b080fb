// io.debezium.transforms.HeaderToValue: headers[i] into value field fields[i] (operation move: the headers
// are removed, copy: kept), with the header's Connect schema (a header as sluice received it: a string), as
// Debezium's HeaderToValue / ConnectRecordUtil.makeNewSchema do for top-level field names.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transform/transform.h"

namespace sluice::transform {

class HeaderToValue final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;

 private:
  std::vector<std::string> headers_, fields_;
  bool move_ = false;
  // value schema -> schema with the fields (Debezium's schemaUpdateCache is keyed by the value schema alone).
  std::map<std::string, SchemaPtr> cache_;
};

}  // namespace sluice::transform
