// Incremental snapshot progress as offset members (restore/offset_members), queueing and stopping, keys,
// and the initial snapshot checkpoint.
#include "snapshot/incremental_snapshot.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "snapshot/checkpoint.h"

namespace sluice::snapshot {
namespace {

TEST(IncrementalSnapshot, ProgressRoundTripsThroughOffsetMembers) {
  const std::string stored =
      R"({"incremental_snapshot_collections":"[{\"incremental_snapshot_collections_id\":\"public.a\",)"
      R"(\"incremental_snapshot_collections_additional_condition\":\"v > 1\",)"
      R"(\"incremental_snapshot_collections_surrogate_key\":null},)"
      R"({\"incremental_snapshot_collections_id\":\"public.b\"}]",)"
      R"("incremental_snapshot_primary_key":"[\"42\"]","incremental_snapshot_maximum_key":"[\"900\"]",)"
      R"("sluice_incremental_table_rows":40,"other":1})";
  auto s = IncrementalSnapshot::restore(stored, 10);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->running());
  EXPECT_FALSE(s->paused());
  EXPECT_EQ(s->table_rows_emitted(), 40u);
  // Inner JSON strings compared as documents (member order is not significant).
  auto normal = [](nlohmann::json j) {
    auto cols = nlohmann::json::parse(j["incremental_snapshot_collections"].get<std::string>());
    for (auto& c : cols) {
      for (const char* m : {"incremental_snapshot_collections_additional_condition",
                            "incremental_snapshot_collections_surrogate_key"}) {
        if (!c.contains(m)) c[m] = nullptr;
      }
    }
    j["incremental_snapshot_collections"] = cols;
    return j;
  };
  EXPECT_EQ(normal(nlohmann::json::parse(s->offset_members(R"({"other":1})"))),
            normal(nlohmann::json::parse(stored)));
}

TEST(IncrementalSnapshot, NoProgressWhenNothingRuns) {
  auto s = IncrementalSnapshot::restore(R"({"lsn":1})", 10);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->running());
  EXPECT_EQ(s->offset_members(), "");
  EXPECT_EQ(s->offset_members(R"({"x":1,"incremental_snapshot_primary_key":"[\"1\"]"})"), R"({"x":1})");
  EXPECT_FALSE(IncrementalSnapshot::restore(R"({"incremental_snapshot_collections":5})", 10).ok());
  EXPECT_FALSE(
      IncrementalSnapshot::restore(
          R"({"incremental_snapshot_collections":"[{\"incremental_snapshot_collections_id\":\"a.b\"}]",)"
          R"("incremental_snapshot_primary_key":"nonsense"})",
          10)
          .ok());
}

TEST(IncrementalSnapshot, AddSkipsQueuedTablesAndStopRemoves) {
  IncrementalSnapshot s(100);
  EXPECT_EQ(s.add({{"public.a", "", ""}, {"public.b", "", ""}}),
            (std::vector<std::string>{"public.a", "public.b"}));
  EXPECT_EQ(s.add({{"public.a", "", ""}, {"public.c", "", ""}}), std::vector<std::string>{"public.c"});
  s.pause();
  EXPECT_TRUE(s.paused());
  EXPECT_EQ(s.stop({"public.b"}), std::vector<std::string>{"public.b"});
  EXPECT_TRUE(s.running());
  auto cols = nlohmann::json::parse(
      nlohmann::json::parse(s.offset_members())["incremental_snapshot_collections"].get<std::string>());
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[1]["incremental_snapshot_collections_id"], "public.c");
  EXPECT_EQ(s.stop({}).size(), 2u);
  EXPECT_FALSE(s.running());
  EXPECT_FALSE(s.paused());
}

TEST(IncrementalSnapshot, KeysAreUnambiguous) {
  using K = decode::TupleValue::Kind;
  std::vector<decode::TupleValue> a{{K::kText, "1;2"}, {K::kText, "x"}, {K::kText, "3"}};
  std::vector<decode::TupleValue> b{{K::kText, "1"}, {K::kText, "x"}, {K::kText, "2;3"}};
  EXPECT_NE(IncrementalSnapshot::key_of(a, {0, 2}), IncrementalSnapshot::key_of(b, {0, 2}));
  EXPECT_EQ(IncrementalSnapshot::key_of(a, {1}), IncrementalSnapshot::key_of(b, {1}));
  // An old tuple of a delete (key columns only, the rest null) gives the same key as the full row.
  std::vector<decode::TupleValue> old{{K::kText, "1;2"}, {K::kNull, {}}, {K::kText, "3"}};
  EXPECT_EQ(IncrementalSnapshot::key_of(a, {0, 2}), IncrementalSnapshot::key_of(old, {0, 2}));
}

TEST(Checkpoint, RecordsDoneTablesAndRows) {
  Checkpoint c({"public.a", "public.b"});
  c.set_rows(0, 10);
  EXPECT_TRUE(c.mark_done(0));
  EXPECT_FALSE(c.mark_done(0));
  EXPECT_EQ(c.done_count(), 1u);
  auto p = Checkpoint::parse(c.offset_members());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->tables, (std::vector<std::string>{"public.a", "public.b"}));
  EXPECT_EQ(p->done, std::vector<std::string>{"public.a"});
  ASSERT_EQ(p->rows.size(), 2u);
  EXPECT_FALSE(Checkpoint::parse("").has_value());
  EXPECT_FALSE(Checkpoint::parse(R"({"lsn":5})").has_value());
}

TEST(Checkpoint, KeepsTheResumeConditionOfTablesNotDone) {
  Checkpoint c({"public.a", "public.b"});
  EXPECT_TRUE(c.set_resume(0, "ROW(\"id\") > ROW('100')"));
  EXPECT_FALSE(c.set_resume(0, "ROW(\"id\") > ROW('100')")) << "unchanged";
  EXPECT_TRUE(c.set_resume(0, "ROW(\"id\") > ROW('200')"));
  EXPECT_TRUE(c.set_resume(1, "ROW(\"k\") > ROW('x')"));
  EXPECT_TRUE(c.mark_done(1));
  auto p = Checkpoint::parse(c.offset_members());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->resume_condition("public.a"), "ROW(\"id\") > ROW('200')");
  EXPECT_EQ(p->resume_condition("public.b"), "") << "a done table is not read again";
  EXPECT_EQ(p->resume_condition("public.c"), "");
}

}  // namespace
}  // namespace sluice::snapshot
