// HoistField; see hoist_field.h. As Kafka Connect's (connect/transforms).
#include "transform/connect/hoist_field.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using detail::kCacheLimit;
using detail::operating;

Result<std::unique_ptr<Transform>> HoistField::create(Options& options, Part part) {
  auto t = std::make_unique<HoistField>();
  t->part_ = part;
  t->field_ = options.str("field");
  if (t->field_.empty()) return options.missing("field", "the name of the struct field to wrap the data in");
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> HoistField::apply(Record& record) {
  auto& data = operating(record, part_);
  Json wrapped = Json::object();
  if (!data || !data->schema) {  // schemaless: a one-entry map (a Kafka null too)
    wrapped.members.emplace_back(field_, data ? std::move(data->payload) : Json::null());
    data = Data{nullptr, std::move(wrapped)};
    return true;
  }
  auto it = cache_.find(data->schema.get());
  if (it == cache_.end()) {
    auto s = std::make_shared<Schema>();
    s->type = "struct";
    s->fields.push_back({field_, data->schema});
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(data->schema.get(), std::make_pair(data->schema, SchemaPtr(s))).first;
  }
  wrapped.members.emplace_back(field_, std::move(data->payload));
  data = Data{it->second.second, std::move(wrapped)};
  return true;
}

}  // namespace sluice::transform
