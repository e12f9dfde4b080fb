// The syntax tree of an Expression (transform/expression.h), shared by its parser (expression_parser.cpp)
// and its evaluator (expression.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "transform/expression.h"

namespace sluice::transform {

struct Expression::Node {
  enum class Op {
    kLiteral,
    kRoot,    // value key topic header
    kMember,  // children[0].text (safe: ?.)
    kIndex,   // children[0][children[1]]
    kCall,    // children[0].text(children[1..])
    kNot,
    kNeg,
    kAnd,
    kOr,
    kEq,
    kNe,
    kLt,
    kLe,
    kGt,
    kGe,
    kAdd,
    kSub,
    kTernary,
    kElvis,
  };
  Op op = Op::kLiteral;
  ExprValue literal;
  std::string name;
  bool safe = false;
  std::vector<std::unique_ptr<Node>> children;
};

// Parses `text` into a tree of at most Expression::kMaxDepth levels; kFatal naming `key` and showing the
// expression and the position of the problem.
Result<std::unique_ptr<Expression::Node>> parse_expression(const std::string& key, const std::string& text);

}  // namespace sluice::transform
