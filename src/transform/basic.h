// Kafka Connect's routing and filtering transforms and its predicates
// (org.apache.kafka.connect.transforms.{RegexRouter,Filter}, ….predicates.{TopicNameMatches,HasHeaderKey,
// RecordIsTombstone}).
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>

#include "transform/transform.h"

namespace sluice::transform {

// Java's Matcher.matches() + replaceFirst(replacement): the whole topic must match; $n / ${name} in the
// replacement become RE2's \n.
class RegexRouter final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;
  bool reads_data() const override { return false; }

 private:
  std::unique_ptr<RE2> regex_;
  std::string replacement_;  // RE2 rewrite form
  // Records come in runs of one topic: the last topic and where it was routed.
  bool routed_any_ = false;
  std::string last_topic_;
  std::string routed_;
};

// Drops every record (with a predicate: the records it matches).
class DropAll final : public Transform {
 public:
  Result<bool> apply(Record&) override { return false; }
  bool reads_data() const override { return false; }
};

class TopicNameMatches final : public Predicate {
 public:
  static Result<std::unique_ptr<Predicate>> create(Options& options);
  bool test(const Record& record) const override;

 private:
  std::unique_ptr<RE2> pattern_;
};

class HasHeaderKey final : public Predicate {
 public:
  static Result<std::unique_ptr<Predicate>> create(Options& options);
  bool test(const Record& record) const override;

 private:
  std::string name_;
};

class RecordIsTombstone final : public Predicate {
 public:
  // Connect's record.value() == null: a Kafka null, or a null value that still has a schema (what
  // ExtractNewRecordState makes of a delete).
  bool test(const Record& record) const override {
    return !record.value.has_value() || record.value->payload.is_null();
  }
};

// A Java regular expression's replacement string ($1, ${name}, \$ escapes) in RE2's rewrite form (\1);
// kFatal naming the key for named groups, which RE2's rewrite cannot refer to.
Result<std::string> java_replacement_to_re2(const Options& options, const std::string& option,
                                            const std::string& replacement, const RE2& regex);
// Compiles a Java regular expression with RE2 (kFatal naming the key and RE2's reason).
Result<std::unique_ptr<RE2>> compile_regex(const Options& options, const std::string& option,
                                           const std::string& pattern);

}  // namespace sluice::transform
