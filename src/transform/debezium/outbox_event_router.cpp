// EventRouter, following Debezium's EventRouterDelegate.apply: tombstones and deletes dropped, records that
// are not change events passed as they are, a created row's `after` struct read for the id, key, payload,
// route and additional fields; schemas built as getSchemaBuilder builds them (name: the after schema's with
// the routed topic before its last part) and cached as Debezium caches them.
#include "transform/debezium/outbox_event_router.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>

#include "transform/basic.h"
#include "transform/connect/field_support.h"

namespace sluice::transform {

namespace {

constexpr size_t kCacheLimit = 10000;  // Debezium's BoundedConcurrentHashMap(10000)

bool is_envelope(const Record& record) {
  return record.value && record.value->schema && record.value->schema->name &&
         record.value->schema->name->ends_with(".Envelope");
}

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

SchemaPtr primitive(const char* type) {
  auto s = std::make_shared<Schema>();
  s->type = type;
  s->optional = true;
  return s;
}

// Jackson's number node for a JSON number: int (fits int32), long (fits int64), big integer, or double.
enum class NumberKind { kInt, kLong, kBig, kDouble };
NumberKind number_kind(const std::string& text) {
  if (text.find_first_of(".eE") != std::string::npos) return NumberKind::kDouble;
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return NumberKind::kBig;
  if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max())
    return NumberKind::kInt;
  return NumberKind::kLong;
}

const char* number_schema_type(NumberKind k) {
  switch (k) {
    case NumberKind::kInt:
      return "int32";
    case NumberKind::kLong:
      return "int64";
    default:
      return "double";
  }
}

struct Inference {
  bool null_as_bytes;
  bool empty_array_as_strings;

  // toConnectSchema(key, node); nullptr: no schema (the field is left out).
  Result<SchemaPtr> schema(const std::optional<std::string>& key, const Json& node) const {
    switch (node.kind) {
      case Json::Kind::kString:
        return primitive("string");
      case Json::Kind::kBool:
        return primitive("boolean");
      case Json::Kind::kNumber:
        return primitive(number_schema_type(number_kind(node.text)));
      case Json::Kind::kNull:
        return null_as_bytes ? primitive("bytes") : SchemaPtr();
      case Json::Kind::kArray: {
        if (node.items.empty()) {
          if (!empty_array_as_strings) return SchemaPtr();
          auto s = std::make_shared<Schema>();
          s->type = "array";
          s->optional = true;
          s->items = primitive("string");
          return SchemaPtr(s);
        }
        auto items = array_items(key, node);
        if (!items) return items.error();
        auto s = std::make_shared<Schema>();
        s->type = "array";
        s->optional = true;
        s->items = *items;
        return SchemaPtr(s);
      }
      case Json::Kind::kObject: {
        auto s = std::make_shared<Schema>();
        s->type = "struct";
        s->optional = true;
        if (key) s->name = *key;
        for (const auto& [name, value] : node.members) {
          std::string field_key = (!key || key->empty() ? "" : *key + ".") + name;
          auto fs = schema(field_key, value);
          if (!fs) return fs.error();
          if (*fs && s->field(name) == nullptr) s->fields.push_back({name, *fs});
        }
        return SchemaPtr(s);
      }
    }
    return SchemaPtr();
  }

