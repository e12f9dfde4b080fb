// Kafka Connect's HeaderFrom$Key / $Value. As Connect's (connect/transforms, 4.x).
#include "transform/connect/header_from.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using namespace detail;  // NOLINT(google-build-using-namespace)

Result<std::unique_ptr<Transform>> HeaderFrom::create(Options& options, Part part) {
  auto t = std::make_unique<HeaderFrom>();
  t->part_ = part;
  for (const char* option : {"fields", "headers", "operation"}) {
    if (!options.has(option))
      return options.missing(option, "fields, headers (as many) and operation (move, copy)");
  }
  t->fields_ = options.list("fields");
  if (t->fields_.empty())
    return options.invalid("fields", options.str("fields"),
                           "a non-empty comma-separated list of field names");
  t->headers_ = options.list("headers");
  if (t->headers_.empty())
    return options.invalid("headers", options.str("headers"),
                           "a non-empty comma-separated list of header names");
  if (t->headers_.size() != t->fields_.size()) {
    return options.invalid("headers", options.str("headers"),
                           fmt::format("as many header names as fields ({})", t->fields_.size()));
  }
  auto op = options.str("operation");
  if (op != "move" && op != "copy") return options.invalid("operation", op, "move, copy");
  t->move_ = op == "move";
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> HeaderFrom::apply(Record& record) {
  const std::string purpose = move_ ? "header move" : "header copy";
  auto& data = operating(record, part_);
  auto header_text = [](const Json* v) { return v != nullptr ? v->to_display_string().value_or("") : ""; };
  if (!data || !data->schema) {
    if (!data || !data->payload.is_object()) return require_map(data, purpose);
    for (size_t i = 0; i < fields_.size(); ++i) {
      record.headers.push_back({headers_[i], header_text(data->payload.find(fields_[i]))});
    }
    if (move_) {
      for (const auto& f : fields_) data->payload.erase(f);
    }
    return true;
  }
  if (!data->schema->is_struct() || !data->payload.is_object()) return require_struct(data->payload, purpose);
  for (size_t i = 0; i < fields_.size(); ++i) {
    const Field* f = data->schema->field(fields_[i]);
    if (f == nullptr)  // Connect: a NullPointerException on the field's schema
      return Error::data(fmt::format("HeaderFrom: the record has no field {}", fields_[i]));
    const Json* v = data->payload.find(fields_[i]);
    record.headers.push_back({headers_[i], header_text(v), f->schema, v != nullptr ? *v : Json::null()});
  }
  if (!move_) return true;
  auto it = cache_.find(data->schema.get());
  if (it == cache_.end()) {
    auto s = std::make_shared<Schema>(copy_schema_basics(*data->schema));
    for (const auto& f : data->schema->fields) {
      if (std::find(fields_.begin(), fields_.end(), f.name) == fields_.end()) s->fields.push_back(f);
    }
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(data->schema.get(), std::make_pair(data->schema, SchemaPtr(s))).first;
  }
  for (const auto& f : fields_) data->payload.erase(f);
  data->schema = it->second.second;
  return true;
}

}  // namespace sluice::transform
