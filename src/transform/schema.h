// Schema: a Kafka Connect schema (org.apache.kafka.connect.data.Schema) as JsonConverter reads and writes
// it with schemas.enable=true. Schemas are immutable and shared: a transform derives a new one once per
// input schema (its cache) and the codec renders each one to JSON once.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "transform/json.h"

namespace sluice::transform {

struct Schema;
using SchemaPtr = std::shared_ptr<const Schema>;

struct Field {
  std::string name;
  SchemaPtr schema;
};

struct Schema {
  std::string type;  // boolean int8 int16 int32 int64 float double bytes string array map struct
  bool optional = false;
  std::optional<std::string> name;
  std::optional<int64_t> version;
  std::optional<std::string> doc;
  std::optional<std::vector<std::pair<std::string, std::string>>> parameters;
  std::optional<Json> default_value;
  std::vector<Field> fields;  // struct
  SchemaPtr items;            // array
  SchemaPtr keys, values;     // map

  const Field* field(std::string_view field_name) const;
  bool is_struct() const { return type == "struct"; }
  // JsonConverter's rendering (type, fields|items|keys+values, optional, name, version, doc, parameters,
  // default), computed once.
  const std::string& json() const;

 private:
  mutable std::string json_;
};

// SchemaUtil.copySchemaBasics: the type (and element schemas), name, version, doc and parameters; neither
// optional nor the default nor the fields.
Schema copy_schema_basics(const Schema& source);
SchemaPtr optional_string_schema();

// JsonConverter.asConnectSchema; kData naming what is wrong.
Result<SchemaPtr> schema_from_json(const Json& json);
void write_schema(sluice::JsonWriter& w, const Schema& schema, const std::string* field_name = nullptr);

}  // namespace sluice::transform
