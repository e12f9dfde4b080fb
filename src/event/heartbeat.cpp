// Heartbeat key/value JSON (schemas checked against Debezium 3.4 connected to Kafka 4.1).
#include "event/heartbeat.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

namespace sluice::event {

void heartbeat_key(std::string_view server_name, bool schemas_enable, std::string& out) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("serverName");
  w.String(server_name.data(), static_cast<rapidjson::SizeType>(server_name.size()));
  w.EndObject();
  out.clear();
  if (schemas_enable) {
    out += R"({"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"serverName"}],)"
           R"("optional":false,"name":"io.debezium.connector.common.ServerNameKey","version":1},"payload":)";
  }
  out.append(buf.GetString(), buf.GetSize());
  if (schemas_enable) out += '}';
}

void heartbeat_value(int64_t ts_ms, bool schemas_enable, std::string& out) {
  out.clear();
  if (schemas_enable) {
    out += R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"ts_ms"}],)"
           R"("optional":false,"name":"io.debezium.connector.common.Heartbeat","version":1},"payload":)";
  }
  out += fmt::format(R"({{"ts_ms":{}}})", ts_ms);
  if (schemas_enable) out += '}';
}

}  // namespace sluice::event
