// Record: what a single message transform sees, as Kafka Connect's ConnectRecord: topic, key and value each
// with its schema, and headers. A key or value is absent (nullopt) when Connect's would be null with a null
// schema (a Kafka null: tombstone, keyless table); it may also be a null payload with a schema.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transform/json.h"
#include "transform/schema.h"

namespace sluice::transform {

struct Data {
  SchemaPtr schema;  // null: schemaless
  Json payload;
};

struct Header {
  std::string name;
  std::string value;  // the bytes written (SimpleHeaderConverter's text)
  // The Connect schema and value of a header a transform added (Connect headers keep them; HeaderToValue
  // reads them). Null for a header as sluice received it: a string.
  SchemaPtr schema;
  std::optional<Json> data;
};

struct Record {
  std::string topic;
  std::optional<Data> key;
  std::optional<Data> value;
  std::vector<Header> headers;
  // Connect's kafkaPartition() and timestamp(): null for a Debezium source record; a transform may set them
  // (PartitionRouting, EventRouter), and the sink then sends the record to that partition / with that time.
  std::optional<int32_t> partition;
  std::optional<int64_t> timestamp_ms;
};

}  // namespace sluice::transform
