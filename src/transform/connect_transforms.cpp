// ReplaceField, ExtractField, HoistField, SetSchemaMetadata, InsertHeader, DropHeaders as Kafka Connect's.
#include "transform/connect_transforms.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace sluice::transform {

namespace {

constexpr size_t kCacheLimit = 256;

std::optional<Data>& operating(Record& r, Part part) {
  return part == Part::kKey ? r.key : r.value;
}

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

Result<std::unique_ptr<Transform>> ExtractField::create(Options& options, Part part) {
  auto t = std::make_unique<ExtractField>();
  t->part_ = part;
  t->field_ = options.str("field");
  if (t->field_.empty()) return options.missing("field", "the field to extract");
  if (auto v = options.str("field.syntax.version", "V1"); v != "V1" && v != "v1") {
    return options.invalid("field.syntax.version", v, "V1 (nested field paths are not implemented)");
  }
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> ExtractField::apply(Record& record) {
  auto& data = operating(record, part_);
  if (!data || !data->schema) {  // schemaless: Map.get (a Kafka null stays null)
    if (!data || data->payload.is_null()) return true;
    if (!data->payload.is_object()) return Error::data("ExtractField: the record is not a map");
    const Json* v = data->payload.find(field_);
    data = v == nullptr || v->is_null() ? std::optional<Data>() : std::optional<Data>(Data{nullptr, *v});
    return true;
  }
  if (!data->schema->is_struct()) return Error::data("ExtractField: the record is not a struct");
  const Field* f = data->schema->field(field_);
  if (f == nullptr) return Error::data(fmt::format("ExtractField: unknown field: {}", field_));
  Data out;
  out.schema = f->schema;
  if (const Json* v = data->payload.find(field_)) out.payload = *v;
  data = std::move(out);
  return true;
}

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

Result<std::unique_ptr<Transform>> InsertHeader::create(Options& options) {
  auto t = std::make_unique<InsertHeader>();
  t->name_ = options.str("header");
  if (t->name_.empty()) return options.missing("header", "the header name");
  if (!options.has("value.literal")) return options.missing("value.literal", "the header value");
  t->value_ = options.str("value.literal");
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> InsertHeader::apply(Record& record) {
  record.headers.push_back({name_, value_});
  return true;
}

Result<std::unique_ptr<Transform>> DropHeaders::create(Options& options) {
  auto t = std::make_unique<DropHeaders>();
  t->names_ = options.list("headers");
  if (t->names_.empty()) return options.missing("headers", "the names of the headers to remove");
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> DropHeaders::apply(Record& record) {
  std::erase_if(record.headers, [&](const Header& h) { return contains(names_, h.name); });
  return true;
}

}  // namespace sluice::transform
