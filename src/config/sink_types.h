// The sink types sink.type names, one row each: the value, its aliases, Debezium Server's name and the
// key namespaces of its settings. Config validation, `sluice check` and the sink registry read this table.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::config {

enum class SinkType { kKafka, kNull, kFile, kHttp, kRedis, kNats };

struct SinkTypeInfo {
  SinkType type;
  std::string_view name;                       // sink.type's value
  std::vector<std::string_view> aliases;       // other values sink.type accepts
  std::string_view debezium_name;              // debezium.sink.type's value
  std::vector<std::string_view> key_prefixes;  // where its settings live (direct sinks)
};

// Every sink type, in sink.type's order of documentation.
const std::vector<SinkTypeInfo>& sink_types();
const SinkTypeInfo& sink_type_info(SinkType type);

// sink.type's accepted values (names, then aliases, row by row) and the types they select.
std::vector<std::pair<std::string, SinkType>> sink_type_choices();

// sink.type's value for a type ("kafka", "null", "file", …).
const char* sink_type_name(SinkType type);

}  // namespace sluice::config
