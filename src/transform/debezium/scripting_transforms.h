// io.debezium.transforms.Filter and io.debezium.transforms.ContentBasedRouter (Debezium's scripting SMTs),
// with sluice's expression language (transform/expression.h) in place of a JSR-223 engine: language
// (jsr223.groovy or jsr223.graal.js, whose common forms it accepts), condition / topic.expression,
// topic.regex (only matching topics are evaluated) and null.handling.mode (keep, drop, evaluate).
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>

#include "transform/expression.h"
#include "transform/transform.h"

namespace sluice::transform {

class ScriptingTransform final : public Transform {
 public:
  enum class Kind { kFilter, kRouter };
  static Result<std::unique_ptr<Transform>> create(Options& options, Kind kind);
  Result<bool> apply(Record& record) override;

 private:
  Kind kind_ = Kind::kFilter;
  std::shared_ptr<const Expression> expression_;
  std::unique_ptr<RE2> topic_regex_;
  enum class Nulls { kKeep, kDrop, kEvaluate } nulls_ = Nulls::kKeep;
};

}  // namespace sluice::transform
