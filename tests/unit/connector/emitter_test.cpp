// Emitter: every record is counted in its acknowledgement unit, and Kafka's delivery reports move the
// flush LSN only over fully acknowledged transactions.
#include "connector/emitter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <memory>

#include "support.h"

namespace sluice::connector {
namespace {

using testing::RecordingSink;
using testing::text;

config::Config payload_config(config::FailureMode mode = config::FailureMode::kFail) {
  config::Config c;
  c.topic_prefix = "srv";
  c.key_schemas_enable = false;
  c.value_schemas_enable = false;
  c.failure_mode = mode;
  return c;
}

struct EmitterTest : ::testing::Test {
  explicit EmitterTest(config::FailureMode mode = config::FailureMode::kFail)
      : p(payload_config(mode), stop) {
    auto s = std::make_unique<RecordingSink>();
    sink = s.get();
    p.sink = std::move(s);
    sink->set_handler(&emitter);
  }

  event::ChangeEvent insert(std::string_view id) {
    rows.push_back({text(id), text("Ann"), testing::null()});
    event::ChangeEvent ev;
    ev.op = event::Op::kCreate;
    ev.table = table.get();
    ev.after = event::Row(rows.back());
    ev.source.lsn = Lsn(0x100);
    return ev;
  }

  std::atomic<bool> stop{false};
  Pipeline p;
  Emitter emitter{p};
  RecordingSink* sink = nullptr;
  std::shared_ptr<const event::TableSchema> table = testing::customers();
  std::deque<decode::Tuple> rows;
};

TEST_F(EmitterTest, TransactionIsFlushedOnceEveryEventIsAcknowledged) {
  const auto tx = p.acks.begin(Lsn(0x100));
  ASSERT_TRUE(emitter.change(insert("1"), tx).ok());
  ASSERT_TRUE(emitter.change(insert("2"), tx).ok());
  p.acks.commit(tx, Lsn(0x110));
  ASSERT_EQ(sink->produced.size(), 2u);
  EXPECT_EQ(sink->produced[0].topic, "srv.public.customers");
  EXPECT_EQ(sink->produced[0].opaque, tx);
  EXPECT_EQ(sink->produced[0].key, R"({"id":1})");
  EXPECT_EQ(emitter.events_sent(), 2u);
  EXPECT_FALSE(p.acks.all_acked(tx));

  sink->deliver(0);
  EXPECT_NE(p.acks.flush_lsn(), Lsn(0x110));  // one event of the transaction is still in flight
  sink->deliver(1);
  EXPECT_EQ(p.acks.flush_lsn(), Lsn(0x110));
}

TEST_F(EmitterTest, LaterTransactionWaitsForEarlierOne) {
  const auto tx1 = p.acks.begin(Lsn(0x100));
  ASSERT_TRUE(emitter.change(insert("1"), tx1).ok());
  p.acks.commit(tx1, Lsn(0x110));
  const auto tx2 = p.acks.begin(Lsn(0x200));
  ASSERT_TRUE(emitter.change(insert("2"), tx2).ok());
  p.acks.commit(tx2, Lsn(0x210));

  sink->deliver(1);
  EXPECT_EQ(p.acks.flush_lsn(), Lsn{});
  sink->deliver(0);
  EXPECT_EQ(p.acks.flush_lsn(), Lsn(0x210));
}

TEST_F(EmitterTest, PermanentDeliveryFailureStopsConfirming) {
  const auto tx = p.acks.begin(Lsn(0x100));
  ASSERT_TRUE(emitter.change(insert("1"), tx).ok());
  p.acks.commit(tx, Lsn(0x110));
  sink->deliver(0, "Broker: Message size too large");
  EXPECT_TRUE(p.delivery_failed);
  EXPECT_NE(p.delivery_error.find("srv.public.customers"), std::string::npos) << p.delivery_error;
  EXPECT_NE(p.delivery_error.find("Message size too large"), std::string::npos) << p.delivery_error;
  EXPECT_EQ(p.acks.flush_lsn(), Lsn{});
  EXPECT_TRUE(p.stopping());
}

struct EmitterWarnTest : EmitterTest {
  EmitterWarnTest() : EmitterTest(config::FailureMode::kWarn) {}
};

TEST_F(EmitterWarnTest, RejectedEventIsSkippedAndAcknowledged) {
  const auto tx = p.acks.begin(Lsn(0x100));
  ASSERT_TRUE(emitter.change(insert("1"), tx).ok());
  p.acks.commit(tx, Lsn(0x110));
  sink->deliver(0, "Broker: Message size too large");
  EXPECT_FALSE(p.delivery_failed);
  EXPECT_EQ(p.acks.flush_lsn(), Lsn(0x110));
}

TEST_F(EmitterTest, HeartbeatIsInNoAcknowledgementUnit) {
  const auto tx = p.acks.begin(Lsn(0x100));
  ASSERT_TRUE(emitter.change(insert("1"), tx).ok());
  p.acks.commit(tx, Lsn(0x110));
  ASSERT_TRUE(emitter.heartbeat().ok());
  ASSERT_EQ(sink->produced.size(), 2u);
  EXPECT_EQ(sink->produced[1].opaque, 0u);
  EXPECT_EQ(sink->produced[1].topic, "__debezium-heartbeat.srv");
  EXPECT_EQ(emitter.events_sent(), 1u);  // the heartbeat is not an event of the stream
  sink->deliver(1);
  EXPECT_EQ(p.acks.flush_lsn(), Lsn{});  // the change is still unacknowledged
  sink->deliver(0);
  EXPECT_EQ(p.acks.flush_lsn(), Lsn(0x110));
}

TEST_F(EmitterTest, TombstoneCarriesTheDeleteKey) {
  const auto tx = p.acks.begin(Lsn(0x100));
  rows.push_back({text("7"), testing::null(), testing::null()});
  event::ChangeEvent del;
  del.op = event::Op::kDelete;
  del.table = table.get();
  del.before = event::Row(rows.back());
  ASSERT_TRUE(emitter.change(del, tx).ok());
  ASSERT_TRUE(emitter.tombstone(*table, tx).ok());
  ASSERT_EQ(sink->produced.size(), 2u);
  EXPECT_EQ(sink->produced[1].key, R"({"id":7})");
  EXPECT_EQ(sink->produced[1].key, sink->produced[0].key);
  EXPECT_FALSE(sink->produced[1].value);
  EXPECT_EQ(sink->produced[1].opaque, tx);
}

// Skips the first `skip` messages of every unit, as the streamer does for a transaction sent again.
struct SkipFirst final : Emitter::Accounting {
  explicit SkipFirst(uint64_t n) : skip(n) {}
  bool skip_replayed(Emitter::TxId) override {
    if (seen >= skip) return false;
    ++seen;
    return true;
  }
  void sent(Emitter::TxId, bool measured) override {
    ++sent_count;
    measured_ = measured;
  }
  uint64_t skip, seen = 0, sent_count = 0;
  bool measured_ = false;
};

TEST_F(EmitterTest, ReplayedMessagesAreNotSentAgain) {
  SkipFirst accounting(1);
  emitter.set_accounting(&accounting);
  const auto tx = p.acks.begin(Lsn(0x100));
  ASSERT_TRUE(emitter.change(insert("1"), tx).ok());
  ASSERT_TRUE(emitter.change(insert("2"), tx).ok());
  p.acks.commit(tx, Lsn(0x110));
  ASSERT_EQ(sink->produced.size(), 1u);
  EXPECT_EQ(sink->produced[0].key, R"({"id":2})");
  EXPECT_EQ(accounting.sent_count, 1u);
  EXPECT_TRUE(accounting.measured_);
  sink->deliver(0);
  EXPECT_EQ(p.acks.flush_lsn(), Lsn(0x110));  // the skipped one was never counted as in flight
}

TEST_F(EmitterTest, RefusedProduceIsNotCounted) {
  const auto tx = p.acks.begin(Lsn(0x100));
  sink->refuse = true;
  auto s = emitter.change(insert("1"), tx);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(emitter.events_sent(), 0u);
  p.acks.commit(tx, Lsn(0x110));
  EXPECT_EQ(p.acks.flush_lsn(), Lsn(0x110));  // nothing of it is in flight
}

}  // namespace
}  // namespace sluice::connector
