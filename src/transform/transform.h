// Transform and Predicate: Kafka Connect's Transformation and Predicate over a Record. A transform changes
// the record in place and returns false to drop it (Connect: apply returns null); errors are kData (the
// record cannot be transformed; Connect fails the task). Options are validated when the transform is made.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "transform/record.h"

namespace sluice::transform {

class Transform {
 public:
  virtual ~Transform() = default;
  virtual Result<bool> apply(Record& record) = 0;
  // False for a transform that reads and changes only the topic and headers (and may drop the record): a
  // chain of those leaves the key and value bytes as they are.
  virtual bool reads_data() const { return true; }
};

class Predicate {
 public:
  virtual ~Predicate() = default;
  virtual bool test(const Record& record) const = 0;
};

// The options of one transform or predicate: "<option>" -> value, for error messages with the full key
// prefix ("transforms.unwrap.").
class Options {
 public:
  Options(std::string prefix, std::map<std::string, std::string> values)
      : prefix_(std::move(prefix)), values_(std::move(values)) {}

  // The option's value (trimmed), or def when unset; records that the option is known.
  std::string str(const std::string& option, std::string def = "");
  Result<bool> boolean(const std::string& option, bool def);
  Result<int64_t> integer(const std::string& option, int64_t def, int64_t min, int64_t max);
  // A comma-separated list, entries trimmed, empty entries dropped.
  std::vector<std::string> list(const std::string& option);
  bool has(const std::string& option) const { return values_.count(option) > 0; }
  std::string key(const std::string& option) const { return prefix_ + option; }
  Error invalid(const std::string& option, std::string_view value, std::string_view allowed) const;
  Error missing(const std::string& option, std::string_view what) const;
  // kFatal naming the first option that was not read (an option the class does not have).
  Status check_unknown(std::string_view class_name) const;

 private:
  std::string prefix_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> known_;
};

}  // namespace sluice::transform
