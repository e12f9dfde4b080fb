// The durability invariant: the flush LSN never passes a transaction with an unacknowledged event.
#include "offsets/ack_tracker.h"

#include <gtest/gtest.h>

namespace sluice::offsets {
namespace {

TEST(AckTracker, FlushWaitsForEveryEventOfTheTransaction) {
  AckTracker t;
  t.reset(Lsn(100));
  auto tx = t.begin(Lsn(200));
  t.sent(tx);
  t.sent(tx);
  t.commit(tx, Lsn(210));
  EXPECT_EQ(t.flush_lsn(), Lsn(100));
  t.acked(tx);
  EXPECT_EQ(t.flush_lsn(), Lsn(100));
  t.acked(tx);
  EXPECT_EQ(t.flush_lsn(), Lsn(210));
  EXPECT_EQ(t.transactions_in_flight(), 0u);
}

TEST(AckTracker, FlushWaitsForCommitEvenWhenAllAcked) {
  AckTracker t;
  auto tx = t.begin(Lsn(200));
  t.sent(tx);
  t.acked(tx);
  EXPECT_EQ(t.flush_lsn(), Lsn(0));
  t.commit(tx, Lsn(250));
  EXPECT_EQ(t.flush_lsn(), Lsn(250));
}

TEST(AckTracker, LaterTransactionAckedFirstDoesNotAdvancePastEarlierOne) {
  AckTracker t;
  auto a = t.begin(Lsn(200));
  t.sent(a);
  t.commit(a, Lsn(210));
  auto b = t.begin(Lsn(300));
  t.sent(b);
  t.commit(b, Lsn(310));
  t.acked(b);
  EXPECT_EQ(t.flush_lsn(), Lsn(0));
  t.acked(a);
  EXPECT_EQ(t.flush_lsn(), Lsn(310));
}

TEST(AckTracker, TransactionWithoutCapturedEventsAdvancesAtCommit) {
  AckTracker t;
  auto a = t.begin(Lsn(200));
  t.commit(a, Lsn(210));
  EXPECT_EQ(t.flush_lsn(), Lsn(210));
}

TEST(AckTracker, IdleKeepaliveAdvancesOnlyWhenNothingInFlight) {
  AckTracker t;
  t.reset(Lsn(50));
  auto a = t.begin(Lsn(200));
  t.sent(a);
  t.idle(Lsn(1000));
  EXPECT_EQ(t.flush_lsn(), Lsn(50));
  t.commit(a, Lsn(210));
  t.acked(a);
  EXPECT_EQ(t.flush_lsn(), Lsn(210));
  t.idle(Lsn(1000));
  EXPECT_EQ(t.flush_lsn(), Lsn(1000));
  t.idle(Lsn(900));
  EXPECT_EQ(t.flush_lsn(), Lsn(1000));
}

TEST(AckTracker, CountsEventsInFlight) {
  AckTracker t;
  auto a = t.begin(Lsn(1));
  for (int i = 0; i < 5; ++i) t.sent(a);
  EXPECT_EQ(t.events_in_flight(), 5u);
  t.acked(a);
  EXPECT_EQ(t.events_in_flight(), 4u);
}

}  // namespace
}  // namespace sluice::offsets
