// Chunk planning, the markers of interleaved parallel reads, and progress lines.
#include "snapshot/parallel_snapshot.h"

#include <gtest/gtest.h>

#include "snapshot/progress.h"

using namespace sluice;
using namespace sluice::snapshot;

TEST(PlanChunks, OneThreadReadsWholeTables) {
  auto chunks = plan_chunks({{100000, 0, true}, {10, 0, true}}, 1);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_TRUE(chunks[0].whole());
  EXPECT_TRUE(chunks[1].whole());
}

TEST(PlanChunks, LargeTablesSplitIntoContiguousOpenEndedRanges) {
  // total 80000 pages, 2 threads: target 10000 pages.
  auto chunks = plan_chunks({{10, 0, true}, {79990, 0, true}}, 2);
  ASSERT_EQ(chunks.size(), 9u);
  EXPECT_TRUE(chunks[0].whole());
  EXPECT_EQ(chunks[1].table, 1u);
  EXPECT_EQ(chunks[1].first_page, 0);
  EXPECT_EQ(chunks[1].end_page, 10000);
  for (size_t i = 2; i < chunks.size(); ++i) EXPECT_EQ(chunks[i].first_page, chunks[i - 1].end_page);
  EXPECT_EQ(chunks.back().end_page, 0) << "the last range is open above";
}

TEST(PlanChunks, KeyBoundsSplitATableIntoKeyRangesWhateverTheThreads) {
  TableSize keyed{50000, 0, true, {{"10"}, {"20"}}};
  for (int threads : {1, 2}) {
    auto chunks = plan_chunks({{10, 0, true}, keyed}, threads);
    ASSERT_EQ(chunks.size(), 4u) << threads;
    EXPECT_TRUE(chunks[0].whole());
    // (-inf, 10], (10, 20], (20, +inf): every key in exactly one range, in key order.
    EXPECT_FALSE(chunks[1].after.has_value());
    EXPECT_EQ(chunks[1].upto, std::vector<std::string>{"10"});
    EXPECT_EQ(chunks[2].after, std::vector<std::string>{"10"});
    EXPECT_EQ(chunks[2].upto, std::vector<std::string>{"20"});
    EXPECT_EQ(chunks[3].after, std::vector<std::string>{"20"});
    EXPECT_FALSE(chunks[3].upto.has_value());
    for (size_t i = 1; i < 4; ++i) {
      EXPECT_EQ(chunks[i].table, 1u);
      EXPECT_FALSE(chunks[i].whole());
    }
  }
}

TEST(PlanChunks, ChunkPagesStayBetween8And128MB) {
  EXPECT_EQ(chunk_pages({{100, 0, true}}, 1), 1024);
  EXPECT_EQ(chunk_pages({{80000, 0, true}}, 2), 10000);
  EXPECT_EQ(chunk_pages({{10000000, 0, true}}, 1), 16384);
}

TEST(PlanChunks, UnsplittableAndSmallTablesStayWhole) {
  auto chunks = plan_chunks({{500000, 0, false}, {900, 0, true}}, 4);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_TRUE(chunks[0].whole());
  EXPECT_TRUE(chunks[1].whole());
}

namespace {
struct Recorder {
  std::vector<std::pair<size_t, std::string>> out;
  MarkerSequencer::Emit emit() {
    return [this](const MarkerSequencer::Row& r, std::string_view m) {
      out.emplace_back(r.table, std::string(m));
      return ok_status();
    };
  }
  std::vector<std::string> markers(size_t table) const {
    std::vector<std::string> v;
    for (auto& [t, m] : out) {
      if (t == table) v.push_back(m);
    }
    return v;
  }
};
}  // namespace

TEST(MarkerSequencer, SequentialTablesMatchTheSequentialSnapshot) {
  Recorder rec;
  MarkerSequencer seq(3, rec.emit());
  ASSERT_TRUE(seq.rows(0, nullptr, 2).ok());
  ASSERT_TRUE(seq.rows(0, nullptr, 1).ok());
  ASSERT_TRUE(seq.table_done(0).ok());
  ASSERT_TRUE(seq.table_done(1).ok());  // empty
  ASSERT_TRUE(seq.rows(2, nullptr, 2).ok());
  ASSERT_TRUE(seq.table_done(2).ok());
  ASSERT_TRUE(seq.finish().ok());
  std::vector<std::string> all;
  for (auto& [t, m] : rec.out) all.push_back(m);
  EXPECT_EQ(all, (std::vector<std::string>{"first", "true", "last_in_data_collection",
                                           "first_in_data_collection", "last"}));
}

TEST(MarkerSequencer, InterleavedTablesEachGetFirstAndLastInCollection) {
  Recorder rec;
  MarkerSequencer seq(2, rec.emit());
  ASSERT_TRUE(seq.rows(0, nullptr, 3).ok());
  ASSERT_TRUE(seq.rows(1, nullptr, 3).ok());
  ASSERT_TRUE(seq.rows(0, nullptr, 2).ok());
  ASSERT_TRUE(seq.rows(1, nullptr, 1).ok());
  ASSERT_TRUE(seq.table_done(1).ok());
  ASSERT_TRUE(seq.rows(0, nullptr, 1).ok());
  ASSERT_TRUE(seq.table_done(0).ok());
  ASSERT_TRUE(seq.finish().ok());
  EXPECT_EQ(rec.markers(0), (std::vector<std::string>{"first", "true", "true", "true", "true", "last"}));
  EXPECT_EQ(rec.markers(1), (std::vector<std::string>{"first_in_data_collection", "true", "true",
                                                      "last_in_data_collection"}));
  EXPECT_EQ(rec.out.size(), 10u);
  EXPECT_EQ(rec.out.back().second, "last");
}

