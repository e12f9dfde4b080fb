// Expression: the small, safe language sluice evaluates where Debezium's Filter and ContentBasedRouter run a
// JSR-223 script (Groovy, JavaScript). It covers the forms of Debezium's documentation: the record's `value`,
// `key`, `topic` and `header.<name>.value`; member access `a.b`, `a?.b`, `a['b']`; literals 'x' "x" 12 1.5
// true false null; == != < <= > >= (=== !== as == !=), && || !, ?: and parentheses, + (string concatenation,
// number addition) and the string methods startsWith endsWith contains equals toLowerCase toUpperCase length.
// No loops, assignments, calls to anything else or I/O: evaluation is one walk of a tree of bounded size.
// Semantics follow Groovy's: a struct field that the schema lacks is an error, a map's is null; member access
// on null is an error (not with ?.); truth is Groovy's (null, false, 0, '' are false); null sorts first.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "transform/record.h"

namespace sluice::transform {

// A value during evaluation: null, boolean, number (integral ones exact), string, or a struct/map (with its
// schema, when it has one), or a header (its `value`).
struct ExprValue {
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kStruct, kHeader, kHeaders };
  Kind kind = Kind::kNull;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string text;
  const Json* json = nullptr;      // kStruct
  const Schema* schema = nullptr;  // kStruct (null: schemaless map)
  const Record* record = nullptr;  // kHeaders
};

class Expression {
 public:
  struct Node;
  // Parses `text`; kFatal naming `key` and showing the expression and the position of the problem.
  static Result<std::shared_ptr<const Expression>> compile(const std::string& key, const std::string& text);
  ~Expression();

  // Evaluates over the record; kData on a runtime error (member of null, unknown field …).
  Result<ExprValue> evaluate(const Record& record) const;
  const std::string& text() const { return text_; }

  static constexpr size_t kMaxLength = 4096;
  static constexpr int kMaxDepth = 64;

 private:
  std::string text_;
  std::unique_ptr<Node> root_;
};

// The value as the script's result would print (for errors): strings quoted, null as null.
std::string describe(const ExprValue& v);

}  // namespace sluice::transform
