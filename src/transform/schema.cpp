// Connect schemas in JsonConverter's JSON form: read (asConnectSchema) and written (asJsonSchema) with the
// member order JsonConverter uses.
#include "transform/schema.h"

#include <fmt/format.h>

namespace sluice::transform {

const Field* Schema::field(std::string_view field_name) const {
  for (const auto& f : fields) {
    if (f.name == field_name) return &f;
  }
  return nullptr;
}

const std::string& Schema::json() const {
  if (json_.empty()) {
    sluice::StringSink sink{&json_};
    sluice::JsonWriter w(sink);
    write_schema(w, *this);
  }
  return json_;
}

Schema copy_schema_basics(const Schema& source) {
  Schema s;
  s.type = source.type;
  s.items = source.items;
  s.keys = source.keys;
  s.values = source.values;
  s.name = source.name;
  s.version = source.version;
  s.doc = source.doc;
  s.parameters = source.parameters;
  return s;
}

SchemaPtr optional_string_schema() {
  static const SchemaPtr kSchema = [] {
    auto s = std::make_shared<Schema>();
    s->type = "string";
    s->optional = true;
    return SchemaPtr(s);
  }();
  return kSchema;
}

Result<SchemaPtr> schema_from_json(const Json& json) {
  if (json.is_null()) return SchemaPtr{};
  const Json* type = json.find("type");
  if (type == nullptr || !type->is_string()) return Error::data("schema must contain 'type' field");
  auto s = std::make_shared<Schema>();
  s->type = type->text;
  static const char* kTypes[] = {"boolean", "int8",  "int16",  "int32", "int64", "float",
                                 "double",  "bytes", "string", "array", "map",   "struct"};
  bool known = false;
  for (const char* t : kTypes) known = known || s->type == t;
  if (!known) return Error::data(fmt::format("unknown schema type: {}", s->type));
  if (s->type == "struct") {
    const Json* fields = json.find("fields");
    if (fields == nullptr || fields->kind != Json::Kind::kArray)
      return Error::data("struct schema's \"fields\" argument is not an array");
    for (const auto& f : fields->items) {
      const Json* name = f.find("field");
      if (name == nullptr || !name->is_string())
        return Error::data("struct schema's field name not specified");
      auto fs = schema_from_json(f);
      if (!fs) return fs.error();
      s->fields.push_back({name->text, std::move(*fs)});
    }
  } else if (s->type == "array") {
    const Json* items = json.find("items");
    if (items == nullptr || items->is_null())
      return Error::data("array schema did not specify the element type");
    auto is = schema_from_json(*items);
    if (!is) return is.error();
    s->items = std::move(*is);
  } else if (s->type == "map") {
    const Json* k = json.find("keys");
    const Json* v = json.find("values");
    if (k == nullptr || v == nullptr)
      return Error::data("map schema did not specify the key and value types");
    auto ks = schema_from_json(*k);
    if (!ks) return ks.error();
    auto vs = schema_from_json(*v);
    if (!vs) return vs.error();
    s->keys = std::move(*ks);
    s->values = std::move(*vs);
  }
  if (const Json* o = json.find("optional"); o != nullptr && o->kind == Json::Kind::kBool)
    s->optional = o->boolean;
  if (const Json* n = json.find("name"); n != nullptr && n->is_string()) s->name = n->text;
  if (const Json* v = json.find("version"); v != nullptr && v->kind == Json::Kind::kNumber) {
    s->version = std::stoll(v->text);
  }
  if (const Json* d = json.find("doc"); d != nullptr && d->is_string()) s->doc = d->text;
  if (const Json* p = json.find("parameters"); p != nullptr && p->is_object()) {
    s->parameters.emplace();
    for (const auto& [k, v] : p->members) {
      if (!v.is_string()) return Error::data("schema parameters must have string values");
      s->parameters->emplace_back(k, v.text);
    }
  }
  if (const Json* d = json.find("default"); d != nullptr) s->default_value = *d;
  return SchemaPtr(std::move(s));
}

void write_schema(sluice::JsonWriter& w, const Schema& s, const std::string* field_name) {
  w.StartObject();
  sluice::write_key(w, "type");
  sluice::write_string(w, s.type);
  if (s.type == "array") {
    sluice::write_key(w, "items");
    write_schema(w, *s.items);
  } else if (s.type == "map") {
    sluice::write_key(w, "keys");
    write_schema(w, *s.keys);
    sluice::write_key(w, "values");
    write_schema(w, *s.values);
  } else if (s.type == "struct") {
    sluice::write_key(w, "fields");
    w.StartArray();
    for (const auto& f : s.fields) write_schema(w, *f.schema, &f.name);
    w.EndArray();
  }
  sluice::write_key(w, "optional");
  w.Bool(s.optional);
  if (s.name) {
    sluice::write_key(w, "name");
    sluice::write_string(w, *s.name);
  }
  if (s.version) {
    sluice::write_key(w, "version");
    w.Int64(*s.version);
  }
  if (s.doc) {
    sluice::write_key(w, "doc");
    sluice::write_string(w, *s.doc);
  }
  if (s.parameters) {
    sluice::write_key(w, "parameters");
    w.StartObject();
    for (const auto& [k, v] : *s.parameters) {
      sluice::write_key(w, k);
      sluice::write_string(w, v);
    }
    w.EndObject();
  }
  if (s.default_value) {
    sluice::write_key(w, "default");
    write_json(w, *s.default_value);
  }
  if (field_name != nullptr) {
    sluice::write_key(w, "field");
    sluice::write_string(w, *field_name);
  }
  w.EndObject();
}

}  // namespace sluice::transform
