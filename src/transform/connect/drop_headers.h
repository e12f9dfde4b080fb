// Kafka Connect's DropHeaders: the named headers removed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "transform/transform.h"

namespace sluice::transform {

class DropHeaders final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;
  bool reads_data() const override { return false; }

 private:
  std::vector<std::string> names_;
};

}  // namespace sluice::transform
