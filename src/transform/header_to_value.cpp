// HeaderToValue, following Debezium's HeaderToValue.apply: a tombstone passes; the value must be a struct;
// each header named in `headers` (in the record's header order) becomes its field; a field the value already
// has keeps its schema and takes the header's value.
#include "transform/header_to_value.h"

#include <fmt/format.h>

#include <algorithm>

namespace sluice::transform {

namespace {

constexpr size_t kCacheLimit = 64;  // Debezium's CACHE_SIZE

SchemaPtr string_schema() {
  static const SchemaPtr kSchema = [] {
    auto s = std::make_shared<Schema>();
    s->type = "string";
    return SchemaPtr(s);
  }();
  return kSchema;
}

}  // namespace

Result<std::unique_ptr<Transform>> HeaderToValue::create(Options& options) {
  auto t = std::make_unique<HeaderToValue>();
  t->headers_ = options.list("headers");
  t->fields_ = options.list("fields");
  if (t->headers_.empty())
    return options.missing("headers", "the header names to copy or move into the value");
  if (t->fields_.empty()) return options.missing("fields", "the value field names, one per header");
  for (const auto* list : {&t->headers_, &t->fields_}) {
    for (const auto& name : *list) {
      if (name.find_first_of(" \t") != std::string::npos) {
        return options.invalid(list == &t->headers_ ? "headers" : "fields", name, "names without spaces");
      }
    }
  }
  for (const auto& f : t->fields_) {
    if (f.find('.') != std::string::npos) {
      return options.invalid("fields", options.str("fields"),
                             "top-level field names (sluice does not implement nested a.b fields)");
    }
  }
  if (t->headers_.size() != t->fields_.size()) {
    return options.invalid("fields", options.str("fields"),
                           fmt::format("as many names as headers lists ({})", t->headers_.size()));
  }
  auto op = options.str("operation");
  if (op.empty()) return options.missing("operation", "move or copy");
  if (op != "move" && op != "copy") return options.invalid("operation", op, "move, copy");
  t->move_ = op == "move";
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> HeaderToValue::apply(Record& record) {
  if (!record.value || record.value->payload.is_null()) return true;
  Data& value = *record.value;
  if (!value.schema || !value.schema->is_struct() || !value.payload.is_object()) {
    return Error::data("Only Struct objects supported for [Header field insertion]");
  }
  struct Entry {
    std::string field;
    SchemaPtr schema;
    Json value;
  };
  std::vector<Entry> entries;
  for (const auto& h : record.headers) {
    auto it = std::find(headers_.begin(), headers_.end(), h.name);
    if (it == headers_.end()) continue;
    const std::string& field = fields_[static_cast<size_t>(it - headers_.begin())];
    if (h.schema) {
      entries.push_back({field, h.schema, h.data.value_or(Json::null())});
    } else {
      entries.push_back({field, string_schema(), Json::string(h.value)});
    }
  }
  if (entries.empty()) return true;

  const std::string& key = value.schema->json();
  auto cached = cache_.find(key);
  if (cached == cache_.end()) {
    auto s = std::make_shared<Schema>(copy_schema_basics(*value.schema));
    s->optional = value.schema->optional;
    s->fields = value.schema->fields;
    for (const auto& e : entries) {
      if (s->field(e.field) == nullptr) s->fields.push_back({e.field, e.schema});
    }
    // SchemaUtil.copySchemaBasics + SchemaBuilder.build(): required, as the builder starts.
    s->optional = false;
    if (cache_.size() >= kCacheLimit) cache_.clear();
    cached = cache_.emplace(key, s).first;
  }
  const SchemaPtr& schema = cached->second;
  for (const auto& e : entries) {
    // The schema made for the first record of this value schema: a header it did not have has no field.
    if (schema->field(e.field) == nullptr)
      return Error::data(fmt::format("{} is not a valid field name", e.field));
  }
  Json out = Json::object();
  for (const auto& f : schema->fields) {
    const Json* v = value.payload.find(f.name);
    Json fv = v != nullptr ? *v : Json::null();
    for (const auto& e : entries) {
      if (e.field == f.name) fv = e.value;
    }
    out.members.emplace_back(f.name, std::move(fv));
  }
  value.schema = schema;
  value.payload = std::move(out);
  if (move_) {
    std::erase_if(record.headers, [&](const Header& h) {
      return std::find(headers_.begin(), headers_.end(), h.name) != headers_.end();
    });
  }
  return true;
}

}  // namespace sluice::transform