  // toConnectSchemaWithCycles: the element schema of a non-empty array (objects: their schemas merged, in
  // array order; Debezium merges a HashSet of them, in hash order, which only differs when they differ).
  Result<SchemaPtr> array_items(const std::optional<std::string>& key, const Json& array) const {
    const Json* sample = nullptr;
    std::optional<NumberKind> number;
    for (const auto& e : array.items) {
      if (e.is_null()) continue;
      if (sample == nullptr) sample = &e;
      if (e.kind != sample->kind) {
        return Error::data(fmt::format("Field is not a homogenous array ({})", to_json_text(array)));
      }
      if (e.kind == Json::Kind::kNumber) {
        auto k = number_kind(e.text);
        if (k == NumberKind::kBig) k = NumberKind::kDouble;
        if (number && *number != k) {
          return Error::data(fmt::format("Field is not a homogenous array ({}), different number types",
                                         to_json_text(array)));
        }
        number = k;
      }
    }
    if (sample != nullptr && sample->is_object()) {
      // A set: equal element schemas count once (one schema is used as it is, still optional).
      std::vector<SchemaPtr> distinct;
      for (const auto& e : array.items) {
        if (!e.is_object()) continue;
        auto s = schema(key, e);
        if (!s) return s.error();
        bool seen = std::any_of(distinct.begin(), distinct.end(),
                                [&](const SchemaPtr& d) { return d->json() == (*s)->json(); });
        if (!seen) distinct.push_back(*s);
      }
      SchemaPtr merged;
      for (const auto& d : distinct) merged = merge(merged, d);
      return merged;
    }
    auto s = sample != nullptr ? schema(std::nullopt, *sample) : schema(std::nullopt, Json::null());
    if (!s) return s.error();
    if (!*s)
      return Error::data(fmt::format("Array '{}' has unrecognized member schema.", to_json_text(array)));
    return *s;
  }

  static SchemaPtr merge(const SchemaPtr& left, const SchemaPtr& right) {
    if (!left) return right;
    auto out = std::make_shared<Schema>(copy_schema_basics(*left));
    out->fields = left->fields;
    for (const auto& f : right->fields) {
      auto it = std::find_if(out->fields.begin(), out->fields.end(),
                             [&](const Field& x) { return x.name == f.name; });
      if (it == out->fields.end()) {
        out->fields.push_back(f);
      } else if (it->schema->type == "bytes" && f.schema->type != "bytes") {
        it->schema = f.schema;
      }
    }
    // copySchemaBasics does not carry optional: SchemaBuilder.build() of it is required.
    out->optional = false;
    return out;
  }
};

// getStructFieldValue / jsonNodeToStructInternal: the document's values in the inferred schema's form;
// kData where Connect's Struct validation would refuse one.
Result<Json> to_connect_value(const Json& node, const Schema& schema) {
  auto mismatch = [&]() {
    return Error::data(fmt::format("JSON value {} does not fit the inferred schema type {}",
                                   to_json_text(node), schema.type));
  };
  switch (node.kind) {
    case Json::Kind::kNull:
      return Json::null();
    case Json::Kind::kString:
      if (schema.type != "string") return mismatch();
      return node;
    case Json::Kind::kBool:
      if (schema.type != "boolean") return mismatch();
      return node;
    case Json::Kind::kNumber: {
      auto k = number_kind(node.text);
      if (k == NumberKind::kBig || schema.type != number_schema_type(k)) return mismatch();
      if (k == NumberKind::kDouble)
        return Json::number(java_float_text(std::strtod(node.text.c_str(), nullptr), false));
      int64_t v = 0;
      std::from_chars(node.text.data(), node.text.data() + node.text.size(), v);
      return Json::number(std::to_string(v));
    }
    case Json::Kind::kArray: {
      if (schema.type != "array" || !schema.items) return mismatch();
      Json out = Json::array();
      for (const auto& e : node.items) {
        auto v = to_connect_value(e, *schema.items);
        if (!v) return v.error();
        out.items.push_back(std::move(*v));
      }
      return out;
    }
    case Json::Kind::kObject: {
      if (!schema.is_struct()) return mismatch();
      Json out = Json::object();
      for (const auto& f : schema.fields) {
        const Json* v = node.find(f.name);
        if (v == nullptr) {
          out.members.emplace_back(f.name, Json::null());
          continue;
        }
        auto c = to_connect_value(*v, *f.schema);
        if (!c) return c.error();
        out.members.emplace_back(f.name, std::move(*c));
      }
      return out;
    }
  }
  return Json::null();
}

// Struct.getString / getInt32 / getInt64: the schema type must be the getter's.
Result<const Json*> typed_field(const Schema& schema, const Json& value, const std::string& name,
                                std::string_view type) {
  const Field* f = schema.field(name);
  if (f == nullptr) return Error::data(fmt::format("{} is not a valid field name", name));
  if (f->schema->type != type) {
    return Error::data(
        fmt::format("Field '{}' is not of type {} (its schema type is {})", name, type, f->schema->type));
  }
  const Json* v = value.find(name);
  static const Json kNull;
  return v != nullptr ? v : &kNull;
}

std::string header_text(const Json& v) {
  return v.to_display_string().value_or("");
}

}  // namespace

