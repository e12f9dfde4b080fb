// Which requests the worker answers 409 because the group is between assignments (Connect's
// RebalanceNeededException), and the assignment partition of a connector.
#include "worker/group.h"

#include <gtest/gtest.h>

namespace sluice::worker {
namespace {

TEST(RebalanceConflict, NoneInAStableGroupThatAssignsThePartition) {
  GroupView g{"Stable", {{3, "127.0.0.1:8083"}, {4, "127.0.0.1:8084"}}};
  EXPECT_EQ(rebalance_conflict(g, 3), std::nullopt);
  EXPECT_EQ(rebalance_conflict(g, 4), std::nullopt);
}

TEST(RebalanceConflict, WhileTheGroupRebalances) {
  for (const char* state : {"PreparingRebalance", "CompletingRebalance", "Empty", "Dead", ""}) {
    GroupView g{state, {{3, "127.0.0.1:8083"}}};
    auto c = rebalance_conflict(g, 3);
    ASSERT_TRUE(c.has_value()) << state;
    EXPECT_NE(c->find("Request cannot be completed because a rebalance is expected"), std::string::npos);
  }
}

TEST(RebalanceConflict, WhenNoWorkerHoldsThePartition) {
  GroupView g{"Stable", {{4, "127.0.0.1:8084"}}};
  auto c = rebalance_conflict(g, 3);
  ASSERT_TRUE(c.has_value());
  EXPECT_NE(c->find("no worker runs the connector"), std::string::npos);
}

TEST(AssignmentPartition, IsStableAndInRange) {
  EXPECT_EQ(assignment_partition("customers-connector", 32), assignment_partition("customers-connector", 32));
  for (const char* name : {"a", "customers-connector", "orders", ""}) {
    int32_t p = assignment_partition(name, 32);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 32);
  }
}

}  // namespace
}  // namespace sluice::worker
