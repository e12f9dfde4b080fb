// DirectSink: bounded hand-off to one delivery thread, batch retries with capped backoff, reports served
// in produce order on the polling thread.
#include "sink/direct_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "common/log.h"

namespace sluice::sink {

namespace {
std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("sink");
  return l;
}
}  // namespace

DirectSink::DirectSink(std::string name, DeliveryHandler* handler, int64_t max_queue, size_t max_batch,
                       RetryLimits retry)
    : name_(std::move(name)),
      handler_(handler),
      max_queue_(std::max<int64_t>(1, max_queue)),
      max_batch_(std::max<size_t>(1, max_batch)),
      retry_(retry) {
  std::random_device rd;
  run_id_ = fmt::format("{:08x}{:08x}", rd(), rd());
}

DirectSink::~DirectSink() {
  stop();
  if (wake_read_ >= 0) ::close(wake_read_);
  if (wake_write_ >= 0) ::close(wake_write_);
}

int DirectSink::wake_fd() {
  if (wake_read_ >= 0) return wake_read_;
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
  wake_read_ = fds[0];
  wake_write_ = fds[1];
  // Reports queued before the pipe existed would wait unseen.
  std::lock_guard lock(mu_);
  if (!reports_.empty()) {
    const char byte = '1';
    [[maybe_unused]] const ssize_t n = ::write(wake_write_, &byte, 1);
  }
  return wake_read_;
}

void DirectSink::start() {
  thread_ = std::thread([this] { run(); });
}

void DirectSink::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status DirectSink::produce(const std::string& topic, std::optional<std::string_view> key,
                           std::optional<std::string_view> value, uint64_t opaque,
                           const std::vector<KafkaHeader>& headers,
                           const std::function<bool()>& interrupted) {
  // Backpressure: while max.queue.size messages wait for the server, serve reports and wait.
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (in_flight_ < max_queue_) break;
    }
    if (interrupted && interrupted()) {
      return Error::transient(
          fmt::format("interrupted while waiting for the {} sink to acknowledge events", name_));
    }
    poll(100);
  }
  DirectMessage m;
  m.topic = topic;
  if (key) m.key.emplace(*key);
  if (value) m.value.emplace(*value);
  m.headers = headers;
  m.opaque = opaque;
  if (position_source_) m.position = position_source_(opaque);
  m.seq = ++seq_;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(m));
    ++in_flight_;
  }
  work_cv_.notify_one();
  return ok_status();
}

int DirectSink::poll(int timeout_ms) {
  std::deque<Report> serving;
  {
    std::unique_lock lock(mu_);
    if (reports_.empty() && timeout_ms > 0) {
      reports_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return !reports_.empty(); });
    }
    serving.swap(reports_);
    in_flight_ -= static_cast<int64_t>(serving.size());
  }
  // Outside the lock: the handler may produce again.
  for (const auto& r : serving)
    handler_->on_delivery(r.opaque, r.topic, r.error.empty() ? nullptr : r.error.c_str());
  return static_cast<int>(serving.size());
}

bool DirectSink::flush(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (out_queue_len() > 0) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    poll(static_cast<int>(std::min<int64_t>(left.count(), 100)));
  }
  return true;
}

int DirectSink::out_queue_len() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(in_flight_);
}

Status DirectSink::ensure_topic(const std::string& /*topic*/, int /*timeout_ms*/) {
  return ok_status();  // streams, subjects and files come into being with their first message
}

void DirectSink::run() {
  std::vector<DirectMessage> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stop_.load() || !queue_.empty(); });
      if (stop_) return;
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    auto delay = retry_.initial;
    int64_t failures = 0;
    std::string error;
    for (;;) {
      auto st = deliver(batch);
      if (st) break;
      ++attempts_failed_;
      if (st.error().kind != ErrorKind::kTransient) {
        error = st.error().message;
        break;
      }
      ++failures;
      if (retry_.retries >= 0 && failures > retry_.retries) {
        error = fmt::format("{} (gave up after {} retries)", st.error().message, retry_.retries);
        break;
      }
      disconnect();
      log()->warn("{} sink: {}; {} message(s) retried in {} ms (attempt {})", name_, st.error().message,
                  batch.size(), delay.count(), failures + 1);
      std::unique_lock lock(mu_);
      if (work_cv_.wait_for(lock, delay, [this] { return stop_.load(); })) return;
      delay = std::min(retry_.max, delay * 2);
    }
    if (failures > 0 && error.empty())
      log()->info("{} sink: delivering again after {} failed attempt(s)", name_, failures);
    {
      std::lock_guard lock(mu_);
      for (auto& m : batch) reports_.push_back(Report{m.opaque, std::move(m.topic), error});
    }
    reports_cv_.notify_all();
    if (int fd = wake_write_.load(); fd >= 0) {
      const char byte = '1';
      [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1);  // full pipe: a wake-up is pending anyway
    }
    batch.clear();
  }
}

}  // namespace sluice::sink
