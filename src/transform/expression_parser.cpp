// Expression's tokenizer and recursive-descent parser (depth and length bounded).
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "transform/expression_tree.h"

namespace sluice::transform {

namespace {

using Node = Expression::Node;
using Op = Node::Op;
using Kind = ExprValue::Kind;

struct Token {
  enum class Type { kEnd, kIdent, kString, kNumber, kPunct };
  Type type = Type::kEnd;
  std::string text;
  size_t pos = 0;
};

class Parser {
 public:
  Parser(const std::string& key, const std::string& text) : key_(key), text_(text) {}

  Result<std::unique_ptr<Node>> parse() {
    if (text_.size() > Expression::kMaxLength) {
      return fail(0, fmt::format("longer than {} characters", Expression::kMaxLength));
    }
    if (auto s = tokenize(); !s) return s.error();
    auto root = ternary(0);
    if (!root) return root.error();
    if (peek().type != Token::Type::kEnd)
      return fail(peek().pos, fmt::format("unexpected '{}'", peek().text));
    return root;
  }

 private:
  Error fail(size_t pos, const std::string& why) const {
    return Error::fatal(fmt::format(
        "invalid value for {}: '{}' is not an expression sluice evaluates: {} at position {} (sluice accepts "
        "value/key/topic/header, member access, literals, == != < <= > >= && || ! ?: + and the string "
        "methods "
        "startsWith endsWith contains equals toLowerCase toUpperCase length; see the README)",
        key_, text_, why, pos + 1));
  }

