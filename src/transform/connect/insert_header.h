// Kafka Connect's InsertHeader: a header with a literal value added.
#pragma once

#include <memory>
#include <string>

#include "transform/transform.h"

namespace sluice::transform {

class InsertHeader final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;
  bool reads_data() const override { return false; }

 private:
  std::string name_, value_;
};

}  // namespace sluice::transform
