// DirectSink and the direct sinks' pure parts: acknowledgements in produce order on the polling thread,
// retries of a failed batch until the server is back, failures reported (never acknowledged), backpressure;
// the file sink's lines and rotation; XADD arguments; HTTP bodies and idempotency keys.
#include "sink/direct_sink.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "sink/file_sink.h"
#include "sink/http_sink.h"
#include "sink/redis_sink.h"

namespace sluice::sink {
namespace {

struct Recorder : DeliveryHandler {
  std::vector<uint64_t> acked;
  std::vector<std::pair<uint64_t, std::string>> failed;
  std::thread::id thread = std::this_thread::get_id();
  void on_delivery(uint64_t opaque, std::string_view /*topic*/, const char* error) override {
    EXPECT_EQ(std::this_thread::get_id(), thread);  // always the polling thread
    if (error == nullptr) {
      acked.push_back(opaque);
    } else {
      failed.emplace_back(opaque, error);
    }
  }
};

const std::function<bool()> kNever = [] { return false; };

// A server that is down for the first `down` attempts (transient errors), then takes everything.
class FlakySink final : public DirectSink {
 public:
  FlakySink(DeliveryHandler* h, int down, bool fatal, int64_t retries, int64_t max_queue = 100)
      : DirectSink("flaky", h, max_queue, 4,
                   RetryLimits{retries, std::chrono::milliseconds(1), std::chrono::milliseconds(4)}),
        down_(down),
        fatal_(fatal) {
    start();
  }
  ~FlakySink() override { stop(); }
  std::vector<uint64_t> delivered() {
    std::lock_guard lock(mu_);
    return delivered_;
  }
  std::atomic<bool> hold{false};  // deliver() waits while set (a slow server)

