// Heartbeat messages byte-for-byte as Debezium 3.4 wrote them to __debezium-heartbeat.<prefix>.
#include "event/heartbeat.h"

#include <gtest/gtest.h>

namespace sluice::event {
namespace {

TEST(Heartbeat, KeyAndValueWithSchemasMatchDebezium) {
  std::string key, value;
  heartbeat_key("dbzhb", true, key);
  heartbeat_value(1795580819045, true, value);
  EXPECT_EQ(
      key, R"({"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"serverName"}],)"
           R"("optional":false,"name":"io.debezium.connector.common.ServerNameKey","version":1},)"
           R"("payload":{"serverName":"dbzhb"}})");
  EXPECT_EQ(value,
            R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"ts_ms"}],)"
            R"("optional":false,"name":"io.debezium.connector.common.Heartbeat","version":1},)"
            R"("payload":{"ts_ms":1795580819045}})");
}

TEST(Heartbeat, WithoutSchemasIsThePayload) {
  std::string key, value;
  heartbeat_key("a\"b", false, key);
  heartbeat_value(7, false, value);
  EXPECT_EQ(key, R"({"serverName":"a\"b"})");
  EXPECT_EQ(value, R"({"ts_ms":7})");
}

}  // namespace
}  // namespace sluice::event
