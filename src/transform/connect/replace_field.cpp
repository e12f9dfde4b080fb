// ReplaceField; see replace_field.h. As Kafka Connect's (connect/transforms).
#include "transform/connect/replace_field.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using detail::kCacheLimit;
using detail::operating;

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Result<std::unique_ptr<Transform>> ReplaceField::create(Options& options, Part part) {
  auto t = std::make_unique<ReplaceField>();
  t->part_ = part;
  t->exclude_ = options.list("exclude");
  for (auto& f : options.list("blacklist")) t->exclude_.push_back(f);  // the pre-2.6 names
  t->include_ = options.list("include");
  for (auto& f : options.list("whitelist")) t->include_.push_back(f);
  for (const auto& entry : options.list("renames")) {
    auto colon = entry.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size() ||
        entry.find(':', colon + 1) != std::string::npos) {
      return options.invalid("renames", options.str("renames"),
                             "a comma-separated list of old:new field names");
    }
    t->renames_.emplace_back(entry.substr(0, colon), entry.substr(colon + 1));
  }
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  return std::unique_ptr<Transform>(std::move(t));
}

bool ReplaceField::keep(const std::string& name) const {
  return !contains(exclude_, name) && (include_.empty() || contains(include_, name));
}

std::string ReplaceField::renamed(const std::string& name) const {
  for (const auto& [from, to] : renames_) {
    if (from == name) return to;
  }
  return name;
}

Result<bool> ReplaceField::apply(Record& record) {
  auto& data = operating(record, part_);
  if (!data || data->payload.is_null()) return true;
  if (!data->schema) {  // schemaless: a map
    if (!data->payload.is_object()) return Error::data("ReplaceField: the record is not a struct or map");
    Json out = Json::object();
    for (auto& [k, v] : data->payload.members) {
      if (keep(k)) out.members.emplace_back(renamed(k), std::move(v));
    }
    data->payload = std::move(out);
    return true;
  }
  if (!data->schema->is_struct()) return Error::data("ReplaceField: the record is not a struct");
  auto it = cache_.find(data->schema.get());
  if (it == cache_.end()) {
    auto s = std::make_shared<Schema>(copy_schema_basics(*data->schema));
    for (const auto& f : data->schema->fields) {
      if (keep(f.name)) s->fields.push_back({renamed(f.name), f.schema});
    }
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(data->schema.get(), std::make_pair(data->schema, SchemaPtr(s))).first;
  }
  Json out = Json::object();
  for (const auto& f : data->schema->fields) {
    if (!keep(f.name)) continue;
    Json* v = data->payload.find(f.name);
    out.members.emplace_back(renamed(f.name), v != nullptr ? std::move(*v) : Json::null());
  }
  data->schema = it->second.second;
  data->payload = std::move(out);
  return true;
}

}  // namespace sluice::transform
