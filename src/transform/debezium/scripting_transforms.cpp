// Filter / ContentBasedRouter as Debezium's ScriptingTransformation.apply: a record whose topic topic.regex
// does not match passes; a null value is kept, dropped or evaluated (null.handling.mode); Filter keeps the
// record when the condition is true (a result that is not a boolean fails, as Debezium's cast does), the
// router moves it to the string the expression gives (null: stays).
#include "transform/debezium/scripting_transforms.h"

#include <fmt/format.h>

#include <algorithm>

#include "transform/basic.h"

namespace sluice::transform {

Result<std::unique_ptr<Transform>> ScriptingTransform::create(Options& options, Kind kind) {
  auto t = std::make_unique<ScriptingTransform>();
  t->kind_ = kind;
  auto language = options.str("language");
  if (language.empty()) {
    return options.missing("language",
                           "jsr223.groovy or jsr223.graal.js: sluice evaluates its own expression "
                           "language, which accepts their common forms");
  }
  if (language != "jsr223.groovy" && language != "jsr223.graal.js" && language != "jsr223.js") {
    return options.invalid(
        "language", language,
        "jsr223.groovy, jsr223.graal.js (sluice evaluates its own expression language in their "
        "place; other engines, WebAssembly included, are not implemented)");
  }
  const std::string option = kind == Kind::kFilter ? "condition" : "topic.expression";
  auto text = options.str(option);
  if (text.empty()) {
    return options.missing(option, kind == Kind::kFilter ? "the condition a record must meet to be kept"
                                                         : "the expression giving the record's new topic");
  }
  auto e = Expression::compile(options.key(option), text);
  if (!e) return e.error();
  t->expression_ = std::move(*e);
  auto regex = options.str("topic.regex");
  if (!regex.empty()) {
    auto re = compile_regex(options, "topic.regex", regex);
    if (!re) return re.error();
    t->topic_regex_ = std::move(*re);
  }
  auto nulls = options.str("null.handling.mode", "keep");
  std::string l = nulls;
  std::transform(l.begin(), l.end(), l.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (l == "keep") {
    t->nulls_ = Nulls::kKeep;
  } else if (l == "drop") {
    t->nulls_ = Nulls::kDrop;
  } else if (l == "evaluate") {
    t->nulls_ = Nulls::kEvaluate;
  } else {
    return options.invalid("null.handling.mode", nulls, "keep, drop, evaluate");
  }
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> ScriptingTransform::apply(Record& record) {
  if (topic_regex_ && !RE2::FullMatch(record.topic, *topic_regex_)) return true;
  if (!record.value || record.value->payload.is_null()) {
    if (nulls_ == Nulls::kKeep) return true;
    if (nulls_ == Nulls::kDrop) return false;
  }
  auto result = expression_->evaluate(record);
  if (!result) {
    return Error::data(fmt::format("Error while evaluating expression '{}': {}", expression_->text(),
                                   result.error().message));
  }
  if (kind_ == Kind::kFilter) {
    if (result->kind != ExprValue::Kind::kBool) {
      return Error::data(fmt::format("Value {} returned by the expression '{}' is not a Boolean",
                                     describe(*result), expression_->text()));
    }
    return result->boolean;
  }
  if (result->kind == ExprValue::Kind::kNull) return true;
  if (result->kind != ExprValue::Kind::kString) {
    return Error::data(fmt::format("Value {} returned by the expression '{}' is not a String",
                                   describe(*result), expression_->text()));
  }
  record.topic = result->text;
  return true;
}

}  // namespace sluice::transform
