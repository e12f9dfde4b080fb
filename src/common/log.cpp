// spdlog configuration, including a JSON-lines formatter that escapes the message properly.
#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <mutex>

namespace sluice {

namespace {

thread_local std::string t_connector;  // ScopedLogContext

// %C: " <connector>" while a ScopedLogContext is alive on the logging thread, nothing otherwise.
class ConnectorFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    if (t_connector.empty()) return;
    dest.push_back(' ');
    dest.append(t_connector.data(), t_connector.data() + t_connector.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<ConnectorFlag>(); }
};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto t = system_clock::to_time_t(msg.time);
    auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[96];
    std::snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    append(dest, "{\"ts\":\"");
    append(dest, ts);
    append(dest, "\",\"level\":\"");
    auto lvl = spdlog::level::to_string_view(msg.level);
    dest.append(lvl.data(), lvl.data() + lvl.size());
    append(dest, "\",\"logger\":\"");
    escape(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    if (!t_connector.empty()) {
      append(dest, "\",\"connector\":\"");
      escape(dest, t_connector);
    }
    append(dest, "\",\"msg\":\"");
    escape(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    append(dest, "\"}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }

 private:
  static void append(spdlog::memory_buf_t& d, std::string_view s) { d.append(s.data(), s.data() + s.size()); }
  static void escape(spdlog::memory_buf_t& d, std::string_view s) {
    for (char c : s) {
      switch (c) {
        case '"':
          append(d, "\\\"");
          break;
        case '\\':
          append(d, "\\\\");
          break;
        case '\n':
          append(d, "\\n");
          break;
        case '\r':
          append(d, "\\r");
          break;
        case '\t':
          append(d, "\\t");
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04x", c);
            append(d, buf);
          } else {
            d.push_back(c);
          }
      }
    }
  }
};

LogFormat g_format = LogFormat::kText;
std::mutex g_mu;

}  // namespace

std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format) {
  if (format == LogFormat::kJson) return std::make_unique<JsonFormatter>();
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<ConnectorFlag>('C').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n%C] %v");
  return formatter;
}

void init_logging(LogFormat format, const std::string& level) {
  std::lock_guard lock(g_mu);
  g_format = format;
  auto logger = std::make_shared<spdlog::logger>("sluice", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(make_formatter(format));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

std::shared_ptr<spdlog::logger> module_logger(const std::string& name) {
  std::lock_guard lock(g_mu);
  if (auto l = spdlog::get(name)) return l;
  auto l = spdlog::default_logger()->clone(name);
  spdlog::register_logger(l);
  return l;
}

ScopedLogContext::ScopedLogContext(std::string connector) : previous_(std::move(t_connector)) {
  t_connector = std::move(connector);
}

ScopedLogContext::~ScopedLogContext() {
  t_connector = std::move(previous_);
}

}  // namespace sluice