Result<SchemaPtr> infer_json_schema(const std::string& name, const Json& document, bool null_as_bytes,
                                    bool empty_array_as_strings) {
  Inference inference{null_as_bytes, empty_array_as_strings};
  return inference.schema(name, document);
}

Result<Json> json_to_connect_value(const Json& document, const Schema& schema) {
  return to_connect_value(document, schema);
}

Result<std::unique_ptr<Transform>> EventRouter::create(Options& options) {
  auto t = std::make_unique<EventRouter>();
  auto required_name = [&](const std::string& option, const char* def, std::string& out) -> Status {
    out = options.str(option, def);
    if (out.empty()) return options.invalid(option, "", "the name of a column of the outbox table");
    return ok_status();
  };
  if (auto s = required_name("table.field.event.id", "id", t->field_id_); !s) return s.error();
  if (auto s = required_name("table.field.event.key", "aggregateid", t->field_key_); !s) return s.error();
  if (auto s = required_name("table.field.event.payload", "payload", t->field_payload_); !s) return s.error();
  if (auto s = required_name("route.by.field", "aggregatetype", t->route_by_); !s) return s.error();
  options.str("table.field.event.type", "type");  // declared by Debezium, read by nothing
  t->field_timestamp_ = options.str("table.field.event.timestamp");
  t->field_schema_version_ = options.str("table.field.event.schema.version");

  for (const auto& entry : options.list("table.fields.additional.placement")) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (true) {
      auto colon = entry.find(':', pos);
      std::string part = entry.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
      auto b = part.find_first_not_of(" \t");
      auto e = part.find_last_not_of(" \t");
      parts.push_back(b == std::string::npos ? "" : part.substr(b, e - b + 1));
      if (colon == std::string::npos) break;
      pos = colon + 1;
    }
    const char* kAllowed = "a list of column:placement[:alias] with placement header, envelope or partition";
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || (parts.size() == 3 && parts[2].empty())) {
      return options.invalid("table.fields.additional.placement", entry, kAllowed);
    }
    AdditionalField f;
    auto placement = lowered(parts[1]);
    if (placement == "header") {
      f.placement = Placement::kHeader;
    } else if (placement == "envelope") {
      f.placement = Placement::kEnvelope;
    } else if (placement == "partition") {
      f.placement = Placement::kPartition;
    } else {
      return options.invalid("table.fields.additional.placement", entry, kAllowed);
    }
    f.field = parts[0];
    f.alias = parts.size() == 3 ? parts[2] : parts[0];
    t->additional_.push_back(std::move(f));
  }
  for (const auto& f : t->additional_) {
    if (f.placement == Placement::kEnvelope) t->only_headers_ = false;
  }

  auto missing = lowered(options.str("table.field.additional.missing", "error"));
  if (missing != "error" && missing != "ignore") {
    return options.invalid("table.field.additional.missing", missing, "error, ignore");
  }
  t->ignore_missing_additional_ = missing == "ignore";

  auto on_update = lowered(options.str("table.op.invalid.behavior", "warn"));
  if (on_update == "warn") {
    t->on_update_ = OnUpdate::kWarn;
  } else if (on_update == "error") {
    t->on_update_ = OnUpdate::kError;
  } else if (on_update == "fatal") {
    t->on_update_ = OnUpdate::kFatal;
  } else {
    return options.invalid("table.op.invalid.behavior", on_update, "warn, error, fatal");
  }

  auto tombstone = options.boolean("route.tombstone.on.empty.payload", false);
  if (!tombstone) return tombstone.error();
  t->tombstone_on_empty_ = *tombstone;
  auto expand = options.boolean("table.expand.json.payload", false);
  if (!expand) return expand.error();
  t->expand_json_ = *expand;
  auto null_behavior = lowered(options.str("table.json.payload.null.behavior", "ignore"));
  if (null_behavior != "ignore" && null_behavior != "optional_bytes") {
    return options.invalid("table.json.payload.null.behavior", null_behavior, "ignore, optional_bytes");
  }
  t->json_null_as_bytes_ = null_behavior == "optional_bytes";
  auto array_behavior = lowered(options.str("table.json.payload.empty.array.behavior", "ignore"));
  if (array_behavior != "ignore" && array_behavior != "optional_string") {
    return options.invalid("table.json.payload.empty.array.behavior", array_behavior,
                           "ignore, optional_string");
  }
  t->json_empty_array_as_strings_ = array_behavior == "optional_string";
  if (auto mode = options.str("field.name.adjustment.mode", "none"); mode != "none") {
    return options.invalid("field.name.adjustment.mode", mode,
                           "none (the expanded payload's names as written)");
  }
  // Tracing (ActivateTracingSpan) only acts when OpenTelemetry is on the Connect classpath; it changes no
  // record then either (it reads the span context field).
  options.str("tracing.span.context.field");
  options.str("tracing.operation.name");
  if (auto r = options.boolean("tracing.with.context.field.only", false); !r) return r.error();

  auto regex = options.str("route.topic.regex", "(?<routedByValue>.*)");
  auto re = compile_regex(options, "route.topic.regex", regex);
  if (!re) return re.error();
  t->route_regex_ = std::move(*re);
  auto rep = java_replacement_to_re2(options, "route.topic.replacement",
                                     options.str("route.topic.replacement", "outbox.event.${routedByValue}"),
                                     *t->route_regex_);
  if (!rep) return rep.error();
  t->route_replacement_ = std::move(*rep);
  return std::unique_ptr<Transform>(std::move(t));
}

