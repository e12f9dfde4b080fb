// Kafka Connect's TimestampConverter$Key / $Value.
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

// TimestampConverter: one field (or the whole key/value) between unix (int64, unix.precision), Connect's
// Timestamp / Date / Time and string (format: SimpleDateFormat's y M d H m s S and quoted literals, UTC).
class TimestampConverter final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

  // A SimpleDateFormat pattern, compiled: letter runs (letter, count) and literals (letter 0).
  struct Token {
    char letter = 0;
    int count = 0;
    std::string literal;
  };

 private:
  Result<Json> convert(const Schema* schema, const Json& value) const;
  SchemaPtr target_schema(bool optional) const;

  Part part_ = Part::kValue;
  std::string field_, type_, unit_, pattern_;
  std::vector<Token> format_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

// A SimpleDateFormat pattern (the letters sluice implements), compiled; kFatal naming the option.
Result<std::vector<TimestampConverter::Token>> compile_date_format(const Options& options,
                                                                   const std::string& option,
                                                                   const std::string& pattern);
// Formats ms since the epoch (UTC) with a compiled pattern.
Result<std::string> format_date(const std::vector<TimestampConverter::Token>& format, int64_t ms);

}  // namespace sluice::transform
