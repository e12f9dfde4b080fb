// Transaction metadata records and blocks, and logical decoding message records, as Debezium 3.4.3 wrote them
// (captured from its <prefix>.transaction and <prefix>.message topics on Postgres 15).
#include "event/transaction_metadata.h"

#include <gtest/gtest.h>

#include "event/logical_message.h"

namespace sluice::event {
namespace {

TEST(TransactionMetadata, BeginAndEndWithoutSchemas) {
  TransactionMetadata tm(false, false);
  std::string key, value;
  tm.begin(Xid{1262351}, Lsn(1685589008), 1795582512743388, key, value);
  EXPECT_EQ(key, R"({"id":"1262351:1685589008"})");
  EXPECT_EQ(value, R"({"status":"BEGIN","id":"1262351:1685589008","event_count":null,)"
                   R"("data_collections":null,"ts_ms":1795582512743})");
  auto b1 = tm.table_event("x_c1ea49", "t", Lsn(1685589008));
  EXPECT_EQ(b1.id, "1262351:1685589008");
  EXPECT_EQ(b1.total_order, 1);
  EXPECT_EQ(b1.data_collection_order, 1);
  auto b2 = tm.message_event(Lsn(1685589200), 0x7b4288c1);
  EXPECT_EQ(b2.id, "1262351:1685589200");  // the event's own LSN, as Debezium
  EXPECT_EQ(b2.total_order, 2);
  EXPECT_EQ(b2.data_collection_order, 1);
  auto b3 = tm.table_event("x_c1ea49", "u", Lsn(1685589300));
  EXPECT_EQ(b3.data_collection_order, 1);
  auto b4 = tm.table_event("x_c1ea49", "t", Lsn(1685589424));
  EXPECT_EQ(b4.total_order, 4);
  EXPECT_EQ(b4.data_collection_order, 2);
  tm.end(Lsn(1685589664), 1795582512743388, key, value);
  EXPECT_EQ(key, R"({"id":"1262351:1685589664"})");
  // data_collections in java.util.HashMap order of the names (as Debezium 3.4.3 listed these three).
  EXPECT_EQ(
      value,
      R"({"status":"END","id":"1262351:1685589664","event_count":4,"data_collections":[)"
      R"({"data_collection":"io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$)"
      R"(LogicalDecodingMessageId@7b4288c1","event_count":1},{"data_collection":"x_c1ea49.t","event_count":2},)"
      R"({"data_collection":"x_c1ea49.u","event_count":1}],"ts_ms":1795582512743})");
}

TEST(TransactionMetadata, EmptyTransactionAndSchemas) {
  TransactionMetadata tm(true, true);
  std::string key, value;
  tm.begin(Xid{5}, Lsn(10), 1000, key, value);
  tm.end(Lsn(20), 1000, key, value);
  EXPECT_EQ(key,
            R"({"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"}],)"
            R"("optional":false,"name":"io.debezium.connector.common.TransactionMetadataKey","version":1},)"
            R"("payload":{"id":"5:20"}})");
  EXPECT_NE(value.find(
                R"("name":"io.debezium.connector.common.TransactionMetadataValue","version":1},)"
                R"("payload":{"status":"END","id":"5:20","event_count":0,"data_collections":[],"ts_ms":1}})"),
            std::string::npos)
      << value;
  // A new transaction starts counting again.
  tm.begin(Xid{6}, Lsn(30), 2000, key, value);
  EXPECT_EQ(tm.table_event("s", "t", Lsn(31)).total_order, 1);
}

TEST(TransactionMetadata, BlockInEnvelope) {
  std::string out;
  StringSink sink{&out};
  JsonWriter w(sink);
  write_transaction_block(w, TransactionBlock{"7:8", 2, 1});
  EXPECT_EQ(out, R"({"id":"7:8","total_order":2,"data_collection_order":1})");
}

TEST(LogicalMessage, NonTransactionalWithoutSchemasHex) {
  SerializerOptions o;
  o.server_name = "srv";
  o.database = "postgres";
  o.version = "3.4.3.Final";
  o.key_schemas_enable = o.value_schemas_enable = false;
  MessageSerializer ms(o, ConverterOptions::BinaryMode::kHex);
  std::string key, value;
  ms.key("ntx-prefix", key);
  EXPECT_EQ(key, R"({"prefix":"ntx-prefix"})");
  Source src;
  src.ts_us = 1795582511183002;
  src.lsn = Lsn(1685588880);
  src.last_commit_lsn = Lsn(1685588880);
  ms.value("ntx-prefix", "non transactional", src, 1795582514935000, nullptr, value);
  EXPECT_EQ(
      value,
      R"({"op":"m","ts_ms":1795582514935,"source":{"version":"3.4.3.Final","connector":"postgresql",)"
      R"("name":"srv","ts_ms":1795582511183,"snapshot":"false","db":"postgres",)"
      R"("sequence":"[\"1685588880\",\"1685588880\"]","ts_us":1795582511183002,)"
      R"("ts_ns":1795582511183002000,"schema":"","table":"","txId":null,"lsn":1685588880,"xmin":null,)"
      R"("origin":null,"origin_lsn":null},)"
      R"("transaction":null,"message":{"prefix":"ntx-prefix","content":"6e6f6e207472616e73616374696f6e616c"}})");
}

TEST(LogicalMessage, BytesContentIsBase64WithBytesSchema) {
  SerializerOptions o;
  MessageSerializer ms(o, ConverterOptions::BinaryMode::kBytes);
  std::string value;
  TransactionBlock block{"1:2", 1, 1};
  ms.value("in-tx", std::string_view("\x00\xff", 2), Source{}, 0, &block, value);
  EXPECT_NE(value.find(R"({"type":"bytes","optional":true,"field":"content"})"), std::string::npos);
  EXPECT_NE(value.find(R"("transaction":{"id":"1:2","total_order":1,"data_collection_order":1},)"
                       R"("message":{"prefix":"in-tx","content":"AP8="}})"),
            std::string::npos)
      << value;
}

}  // namespace
}  // namespace sluice::event