  Status tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token t;
      t.pos = i;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
        size_t j = i;
        while (j < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[j])) || text_[j] == '_' || text_[j] == '$'))
          ++j;
        t.type = Token::Type::kIdent;
        t.text = text_.substr(i, j - i);
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        size_t j = i;
        while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        if (j + 1 < text_.size() && text_[j] == '.' &&
            std::isdigit(static_cast<unsigned char>(text_[j + 1]))) {
          ++j;
          while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        }
        if (j < text_.size() && std::isalpha(static_cast<unsigned char>(text_[j]))) {
          return fail(j, "a number suffix (such as 10L or 1.5d)");
        }
        t.type = Token::Type::kNumber;
        t.text = text_.substr(i, j - i);
        i = j;
      } else if (c == '\'' || c == '"') {
        std::string s;
        size_t j = i + 1;
        bool closed = false;
        while (j < text_.size()) {
          char d = text_[j];
          if (d == c) {
            closed = true;
            ++j;
            break;
          }
          if (d == '\\') {
            if (j + 1 >= text_.size()) break;
            char e = text_[j + 1];
            switch (e) {
              case 'n':
                s += '\n';
                break;
              case 't':
                s += '\t';
                break;
              case '\\':
              case '\'':
              case '"':
                s += e;
                break;
              default:
                return fail(j, fmt::format("the escape \\{}", e));
            }
            j += 2;
            continue;
          }
          if (c == '"' && d == '$') return fail(j, "a GString interpolation ($ in a double-quoted string)");
          s += d;
          ++j;
        }
        if (!closed) return fail(i, "an unterminated string");
        t.type = Token::Type::kString;
        t.text = std::move(s);
        i = j;
      } else {
        static const char* kPuncts[] = {"===", "!==", "==", "!=", "<=", ">=", "&&", "||",
                                        "?.",  "?:",  "(",  ")",  "[",  "]",  ".",  "<",
                                        ">",   "!",   "?",  ":",  "+",  "-",  ","};
        const char* match = nullptr;
        for (const char* p : kPuncts) {
          if (text_.compare(i, std::strlen(p), p) == 0) {
            match = p;
            break;
          }
        }
        if (match == nullptr) return fail(i, fmt::format("the character '{}'", c));
        t.type = Token::Type::kPunct;
        t.text = match;
        i += t.text.size();
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.pos = text_.size();
    tokens_.push_back(end);
    return ok_status();
  }

  const Token& peek() const { return tokens_[at_]; }
  bool is(const char* punct) const { return peek().type == Token::Type::kPunct && peek().text == punct; }
  bool accept(const char* punct) {
    if (!is(punct)) return false;
    ++at_;
    return true;
  }

  static std::unique_ptr<Node> binary(Op op, std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->children.push_back(std::move(a));
    n->children.push_back(std::move(b));
    return n;
  }

  Status deeper(int depth) const {
    if (depth > Expression::kMaxDepth) {
      return fail(peek().pos, fmt::format("nested deeper than {} levels", Expression::kMaxDepth));
    }
    return ok_status();
  }

  Result<std::unique_ptr<Node>> ternary(int depth) {
    if (auto s = deeper(depth); !s) return s.error();
    auto cond = logical_or(depth + 1);
    if (!cond) return cond;
    if (accept("?:")) {
      auto other = ternary(depth + 1);
      if (!other) return other;
      return binary(Op::kElvis, std::move(*cond), std::move(*other));
    }
    if (!accept("?")) return cond;
    auto yes = ternary(depth + 1);
    if (!yes) return yes;
    if (!accept(":")) return fail(peek().pos, "a ':' of the ?: operator");
    auto no = ternary(depth + 1);
    if (!no) return no;
    auto n = std::make_unique<Node>();
    n->op = Op::kTernary;
    n->children.push_back(std::move(*cond));
    n->children.push_back(std::move(*yes));
    n->children.push_back(std::move(*no));
    return n;
  }

  Result<std::unique_ptr<Node>> logical_or(int depth) {
    auto left = logical_and(depth + 1);
    if (!left) return left;
    while (accept("||")) {
      auto right = logical_and(depth + 1);
      if (!right) return right;
      left = binary(Op::kOr, std::move(*left), std::move(*right));
    }
    return left;
  }

  Result<std::unique_ptr<Node>> logical_and(int depth) {
    auto left = equality(depth + 1);
    if (!left) return left;
    while (accept("&&")) {
      auto right = equality(depth + 1);
      if (!right) return right;
      left = binary(Op::kAnd, std::move(*left), std::move(*right));
    }
    return left;
  }

  Result<std::unique_ptr<Node>> equality(int depth) {
    auto left = relational(depth + 1);
    if (!left) return left;
    while (true) {
      Op op;
      if (accept("==") || accept("===")) {
        op = Op::kEq;
      } else if (accept("!=") || accept("!==")) {
        op = Op::kNe;
      } else {
        return left;
      }
      auto right = relational(depth + 1);
      if (!right) return right;
      left = binary(op, std::move(*left), std::move(*right));
    }
  }

  Result<std::unique_ptr<Node>> relational(int depth) {
    auto left = additive(depth + 1);
    if (!left) return left;
    while (true) {
      Op op;
      if (accept("<=")) {
        op = Op::kLe;
      } else if (accept(">=")) {
        op = Op::kGe;
      } else if (accept("<")) {
        op = Op::kLt;
      } else if (accept(">")) {
        op = Op::kGt;
      } else {
        return left;
      }
      auto right = additive(depth + 1);
      if (!right) return right;
      left = binary(op, std::move(*left), std::move(*right));
    }
  }

  Result<std::unique_ptr<Node>> additive(int depth) {
    auto left = unary(depth + 1);
    if (!left) return left;
    while (true) {
      Op op;
      if (accept("+")) {
        op = Op::kAdd;
      } else if (accept("-")) {
        op = Op::kSub;
      } else {
        return left;
      }
      auto right = unary(depth + 1);
      if (!right) return right;
      left = binary(op, std::move(*left), std::move(*right));
    }
  }

  Result<std::unique_ptr<Node>> unary(int depth) {
    if (auto s = deeper(depth); !s) return s.error();
    for (auto [punct, op] : {std::pair{"!", Op::kNot}, std::pair{"-", Op::kNeg}}) {
      if (accept(punct)) {
        auto operand = unary(depth + 1);
        if (!operand) return operand;
        auto n = std::make_unique<Node>();
        n->op = op;
        n->children.push_back(std::move(*operand));
        return n;
      }
    }
    return postfix(depth + 1);
  }

  Result<std::unique_ptr<Node>> postfix(int depth) {
    auto node = primary(depth + 1);
    if (!node) return node;
    while (true) {
      bool safe = false;
      if (accept(".") || (safe = accept("?."))) {
        if (peek().type != Token::Type::kIdent) return fail(peek().pos, "a field name after '.'");
        std::string name = peek().text;
        ++at_;
        if (accept("(")) {
          static const char* kMethods[] = {"startsWith",  "endsWith",    "contains", "equals",
                                           "toLowerCase", "toUpperCase", "length",   "trim"};
          bool known = false;
          for (const char* m : kMethods) known = known || name == m;
          if (!known) return fail(tokens_[at_ - 2].pos, fmt::format("the method {}()", name));
          auto call = std::make_unique<Node>();
          call->op = Op::kCall;
          call->name = name;
          call->safe = safe;
          call->children.push_back(std::move(*node));
          if (!accept(")")) {
            while (true) {
              auto arg = ternary(depth + 1);
              if (!arg) return arg;
              call->children.push_back(std::move(*arg));
              if (accept(")")) break;
              if (!accept(",")) return fail(peek().pos, "',' or ')' in the method's arguments");
            }
          }
          size_t args = call->children.size() - 1;
          bool one = name == "startsWith" || name == "endsWith" || name == "contains" || name == "equals";
          if (args != (one ? 1u : 0u)) {
            return fail(peek().pos, fmt::format("{}() with {} argument(s)", name, args));
          }
          node = std::move(call);
          continue;
        }
        auto m = std::make_unique<Node>();
        m->op = Op::kMember;
        m->name = std::move(name);
        m->safe = safe;
        m->children.push_back(std::move(*node));
        node = std::move(m);
      } else if (accept("[")) {
        auto index = ternary(depth + 1);
        if (!index) return index;
        if (!accept("]")) return fail(peek().pos, "a closing ']'");
        node = binary(Op::kIndex, std::move(*node), std::move(*index));
      } else {
        return node;
      }
    }
  }

  Result<std::unique_ptr<Node>> primary(int depth) {
    if (auto s = deeper(depth); !s) return s.error();
    const Token t = peek();
    auto n = std::make_unique<Node>();
    switch (t.type) {
      case Token::Type::kEnd:
        return fail(t.pos, "the expression ends early");
      case Token::Type::kString:
        ++at_;
        n->literal.kind = Kind::kString;
        n->literal.text = t.text;
        return n;
      case Token::Type::kNumber: {
        ++at_;
        if (t.text.find('.') != std::string::npos) {
          n->literal.kind = Kind::kDouble;
          n->literal.real = std::strtod(t.text.c_str(), nullptr);
        } else {
          n->literal.kind = Kind::kInt;
          auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n->literal.integer);
          if (r.ec != std::errc()) return fail(t.pos, "an integer beyond 64 bits");
        }
        return n;
      }
      case Token::Type::kIdent:
        ++at_;
        if (t.text == "true" || t.text == "false") {
          n->literal.kind = Kind::kBool;
          n->literal.boolean = t.text == "true";
          return n;
        }
        if (t.text == "null" || t.text == "undefined") return n;
        if (t.text == "value" || t.text == "key" || t.text == "topic" || t.text == "header") {
          n->op = Op::kRoot;
          n->name = t.text;
          return n;
        }
        return fail(t.pos, fmt::format("the name '{}' (the record is value, key, topic and header)", t.text));
      case Token::Type::kPunct:
        if (accept("(")) {
          auto inner = ternary(depth + 1);
          if (!inner) return inner;
          if (!accept(")")) return fail(peek().pos, "a closing ')'");
          return inner;
        }
        return fail(t.pos, fmt::format("unexpected '{}'", t.text));
    }
    return fail(t.pos, "unexpected input");
  }

  const std::string& key_;
  const std::string& text_;
  std::vector<Token> tokens_;
  size_t at_ = 0;
};

}  // namespace

Result<std::unique_ptr<Expression::Node>> parse_expression(const std::string& key, const std::string& text) {
  Parser parser(key, text);
  return parser.parse();
}

}  // namespace sluice::transform
