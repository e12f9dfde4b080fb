// Offset records in Kafka Connect's layout, and the atomic file store.
#include "offsets/offset_store.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace sluice::offsets {
namespace {

TEST(OffsetRecord, KeyIsKafkaConnectsSourcePartitionLayout) {
  EXPECT_EQ(offset_key("customers-connector", "myserver"),
            R"(["customers-connector",{"server":"myserver"}])");
}

TEST(OffsetRecord, ValueRoundTrips) {
  StoredOffset o{Lsn(34250448), 606, 1700000000000000};
  auto v = offset_value(o);
  EXPECT_EQ(
      v,
      R"({"lsn":34250448,"lsn_commit":34250448,"lsn_proc":34250448,"ts_usec":1700000000000000,"txId":606})");
  auto back = parse_offset_value(v);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->lsn, Lsn(34250448));
  EXPECT_EQ(back->tx_id, 606);
}

TEST(OffsetRecord, PositionInsideATransactionRoundTrips) {
  // A clean stop inside a transaction: Debezium's lsn_commit / lsn_proc / txId of that transaction, and how
  // many of its messages Kafka acknowledged; lsn stays where the slot restarts.
  StoredOffset o{Lsn(1000), 7, 5};
  o.in_tx = StoredOffset::InTransaction{Lsn(5000), Lsn(4200), 777, 20971};
  auto v = offset_value(o);
  EXPECT_EQ(
      v, R"({"lsn":1000,"lsn_commit":5000,"lsn_proc":4200,"sluice_tx_events":20971,"ts_usec":5,"txId":777})");
  auto back = parse_offset_value(v);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->lsn, Lsn(1000));
  ASSERT_TRUE(back->in_tx.has_value());
  EXPECT_EQ(back->in_tx->commit_lsn, Lsn(5000));
  EXPECT_EQ(back->in_tx->last_lsn, Lsn(4200));
  EXPECT_EQ(back->in_tx->xid, 777);
  EXPECT_EQ(back->in_tx->events, 20971u);
  EXPECT_EQ(back->extra, "");
  EXPECT_FALSE(parse_offset_value(offset_value(StoredOffset{Lsn(1), 2, 3}))->in_tx.has_value());
}

TEST(OffsetRecord, GarbageIsNotAnOffset) {
  EXPECT_FALSE(parse_offset_value("").has_value());
  EXPECT_FALSE(parse_offset_value("[1,2]").has_value());
  EXPECT_FALSE(parse_offset_value(R"({"lsn":"12"})").has_value());
  EXPECT_FALSE(parse_offset_value(R"({"lsn":-5})").has_value());
}

TEST(FileOffsetStore, StoreLoadEraseKeepsOtherConnectors) {
  auto path = testing::TempDir() + "sluice-offsets-test.json";
  std::remove(path.c_str());
  FileOffsetStore a(path, offset_key("a", "p")), b(path, offset_key("b", "p"));
  auto empty = a.load();
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  ASSERT_TRUE(a.store(StoredOffset{Lsn(100), std::nullopt, 1}).ok());
  ASSERT_TRUE(b.store(StoredOffset{Lsn(200), 7, 2}).ok());
  ASSERT_TRUE(a.store(StoredOffset{Lsn(150), std::nullopt, 3}).ok());
  EXPECT_EQ((*a.load())->lsn, Lsn(150));
  EXPECT_EQ((*b.load())->lsn, Lsn(200));
  ASSERT_TRUE(a.erase().ok());
  EXPECT_FALSE(a.load()->has_value());
  EXPECT_EQ((*b.load())->lsn, Lsn(200));
}

TEST(FileOffsetStore, CorruptFileIsAFatalErrorNamingIt) {
  auto path = testing::TempDir() + "sluice-offsets-corrupt.json";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("{not json", f);
  std::fclose(f);
  auto r = FileOffsetStore(path, "k").load();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(path), std::string::npos);
}

}  // namespace
}  // namespace sluice::offsets

namespace sluice::offsets {
namespace {

TEST(OffsetRecord, SnapshotProgressMembersRoundTrip) {
  StoredOffset o{Lsn(100), std::nullopt, 5, R"({"incremental_snapshot_primary_key":"[\"7\"]"})"};
  auto v = offset_value(o);
  EXPECT_NE(v.find(R"("incremental_snapshot_primary_key":"[\"7\"]")"), std::string::npos);
  auto back = parse_offset_value(v);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->lsn, Lsn(100));
  EXPECT_EQ(back->extra, R"({"incremental_snapshot_primary_key":"[\"7\"]"})");
  auto plain = parse_offset_value(offset_value(StoredOffset{Lsn(1), 2, 3}));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->extra, "");
}

}  // namespace
}  // namespace sluice::offsets
