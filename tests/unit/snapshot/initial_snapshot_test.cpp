// source.snapshot markers of initial and blocking snapshots (Debezium's setSnapshotMarker order).
#include "snapshot/initial_snapshot.h"

#include <gtest/gtest.h>

namespace sluice::snapshot {
namespace {

TEST(SnapshotMarker, FirstLastOfSnapshotAndTable) {
  EXPECT_EQ(snapshot_marker({true, false}, true, false), "first");
  EXPECT_EQ(snapshot_marker({false, false}, true, false), "true");
  EXPECT_EQ(snapshot_marker({false, true}, true, false), "last_in_data_collection");
  EXPECT_EQ(snapshot_marker({true, false}, false, true), "first_in_data_collection");
  EXPECT_EQ(snapshot_marker({false, true}, false, true), "last");
  EXPECT_EQ(snapshot_marker({false, false}, false, false), "true");
  // One table of one row: last wins; a one-row first table (not last) is "first".
  EXPECT_EQ(snapshot_marker({true, true}, true, true), "last");
  EXPECT_EQ(snapshot_marker({true, true}, true, false), "first");
}

}  // namespace
}  // namespace sluice::snapshot
