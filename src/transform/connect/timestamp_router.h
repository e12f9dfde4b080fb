// Kafka Connect's TimestampRouter.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transform/connect/part.h"
#include "transform/connect/timestamp_converter.h"
#include "transform/transform.h"

namespace sluice::transform {

// topic.format with ${topic} and ${timestamp}; timestamp.format a SimpleDateFormat pattern (the letters
// TimestampConverter implements). Connect's TimestampRouter fails on a record without a timestamp, which
// every Debezium source record is (unless an EventRouter set one): so does this.
class TimestampRouter final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;
  bool reads_data() const override { return false; }

 private:
  std::string topic_format_, timestamp_format_;
  std::vector<TimestampConverter::Token> format_;
};

}  // namespace sluice::transform