 private:
  Delivery deliver(std::span<const DirectMessage> batch) override {
    while (hold.load() && !stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (down_ > 0) {
      --down_;
      if (fatal_) return Error::fatal("rejected for good");
      return Error::transient("connection refused");
    }
    std::lock_guard lock(mu_);
    for (const auto& m : batch) delivered_.push_back(m.opaque);
    return ok_status();
  }
  int down_;
  bool fatal_;
  std::mutex mu_;
  std::vector<uint64_t> delivered_;
};

void drain(Sink& s) {
  ASSERT_TRUE(s.flush(10000));
}

TEST(DirectSink, AcknowledgesInProduceOrderAfterTheServerComesBack) {
  Recorder rec;
  FlakySink sink(&rec, 3, false, -1);
  for (uint64_t i = 1; i <= 10; ++i) {
    ASSERT_TRUE(sink.produce("t", std::nullopt, std::string_view("v"), i, {}, kNever).ok());
  }
  drain(sink);
  EXPECT_EQ(rec.acked, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_TRUE(rec.failed.empty());
  EXPECT_EQ(sink.delivered(), rec.acked);  // nothing acknowledged before the server took it
  EXPECT_EQ(sink.attempts_failed(), 3u);
  EXPECT_EQ(sink.out_queue_len(), 0);
}

TEST(DirectSink, WakeFdBecomesReadableWhenReportsWait) {
  Recorder rec;
  FlakySink sink(&rec, 0, false, -1);
  const int fd = sink.wake_fd();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(sink.produce("t", std::nullopt, std::string_view("v"), 1, {}, kNever).ok());
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  EXPECT_EQ(sink.poll(0), 1);
  EXPECT_EQ(rec.acked, (std::vector<uint64_t>{1}));
}

TEST(DirectSink, GivesUpAfterTheRetriesAndReportsFailures) {
  Recorder rec;
  FlakySink sink(&rec, 100, false, 2);
  ASSERT_TRUE(sink.produce("t", std::nullopt, std::string_view("v"), 5, {}, kNever).ok());
  drain(sink);
  EXPECT_TRUE(rec.acked.empty());
  ASSERT_EQ(rec.failed.size(), 1u);
  EXPECT_EQ(rec.failed[0].first, 5u);
  EXPECT_NE(rec.failed[0].second.find("connection refused"), std::string::npos);
  EXPECT_NE(rec.failed[0].second.find("gave up after 2 retries"), std::string::npos);
}

TEST(DirectSink, FatalErrorIsNotRetried) {
  Recorder rec;
  FlakySink sink(&rec, 1, true, -1);
  ASSERT_TRUE(sink.produce("t", std::nullopt, std::string_view("v"), 1, {}, kNever).ok());
  drain(sink);
  ASSERT_EQ(rec.failed.size(), 1u);
  EXPECT_EQ(rec.failed[0].second, "rejected for good");
  EXPECT_EQ(sink.attempts_failed(), 1u);
}

TEST(DirectSink, ProduceWaitsWhileTheQueueIsFullAndStopsWhenInterrupted) {
  Recorder rec;
  FlakySink sink(&rec, 0, false, -1, 2);
  sink.hold = true;
  ASSERT_TRUE(sink.produce("t", std::nullopt, std::string_view("v"), 1, {}, kNever).ok());
  ASSERT_TRUE(sink.produce("t", std::nullopt, std::string_view("v"), 2, {}, kNever).ok());
  int asked = 0;
  auto st = sink.produce("t", std::nullopt, std::string_view("v"), 3, {}, [&] { return ++asked > 2; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(sink.out_queue_len(), 2);
  sink.hold = false;
  ASSERT_TRUE(sink.produce("t", std::nullopt, std::string_view("v"), 3, {}, kNever).ok());
  drain(sink);
  EXPECT_EQ(rec.acked, (std::vector<uint64_t>{1, 2, 3}));
}

DirectMessage message(std::string topic, std::optional<std::string> key, std::optional<std::string> value) {
  DirectMessage m;
  m.topic = std::move(topic);
  m.key = std::move(key);
  m.value = std::move(value);
  return m;
}

TEST(FileSink, LineEmbedsKeyAndValueJsonAndQuotesOtherBytes) {
  EXPECT_EQ(file_line(message("p.public.t", R"({"id":1})", R"({"op":"c"})"), false),
            "{\"topic\":\"p.public.t\",\"key\":{\"id\":1},\"value\":{\"op\":\"c\"}}\n");
  EXPECT_EQ(file_line(message("p.public.t", R"({"id":1})", std::nullopt), false),
            "{\"topic\":\"p.public.t\",\"key\":{\"id\":1},\"value\":null}\n");
  EXPECT_EQ(file_line(message("p.public.t", std::string("plain \"key\""), std::string("{\"a\":\n1}")), false),
            "{\"topic\":\"p.public.t\",\"key\":\"plain \\\"key\\\"\",\"value\":{\"a\": 1}}\n");
  EXPECT_EQ(file_line(message("t", std::nullopt, R"({"op":"d"})"), true), "{\"op\":\"d\"}\n");
  EXPECT_EQ(file_line(message("t", R"({"id":1})", std::nullopt), true), "");  // value format: no tombstones
}

TEST(FileSink, WritesAcknowledgesAndRotatesBySize) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("sluice-file-sink-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "events.jsonl").string();
  Recorder rec;
  {
    FileSinkOptions o;
    o.path = path;
    o.rotate_bytes = 200;
    FileSink sink(o, &rec, 100, 3);
    for (uint64_t i = 1; i <= 12; ++i) {
      const std::string value = R"({"n":)" + std::to_string(i) + "}";
      ASSERT_TRUE(
          sink.produce("p.public.t", std::string_view(R"({"id":1})"), std::string_view(value), i, {}, kNever)
              .ok());
    }
    drain(sink);
  }
  ASSERT_EQ(rec.acked.size(), 12u);
  // Every line once, in order, across the rotated files <path>.1, <path>.2 … and <path>; none over 200 bytes.
  std::vector<std::string> files;
  for (int n = 1; fs::exists(path + "." + std::to_string(n)); ++n)
    files.push_back(path + "." + std::to_string(n));
  files.push_back(path);
  ASSERT_GE(files.size(), 3u);
  std::vector<std::string> lines;
  for (const auto& f : files) {
    EXPECT_LE(fs::file_size(f), 200u) << f;
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 12u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_NE(lines[i].find("\"value\":{\"n\":" + std::to_string(i + 1) + "}"), std::string::npos)
        << lines[i];
  }
  fs::remove_all(dir);
}

TEST(FileSink, UnwritablePathIsRetriedNotAcknowledged) {
  Recorder rec;
  FileSinkOptions o;
  o.path = "/nonexistent-dir-for-sluice/x.jsonl";
  FileSink sink(o, &rec, 10, 1);
  ASSERT_TRUE(sink.produce("t", std::nullopt, std::string_view("{}"), 1, {}, kNever).ok());
  EXPECT_FALSE(sink.flush(300));
  EXPECT_TRUE(rec.acked.empty());
  EXPECT_GE(sink.attempts_failed(), 1u);
}

TEST(RedisSink, XaddArgumentsFollowDebeziumsCompactAndExtendedFormats) {
  config::RedisSinkConfig c;
  auto m = message("p.public.t", R"({"id":1})", R"({"op":"c"})");
  m.headers = {{"__debezium.context.taskId", "0"}};
  EXPECT_EQ(redis_xadd_args(c, m),
            (std::vector<std::string>{"XADD", "p.public.t", "*", R"({"id":1})", R"({"op":"c"})"}));
  c.extended = true;
  c.maxlen = 1000;
  EXPECT_EQ(redis_xadd_args(c, m),
            (std::vector<std::string>{"XADD", "p.public.t", "MAXLEN", "~", "1000", "*", "key", R"({"id":1})",
                                      "value", R"({"op":"c"})", "__DEBEZIUM.CONTEXT.TASKID", "0"}));
  c.extended = false;
  c.maxlen = 0;
  EXPECT_EQ(redis_xadd_args(c, message("s", std::nullopt, std::nullopt)),
            (std::vector<std::string>{"XADD", "s", "*", "default", "default"}));
}

TEST(HttpSink, BodiesAndIdempotencyKeys) {
  std::vector<DirectMessage> batch{message("t", std::nullopt, R"({"a":1})"),
                                   message("t", std::nullopt, std::nullopt),
                                   message("t", std::nullopt, R"({"a":2})")};
  EXPECT_EQ(http_body(std::span(batch).subspan(0, 1), false), R"({"a":1})");
  EXPECT_EQ(http_body(batch, true), R"([{"a":1},null,{"a":2}])");
  batch[0].position = StreamPosition{Lsn(0x16B3748), 4};
  EXPECT_EQ(idempotency_key("inventory", "r1", batch[0]), "inventory-23803720-4");
  batch[1].seq = 77;
  EXPECT_EQ(idempotency_key("inventory", "r1", batch[1]), "inventory-snapshot-r1-77");
  // Two sinks (two runs) never share a run id.
  Recorder rec;
  FlakySink a(&rec, 0, false, -1), b(&rec, 0, false, -1);
  EXPECT_NE(a.run_id(), b.run_id());
  EXPECT_EQ(a.run_id().size(), 16u);
}

}  // namespace
}  // namespace sluice::sink
