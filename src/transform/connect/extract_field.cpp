// ExtractField; see extract_field.h. As Kafka Connect's (connect/transforms).
#include "transform/connect/extract_field.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using detail::operating;

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

}  // namespace sluice::transform
