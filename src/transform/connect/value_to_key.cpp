// Kafka Connect's ValueToKey: the key rebuilt from fields of the value. As Connect's
// (connect/transforms, 4.x).
#include "transform/connect/value_to_key.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using namespace detail;  // NOLINT(google-build-using-namespace)

Result<std::unique_ptr<Transform>> ValueToKey::create(Options& options) {
  auto t = std::make_unique<ValueToKey>();
  if (!options.has("fields")) return options.missing("fields", "the value fields that form the key");
  t->fields_ = options.list("fields");
  if (t->fields_.empty())
    return options.invalid("fields", options.str("fields"),
                           "a non-empty comma-separated list of field names");
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> ValueToKey::apply(Record& record) {
  static constexpr std::string_view kPurpose = "copying fields from value to key";
  auto& value = record.value;
  if (!value || !value->schema) {  // schemaless (a tombstone too: Connect fails on it)
    if (!value || !value->payload.is_object()) return require_map(value, kPurpose);
    Json key = Json::object();
    for (const auto& name : fields_) {
      const Json* v = value->payload.find(name);
      key.set(name, v != nullptr ? *v : Json::null());
    }
    record.key = Data{nullptr, std::move(key)};
    return true;
  }
  if (!value->schema->is_struct() || !value->payload.is_object())
    return require_struct(value->payload, kPurpose);
  auto it = cache_.find(value->schema.get());
  if (it == cache_.end()) {
    auto s = std::make_shared<Schema>();
    s->type = "struct";
    for (const auto& name : fields_) {
      const Field* f = value->schema->field(name);
      if (f == nullptr) return Error::data(fmt::format("Field does not exist: {}", name));
      s->fields.push_back({name, f->schema});
    }
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(value->schema.get(), std::make_pair(value->schema, SchemaPtr(s))).first;
  }
  Json key = Json::object();
  for (const auto& name : fields_) {
    const Json* v = value->payload.find(name);
    key.members.emplace_back(name, v != nullptr ? *v : Json::null());
  }
  record.key = Data{it->second.second, std::move(key)};
  return true;
}

}  // namespace sluice::transform
