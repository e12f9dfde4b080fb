// SetSchemaMetadata; see set_schema_metadata.h. As Kafka Connect's (connect/transforms).
#include "transform/connect/set_schema_metadata.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using detail::kCacheLimit;
using detail::operating;

Result<std::unique_ptr<Transform>> SetSchemaMetadata::create(Options& options, Part part) {
  auto t = std::make_unique<SetSchemaMetadata>();
  t->part_ = part;
  if (options.has("schema.name")) t->name_ = options.str("schema.name");
  if (options.has("schema.version")) {
    auto v = options.integer("schema.version", 0, INT32_MIN, INT32_MAX);  // ConfigDef.Type.INT
    if (!v) return v.error();
    t->version_ = *v;
  }
  if (!t->name_ && !t->version_) {
    return Error::fatal(fmt::format("{} and {}: neither schema name nor version configured (set one or both)",
                                    options.key("schema.name"), options.key("schema.version")));
  }
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> SetSchemaMetadata::apply(Record& record) {
  auto& data = operating(record, part_);
  if (!data) return true;  // a Kafka null: no value and no schema
  if (!data->schema) return Error::data("Schema required for [updating schema metadata]");
  if (!data->schema->is_struct()) {
    // Connect's ConnectSchema copy lists the fields, which only a struct has.
    return Error::data(fmt::format("Cannot list fields on non-struct type (the {} schema is {})",
                                   part_ == Part::kKey ? "key" : "value", data->schema->type));
  }
  auto it = cache_.find(data->schema.get());
  if (it == cache_.end()) {
    auto s = std::make_shared<Schema>(copy_schema_basics(*data->schema));
    s->optional = data->schema->optional;
    s->default_value = data->schema->default_value;
    s->fields = data->schema->fields;
    if (name_) s->name = *name_;
    if (version_) s->version = *version_;
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(data->schema.get(), std::make_pair(data->schema, SchemaPtr(std::move(s)))).first;
  }
  data->schema = it->second.second;
  return true;
}

}  // namespace sluice::transform
