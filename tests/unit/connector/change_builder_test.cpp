// ChangeBuilder: pgoutput's relation, row and message inputs -> the records Debezium would publish.
#include "connector/change_builder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support.h"

namespace sluice::connector {
namespace {

using testing::customers;
using testing::customers_relation;
using testing::null;
using testing::text;
using testing::unchanged_toast;
using Kind = ChangeRecord::Kind;

ChangeContext at() {
  ChangeContext c;
  c.lsn = Lsn(0x2000);
  c.xid = Xid{767};
  c.commit_time_us = 1714558272123456;
  c.last_commit_lsn = Lsn(0x1000);
  c.origin = "sub1";
  c.origin_lsn = Lsn(0x900);
  c.now_us = 1714558272987654;
  return c;
}

// The payload of the record's value (schemas off), parsed.
nlohmann::json value_of(const ChangeRecord& r) {
  event::JsonSerializer s(testing::payload_only());
  std::string out;
  auto written = s.value(r.event, out);
  EXPECT_TRUE(written.ok());
  return nlohmann::json::parse(out);
}

std::string header(const ChangeRecord& r, const std::string& name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "(none)";
}

struct Fixture : ::testing::Test {
  std::shared_ptr<const event::TableSchema> table = customers();
  event::JsonSerializer keys{testing::payload_only()};
  ChangeRecords out;
};

using ChangeBuilderRelation = Fixture;

TEST_F(ChangeBuilderRelation, NewCapturedRelationNeedsSchemaThenIsKnown) {
  ChangeBuilder b({});
  EXPECT_EQ(b.relation(customers_relation(), true), ChangeBuilder::RelationState::kNeedsSchema);
  b.set_schema(Oid{testing::kCustomersOid}, table);
  EXPECT_EQ(b.relation(customers_relation(), true), ChangeBuilder::RelationState::kKnown);
  auto t = b.table(Oid{testing::kCustomersOid}, Lsn(1));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, table.get());
}

TEST_F(ChangeBuilderRelation, ReplicaIdentityChangeNeedsNewSchema) {
  ChangeBuilder b({});
  (void)b.relation(customers_relation('d'), true);
  b.set_schema(Oid{testing::kCustomersOid}, table);
  EXPECT_EQ(b.relation(customers_relation('f'), true), ChangeBuilder::RelationState::kNeedsSchema);
}

TEST_F(ChangeBuilderRelation, ColumnLayoutChangeNeedsNewSchema) {
  ChangeBuilder b({});
  (void)b.relation(customers_relation(), true);
  b.set_schema(Oid{testing::kCustomersOid}, table);
  auto altered = customers_relation();
  altered.columns.pop_back();
  EXPECT_EQ(b.relation(altered, true), ChangeBuilder::RelationState::kNeedsSchema);
}

TEST_F(ChangeBuilderRelation, TableOutsideFiltersHasNoSchema) {
  ChangeBuilder b({});
  EXPECT_EQ(b.relation(customers_relation(), false), ChangeBuilder::RelationState::kNotCaptured);
  auto t = b.table(Oid{testing::kCustomersOid}, Lsn(1));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, nullptr);
  EXPECT_EQ(b.relation(customers_relation(), false), ChangeBuilder::RelationState::kKnown);
}

TEST_F(ChangeBuilderRelation, ChangeBeforeItsRelationIsAnError) {
  ChangeBuilder b({});
  auto t = b.table(Oid{4242}, Lsn(0x16B3748));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::kFatal);
  EXPECT_NE(t.error().message.find("relation oid 4242 at LSN 0/16B3748"), std::string::npos)
      << t.error().message;
}

TEST_F(ChangeBuilderRelation, ResetForgetsRelations) {
  ChangeBuilder b({});
  (void)b.relation(customers_relation(), true);
  b.set_schema(Oid{testing::kCustomersOid}, table);
  b.reset();
  EXPECT_FALSE(b.table(Oid{testing::kCustomersOid}, Lsn(1)).ok());
  EXPECT_EQ(b.relation(customers_relation(), true), ChangeBuilder::RelationState::kNeedsSchema);
}

using ChangeBuilderInsert = Fixture;

TEST_F(ChangeBuilderInsert, IsOneCreateWithTheSourceBlock) {
  ChangeBuilder b({});
  decode::Insert m{Oid{testing::kCustomersOid}, {text("1"), text("Ann"), null()}};
  b.insert(*table, m, at(), out);
  ASSERT_EQ(out.size(), 1u);
  const auto& ev = out[0].event;
  EXPECT_EQ(out[0].kind, Kind::kEvent);
  EXPECT_EQ(ev.op, event::Op::kCreate);
  EXPECT_EQ(ev.table, table.get());
  EXPECT_FALSE(ev.before);
  ASSERT_TRUE(ev.after);
  EXPECT_EQ((*ev.after)[1].data, "Ann");
  EXPECT_EQ(ev.source.lsn, Lsn(0x2000));
  EXPECT_EQ(ev.source.tx_id, 767);
  EXPECT_EQ(ev.source.ts_us, 1714558272123456);
  EXPECT_EQ(ev.source.last_commit_lsn, Lsn(0x1000));
  EXPECT_EQ(ev.source.origin, "sub1");
  EXPECT_EQ(ev.source.origin_lsn, Lsn(0x900));
  EXPECT_EQ(ev.ts_us, 1714558272987654);
  EXPECT_TRUE(out[0].headers.empty());
  auto v = value_of(out[0]);
  EXPECT_EQ(v["op"], "c");
  EXPECT_EQ(v["after"]["name"], "Ann");
  EXPECT_TRUE(v["before"].is_null());
}

