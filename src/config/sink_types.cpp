// The sink type table.
#include "config/sink_types.h"

namespace sluice::config {

const std::vector<SinkTypeInfo>& sink_types() {
  static const std::vector<SinkTypeInfo> kTypes = {
      {SinkType::kKafka, "kafka", {}, "kafka", {}},
      {SinkType::kNull, "null", {}, "null", {}},
      {SinkType::kFile, "file", {}, "file", {"sluice.sink.file."}},
      {SinkType::kHttp, "http", {}, "http", {"debezium.sink.http.", "sluice.sink.http."}},
      {SinkType::kRedis, "redis", {}, "redis", {"debezium.sink.redis.", "sluice.sink.redis."}},
      {SinkType::kNats,
       "nats",
       {"nats-jetstream"},
       "nats-jetstream",
       {"debezium.sink.nats-jetstream.", "sluice.sink.nats."}},
  };
  return kTypes;
}

const SinkTypeInfo& sink_type_info(SinkType type) {
  for (const auto& t : sink_types()) {
    if (t.type == type) return t;
  }
  return sink_types().front();
}

std::vector<std::pair<std::string, SinkType>> sink_type_choices() {
  std::vector<std::pair<std::string, SinkType>> out;
  for (const auto& t : sink_types()) out.emplace_back(std::string(t.name), t.type);
  for (const auto& t : sink_types()) {
    for (auto alias : t.aliases) out.emplace_back(std::string(alias), t.type);
  }
  return out;
}

const char* sink_type_name(SinkType type) {
  return sink_type_info(type).name.data();  // the names are literals: NUL-terminated
}

}  // namespace sluice::config
