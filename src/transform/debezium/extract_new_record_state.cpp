// ExtractNewRecordState, following Debezium's ExtractNewRecordState / DefaultDeleteHandlingStrategy and the
// Kafka Connect delegates it uses (ExtractField.Value "after"/"before", InsertField.Value "__deleted",
// ReplaceField exclude): schemas are rebuilt the way those build them (SchemaUtil.copySchemaBasics keeps
// name, version, doc and parameters but not optional, so an unwrapped value schema is required).
#include "transform/debezium/extract_new_record_state.h"

#include <fmt/format.h>

#include <algorithm>

namespace sluice::transform {

namespace {

constexpr size_t kCacheLimit = 256;

bool is_envelope(const Record& record) {
  return record.value && record.value->schema && record.value->schema->name &&
         record.value->schema->name->ends_with(".Envelope") && record.value->payload.is_object();
}

// ExtractField.Value(field) on an envelope with a schema.
Data extract(const Data& envelope, std::string_view field) {
  Data out;
  if (const Field* f = envelope.schema->field(field)) out.schema = f->schema;
  if (const Json* v = envelope.payload.find(field)) out.payload = *v;
  return out;
}

Result<std::vector<ExtractNewRecordState::FieldReference>> parse_references(Options& options,
                                                                            const std::string& option,
                                                                            const std::string& prefix) {
  std::vector<ExtractNewRecordState::FieldReference> out;
  for (const auto& entry : options.list(option)) {
    ExtractNewRecordState::FieldReference ref;
    auto colon = entry.find(':');
    std::string path = entry.substr(0, colon);
    std::string rename;
    if (colon != std::string::npos) {
      rename = entry.substr(colon + 1);
      if (rename.find(':') != std::string::npos || rename.empty()) {
        return options.invalid(option, entry, "entries of the form [struct.]field[:new_name]");
      }
    }
    auto dot = path.find('.');
    if (dot == std::string::npos) {
      ref.field = path;
      static const char* kTransaction[] = {"id", "data_collection_order", "total_order"};
      static const char* kTop[] = {"op", "ts_ms", "ts_us", "ts_ns"};
      ref.parent = "source";
      for (const char* t : kTransaction) {
        if (path == t) ref.parent = "transaction";
      }
      for (const char* t : kTop) {
        if (path == t) ref.parent = "";
      }
      if (path == "updateDescription") ref.parent = "updateDescription";
    } else {
      ref.parent = path.substr(0, dot);
      ref.field = path.substr(dot + 1);
      auto second = ref.field.find('.');
      if (second != std::string::npos) ref.field = ref.field.substr(0, second);  // Debezium reads splits[1]
    }
    if (ref.field.empty())
      return options.invalid(option, entry, "entries of the form [struct.]field[:new_name]");
    if (!rename.empty()) {
      ref.new_field = prefix + rename;
    } else {
      ref.new_field = prefix + (dot == std::string::npos ? ref.field : ref.parent + "_" + ref.field);
    }
    out.push_back(std::move(ref));
  }
  return out;
}

// The struct `schema` rebuilt as copySchemaBasics + its fields, then `extra` appended.
SchemaPtr rebuilt_struct(const Schema& schema, const std::vector<Field>& extra) {
  auto s = std::make_shared<Schema>(copy_schema_basics(schema));
  s->fields = schema.fields;
  for (const auto& f : extra) {
    auto it =
        std::find_if(s->fields.begin(), s->fields.end(), [&](const Field& x) { return x.name == f.name; });
    if (it != s->fields.end()) {
      it->schema = f.schema;  // SchemaBuilder.field would reject a duplicate; keep the last
    } else {
      s->fields.push_back(f);
    }
  }
  return s;
}

// Payload of a struct with schema `schema`, taking each field's value from `from` (missing: null).
Json struct_payload(const Schema& schema, const Json& from) {
  Json out = Json::object();
  out.members.reserve(schema.fields.size());
  for (const auto& f : schema.fields) {
    const Json* v = from.find(f.name);
    out.members.emplace_back(f.name, v != nullptr ? *v : Json::null());
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Transform>> ExtractNewRecordState::create(Options& options) {
  auto t = std::make_unique<ExtractNewRecordState>();
  auto mode = options.str("delete.tombstone.handling.mode", "tombstone");
  std::string lowered = mode;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::pair<const char*, Mode> kModes[] = {
      {"drop", Mode::kDrop},
      {"tombstone", Mode::kTombstone},
      {"rewrite", Mode::kRewrite},
      {"rewrite-with-tombstone", Mode::kRewriteWithTombstone},
      {"delete-to-tombstone", Mode::kDeleteToTombstone}};
  bool found = false;
  for (const auto& [name, m] : kModes) {
    if (lowered == name) {
      t->mode_ = m;
      found = true;
    }
  }
  if (!found) {
    return options.invalid("delete.tombstone.handling.mode", mode,
                           "drop, tombstone, rewrite, rewrite-with-tombstone, delete-to-tombstone");
  }
  auto fields = parse_references(options, "add.fields", options.str("add.fields.prefix", "__"));
  if (!fields) return fields.error();
  t->fields_ = std::move(*fields);
  auto headers = parse_references(options, "add.headers", options.str("add.headers.prefix", "__"));
  if (!headers) return headers.error();
  t->headers_ = std::move(*headers);
  t->route_by_field_ = options.str("route.by.field");
  t->drop_fields_header_ = options.str("drop.fields.header.name");
  auto from_key = options.boolean("drop.fields.from.key", false);
  if (!from_key) return from_key.error();
  t->drop_fields_from_key_ = *from_key;
  auto compatible = options.boolean("drop.fields.keep.schema.compatible", true);
  if (!compatible) return compatible.error();
  t->drop_fields_keep_schema_compatible_ = *compatible;
  // replace.null.with.default only changes what Connect's Struct.get returns for a null with a default;
  // sluice's events already carry what JsonConverter writes for those, so either value gives the same bytes.
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  return std::unique_ptr<Transform>(std::move(t));
}

std::optional<ExtractNewRecordState::Mode> ExtractNewRecordState::plain_mode() const {
  if (!fields_.empty() || !headers_.empty() || !route_by_field_.empty() || !drop_fields_header_.empty())
    return std::nullopt;
  return mode_;
}

SchemaPtr ExtractNewRecordState::reference_schema(const FieldReference& ref, const Schema& envelope) {
  const Schema* parent = &envelope;
  if (!ref.parent.empty()) {
    const Field* pf = envelope.field(ref.parent);
    if (pf == nullptr) return nullptr;
    parent = pf->schema.get();
  }
  const Field* f = parent->field(ref.field);
  if (f == nullptr) f = envelope.field(ref.field);  // added to the main payload by another transform
  if (f == nullptr) return nullptr;
  auto s = std::make_shared<Schema>(copy_schema_basics(*f->schema));
  s->optional = true;
  return s;
}

Json ExtractNewRecordState::reference_value(const FieldReference& ref, const Schema& envelope,
                                            const Json& value) {
  const Json* parent = &value;
  const Schema* parent_schema = &envelope;
  if (!ref.parent.empty()) {
    parent = value.find(ref.parent);
    const Field* pf = envelope.field(ref.parent);
    if (parent == nullptr || parent->is_null() || pf == nullptr) return Json::null();
    parent_schema = pf->schema.get();
  }
  const Json* v =
      parent_schema->field(ref.field) != nullptr ? parent->find(ref.field) : value.find(ref.field);
  return v != nullptr ? *v : Json::null();
}

Data ExtractNewRecordState::add_fields(const Data& unwrapped, const Data& envelope, const std::string& op) {
  auto key = std::make_pair(unwrapped.schema.get(), op);
  auto it = add_cache_.find(key);
  if (it == add_cache_.end()) {
    std::vector<Field> extra;
    for (const auto& ref : fields_) {
      if (auto s = reference_schema(ref, *envelope.schema)) extra.push_back({ref.new_field, s});
    }
    if (add_cache_.size() >= kCacheLimit) add_cache_.clear();
    it = add_cache_.emplace(key, std::make_pair(unwrapped.schema, rebuilt_struct(*unwrapped.schema, extra)))
             .first;
  }
  Data out;
  out.schema = it->second.second;
  out.payload = struct_payload(*out.schema, unwrapped.payload);
  for (const auto& ref : fields_) {
    if (out.schema->field(ref.new_field) == nullptr) continue;
    out.payload.set(ref.new_field, reference_value(ref, *envelope.schema, envelope.payload));
  }
  return out;
}

Result<bool> ExtractNewRecordState::drop_fields(Record& record) {
  const Header* header = nullptr;
  for (const auto& h : record.headers) {
    if (h.name == drop_fields_header_) {
      header = &h;
      break;
    }
  }
  if (header == nullptr) return true;
  auto names = parse_json(header->value);
  if (!names || names->kind != Json::Kind::kArray || names->items.empty()) return true;
  std::vector<std::string> list;
  for (const auto& n : names->items) {
    if (n.is_string()) list.push_back(n.text);
  }
  auto drop = [&](std::optional<Data>& data) {
    if (!data || !data->schema || !data->schema->is_struct() || data->payload.is_null()) return;
    std::vector<std::string> to_drop;
    for (const auto& f : data->schema->fields) {
      bool listed = std::find(list.begin(), list.end(), f.name) != list.end();
      if (listed && (!drop_fields_keep_schema_compatible_ || f.schema->optional)) to_drop.push_back(f.name);
    }
    if (to_drop.empty()) return;
    auto s = std::make_shared<Schema>(copy_schema_basics(*data->schema));
    for (const auto& f : data->schema->fields) {
      if (std::find(to_drop.begin(), to_drop.end(), f.name) == to_drop.end()) s->fields.push_back(f);
    }
    data->payload = struct_payload(*s, data->payload);
    data->schema = s;
  };
  if (drop_fields_from_key_) drop(record.key);
  drop(record.value);
  return true;
}

Result<bool> ExtractNewRecordState::apply(Record& record) {
  const bool tombstone = !record.value.has_value();
  const bool envelope = is_envelope(record);
  if ((envelope || tombstone) && !headers_.empty()) {
    for (const auto& ref : headers_) {
      if (tombstone) {
        if (ref.field == "op")
          record.headers.push_back({ref.new_field, "d", optional_string_schema(), Json::string("d")});
        continue;
      }
      auto schema = reference_schema(ref, *record.value->schema);
      if (schema == nullptr) continue;
      Json value = reference_value(ref, *record.value->schema, record.value->payload);
      auto v = value.to_display_string();
      record.headers.push_back({ref.new_field, v.value_or(""), schema, std::move(value)});
    }
  }
  if (tombstone) return mode_ == Mode::kRewriteWithTombstone;
  if (!envelope) return true;

  Data& value = *record.value;
  Data after = extract(value, "after");
  Data before = extract(value, "before");
  const Json* op_json = value.payload.find("op");
  const std::string op = op_json != nullptr && op_json->is_string() ? op_json->text : "";
  if (after.payload.is_null() && before.payload.is_null()) return false;  // truncate

  auto with_deleted = [&](const Data& d, const char* deleted) {
    if (!d.schema || !d.schema->is_struct()) return d;
    auto it = deleted_cache_.find(d.schema.get());
    if (it == deleted_cache_.end()) {
      if (deleted_cache_.size() >= kCacheLimit) deleted_cache_.clear();
      it = deleted_cache_
               .emplace(d.schema.get(),
                        std::make_pair(d.schema,
                                       rebuilt_struct(*d.schema, {{"__deleted", optional_string_schema()}})))
               .first;
    }
    Data out;
    out.schema = it->second.second;
    out.payload = struct_payload(*out.schema, d.payload);
    out.payload.set("__deleted", Json::string(deleted));
    return out;
  };
  auto route = [&](const Json& row) -> Status {
    if (route_by_field_.empty()) return ok_status();
    const Json* v = row.find(route_by_field_);
    if (v == nullptr) {
      return Error::data(fmt::format("ExtractNewRecordState route.by.field: {} is not a field of the record",
                                     route_by_field_));
    }
    if (v->is_string() && v->text.find_first_not_of(" \t\r\n") != std::string::npos) record.topic = v->text;
    return ok_status();
  };

  if (after.payload.is_null()) {  // delete
    std::optional<Data> out;
    switch (mode_) {
      case Mode::kDrop:
        return false;
      case Mode::kTombstone:
        out = after;  // a null value with the after schema (not a Kafka tombstone when schemas are on)
        break;
      case Mode::kDeleteToTombstone:
        out.reset();
        break;
      case Mode::kRewrite:
      case Mode::kRewriteWithTombstone:
        out = with_deleted(before, "true");
        break;
    }
    if (auto s = route(before.payload); !s) return s.error();
    if (out && out->schema && !out->payload.is_null()) out = add_fields(*out, value, op);
    record.value = std::move(out);
    if (!drop_fields_header_.empty()) return drop_fields(record);
    return true;
  }
  Data out = after;
  if (mode_ == Mode::kRewrite || mode_ == Mode::kRewriteWithTombstone) out = with_deleted(after, "false");
  if (auto s = route(out.payload); !s) return s.error();
  out = add_fields(out, value, op);
  record.value = std::move(out);
  if (!drop_fields_header_.empty()) return drop_fields(record);
  return true;
}

}  // namespace sluice::transform