Result<SchemaPtr> EventRouter::build_value_schema(const SchemaPtr& payload_schema, const Schema& event_schema,
                                                  const std::string& routed) const {
  auto s = std::make_shared<Schema>();
  s->type = "struct";
  if (event_schema.name) {
    const std::string& original = *event_schema.name;
    auto dot = original.rfind('.');
    s->name = dot == std::string::npos
                  ? routed + "." + original
                  : original.substr(0, dot + 1) + routed + "." + original.substr(dot + 1);
  } else {
    s->name = routed;
  }
  if (!payload_schema) return Error::data(fmt::format("field {} has no schema", field_payload_));
  s->fields.push_back({"payload", payload_schema});
  for (const auto& f : additional_) {
    if (f.placement != Placement::kEnvelope) continue;
    const Field* ef = event_schema.field(f.field);
    if (ef == nullptr) {
      if (!ignore_missing_additional_)
        return Error::data(fmt::format("Unable to find field {} in event", f.field));
      continue;
    }
    if (s->field(f.alias) != nullptr) {
      return Error::data(fmt::format("Cannot create field because of field name duplication {}", f.alias));
    }
    s->fields.push_back({f.alias, ef->schema});
  }
  return SchemaPtr(s);
}

Result<SchemaPtr> EventRouter::value_schema(const SchemaPtr& payload_schema, const Schema& event_schema,
                                            std::optional<int64_t> version, const std::string& routed) {
  if (!field_schema_version_.empty()) {
    int64_t key = version.value_or(std::numeric_limits<int64_t>::min());
    if (auto it = by_version_.find(key); it != by_version_.end()) return it->second;
    auto s = build_value_schema(payload_schema, event_schema, routed);
    if (!s) return s.error();
    auto versioned = std::make_shared<Schema>(**s);
    versioned->version = version;
    if (by_version_.size() >= kCacheLimit) by_version_.clear();
    return by_version_[key] = versioned;
  }
  const std::string& cache_key = payload_schema ? payload_schema->json() : std::string();
  if (auto it = by_payload_schema_.find(cache_key); it != by_payload_schema_.end()) return it->second;
  auto s = build_value_schema(payload_schema, event_schema, routed);
  if (!s) return s.error();
  if (by_payload_schema_.size() >= kCacheLimit) by_payload_schema_.clear();
  return by_payload_schema_[cache_key] = *s;
}

