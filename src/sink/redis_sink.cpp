// RedisSink: one connection (AUTH [user] password when set), XADDs pipelined per batch; any error drops
// the connection and the whole batch is sent again (at-least-once: entries of the failed batch that Redis
// had taken appear twice, with the same content).
#include "sink/redis_sink.h"
#include "common/log.h"

#include <fmt/format.h>

namespace sluice::sink {

namespace {
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;
}  // namespace

std::vector<std::string> redis_xadd_args(const config::RedisSinkConfig& config, const DirectMessage& m) {
  std::vector<std::string> args{"XADD", m.topic};
  if (config.maxlen > 0) {
    args.insert(args.end(), {"MAXLEN", "~", std::to_string(config.maxlen)});
  }
  args.emplace_back("*");
  const std::string key = m.key ? *m.key : config.null_key;
  const std::string value = m.value ? *m.value : config.null_value;
  if (config.extended) {
    args.insert(args.end(), {"key", key, "value", value});
    for (const auto& h : m.headers) {
      std::string name = h.name;
      for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      args.push_back(std::move(name));
      args.push_back(h.value);
    }
  } else {
    args.push_back(key);
    args.push_back(value);
  }
  return args;
}

RedisSink::RedisSink(config::RedisSinkConfig config, DeliveryHandler* handler, int64_t max_queue)
    : DirectSink("redis", handler, max_queue, static_cast<size_t>(config.batch_size),
                 RetryLimits{-1, std::chrono::milliseconds(config.retry_initial_ms),
                             std::chrono::milliseconds(config.retry_max_ms)}),
      config_(std::move(config)) {
  start();
}

RedisSink::~RedisSink() {
  stop();
}

void RedisSink::disconnect() {
  ctx_.reset();
}

Status RedisSink::connect() {
  timeval tv{static_cast<time_t>(config_.timeout_ms / 1000),
             static_cast<suseconds_t>((config_.timeout_ms % 1000) * 1000)};
  ctx_.reset(redisConnectWithTimeout(config_.host.c_str(), config_.port, tv));
  const std::string where = fmt::format("redis {}:{}", config_.host, config_.port);
  if (!ctx_) return Error::transient(where + ": cannot allocate a connection");
  if (ctx_->err) {
    std::string msg = fmt::format("{}: {}", where, ctx_->errstr);
    ctx_.reset();
    return Error::transient(msg);
  }
  redisSetTimeout(ctx_.get(), tv);
  if (!config_.password.empty()) {
    Reply r(static_cast<redisReply*>(
        config_.user.empty()
            ? redisCommand(ctx_.get(), "AUTH %s", config_.password.c_str())
            : redisCommand(ctx_.get(), "AUTH %s %s", config_.user.c_str(), config_.password.c_str())));
    if (!r) {
      std::string msg = fmt::format("{}: AUTH: {}", where, ctx_->errstr);
      ctx_.reset();
      return Error::transient(msg);
    }
    if (r->type == REDIS_REPLY_ERROR) {
      // Wrong credentials stay wrong: stop, naming the keys (never the password).
      std::string msg = fmt::format("{}: AUTH refused ({}): check debezium.sink.redis.user / .password",
                                    where, std::string(r->str, r->len));
      ctx_.reset();
      return Error::fatal(msg);
    }
  }
  return ok_status();
}

DirectSink::Delivery RedisSink::deliver(std::span<const DirectMessage> batch) {
  if (!ctx_) {
    if (auto s = connect(); !s) return s;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& m : batch) {
    auto args = redis_xadd_args(config_, m);
    argv.clear();
    lens.clear();
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), lens.data()) !=
        REDIS_OK) {
      return Error::transient(fmt::format("redis XADD {}: {}", m.topic, ctx_->errstr));
    }
  }
  for (const auto& m : batch) {
    void* raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || raw == nullptr) {
      return Error::transient(fmt::format("redis {}:{}: {}", config_.host, config_.port, ctx_->errstr));
    }
    Reply r(static_cast<redisReply*>(raw));
    if (r->type == REDIS_REPLY_ERROR) {
      // OOM / READONLY / LOADING pass once Redis has room or is primary again: retried.
      return Error::transient(fmt::format("redis XADD {}: {}", m.topic, std::string(r->str, r->len)));
    }
  }
  return ok_status();
}

std::unique_ptr<DirectSink> make_redis_sink(const config::Config& config, DeliveryHandler* handler) {
  const auto& d = config.direct.redis;
  module_logger("sink")->info("sink.type=redis: XADD to redis {}:{}", d.host, d.port);
  return std::make_unique<RedisSink>(d, handler, config.max_queue_size);
}

}  // namespace sluice::sink
