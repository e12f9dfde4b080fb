// Heartbeat messages, as Debezium's HeartbeatImpl emits them on `<topic.heartbeat.prefix>.<topic.prefix>`:
// key io.debezium.connector.common.ServerNameKey {serverName}, value io.debezium.connector.common.Heartbeat
// {ts_ms} (connector clock), each wrapped in JsonConverter's {"schema","payload"} when schemas are enabled.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::event {

void heartbeat_key(std::string_view server_name, bool schemas_enable, std::string& out);
void heartbeat_value(int64_t ts_ms, bool schemas_enable, std::string& out);

}  // namespace sluice::event
