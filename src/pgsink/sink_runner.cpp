// The Postgres sink's consumer loop: Kafka -> SinkRecord batches -> TargetWriter. See sink_runner.h.
#include "pgsink/sink_runner.h"

#include <fmt/ranges.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "common/log.h"
#include "kafka/client.h"
#include "kafka/topics.h"
#include "pgsink/record.h"
#include "pgsink/target_writer.h"

namespace sluice::pgsink {
namespace {

using Clock = std::chrono::steady_clock;

struct Raw {  // what a dead letter record needs of the original
  std::optional<std::string> key, value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

class SinkRunner {
 public:
  SinkRunner(const SinkConfig& config, const std::atomic<bool>& stop, const TopicObserver& on_topic,
             SinkMetrics* metrics)
      : config_(config), stop_(stop), on_topic_(on_topic), m_(metrics != nullptr ? *metrics : own_metrics_) {}
  ~SinkRunner() {  // before the members go: a scrape may be reading the consumer's watermarks
    m_.set_watermarks({}, true);
    m_.consuming.store(false, std::memory_order_relaxed);
    m_.target_connected.store(false, std::memory_order_relaxed);
  }
  SinkRunner(const SinkRunner&) = delete;
  SinkRunner& operator=(const SinkRunner&) = delete;
  int run();
  const std::string& failure() const { return failure_; }

 private:
  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque);
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  bool connect_target();
  void drop_target();  // the connection is lost or its state unknown: reconnect before the next use
  std::optional<SinkMetrics::AppliedOp> applied_op(const Pending& p) const;  // nullopt: applies nothing
  void count_applied(const Pending& p);  // a record committed by an attempt whose outcome was lost
  void count_applied();                  // the records of the batch just committed
  bool open_dead_letter_queue();
  bool take_record(kafka::Message& msg, bool keep_raw);
  bool flush_batch();
  bool handle_failure(size_t index, const std::string& stage, const std::string& reason);
  bool produce_dead_letter(size_t index, const std::string& stage, const std::string& reason);
  bool sleep_for(std::chrono::milliseconds d);
  void fail(const std::string& message);  // logs it and stops the run (the first one is the failure)

  const SinkConfig& config_;
  const std::atomic<bool>& stop_;
  const TopicObserver& on_topic_;
  SinkMetrics own_metrics_;  // when the caller keeps none
  SinkMetrics& m_;
  std::set<std::string> seen_topics_;
  std::string failure_;
  std::shared_ptr<spdlog::logger> log_ = module_logger("pgsink");
  kafka::Consumer consumer_;
  kafka::Client dlq_;
  std::unique_ptr<TargetWriter> writer_;
  std::vector<Pending> batch_;
  std::vector<Raw> raw_;
  std::map<TopicPartition, int64_t> next_;  // next offsets of the records in batch_
  bool fatal_ = false;
  int64_t records_ = 0, skipped_ = 0, failed_ = 0, batches_ = 0;
};

bool SinkRunner::sleep_for(std::chrono::milliseconds d) {
  auto until = Clock::now() + d;
  while (!stop_.load() && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return !stop_.load();
}

void SinkRunner::fail(const std::string& message) {
  log_->error("{}", message);
  fatal_ = true;
  if (failure_.empty()) failure_ = message;
}

bool SinkRunner::connect_target() {
  auto delay = std::chrono::milliseconds(std::max<int64_t>(100, config_.flush_retry_delay_ms));
  while (!stop_.load()) {
    auto w = TargetWriter::connect(config_);
    if (w) {
      writer_ = std::move(*w);
      m_.target_connected.store(true, std::memory_order_relaxed);
      return true;
    }
    if (w.error().kind != ErrorKind::kTransient) {
      fail(w.error().message);
      return false;
    }
    log_->warn("{}; retrying in {} ms", w.error().message, delay.count());
    if (!sleep_for(delay)) return false;
    delay = std::min(delay * 2, std::chrono::milliseconds(10000));
  }
  return false;
}

void SinkRunner::drop_target() {
  writer_.reset();
  m_.target_connected.store(false, std::memory_order_relaxed);
}

void SinkRunner::rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                              void* opaque) {
  (void)rk;
  static_cast<SinkRunner*>(opaque)->on_rebalance(err, parts);
}

void SinkRunner::on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
  bool cooperative = std::string_view(rd_kafka_rebalance_protocol(consumer_.get())) == "COOPERATIVE";
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Seek every assigned partition to the offset stored in the target (the exactly-once position).
    std::map<TopicPartition, int64_t> stored;
    while (!stop_.load()) {
      auto s = writer_ ? writer_->stored_offsets()
                       : Result<std::map<TopicPartition, int64_t>>(Error::transient("not connected"));
      if (s) {
        stored = std::move(*s);
        break;
      }
      log_->warn("reading the stored offsets: {}; reconnecting", s.error().message);
      drop_target();
      if (!connect_target()) break;
    }
    for (int i = 0; i < parts->cnt; ++i) {
      auto& p = parts->elems[i];
      auto it = stored.find({p.topic, p.partition});
      p.offset = it != stored.end() ? it->second : RD_KAFKA_OFFSET_INVALID;
      m_.assigned({p.topic, p.partition}, it != stored.end() ? it->second : -1);
      log_->info(
          "assigned {}[{}] from offset {}", p.topic, p.partition,
          it != stored.end() ? std::to_string(it->second) : std::string("(none stored: auto.offset.reset)"));
    }
    if (cooperative) {
      kafka::KafkaError e(rd_kafka_incremental_assign(consumer_.get(), parts));
    } else {
      rd_kafka_assign(consumer_.get(), parts);
    }
    return;
  }
  // Revoked: records of those partitions not yet applied are dropped (the next owner starts from the
  // stored offsets).
  for (int i = 0; i < parts->cnt; ++i) {
    TopicPartition tp{parts->elems[i].topic, parts->elems[i].partition};
    next_.erase(tp);
    m_.revoked(tp);
    for (size_t k = 0; k < batch_.size(); ++k) {
      if (batch_[k].topic == tp.topic && batch_[k].partition == tp.partition) batch_[k].failed = true;
    }
  }
  if (cooperative) {
    kafka::KafkaError e(rd_kafka_incremental_unassign(consumer_.get(), parts));
  } else {
    rd_kafka_assign(consumer_.get(), nullptr);
  }
}

