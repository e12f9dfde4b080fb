// RegexRouter, Filter and the predicates, as Kafka Connect's.
#include "transform/basic.h"

#include <fmt/format.h>

#include <cctype>

namespace sluice::transform {

namespace {

// Java's named group (?<name>…) in RE2's spelling (?P<name>…), outside escapes and character classes.
std::string java_named_groups_to_re2(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size() + 8);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += c;
      out += pattern[++i];
      continue;
    }
    if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(' && pattern.compare(i, 3, "(?<") == 0 && i + 3 < pattern.size() &&
               std::isalpha(static_cast<unsigned char>(pattern[i + 3]))) {
      out += "(?P<";
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<RE2>> compile_regex(const Options& options, const std::string& option,
                                           const std::string& pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_unique<RE2>(java_named_groups_to_re2(pattern), o);
  if (!re->ok()) {
    return Error::fatal(fmt::format("invalid value for {}: '{}' is not a valid regular expression ({})",
                                    options.key(option), pattern, re->error()));
  }
  return re;
}

Result<std::string> java_replacement_to_re2(const Options& options, const std::string& option,
                                            const std::string& replacement, const RE2& regex) {
  std::string out;
  for (size_t i = 0; i < replacement.size(); ++i) {
    char c = replacement[i];
    if (c == '\\' && i + 1 < replacement.size()) {
      char next = replacement[++i];
      if (next == '\\') {
        out += "\\\\";
      } else {
        out.push_back(next);
      }
    } else if (c == '$') {
      size_t j = i + 1;
      if (j < replacement.size() && replacement[j] == '{') {
        auto close = replacement.find('}', j);
        std::string name = close == std::string::npos ? "" : replacement.substr(j + 1, close - j - 1);
        auto groups = regex.NamedCapturingGroups();
        auto it = groups.find(name);
        if (it == groups.end()) {
          return options.invalid(option, replacement, "a replacement whose ${name} are groups of the regex");
        }
        out += "\\" + std::to_string(it->second);
        i = close;
        continue;
      }
      size_t start = j;
      while (j < replacement.size() && std::isdigit(static_cast<unsigned char>(replacement[j]))) ++j;
      if (j == start)
        return options.invalid(option, replacement, "'$' followed by a group number or ${name}");
      int group = std::stoi(replacement.substr(start, j - start));
      if (group > regex.NumberOfCapturingGroups()) {
        return options.invalid(option, replacement,
                               fmt::format("group references up to ${} (the regex has {} groups)",
                                           regex.NumberOfCapturingGroups(), regex.NumberOfCapturingGroups()));
      }
      out += "\\" + std::to_string(group);
      i = j - 1;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<std::unique_ptr<Transform>> RegexRouter::create(Options& options) {
  auto t = std::make_unique<RegexRouter>();
  auto regex = options.str("regex");
  if (!options.has("regex"))
    return options.missing("regex", "a regular expression matching whole topic names");
  if (!options.has("replacement")) return options.missing("replacement", "the topic name, with $1… groups");
  auto re = compile_regex(options, "regex", regex);
  if (!re) return re.error();
  t->regex_ = std::move(*re);
  auto rep = java_replacement_to_re2(options, "replacement", options.str("replacement"), *t->regex_);
  if (!rep) return rep.error();
  t->replacement_ = std::move(*rep);
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> RegexRouter::apply(Record& record) {
  if (!routed_any_ || record.topic != last_topic_) {
    routed_any_ = true;
    last_topic_ = record.topic;
    routed_ = record.topic;
    if (RE2::FullMatch(routed_, *regex_)) RE2::Replace(&routed_, *regex_, replacement_);
  }
  record.topic = routed_;
  return true;
}

Result<std::unique_ptr<Predicate>> TopicNameMatches::create(Options& options) {
  auto p = std::make_unique<TopicNameMatches>();
  auto pattern = options.str("pattern");
  if (pattern.empty()) return options.missing("pattern", "a regular expression matching whole topic names");
  auto re = compile_regex(options, "pattern", pattern);
  if (!re) return re.error();
  p->pattern_ = std::move(*re);
  return std::unique_ptr<Predicate>(std::move(p));
}

bool TopicNameMatches::test(const Record& record) const {
  return RE2::FullMatch(record.topic, *pattern_);
}

Result<std::unique_ptr<Predicate>> HasHeaderKey::create(Options& options) {
  auto p = std::make_unique<HasHeaderKey>();
  p->name_ = options.str("name");
  if (p->name_.empty()) return options.missing("name", "the header name");
  return std::unique_ptr<Predicate>(std::move(p));
}

bool HasHeaderKey::test(const Record& record) const {
  for (const auto& h : record.headers) {
    if (h.name == name_) return true;
  }
  return false;
}

}  // namespace sluice::transform