// getEventTimestampMs: the record's timestamp, the envelope's ts_ms unless the timestamp column has one.
Result<std::optional<int64_t>> EventRouter::event_timestamp(const Data& envelope, const Schema& event_schema,
                                                            const Json& after) const {
  std::optional<int64_t> timestamp;
  if (const Json* ts = envelope.payload.find("ts_ms"); ts != nullptr && ts->kind == Json::Kind::kNumber) {
    timestamp = std::strtoll(ts->text.c_str(), nullptr, 10);
  }
  if (!field_timestamp_.empty()) {
    const Field* tf = event_schema.field(field_timestamp_);
    if (tf == nullptr)
      return Error::data(fmt::format("Unable to find timestamp field {} in event", field_timestamp_));
    auto tv = typed_field(event_schema, after, field_timestamp_, "int64");
    if (!tv) return tv.error();
    if (!(*tv)->is_null()) {
      if (!tf->schema->name) {
        return Error::data(fmt::format(
            "Unsupported field type {} (without logical schema name) for event timestamp", tf->schema->type));
      }
      const std::string& n = *tf->schema->name;
      int64_t v = std::strtoll((*tv)->text.c_str(), nullptr, 10);
      if (n == "io.debezium.time.Timestamp") {
        timestamp = v;
      } else if (n == "io.debezium.time.MicroTimestamp") {
        timestamp = v / 1000;
      } else if (n == "io.debezium.time.NanoTimestamp") {
        timestamp = v / 1000000;
      } else {
        return Error::data(fmt::format("Unsupported field type {} for event timestamp", n));
      }
    }
  }
  return timestamp;
}

// table.expand.json.payload of a string payload: the payload and its schema, replaced by the document's.
Status EventRouter::expand_json_payload(Json& payload, SchemaPtr& payload_schema) const {
  // parseJsonPayload: only text that starts as an object or array; on failure Debezium warns and keeps the
  // string. A document it infers a schema for but cannot convert leaves that schema with the string, which
  // Connect then refuses.
  const std::string& text = payload.text;
  if (!text.empty() && (text[0] == '{' || text[0] == '[')) {
    auto doc = parse_json(text);
    auto inferred =
        doc ? infer_json_schema(field_payload_, *doc, json_null_as_bytes_, json_empty_array_as_strings_)
            : Result<SchemaPtr>(doc.error());
    if (inferred) {
      if (!*inferred || !(*inferred)->is_struct()) {
        return Error::data(
            fmt::format("the expanded JSON payload of field {} is not an object", field_payload_));
      }
      auto converted = json_to_connect_value(*doc, **inferred);
      if (!converted) return converted.error();
      payload_schema = *inferred;
      payload = std::move(*converted);
    }
  }
  return ok_status();
}

