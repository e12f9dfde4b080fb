// Queue (max.queue.size, max.queue.size.in.bytes, max.batch.size) and retry settings: Debezium's names and
// defaults, and rejections that name the key, the value and what is allowed.
#include <gtest/gtest.h>

#include "config/config.h"

namespace sluice::config {
namespace {

Properties with(std::initializer_list<std::pair<const std::string, std::string>> extra) {
  Properties p = {{"database.hostname", "127.0.0.1"},
                  {"database.user", "postgres"},
                  {"database.dbname", "postgres"},
                  {"topic.prefix", "myserver"}};
  for (const auto& [k, v] : extra) p[k] = v;
  return p;
}

TEST(DeliveryConfig, DebeziumDefaults) {
  auto c = parse_config(with({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->max_queue_size, 8192);
  EXPECT_EQ(c->max_queue_size_in_bytes, 0);
  EXPECT_EQ(c->max_batch_size, 2048);
  EXPECT_EQ(c->errors_max_retries, -1);
  EXPECT_EQ(c->retry_delay_initial_ms, 300);
  EXPECT_EQ(c->retry_delay_max_ms, 10000);
  EXPECT_TRUE(c->warnings.empty());
}

TEST(DeliveryConfig, QueueSettingsAreRead) {
  auto c = parse_config(
      with({{"max.queue.size", "100"}, {"max.batch.size", "10"}, {"max.queue.size.in.bytes", "1048576"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->max_queue_size, 100);
  EXPECT_EQ(c->max_batch_size, 10);
  EXPECT_EQ(c->max_queue_size_in_bytes, 1048576);
}

TEST(DeliveryConfig, QueueMustBeLargerThanBatch) {
  auto c = parse_config(with({{"max.queue.size", "2048"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("max.queue.size: '2048'"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("larger than max.batch.size (2048)"), std::string::npos);
}

TEST(DeliveryConfig, RejectsBadValuesNamingTheKey) {
  for (auto [key, value] : std::initializer_list<std::pair<std::string, std::string>>{
           {"max.queue.size", "0"},
           {"max.queue.size", "lots"},
           {"max.batch.size", "0"},
           {"max.queue.size.in.bytes", "-1"},
           {"errors.max.retries", "-2"},
           {"errors.retry.delay.initial.ms", "0"},
           {"retriable.restart.connector.wait.ms", "-5"}}) {
    auto c = parse_config(with({{key, value}}));
    ASSERT_FALSE(c.ok()) << key << "=" << value;
    EXPECT_NE(c.error().message.find(key + ": '" + value + "'"), std::string::npos) << c.error().message;
  }
}

TEST(DeliveryConfig, RetryDelays) {
  auto c = parse_config(with({{"errors.max.retries", "5"},
                              {"errors.retry.delay.initial.ms", "100"},
                              {"errors.retry.delay.max.ms", "2000"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->errors_max_retries, 5);
  EXPECT_EQ(c->retry_delay_initial_ms, 100);
  EXPECT_EQ(c->retry_delay_max_ms, 2000);

  auto bad =
      parse_config(with({{"errors.retry.delay.initial.ms", "5000"}, {"errors.retry.delay.max.ms", "100"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("errors.retry.delay.max.ms: '100'"), std::string::npos);
}

TEST(DeliveryConfig, RetriableRestartWaitAloneIsAConstantDelay) {
  auto c = parse_config(with({{"retriable.restart.connector.wait.ms", "2500"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->retry_delay_initial_ms, 2500);
  EXPECT_EQ(c->retry_delay_max_ms, 2500);

  auto both = parse_config(
      with({{"retriable.restart.connector.wait.ms", "2500"}, {"errors.retry.delay.max.ms", "700"}}));
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(both->retry_delay_initial_ms, 300);
  EXPECT_EQ(both->retry_delay_max_ms, 700);
  ASSERT_EQ(both->warnings.size(), 1u);
  EXPECT_NE(both->warnings[0].find("retriable.restart.connector.wait.ms is ignored"), std::string::npos);
}

}  // namespace
}  // namespace sluice::config
