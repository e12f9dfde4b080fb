// CloudEvents structured JSON as Debezium's CloudEventsConverter writes a Postgres change event.
#include "transform/cloud_events.h"

#include <gtest/gtest.h>

#include "transform/codec.h"

namespace sluice::transform {
namespace {

const char* kRow =
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,)"
    R"("name":"p.s.t.Value","field":"%s"})";

std::string envelope(const std::string& tx) {
  std::string before = kRow, after = kRow;
  before.replace(before.find("%s"), 2, "before");
  after.replace(after.find("%s"), 2, "after");
  return R"({"schema":{"type":"struct","fields":[)" + before + "," + after +
         R"(,{"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},)"
         R"({"type":"string","optional":false,"field":"connector"},{"type":"string","optional":false,"field":"name"},)"
         R"({"type":"int64","optional":false,"field":"ts_ms"},)"
         R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
         R"("parameters":{"allowed":"true,false"},"default":"false","field":"snapshot"},)"
         R"({"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence"},)"
         R"({"type":"string","optional":false,"field":"schema"},{"type":"string","optional":false,"field":"table"},)"
         R"({"type":"int64","optional":true,"field":"txId"},{"type":"int64","optional":true,"field":"lsn"},)"
         R"({"type":"int64","optional":true,"field":"xmin"}],"optional":false,)"
         R"("name":"io.debezium.connector.postgresql.Source","field":"source"},)"
         R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},)"
         R"({"type":"int64","optional":false,"field":"total_order"},)"
         R"({"type":"int64","optional":false,"field":"data_collection_order"}],"optional":true,)"
         R"("name":"event.block","version":1,"field":"transaction"},)"
         R"({"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"}],)"
         R"("optional":false,"name":"p.s.t.Envelope","version":2},"payload":{"before":null,"after":{"id":1},)"
         R"("source":{"version":"3.7.1.Final","connector":"postgresql","name":"p","ts_ms":1767323045678,)"
         R"("snapshot":"false","db":"db","sequence":"[null,\"23\"]","schema":"s","table":"t","txId":760,)"
         R"("lsn":23,"xmin":null},"transaction":)" +
         tx + R"(,"op":"c","ts_ms":1767323045999}})";
}

std::optional<Data> decode(const std::string& text) {
  Codec codec;
  return *codec.decode(std::string_view(text));
}

TEST(CloudEvents, StructuredJsonWithExtensionAttributesAndDataSchema) {
  auto out = encode_cloud_event(decode(envelope("null")), {});
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_TRUE(out->has_value());
  EXPECT_EQ(
      **out,
      R"({"id":"name:p;lsn:23;txId:760;sequence:[null,\"23\"]","source":"/debezium/postgresql/p",)"
      R"("specversion":"1.0","type":"io.debezium.connector.postgresql.DataChangeEvent",)"
      R"("time":"2026-01-02T03:04:05.678Z","datacontenttype":"application/json","iodebeziumop":"c",)"
      R"("iodebeziumversion":"3.7.1.Final","iodebeziumconnector":"postgresql","iodebeziumname":"p",)"
      R"("iodebeziumtsms":"1767323045678","iodebeziumsnapshot":"false","iodebeziumdb":"db",)"
      R"("iodebeziumsequence":"[null,\"23\"]","iodebeziumschema":"s","iodebeziumtable":"t",)"
      R"("iodebeziumtxId":"760","iodebeziumlsn":"23","iodebeziumxmin":null,"iodebeziumtxid":null,)"
      R"("iodebeziumtxtotalorder":null,"iodebeziumtxdatacollectionorder":null,)"
      R"("data":{"schema":{"type":"struct","fields":[)"
      R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,)"
      R"("name":"p.s.t.Value","field":"before"},)"
      R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,)"
      R"("name":"p.s.t.Value","field":"after"}],"optional":false,)"
      R"("name":"io.debezium.connector.postgresql.Data"},"payload":{"before":null,"after":{"id":1}}}})");
}

TEST(CloudEvents, TransactionBlockWithoutExtensionsAndSchemalessData) {
  auto tx = encode_cloud_event(
      decode(envelope(R"({"id":"760:23","total_order":2,"data_collection_order":1})")), {});
  ASSERT_TRUE(tx.ok());
  EXPECT_NE((*tx)->find(R"("iodebeziumtxid":"760:23","iodebeziumtxtotalorder":"2",)"
                        R"("iodebeziumtxdatacollectionorder":"1")"),
            std::string::npos)
      << **tx;
  auto plain = encode_cloud_event(decode(envelope("null")), {false, false});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(**plain,
            R"({"id":"name:p;lsn:23;txId:760;sequence:[null,\"23\"]","source":"/debezium/postgresql/p",)"
            R"("specversion":"1.0","type":"io.debezium.connector.postgresql.DataChangeEvent",)"
            R"("time":"2026-01-02T03:04:05.678Z","datacontenttype":"application/json",)"
            R"("data":{"before":null,"after":{"id":1}}})");
}

TEST(CloudEvents, TombstonesAndOtherRecordsAreNull) {
  auto tomb = encode_cloud_event(std::nullopt, {});
  ASSERT_TRUE(tomb.ok());
  EXPECT_FALSE(tomb->has_value());
  auto heartbeat = encode_cloud_event(
      decode(R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"ts_ms"}],)"
             R"("optional":false,"name":"io.debezium.connector.common.Heartbeat"},"payload":{"ts_ms":1}})"),
      {});
  ASSERT_TRUE(heartbeat.ok());
  EXPECT_FALSE(heartbeat->has_value());
  std::string other = envelope("null");
  other.replace(other.find(R"("connector":"postgresql")"), 24, R"("connector":"mysql")");
  auto bad = encode_cloud_event(decode(other), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("No usable CloudEvents converters for connector type \"mysql\""),
            std::string::npos);
}

TEST(CloudEvents, ExtensionNames) {
  EXPECT_EQ(cloud_events_extension_name("ts_ms"), "iodebeziumtsms");
  EXPECT_EQ(cloud_events_extension_name("txId"), "iodebeziumtxId");
  EXPECT_EQ(cloud_events_extension_name("origin_lsn"), "iodebeziumoriginlsn");
}

}  // namespace
}  // namespace sluice::transform