bool SinkRunner::produce_dead_letter(size_t index, const std::string& stage, const std::string& reason) {
  const auto& p = batch_[index];
  const auto& raw = raw_[index];
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(raw.headers.size() + 10);
  for (const auto& [n, v] : raw.headers) {
    rd_kafka_header_add(hdrs, n.data(), static_cast<ssize_t>(n.size()), v ? v->data() : nullptr,
                        v ? static_cast<ssize_t>(v->size()) : 0);
  }
  if (config_.dlq_context_headers) {  // Kafka Connect's DeadLetterQueueReporter headers
    auto add = [&](const char* name, const std::string& value) {
      rd_kafka_header_add(hdrs, name, -1, value.data(), static_cast<ssize_t>(value.size()));
    };
    add("__connect.errors.topic", p.topic);
    add("__connect.errors.partition", std::to_string(p.partition));
    add("__connect.errors.offset", std::to_string(p.offset));
    add("__connect.errors.connector.name", config_.name);
    add("__connect.errors.task.id", "0");
    add("__connect.errors.stage", stage);
    add("__connect.errors.class.name", "io.debezium.connector.jdbc.JdbcSinkConnectorTask");
    add("__connect.errors.exception.class.name", stage == "TASK_PUT"
                                                     ? "org.apache.kafka.connect.errors.ConnectException"
                                                     : "org.apache.kafka.connect.errors.DataException");
    add("__connect.errors.exception.message", reason);
    add("__connect.errors.exception.stacktrace", reason);
  }
  void* value_ptr = raw.value ? const_cast<char*>(raw.value->data()) : nullptr;
  size_t value_len = raw.value ? raw.value->size() : 0;
  const void* key_ptr = raw.key ? raw.key->data() : nullptr;
  size_t key_len = raw.key ? raw.key->size() : 0;
  auto err =
      rd_kafka_producev(dlq_.get(), RD_KAFKA_V_TOPIC(config_.dlq_topic.c_str()),
                        RD_KAFKA_V_VALUE(value_ptr, value_len), RD_KAFKA_V_KEY(key_ptr, key_len),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_headers_destroy(hdrs);
    fail(fmt::format("cannot produce to the dead letter queue {}: {}", config_.dlq_topic,
                     rd_kafka_err2str(err)));
    return false;
  }
  // Durable before the batch's offsets commit in the target.
  if (rd_kafka_flush(dlq_.get(), 30000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fail(fmt::format("the dead letter queue {} did not acknowledge within 30 s", config_.dlq_topic));
    return false;
  }
  bump(m_.dead_letter_records);
  return true;
}

bool SinkRunner::handle_failure(size_t index, const std::string& stage, const std::string& reason) {
  const auto& p = batch_[index];
  if (config_.errors_tolerance == ErrorsTolerance::kNone) {
    fail(fmt::format("record {}[{}] offset {} failed ({}): {}; stopping (errors.tolerance=none)", p.topic,
                     p.partition, p.offset, stage, reason));
    return false;
  }
  ++failed_;
  bump(m_.records_skipped);
  if (config_.errors_log_enable) {
    log_->error("record {}[{}] offset {} skipped ({}): {}", p.topic, p.partition, p.offset, stage, reason);
  } else {
    log_->warn("record {}[{}] offset {} skipped (errors.tolerance=all): {}", p.topic, p.partition, p.offset,
               reason);
  }
  if (dlq_ && !produce_dead_letter(index, stage, reason)) return false;
  return true;
}

std::optional<SinkMetrics::AppliedOp> SinkRunner::applied_op(const Pending& p) const {
  switch (p.record.op) {
    case RecordOp::kWrite:
      return config_.insert_mode == InsertMode::kUpsert   ? SinkMetrics::kUpsert
             : config_.insert_mode == InsertMode::kUpdate ? SinkMetrics::kUpdate
                                                          : SinkMetrics::kInsert;
    case RecordOp::kDelete:
      return SinkMetrics::kDelete;
    case RecordOp::kTruncate:
      return SinkMetrics::kTruncate;
    case RecordOp::kSkip:
      break;
  }
  return std::nullopt;
}

void SinkRunner::count_applied(const Pending& p) {
  if (auto op = applied_op(p)) bump(m_.records_applied[*op]);
}

void SinkRunner::count_applied() {
  std::array<uint64_t, SinkMetrics::kAppliedCount> n{};
  for (const auto& p : batch_) {
    if (p.failed) continue;
    if (auto op = applied_op(p)) ++n[*op];
  }
  for (size_t i = 0; i < n.size(); ++i) {
    if (n[i] != 0) bump(m_.records_applied[i], n[i]);
  }
}

bool SinkRunner::flush_batch() {
  if (batch_.empty()) return true;
  const auto started = Clock::now();
  int attempts = 0;
  auto delay = std::chrono::milliseconds(std::max<int64_t>(100, config_.flush_retry_delay_ms));
  while (true) {
    if (!writer_ && !connect_target()) return false;
    auto s = writer_->apply(batch_, next_, [&](size_t i, const std::string& reason) {
      return handle_failure(i, "TASK_PUT", reason);
    });
    if (s) break;
    if (s.error().kind != ErrorKind::kTransient || fatal_) {
      if (!fatal_) fail(s.error().message);
      return false;
    }
    ++attempts;
    bump(m_.batch_retries);
    m_.target_connected.store(false, std::memory_order_relaxed);
    log_->warn("applying a batch of {} records failed ({}), attempt {}; retrying in {} ms", batch_.size(),
               s.error().message, attempts, delay.count());
    if (!sleep_for(delay)) return false;
    if (attempts >= config_.flush_max_retries) delay = std::min(delay * 2, std::chrono::milliseconds(10000));
    // The outcome of a COMMIT the connection lost is unknown: reconnect and keep only what the stored
    // offsets say is not applied yet.
    drop_target();
    if (!connect_target()) return false;
    auto stored = writer_->stored_offsets();
    if (!stored) continue;
    for (auto& p : batch_) {
      auto it = stored->find({p.topic, p.partition});
      if (it != stored->end() && p.offset < it->second && !p.failed) {  // the lost COMMIT did commit it
        p.failed = true;
        count_applied(p);
      }
    }
  }
  ++batches_;
  bump(m_.transactions_committed);
  m_.batch_apply.record(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count());
  m_.last_commit_unix_ms.store(coarse_unix_ms(), std::memory_order_relaxed);
  count_applied();
  m_.applied(next_);
  // Informational commit to Kafka (consumer lag); the target's table is the source of truth.
  kafka::PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(next_.size())));
  for (const auto& [tp, off] : next_)
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = off;
  rd_kafka_commit(consumer_.get(), list.get(), 1);
  batch_.clear();
  raw_.clear();
  next_.clear();
  return true;
}

