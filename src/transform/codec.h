// Codec: between the bytes sluice's serializers write (JsonConverter with schemas.enable=true: the record's
// schema travels with it) and the Data a transform works on, and back to bytes in the form the connector's
// key/value converters ask for (schemas.enable true or false).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "transform/record.h"

namespace sluice::transform {

class Codec {
 public:
  // Bytes -> Data. A document {"schema":…,"payload":…} carries its schema; anything else is schemaless.
  // Schemas are parsed once per distinct schema text (the cache holds at most kCacheSize).
  Result<std::optional<Data>> decode(std::optional<std::string_view> bytes);
  // Data -> bytes (nullopt: a Kafka null). JsonConverter: an absent Data is null; a null payload with a
  // schema is still a document ({"schema":…,"payload":null} / null).
  static std::optional<std::string> encode(const std::optional<Data>& data, bool schemas_enable);

 private:
  static constexpr size_t kCacheSize = 1024;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, SchemaPtr, Hash, std::equal_to<>> schemas_;
};

}  // namespace sluice::transform