Result<bool> EventRouter::apply(Record& record) {
  if (!record.value || record.value->payload.is_null()) return false;  // tombstones are ignored
  if (!is_envelope(record)) return true;                               // heartbeats, schema changes
  const Data& envelope = *record.value;
  if (!envelope.payload.is_object()) return Error::data("EventRouter: the change event is not a struct");
  const Json* op = envelope.payload.find("op");
  std::string operation = op != nullptr && op->is_string() ? op->text : "";
  if (operation == "d") return false;
  if (operation == "u") {
    if (on_update_ == OnUpdate::kFatal) {
      return Error::data("Unexpected update message received (table.op.invalid.behavior=fatal), fail.");
    }
    return false;  // Debezium logs it at WARN or ERROR and skips it
  }

  const Field* after_field = envelope.schema->field("after");
  const Json* after = envelope.payload.find("after");
  if (after_field == nullptr || after == nullptr || !after->is_object()) {
    return Error::data("Only Struct objects supported for [Read Outbox Event], found: null");
  }
  const Schema& event_schema = *after_field->schema;

  const Field* payload_field = event_schema.field(field_payload_);
  if (payload_field == nullptr) {
    return Error::data(fmt::format("Unable to find payload field {} in event", field_payload_));
  }
  SchemaPtr payload_schema = payload_field->schema;

  auto timestamp = event_timestamp(envelope, event_schema, *after);
  if (!timestamp) return timestamp.error();

  const Field* id_field = event_schema.field(field_id_);
  if (id_field == nullptr) return Error::data(fmt::format("{} is not a valid field name", field_id_));
  const Json* event_id = after->find(field_id_);
  Json payload;
  if (const Json* p = after->find(field_payload_)) payload = *p;

  std::vector<Header> headers = std::move(record.headers);
  headers.push_back({"id", event_id != nullptr ? header_text(*event_id) : "", id_field->schema,
                     event_id != nullptr ? *event_id : Json::null()});

  if (expand_json_ && payload.is_string()) {
    if (auto expanded = expand_json_payload(payload, payload_schema); !expanded) return expanded.error();
  }

  auto routed_value = typed_field(event_schema, *after, route_by_, "string");
  if (!routed_value) return routed_value.error();
  if (!(*routed_value)->is_string()) {
    return Error::data(fmt::format("the route.by.field column {} is null: no topic to route to", route_by_));
  }
  std::string routed = (*routed_value)->text;

  Data value;
  if (!only_headers_) {
    std::optional<int64_t> version;
    if (!field_schema_version_.empty()) {
      auto vv = typed_field(event_schema, *after, field_schema_version_, "int32");
      if (!vv) return vv.error();
      if (!(*vv)->is_null()) version = std::strtoll((*vv)->text.c_str(), nullptr, 10);
    }
    auto schema = value_schema(payload_schema, event_schema, version, routed);
    if (!schema) return schema.error();
    value.schema = *schema;
    value.payload = Json::object();
    value.payload.members.emplace_back("payload", payload);
  }

  std::optional<int32_t> partition;
  for (const auto& f : additional_) {
    const Field* ef = event_schema.field(f.field);
    if (ef == nullptr) {
      if (ignore_missing_additional_) continue;
      return Error::data(fmt::format("{} is not a valid field name", f.field));
    }
    const Json* v = after->find(f.field);
    Json fv = v != nullptr ? *v : Json::null();
    if (f.placement == Placement::kPartition) {  // Struct.getInt32: an int32 column; null: no partition
      auto pv = typed_field(event_schema, *after, f.field, "int32");
      if (!pv) return pv.error();
      if ((*pv)->is_null()) {
        partition.reset();
      } else {
        partition = static_cast<int32_t>(std::strtol((*pv)->text.c_str(), nullptr, 10));
      }
    } else if (f.placement == Placement::kEnvelope) {
      if (value.schema->field(f.alias) != nullptr) value.payload.set(f.alias, std::move(fv));
    } else {
      headers.push_back({f.alias, header_text(fv), ef->schema, fv});
    }
  }
  if (!only_headers_) {  // in schema order
    Json ordered = Json::object();
    for (const auto& sf : value.schema->fields) {
      Json* v = value.payload.find(sf.name);
      ordered.members.emplace_back(sf.name, v != nullptr ? std::move(*v) : Json::null());
    }
    value.payload = std::move(ordered);
  }

  // payload == null || payload.toString().trim().isEmpty(): a string of blanks (Java's trim: chars <= ' ').
  bool empty = payload.is_null();
  if (payload.is_string()) {
    empty = std::all_of(payload.text.begin(), payload.text.end(),
                        [](char c) { return static_cast<unsigned char>(c) <= ' '; });
  }

  const Field* key_field = event_schema.field(field_key_);
  if (key_field == nullptr) return Error::data(fmt::format("{} is not a valid field name", field_key_));
  Data key;
  key.schema = key_field->schema;
  if (const Json* k = after->find(field_key_)) key.payload = *k;

  if (empty && tombstone_on_empty_) {
    record.value.reset();
  } else if (only_headers_) {
    record.value = Data{payload_schema, std::move(payload)};
  } else {
    record.value = std::move(value);
  }
  record.key = std::move(key);
  record.headers = std::move(headers);
  record.partition = partition;
  record.timestamp_ms = *timestamp;

  std::string topic = routed;
  if (RE2::FullMatch(topic, *route_regex_)) RE2::Replace(&topic, *route_regex_, route_replacement_);
  record.topic = std::move(topic);
  return true;
}

}  // namespace sluice::transform