// The dead letter queue producer and its topic (errors.deadletterqueue.topic.name with
// errors.tolerance=all). False: a fatal error.
bool SinkRunner::open_dead_letter_queue() {
  if (config_.dlq_topic.empty() || config_.errors_tolerance != ErrorsTolerance::kAll) return true;
  kafka::ClientSpec dlq;
  dlq.role = "dead letter queue producer";
  kafka::Layer settings = kafka::Layer::of(
      {{"bootstrap.servers", config_.bootstrap_servers}, {"acks", "all"}, {"enable.idempotence", "true"}});
  kafka::Layer security = kafka::Layer::of(kafka::security_properties(config_.consumer_properties));
  settings.skip_refused = security.skip_refused = true;
  dlq.layers = {settings, security};
  auto producer = kafka::make_producer(dlq);
  if (!producer) {
    fail(producer.error().message);
    return false;
  }
  dlq_ = std::move(*producer);
  // Create the topic with Connect's errors.deadletterqueue.topic.replication.factor (exists: fine).
  if (auto s = kafka::create_topic(dlq_.get(),
                                   {.name = config_.dlq_topic,
                                    .replication_factor = config_.dlq_replication_factor,
                                    .what = "dead letter queue topic"},
                                   14000);
      !s) {
    log_->warn("creating the dead letter queue topic {}: {}", config_.dlq_topic, s.error().message);
  }
  return true;
}