TEST(MarkerSequencer, LastTablesEmptyStillMarksTheFinalRowLast) {
  Recorder rec;
  MarkerSequencer seq(2, rec.emit());
  ASSERT_TRUE(seq.rows(0, nullptr, 1).ok());
  ASSERT_TRUE(seq.table_done(0).ok());
  ASSERT_TRUE(seq.table_done(1).ok());
  ASSERT_TRUE(seq.finish().ok());
  ASSERT_EQ(rec.out.size(), 1u);
  EXPECT_EQ(rec.out[0].second, "last");
}

TEST(MarkerSequencer, AnEmptyFirstTableMeansNoFirstMarker) {
  // As Debezium's sequential snapshot: `first` belongs to the first table's first row only.
  Recorder rec;
  MarkerSequencer seq(2, rec.emit());
  ASSERT_TRUE(seq.table_done(0).ok());
  ASSERT_TRUE(seq.rows(1, nullptr, 2).ok());
  ASSERT_TRUE(seq.table_done(1).ok());
  ASSERT_TRUE(seq.finish().ok());
  std::vector<std::string> all;
  for (auto& [t, m] : rec.out) all.push_back(m);
  EXPECT_EQ(all, (std::vector<std::string>{"first_in_data_collection", "last"}));
}

TEST(Progress, DescribesRowsRateEtaAndTablesInProgress) {
  using namespace std::chrono_literals;
  auto t0 = Progress::Clock::time_point{};
  Progress p({{"public.a", 1000}, {"public.b", 0}}, 5s, t0);
  p.add(0, 250);
  auto line = p.describe(t0 + 5s);
  EXPECT_EQ(line,
            "snapshot progress: 250/1000 rows (25%), 0 of 2 tables done, 50 rows/s, ETA 15s; public.a "
            "250/1000 (25%)");
  p.add(0, 750);
  p.done(0);
  p.add(1, 10);
  EXPECT_EQ(p.describe(t0 + 10s),
            "snapshot progress: 1010/1010 rows (100%), 1 of 2 tables done, 152 rows/s, ETA 0s; public.b "
            "10/10 (100%)");
}

TEST(MarkerSequencer, SlicesOfOneBatchKeepRowIndicesAndEncodedRows) {
  // A worker that encodes hands one FETCH result over in slices: rows [first, first + n).
  std::vector<std::pair<int, const EncodedRows*>> seen;
  MarkerSequencer seq(1, [&](const MarkerSequencer::Row& r, std::string_view) {
    seen.emplace_back(r.index, r.encoded.get());
    return ok_status();
  });
  auto a = std::make_shared<EncodedRows>();
  a->first = 0;
  auto b = std::make_shared<EncodedRows>();
  b->first = 2;
  ASSERT_TRUE(seq.rows(0, nullptr, 2, 0, a).ok());
  ASSERT_TRUE(seq.rows(0, nullptr, 2, 2, b).ok());
  ASSERT_TRUE(seq.table_done(0).ok());
  ASSERT_TRUE(seq.finish().ok());
  EXPECT_EQ(seen, (std::vector<std::pair<int, const EncodedRows*>>{
                      {0, a.get()}, {1, a.get()}, {2, b.get()}, {3, b.get()}}));
}

TEST(MarkerSequencer, RowsKeepTheChunkTheyWereReadIn) {
  std::vector<size_t> chunks;
  MarkerSequencer seq(1, [&](const MarkerSequencer::Row& r, std::string_view) {
    chunks.push_back(r.chunk);
    return ok_status();
  });
  ASSERT_TRUE(seq.rows(0, nullptr, 2, 0, nullptr, 5).ok());
  ASSERT_TRUE(seq.rows(0, nullptr, 1, 0, nullptr, 6).ok());
  ASSERT_TRUE(seq.table_done(0).ok());
  ASSERT_TRUE(seq.finish().ok());
  EXPECT_EQ(chunks, (std::vector<size_t>{5, 5, 6})) << "the held last row keeps its own chunk";
}

TEST(EncodedRows, KeyAndValueAreRangesOfOneBuffer) {
  EncodedRows e;
  e.first = 10;
  e.bytes = "{\"id\":1}{\"after\":1}{\"after\":2}";
  e.messages = {{0, 8, 19, true, true}, {19, 19, 30, false, true}};
  EXPECT_EQ(e.key(e.at(10)), "{\"id\":1}");
  EXPECT_EQ(e.value(e.at(10)), "{\"after\":1}");
  EXPECT_EQ(e.key(e.at(11)), "");
  EXPECT_EQ(e.value(e.at(11)), "{\"after\":2}");
}
