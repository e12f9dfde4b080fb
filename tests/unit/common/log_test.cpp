// Log lines name the connector of the thread that logs them (ScopedLogContext), in text and JSON.
#include "common/log.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace sluice {
namespace {

std::string line(LogFormat format, const std::string& message) {
  auto formatter = make_formatter(format);
  spdlog::details::log_msg msg(spdlog::source_loc{}, "connector", spdlog::level::info, message);
  spdlog::memory_buf_t out;
  formatter->format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(LogContext, TextNamesTheConnectorBesideTheModule) {
  EXPECT_NE(line(LogFormat::kText, "started").find("[connector] started"), std::string::npos);
  {
    ScopedLogContext ctx("orders");
    EXPECT_NE(line(LogFormat::kText, "started").find("[connector orders] started"), std::string::npos);
    {
      ScopedLogContext inner("customers");
      EXPECT_NE(line(LogFormat::kText, "x").find("[connector customers] x"), std::string::npos);
    }
    EXPECT_NE(line(LogFormat::kText, "x").find("[connector orders] x"), std::string::npos);
  }
  EXPECT_NE(line(LogFormat::kText, "x").find("[connector] x"), std::string::npos);
}

TEST(LogContext, JsonHasAConnectorMemberEscaped) {
  EXPECT_EQ(line(LogFormat::kJson, "m").find("\"connector\":"), std::string::npos);
  ScopedLogContext ctx("a\"b");
  EXPECT_NE(
      line(LogFormat::kJson, "m").find("\"logger\":\"connector\",\"connector\":\"a\\\"b\",\"msg\":\"m\""),
      std::string::npos);
}

TEST(LogContext, IsPerThread) {
  ScopedLogContext ctx("orders");
  std::string other;
  std::thread([&] { other = line(LogFormat::kText, "x"); }).join();
  EXPECT_NE(other.find("[connector] x"), std::string::npos);
}

}  // namespace
}  // namespace sluice
