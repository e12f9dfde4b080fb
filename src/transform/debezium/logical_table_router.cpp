// LogicalTableRouter, following Debezium's ToLogicalTopicRouter.apply: a topic the regex does not match
// (or maps to "") keeps its record; a key struct gets the new name (<topic>.Key) and the physical table's
// identifier; an envelope's before/after get <topic>.Value and the envelope <topic>.Envelope; tombstones,
// heartbeats and other values pass as they are.
#include "transform/debezium/logical_table_router.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

#include "transform/basic.h"

namespace sluice::transform {

namespace {

constexpr size_t kCacheLimit = 256;

// copySchemaExcludingName: version, doc, parameters, optional and (copy_fields) the fields; no name.
std::shared_ptr<Schema> copy_excluding_name(const Schema& source, bool copy_fields) {
  auto s = std::make_shared<Schema>();
  s->type = "struct";
  s->version = source.version;
  s->doc = source.doc;
  s->parameters = source.parameters;
  s->optional = source.optional;
  if (copy_fields) s->fields = source.fields;
  return s;
}

bool is_envelope(const Data& value) {
  return value.schema && value.schema->name && value.schema->name->ends_with(".Envelope");
}

// Matcher.matches() + replaceFirst, nullopt when the whole text does not match.
std::optional<std::string> replace_full(const std::string& text, const RE2& regex,
                                        const std::string& rewrite) {
  if (!RE2::FullMatch(text, regex)) return std::nullopt;
  std::string out = text;
  RE2::Replace(&out, regex, rewrite);
  return out;
}

}  // namespace

Result<std::unique_ptr<Transform>> LogicalTableRouter::create(Options& options, bool legacy) {
  auto t = std::make_unique<LogicalTableRouter>();
  auto regex = options.str("topic.regex");
  if (regex.empty()) return options.missing("topic.regex", "the regex over the physical topic names");
  auto re = compile_regex(options, "topic.regex", regex);
  if (!re) return re.error();
  t->topic_regex_ = std::move(*re);
  if (!options.has("topic.replacement"))
    return options.missing("topic.replacement", "the logical topic name");
  auto rep = java_replacement_to_re2(options, "topic.replacement", options.str("topic.replacement"),
                                     *t->topic_regex_);
  if (!rep) return rep.error();
  t->topic_replacement_ = std::move(*rep);

  auto unique = options.boolean("key.enforce.uniqueness", true);
  if (!unique) return unique.error();
  t->enforce_uniqueness_ = *unique;
  t->key_field_ =
      options.str("key.field.name", legacy ? "__dbz__physicalTableIdentifier" : "__dbz__sourceIdentifier");
  if (t->key_field_.empty()) return options.invalid("key.field.name", "", "a field name");
  auto key_regex = options.str("key.field.regex");
  auto key_replacement = options.str("key.field.replacement");
  if (!key_regex.empty()) {
    if (key_replacement.empty()) {
      return options.invalid("key.field.replacement", "",
                             "a non-empty replacement when key.field.regex is set");
    }
    auto kre = compile_regex(options, "key.field.regex", key_regex);
    if (!kre) return kre.error();
    t->key_regex_ = std::move(*kre);
    auto krep = java_replacement_to_re2(options, "key.field.replacement", key_replacement, *t->key_regex_);
    if (!krep) return krep.error();
    t->key_replacement_ = std::move(*krep);
  }
  if (auto mode = options.str("schema.name.adjustment.mode", "none"); mode != "none") {
    return options.invalid("schema.name.adjustment.mode", mode,
                           "none (Debezium's default; sluice does not implement the avro adjustments)");
  }
  // Cache sizes: how many schemas Debezium keeps, not what it writes.
  if (auto r = options.integer("logical.destination.cache.size", 16, 1, INT32_MAX); !r) return r.error();
  if (legacy) {
    if (auto r = options.integer("logical.table.cache.size", 16, 1, INT32_MAX); !r) return r.error();
  }
  return std::unique_ptr<Transform>(std::move(t));
}

SchemaPtr LogicalTableRouter::key_schema(const SchemaPtr& old_key, const std::string& topic) {
  auto cache_key = std::make_pair(old_key->json(), topic);
  if (auto it = key_cache_.find(cache_key); it != key_cache_.end()) return it->second;
  auto s = copy_excluding_name(*old_key, true);
  s->name = topic + ".Key";
  if (enforce_uniqueness_) {
    auto str = std::make_shared<Schema>();
    str->type = "string";
    s->fields.push_back({key_field_, str});
  }
  if (key_cache_.size() >= kCacheLimit) key_cache_.clear();
  return key_cache_[cache_key] = s;
}

SchemaPtr LogicalTableRouter::envelope_schema(const SchemaPtr& old_envelope, const std::string& topic) {
  auto cache_key = std::make_pair(old_envelope->json(), topic);
  if (auto it = envelope_cache_.find(cache_key); it != envelope_cache_.end()) return it->second;
  const Field* row = old_envelope->field("before");
  if (row == nullptr) row = old_envelope->field("after");
  SchemaPtr value;
  if (row != nullptr) {
    auto v = copy_excluding_name(*row->schema, true);
    v->name = topic + ".Value";
    value = v;
  }
  auto s = copy_excluding_name(*old_envelope, false);
  for (const auto& f : old_envelope->fields) {
    s->fields.push_back({f.name, value && (f.name == "before" || f.name == "after") ? value : f.schema});
  }
  s->name = topic + ".Envelope";
  if (envelope_cache_.size() >= kCacheLimit) envelope_cache_.clear();
  return envelope_cache_[cache_key] = s;
}

Result<bool> LogicalTableRouter::apply(Record& record) {
  auto routed = replace_full(record.topic, *topic_regex_, topic_replacement_);
  if (!routed || routed->empty()) return true;
  const std::string old_topic = std::move(record.topic);
  record.topic = *routed;

  if (record.key && !record.key->payload.is_null()) {
    if (!record.key->schema || !record.key->schema->is_struct() || !record.key->payload.is_object()) {
      return Error::data(
          "Only Struct objects supported for [Updating schema], found: a key that is not a struct");
    }
    if (enforce_uniqueness_ && record.key->schema->field(key_field_) != nullptr) {
      return Error::data(fmt::format("Cannot create field because of field name duplication {}", key_field_));
    }
    auto schema = key_schema(record.key->schema, record.topic);
    if (enforce_uniqueness_) {
      std::string identifier = old_topic;
      if (key_regex_) {
        if (auto id = replace_full(old_topic, *key_regex_, key_replacement_)) identifier = *id;
      }
      record.key->payload.members.emplace_back(key_field_, Json::string(std::move(identifier)));
    }
    record.key->schema = std::move(schema);
  }

  if (!record.value || record.value->payload.is_null() || !is_envelope(*record.value)) return true;
  if (!record.value->payload.is_object()) {
    return Error::data(
        "Only Struct objects supported for [Updating schema], found: a value that is not a struct");
  }
  record.value->schema = envelope_schema(record.value->schema, record.topic);
  return true;
}

}  // namespace sluice::transform