// One consumed record into the batch (converted, or failed), flushing a full batch. False: stop the run.
bool SinkRunner::take_record(kafka::Message& msg, bool keep_raw) {
  rd_kafka_message_t* m = msg.get();
  Pending p;
  p.topic = rd_kafka_topic_name(m->rkt);
  p.partition = m->partition;
  p.offset = m->offset;
  if (on_topic_ && seen_topics_.insert(p.topic).second) on_topic_(p.topic);
  KafkaRecord kr{p.topic, p.partition, p.offset, std::nullopt, std::nullopt};
  if (m->key != nullptr) kr.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) kr.value = std::string_view(static_cast<const char*>(m->payload), m->len);
  Raw raw;
  if (keep_raw) {
    if (kr.key) raw.key = std::string(*kr.key);
    if (kr.value) raw.value = std::string(*kr.value);
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* val;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        raw.headers.emplace_back(
            name, val ? std::optional<std::string>(std::string(static_cast<const char*>(val), size))
                      : std::nullopt);
      }
    }
  }
  auto rec = convert_record(config_, kr);
  msg.reset();
  next_[{p.topic, p.partition}] = p.offset + 1;
  ++records_;
  bump(m_.records_read);
  bool conversion_failed = !rec;
  std::string reason = conversion_failed ? rec.error().message : std::string();
  if (!conversion_failed) {
    p.record = std::move(*rec);
    if (p.record.op == RecordOp::kSkip) {
      ++skipped_;
      bump(m_.records_ignored);
    }
  }
  p.failed = conversion_failed;
  batch_.push_back(std::move(p));
  raw_.push_back(std::move(raw));
  if (conversion_failed && !handle_failure(batch_.size() - 1, "VALUE_CONVERTER", reason)) return false;
  return static_cast<int>(batch_.size()) < config_.batch_size || flush_batch();
}