TEST_F(ChangeBuilderInsert, SkippedCreateIsNothing) {
  ChangeBuilder b({.skip_create = true});
  b.insert(*table, {Oid{testing::kCustomersOid}, {text("1"), text("Ann"), null()}}, at(), out);
  EXPECT_TRUE(out.empty());
}

using ChangeBuilderUpdate = Fixture;

TEST_F(ChangeBuilderUpdate, WithoutOldTupleIsAnUpdateWithoutBefore) {
  ChangeBuilder b({});
  decode::Update m{Oid{testing::kCustomersOid}, 0, {}, {text("1"), text("Bo"), null()}};
  ASSERT_TRUE(b.update(*table, m, at(), keys, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event.op, event::Op::kUpdate);
  EXPECT_FALSE(out[0].event.before);
  auto v = value_of(out[0]);
  EXPECT_EQ(v["op"], "u");
  EXPECT_TRUE(v["before"].is_null());
  EXPECT_EQ(v["after"]["name"], "Bo");
}

TEST_F(ChangeBuilderUpdate, ReplicaIdentityFullCarriesTheWholeOldRow) {
  table = customers('f');
  ChangeBuilder b({});
  decode::Update m{Oid{testing::kCustomersOid},
                   'O',
                   {text("1"), text("Ann"), text("old bio")},
                   {text("1"), text("Bo"), text("old bio")}};
  ASSERT_TRUE(b.update(*table, m, at(), keys, out).ok());
  ASSERT_EQ(out.size(), 1u);  // same key: an update, not delete + create
  auto v = value_of(out[0]);
  EXPECT_EQ(v["op"], "u");
  EXPECT_EQ(v["before"]["name"], "Ann");
  EXPECT_EQ(v["before"]["bio"], "old bio");
  EXPECT_EQ(v["after"]["name"], "Bo");
}

TEST_F(ChangeBuilderUpdate, UnchangedToastColumnIsThePlaceholder) {
  ChangeBuilder b({});
  decode::Update m{Oid{testing::kCustomersOid}, 0, {}, {text("1"), text("Bo"), unchanged_toast()}};
  ASSERT_TRUE(b.update(*table, m, at(), keys, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ((*out[0].event.after)[2].kind, decode::TupleValue::Kind::kUnchangedToast);
  auto v = value_of(out[0]);
  EXPECT_EQ(v["after"]["bio"], "__debezium_unavailable_value");
  EXPECT_EQ(v["after"]["name"], "Bo");
}

TEST_F(ChangeBuilderUpdate, PrimaryKeyChangeIsDeleteTombstoneCreate) {
  ChangeBuilder b({});
  decode::Update m{
      Oid{testing::kCustomersOid}, 'K', {text("1"), null(), null()}, {text("2"), text("Ann"), null()}};
  ASSERT_TRUE(b.update(*table, m, at(), keys, out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].kind, Kind::kEvent);
  EXPECT_EQ(out[0].event.op, event::Op::kDelete);
  EXPECT_EQ((*out[0].event.before)[0].data, "1");
  EXPECT_EQ(header(out[0], "__debezium.newkey"), R"({"id":2})");
  EXPECT_EQ(out[1].kind, Kind::kTombstone);
  EXPECT_EQ(out[1].event.table, table.get());
  EXPECT_TRUE(out[1].has_key);
  EXPECT_EQ(header(out[1], "__debezium.newkey"), R"({"id":2})");
  EXPECT_EQ(out[2].kind, Kind::kEvent);
  EXPECT_EQ(out[2].event.op, event::Op::kCreate);
  EXPECT_EQ((*out[2].event.after)[0].data, "2");
  EXPECT_EQ(header(out[2], "__debezium.oldkey"), R"({"id":1})");
  EXPECT_EQ(value_of(out[0])["op"], "d");
  EXPECT_EQ(value_of(out[2])["op"], "c");
}

TEST_F(ChangeBuilderUpdate, PrimaryKeyChangeHonoursSkipsAndTombstones) {
  decode::Update m{
      Oid{testing::kCustomersOid}, 'K', {text("1"), null(), null()}, {text("2"), text("Ann"), null()}};
  ChangeBuilder no_tombstones({.tombstones_on_delete = false});
  ASSERT_TRUE(no_tombstones.update(*table, m, at(), keys, out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].event.op, event::Op::kDelete);
  EXPECT_EQ(out[1].event.op, event::Op::kCreate);

  out.clear();
  ChangeBuilder skip_delete({.skip_delete = true});
  ASSERT_TRUE(skip_delete.update(*table, m, at(), keys, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event.op, event::Op::kCreate);
}

TEST_F(ChangeBuilderUpdate, KeyOnlyOldTupleWithoutTheKeyIsAnUpdate) {
  // A key-only old tuple whose key column is missing (REPLICA IDENTITY USING INDEX on other columns): the
  // old key is unknown, so an update rather than a delete of a made-up key.
  ChangeBuilder b({});
  decode::Update m{
      Oid{testing::kCustomersOid}, 'K', {null(), text("Ann"), null()}, {text("2"), text("Ann"), null()}};
  ASSERT_TRUE(b.update(*table, m, at(), keys, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event.op, event::Op::kUpdate);
}

TEST_F(ChangeBuilderUpdate, SkippedUpdateIsNothing) {
  ChangeBuilder b({.skip_update = true});
  decode::Update m{Oid{testing::kCustomersOid}, 0, {}, {text("1"), text("Bo"), null()}};
  ASSERT_TRUE(b.update(*table, m, at(), keys, out).ok());
  EXPECT_TRUE(out.empty());
}

using ChangeBuilderDelete = Fixture;

TEST_F(ChangeBuilderDelete, IsDeleteThenTombstone) {
  ChangeBuilder b({});
  decode::Delete m{Oid{testing::kCustomersOid}, 'K', {text("1"), null(), null()}};
  b.remove(*table, m, at(), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].event.op, event::Op::kDelete);
  EXPECT_FALSE(out[0].event.after);
  EXPECT_EQ((*out[0].event.before)[0].data, "1");
  EXPECT_EQ(out[1].kind, Kind::kTombstone);
  EXPECT_TRUE(out[1].has_key);
  auto v = value_of(out[0]);
  EXPECT_EQ(v["op"], "d");
  EXPECT_EQ(v["before"]["id"], 1);
  EXPECT_TRUE(v["after"].is_null());
}

TEST_F(ChangeBuilderDelete, WithoutTombstones) {
  ChangeBuilder b({.tombstones_on_delete = false});
  b.remove(*table, {Oid{testing::kCustomersOid}, 'K', {text("1"), null(), null()}}, at(), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event.op, event::Op::kDelete);
}

TEST_F(ChangeBuilderDelete, TableWithoutKeyGetsANullKeyTombstone) {
  event::TableInfo info{
      Oid{16400}, "public", "log", 'f', {{"msg", Oid{event::pgtype::kText}, -1, true, false}}};
  auto keyless = event::TableSchema::build(info, "srv", {});
  ASSERT_TRUE(keyless.ok());
  ChangeBuilder b({});
  b.remove(**keyless, {Oid{16400}, 'O', {text("x")}}, at(), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].kind, Kind::kTombstone);
  EXPECT_FALSE(out[1].has_key);
}

TEST_F(ChangeBuilderDelete, SkippedDeleteIsNothing) {
  ChangeBuilder b({.skip_delete = true});
  b.remove(*table, {Oid{testing::kCustomersOid}, 'K', {text("1"), null(), null()}}, at(), out);
  EXPECT_TRUE(out.empty());
}

using ChangeBuilderTruncate = Fixture;

TEST_F(ChangeBuilderTruncate, IsATruncateEventWhenNotSkipped) {
  ChangeBuilder b({.skip_truncate = false});
  b.truncate(*table, at(), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event.op, event::Op::kTruncate);
  EXPECT_FALSE(out[0].event.before);
  EXPECT_FALSE(out[0].event.after);
  EXPECT_EQ(value_of(out[0])["op"], "t");
}

TEST_F(ChangeBuilderTruncate, SkippedByDefault) {
  ChangeBuilder b(ChangeOptions{});
  EXPECT_TRUE(b.skips_truncate());
  b.truncate(*table, at(), out);
  EXPECT_TRUE(out.empty());
}

TEST(ChangeBuilderMessage, TransactionalBelongsToItsTransaction) {
  decode::Message m{1, Lsn(0x3000), "audit", "hello"};
  auto s = ChangeBuilder::message_source(m, at());
  EXPECT_EQ(s.lsn, Lsn(0x3000));
  EXPECT_EQ(s.tx_id, 767);
  EXPECT_EQ(s.last_commit_lsn, Lsn(0x1000));
  EXPECT_EQ(s.ts_us, 1714558272123456);
  EXPECT_EQ(s.origin, "sub1");
}

TEST(ChangeBuilderMessage, NonTransactionalIsItsOwnLastCommit) {
  decode::Message m{0, Lsn(0x3000), "audit", "hello"};
  auto s = ChangeBuilder::message_source(m, at());
  EXPECT_EQ(s.lsn, Lsn(0x3000));
  EXPECT_FALSE(s.tx_id);
  EXPECT_EQ(s.last_commit_lsn, Lsn(0x3000));
}

}  // namespace
}  // namespace sluice::connector
