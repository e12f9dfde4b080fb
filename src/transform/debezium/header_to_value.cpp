// HeaderToValue, following Debezium's HeaderToValue.apply and ConnectRecordUtil.makeNewSchema /
// makeUpdatedValue (3.7): a tombstone passes; the value must be a struct; each header named in `headers` (in
// the record's header order) becomes its field; a field the value already has keeps its schema and takes the
// header's value. A dotted field (`source.h`) goes into that struct (rebuilt as a required struct, as
// SchemaUtil.copySchemaBasics leaves `optional` behind), or into a new optional struct when the value has no
// field of that name; a null struct is left as it is. Debezium's matching is kept as it is: a field is
// descended into when any dotted name contains "<field>."; a name three levels deep under a new parent
// leaves that parent empty.
#include "transform/debezium/header_to_value.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>

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

constexpr std::string_view kRoot = "payload";  // ConnectRecordUtil.ROOT_FIELD_NAME

// String.split("\\."): trailing empty parts dropped.
std::vector<std::string> split_dots(const std::string& s) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (true) {
    auto dot = s.find('.', pos);
    parts.push_back(s.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

bool primitive(const Schema& s) {
  return s.type != "struct" && s.type != "array" && s.type != "map";
}

// isContainedIn
bool contained_in(const std::string& field, const std::vector<std::string>& nested) {
  const std::string needle = field + ".";
  return std::any_of(nested.begin(), nested.end(),
                     [&](const std::string& n) { return n.find(needle) != n.npos; });
}

// getFieldName: the name an entry takes in the struct `current` at `level`.
std::optional<std::string> field_name_for(const std::string& destination, std::string_view current,
                                          size_t level) {
  auto parts = split_dots(destination);
  if (parts.size() == 1 && current == kRoot) return parts[0];
  if (parts.size() == level + 1 && parts[level == 0 ? 0 : level - 1] == current) return parts[level];
  return std::nullopt;
}

// getNewParentFieldsAtLevel: the struct fields the dotted names need under `current` that it does not have.
std::vector<std::string> new_parents(std::string_view current, const Schema& old,
                                     const std::vector<std::string>& nested, size_t level) {
  std::vector<std::string> out;
  for (const auto& n : nested) {
    auto parts = split_dots(n);
    bool here = (level == 0 && current == kRoot) ||
                (level > 0 && level < parts.size() && parts[level - 1] == current);
    if (!here || level + 1 >= parts.size()) continue;
    const std::string& field = parts[level];
    if (old.field(field) == nullptr && std::find(out.begin(), out.end(), field) == out.end())
      out.push_back(field);
  }
  return out;
}

// getNestedFieldNameForParent
std::optional<std::string> nested_name_for_parent(const std::string& destination, const std::string& parent,
                                                  std::string_view current, size_t level) {
  auto parts = split_dots(destination);
  if (level == 0 && current == kRoot) {
    if (parts.size() > 1 && parent == parts[0]) return parts[1];
  } else if (level > 0) {
    std::string so_far;
    for (size_t i = 0; i < std::min(level + 1, parts.size()); ++i) so_far += (i ? "." : "") + parts[i];
    if (so_far == parent && level + 1 < parts.size()) return parts[level + 1];
  }
  return std::nullopt;
}

Status add_field(Schema& s, const std::string& name, SchemaPtr schema) {
  if (s.field(name) != nullptr)
    return Error::data("Cannot create field because of field name duplication " + name);
  s.fields.push_back({name, std::move(schema)});
  return ok_status();
}

}  // namespace

Result<SchemaPtr> HeaderToValue::build_schema(std::string_view current, const SchemaPtr& old,
                                              const std::vector<Entry>& entries, size_t level) const {
  if (primitive(*old)) return old;
  if (!old->is_struct()) return Error::data("Cannot list fields on non-struct type");
  auto s = std::make_shared<Schema>(copy_schema_basics(*old));
  s->optional = false;  // SchemaBuilder.struct(), basics copied: required
  for (const auto& f : old->fields) {
    if (contained_in(f.name, nested_)) {
      auto sub = build_schema(f.name, f.schema, entries, level + 1);
      if (!sub) return sub.error();
      s->fields.push_back({f.name, *sub});
    } else {
      s->fields.push_back(f);
    }
  }
  for (const auto& e : entries) {
    auto name = field_name_for(e.field, current, level);
    if (name && s->field(*name) == nullptr) s->fields.push_back({*name, e.schema});
  }
  for (const auto& parent : new_parents(current, *old, nested_, level)) {
    auto p = std::make_shared<Schema>();
    p->type = "struct";
    p->optional = true;
    for (const auto& e : entries) {
      if (auto name = nested_name_for_parent(e.field, parent, current, level)) {
        if (auto st = add_field(*p, *name, e.schema); !st) return st.error();
      }
    }
    if (auto st = add_field(*s, parent, p); !st) return st.error();
  }
  return SchemaPtr(std::move(s));
}

Result<Json> HeaderToValue::build_value(std::string_view current, const Schema& original_schema,
                                        const Json& original, const Schema& updated,
                                        const std::vector<Entry>& entries, size_t level) const {
  std::vector<std::pair<std::string, Json>> values;
  auto put = [&](const std::string& name, Json v) -> Status {
    if (updated.field(name) == nullptr) return Error::data(fmt::format("{} is not a valid field name", name));
    for (auto& [n, x] : values) {
      if (n == name) {
        x = std::move(v);
        return ok_status();
      }
    }
    values.emplace_back(name, std::move(v));
    return ok_status();
  };
  for (const auto& f : original_schema.fields) {
    const Json* v = original.find(f.name);
    if (v == nullptr || v->is_null()) continue;
    if (contained_in(f.name, nested_)) {
      if (!f.schema->is_struct() || !v->is_object() || updated.field(f.name) == nullptr)
        return Error::data("Only Struct objects supported for [Nested field]");
      auto sub = build_value(f.name, *f.schema, *v, *updated.field(f.name)->schema, entries, level + 1);
      if (!sub) return sub.error();
      if (auto st = put(f.name, std::move(*sub)); !st) return st.error();
    } else if (auto st = put(f.name, *v); !st) {
      return st.error();
    }
  }
  for (const auto& e : entries) {
    if (auto name = field_name_for(e.field, current, level)) {
      if (auto st = put(*name, e.value); !st) return st.error();
    }
  }
  for (const auto& parent : new_parents(current, original_schema, nested_, level)) {
    const Field* pf = updated.field(parent);
    if (pf == nullptr) continue;
    Json obj = Json::object();
    for (const auto& e : entries) {
      if (auto name = nested_name_for_parent(e.field, parent, current, level)) {
        if (pf->schema->field(*name) == nullptr)
          return Error::data(fmt::format("{} is not a valid field name", *name));
        obj.members.emplace_back(*name, e.value);
      }
    }
    Json ordered = Json::object();  // the struct's field order
    for (const auto& f : pf->schema->fields) {
      const Json* v = obj.find(f.name);
      ordered.members.emplace_back(f.name, v != nullptr ? *v : Json::null());
    }
    if (auto st = put(parent, std::move(ordered)); !st) return st.error();
  }
  Json out = Json::object();
  for (const auto& f : updated.fields) {
    auto it = std::find_if(values.begin(), values.end(), [&](const auto& kv) { return kv.first == f.name; });
    if (it == values.end() && !f.schema->optional && contained_in(f.name, nested_)) {
      // A null struct rebuilt as required (copySchemaBasics): JsonConverter refuses it in Connect.
      return Error::data(fmt::format(
          "Conversion error: null value for field that is required and has no default value ({} after "
          "HeaderToValue rebuilt it for a nested field)",
          f.name));
    }
    out.members.emplace_back(f.name, it != values.end() ? std::move(it->second) : Json::null());
  }
  return out;
}

// validateNestedFieldsExist: a dotted name may not go through a field that is not a struct.
Status HeaderToValue::check_nested(const Schema& value_schema) const {
  for (const auto& n : nested_) {
    auto parts = split_dots(n);
    const Schema* s = &value_schema;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      const Field* f = s->is_struct() ? s->field(parts[i]) : nullptr;
      if (f == nullptr) break;
      if (primitive(*f->schema)) {
        return Error::data(fmt::format(
            "Field '{}' is a primitive type, not a struct. Cannot add nested field '{}'.", parts[i], n));
      }
      s = f->schema.get();
    }
  }
  return ok_status();
}

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
    if (f.front() == '.' || f.back() == '.' || f.find("..") != std::string::npos) {
      return options.invalid("fields", f, "field names, nested ones as parent.child");
    }
    if (f.find('.') != std::string::npos) t->nested_.push_back(f);
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

  // Debezium's schemaUpdateCache: the schema made for the first record of a value schema serves the others.
  const std::string& key = value.schema->json();
  auto cached = cache_.find(key);
  if (cached == cache_.end()) {
    if (auto st = check_nested(*value.schema); !st) return st.error();
    auto s = build_schema(kRoot, value.schema, entries, 0);
    if (!s) return s.error();
    if (cache_.size() >= kCacheLimit) cache_.clear();
    cached = cache_.emplace(key, *s).first;
  }
  const SchemaPtr schema = cached->second;
  auto out = build_value(kRoot, *value.schema, value.payload, *schema, entries, 0);
  if (!out) return out.error();
  value.schema = schema;
  value.payload = std::move(*out);
  if (move_) {
    std::erase_if(record.headers, [&](const Header& h) {
      return std::find(headers_.begin(), headers_.end(), h.name) != headers_.end();
    });
  }
  return true;
}

}  // namespace sluice::transform
