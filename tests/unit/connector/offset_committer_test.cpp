// OffsetCommitter: what is stored, when, and what may then be confirmed to Postgres.
#include "connector/offset_committer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support.h"

namespace sluice::connector {
namespace {

using testing::RecordingSink;

class OffsetFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("sluice_offsets_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json");
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  config::Config file_config() const {
    config::Config c;
    c.name = "inventory";
    c.topic_prefix = "srv";
    c.offset_storage = config::OffsetStorage::kFile;
    c.offset_file = path_.string();
    return c;
  }
  // What a later start reads.
  std::optional<offsets::StoredOffset> reload() const {
    OffsetCommitter fresh(file_config(), nullptr);
    auto stored = fresh.load();
    EXPECT_TRUE(stored.ok());
    return stored.ok() ? *stored : std::nullopt;
  }

  std::filesystem::path path_;
};

TEST_F(OffsetFile, StoredLsnIsDurableAndConfirmable) {
  OffsetCommitter oc(file_config(), nullptr);
  ASSERT_TRUE(oc.load().ok());
  ASSERT_TRUE(oc.store(Lsn(0x500)).ok());
  EXPECT_EQ(oc.confirmable(Lsn(0x900)), Lsn(0x500));  // what is stored, not what Kafka acknowledged
  auto stored = reload();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->lsn, Lsn(0x500));
  EXPECT_TRUE(oc.stored_any());
}

TEST_F(OffsetFile, ProgressIsStoredOnlyOnceItsPositionIsAcknowledged) {
  OffsetCommitter oc(file_config(), nullptr);
  ASSERT_TRUE(oc.load().ok());
  oc.progress(Lsn(0x600), R"({"incremental_snapshot_primary_key":"7"})");
  ASSERT_TRUE(oc.store(Lsn(0x550)).ok());
  auto before = reload();
  ASSERT_TRUE(before);
  EXPECT_EQ(before->lsn, Lsn(0x550));
  EXPECT_EQ(before->extra, "");  // the rows before 0x600 are not all in Kafka yet
  ASSERT_TRUE(oc.store(Lsn(0x600)).ok());
  auto after = reload();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->extra, R"({"incremental_snapshot_primary_key":"7"})");
}

TEST_F(OffsetFile, InterruptedTransactionIsRecorded) {
  OffsetCommitter oc(file_config(), nullptr);
  ASSERT_TRUE(oc.load().ok());
  ASSERT_TRUE(oc.store(Lsn(0x500)).ok());
  offsets::StoredOffset::InTransaction part{Lsn(0x700), Lsn(0x680), 812, 3};
  ASSERT_TRUE(oc.store_in_transaction(Lsn(0x500), part).ok());  // written although 0x500 was
  auto stored = reload();
  ASSERT_TRUE(stored);
  ASSERT_TRUE(stored->in_tx);
  EXPECT_EQ(stored->in_tx->commit_lsn, Lsn(0x700));
  EXPECT_EQ(stored->in_tx->xid, 812);
  EXPECT_EQ(stored->in_tx->events, 3u);
}

TEST_F(OffsetFile, ResetFollowsTheSlot) {
  OffsetCommitter oc(file_config(), nullptr);
  ASSERT_TRUE(oc.store(Lsn(0x500)).ok());
  ASSERT_TRUE(oc.reset().ok());
  auto stored = reload();
  ASSERT_TRUE(stored);
  EXPECT_TRUE(OffsetCommitter::follows_slot(*stored));
  EXPECT_FALSE(stored->lsn.valid());
}

config::Config kafka_config() {
  config::Config c;
  c.name = "inventory";
  c.topic_prefix = "srv";
  c.offset_storage = config::OffsetStorage::kKafka;
  return c;
}

TEST(OffsetCommitterKafka, ConfirmableOnlyOnceTheRecordIsAcknowledged) {
  RecordingSink sink;
  OffsetCommitter oc(kafka_config(), &sink);
  ASSERT_TRUE(oc.store(Lsn(0x500)).ok());
  ASSERT_EQ(sink.produced.size(), 1u);
  EXPECT_EQ(sink.produced[0].topic, "sluice-offsets");
  EXPECT_TRUE(OffsetCommitter::is_offset_opaque(sink.produced[0].opaque));
  EXPECT_NE(sink.produced[0].value->find("\"lsn\":1280"), std::string::npos) << *sink.produced[0].value;
  EXPECT_EQ(oc.confirmable(Lsn(0x500)), Lsn{});  // written, not yet durable
  oc.on_delivery(sink.produced[0].opaque, nullptr);
  EXPECT_EQ(oc.confirmable(Lsn(0x500)), Lsn(0x500));
}

TEST(OffsetCommitterKafka, UnchangedPositionIsNotWrittenAgain) {
  RecordingSink sink;
  OffsetCommitter oc(kafka_config(), &sink);
  ASSERT_TRUE(oc.store(Lsn(0x500)).ok());
  ASSERT_TRUE(oc.store(Lsn(0x500)).ok());
  ASSERT_TRUE(oc.store(Lsn(0x400)).ok());
  EXPECT_EQ(sink.produced.size(), 1u);
}

TEST(OffsetCommitterKafka, LostRecordIsWrittenAgain) {
  RecordingSink sink;
  OffsetCommitter oc(kafka_config(), &sink);
  ASSERT_TRUE(oc.store(Lsn(0x500)).ok());
  oc.on_delivery(sink.produced[0].opaque, "Broker: Not enough in-sync replicas");
  EXPECT_EQ(oc.confirmable(Lsn(0x500)), Lsn{});
  ASSERT_TRUE(oc.store(Lsn(0x500)).ok());
  ASSERT_EQ(sink.produced.size(), 2u);
  oc.on_delivery(sink.produced[1].opaque, nullptr);
  EXPECT_EQ(oc.confirmable(Lsn(0x500)), Lsn(0x500));
}

TEST(OffsetCommitterNone, ConfirmsWhatKafkaAcknowledged) {
  config::Config c;
  c.offset_storage = config::OffsetStorage::kNone;
  RecordingSink sink;
  OffsetCommitter oc(c, &sink);
  EXPECT_FALSE(oc.enabled());
  ASSERT_TRUE(oc.store(Lsn(0x500)).ok());
  EXPECT_TRUE(sink.produced.empty());
  EXPECT_EQ(oc.confirmable(Lsn(0x700)), Lsn(0x700));
}

}  // namespace
}  // namespace sluice::connector
