// io.debezium.transforms.ByLogicalTableRouter / ToLogicalTopicRouter: records of several physical tables
// routed to one logical topic (topic.regex -> topic.replacement), the key made unique with the physical
// topic (key.enforce.uniqueness, key.field.name, key.field.regex / key.field.replacement), and the key,
// value and envelope schemas renamed after the new topic, as Debezium's ToLogicalTopicRouter does.
#pragma once

#include <re2/re2.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "transform/transform.h"

namespace sluice::transform {

class LogicalTableRouter final : public Transform {
 public:
  // legacy: ByLogicalTableRouter's defaults (key.field.name __dbz__physicalTableIdentifier, the
  // logical.table.cache.size name).
  static Result<std::unique_ptr<Transform>> create(Options& options, bool legacy);
  Result<bool> apply(Record& record) override;

 private:
  SchemaPtr key_schema(const SchemaPtr& old_key, const std::string& topic);
  SchemaPtr envelope_schema(const SchemaPtr& old_envelope, const std::string& topic);

  std::unique_ptr<RE2> topic_regex_, key_regex_;
  std::string topic_replacement_, key_replacement_;  // RE2 rewrite forms
  std::string key_field_;
  bool enforce_uniqueness_ = true;
  // (old schema, new topic) -> new schema: Debezium's LRU caches, whose hits give the same schemas.
  std::map<std::pair<std::string, std::string>, SchemaPtr> key_cache_, envelope_cache_;
};

}  // namespace sluice::transform