int SinkRunner::run() {
  if (!connect_target()) return fatal_ ? 1 : 0;
  kafka::ClientSpec spec;
  spec.layers = {kafka::Layer::of(consumer_settings(config_), true)};
  spec.rebalance_cb = &SinkRunner::rebalance_cb;
  spec.opaque = this;
  auto conf = kafka::make_conf(spec);
  if (!conf) {
    fail(conf.error().message);
    return 2;
  }
  auto consumer = kafka::make_consumer(std::move(*conf), "Kafka consumer");
  if (!consumer) {
    fail(consumer.error().message);
    return 1;
  }
  consumer_ = std::move(*consumer);
  rd_kafka_poll_set_consumer(consumer_.get());
  {
    auto settings = consumer_settings(config_);
    const std::string& reset = settings["auto.offset.reset"];
    rd_kafka_t* rk = consumer_.get();
    m_.set_watermarks(
        [rk](const TopicPartition& tp, int64_t& low, int64_t& high) {
          return rd_kafka_get_watermark_offsets(rk, tp.topic.c_str(), tp.partition, &low, &high) ==
                 RD_KAFKA_RESP_ERR_NO_ERROR;
        },
        reset == "earliest" || reset == "smallest" || reset == "beginning");
  }
  if (!open_dead_letter_queue()) return 1;
  kafka::PartitionList subs(rd_kafka_topic_partition_list_new(1));
  if (!config_.topics_regex.empty()) {
    std::string re =
        config_.topics_regex.starts_with("^") ? config_.topics_regex : "^" + config_.topics_regex;
    rd_kafka_topic_partition_list_add(subs.get(), re.c_str(), RD_KAFKA_PARTITION_UA);
  } else {
    for (const auto& t : config_.topics)
      rd_kafka_topic_partition_list_add(subs.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  auto err = rd_kafka_subscribe(consumer_.get(), subs.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fail(fmt::format("cannot subscribe: {}", rd_kafka_err2str(err)));
    return 1;
  }
  log_->info(
      "sink {} consuming {} (group {}) into the target", config_.name,
      config_.topics_regex.empty() ? fmt::format("{}", fmt::join(config_.topics, ",")) : config_.topics_regex,
      config_.group_id);
  m_.consuming.store(true, std::memory_order_relaxed);
  auto last_log = Clock::now();
  bool keep_raw = static_cast<bool>(dlq_);
  while (!stop_.load() && !fatal_) {
    kafka::Message msg(rd_kafka_consumer_poll(consumer_.get(), batch_.empty() ? 200 : 0));
    rd_kafka_message_t* m = msg.get();
    if (m == nullptr) {
      if (!batch_.empty() && !flush_batch()) break;
    } else if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        bool fatal_err = m->err == RD_KAFKA_RESP_ERR__FATAL ||
                         m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                         m->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED;
        if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
          log_->warn("Kafka: {} (waiting for it to be created)", rd_kafka_message_errstr(m));
        } else if (fatal_err) {
          fail(fmt::format("Kafka consumer: {}", rd_kafka_message_errstr(m)));
        } else {
          log_->warn("Kafka consumer: {}", rd_kafka_message_errstr(m));
        }
      }
    } else if (!take_record(msg, keep_raw)) {
      break;
    }
    if (Clock::now() - last_log > std::chrono::seconds(30)) {
      last_log = Clock::now();
      log_->info("consumed {} records, {} rows written in {} batches, {} skipped, {} failed", records_,
                 writer_ ? writer_->rows_written() : 0, batches_, skipped_, failed_);
    }
  }
  if (!fatal_ && !batch_.empty()) flush_batch();
  log_->info("stopping: consumed {} records, {} rows written in {} batches, {} skipped, {} failed", records_,
             writer_ ? writer_->rows_written() : 0, batches_, skipped_, failed_);
  m_.consuming.store(false, std::memory_order_relaxed);
  m_.set_watermarks({}, true);  // before the handle goes: a scrape may be reading its watermarks
  rd_kafka_consumer_close(consumer_.get());
  consumer_.reset();
  if (dlq_) rd_kafka_flush(dlq_.get(), 10000);
  return fatal_ ? 1 : 0;
}

}  // namespace

std::string static_member_id(const SinkConfig& config) {
  // FNV-1a over the subscription: the same topics keep the id, other topics get another one.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
    h = (h ^ 0xffU) * 1099511628211ULL;  // separator: {"ab"} and {"a", "b"} differ
  };
  if (config.topics_regex.empty()) {
    for (const auto& t : config.topics) mix(t);
  } else {
    mix("regex:");
    mix(config.topics_regex);
  }
  return fmt::format("sluice-sink-{}-{:08x}", config.name, static_cast<uint32_t>(h ^ (h >> 32)));
}

std::map<std::string, std::string> consumer_settings(const SinkConfig& config) {
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", config.bootstrap_servers},
      {"group.id", config.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},  // Kafka Connect's default for sink tasks
      {"queued.max.messages.kbytes", "65536"},
      {"client.id", "sluice-sink-" + config.name},
  };
  // Static membership: a restarted sink (after a crash too) gets its partitions back at once instead of
  // waiting for the dead member's session to time out; a second sink of the same name is fenced. The id
  // names the subscription too: a static member that rejoins within its session gets its old assignment
  // back without a rebalance, even with other topics (librdkafka 2.0's leader does not check), so a sink
  // restarted on other topics would consume nothing.
  if (config.static_membership) settings["group.instance.id"] = static_member_id(config);
  for (const auto& [k, v] : config.consumer_properties) settings[k] = v;
  return settings;
}

SinkOutcome run_sink_task(const SinkConfig& config, const std::atomic<bool>& stop,
                          const TopicObserver& on_topic, SinkMetrics* metrics) {
  SinkRunner runner(config, stop, on_topic, metrics);
  SinkOutcome out;
  out.exit_code = runner.run();
  if (out.exit_code != 0) out.failure = runner.failure();
  return out;
}

int run_sink(const SinkConfig& config, const std::atomic<bool>& stop, SinkMetrics* metrics) {
  return run_sink_task(config, stop, {}, metrics).exit_code;
}

}  // namespace sluice::pgsink
