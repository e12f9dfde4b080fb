// Kafka transactions for exactly-once delivery: boundaries by time, count and bytes; librdkafka's error
// classes (retriable, abortable, fatal) mapped to sluice's (retry the call, kTransient, kFatal).
#include "sink/transactional_sink.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/log.h"

namespace sluice::sink {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = module_logger("kafka");
  return l;
}

bool is_fenced_code(int code) {
  return code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
         code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

constexpr int kAttempts = 5;  // retriable errors: the call is repeated this often

}  // namespace

TransactionalSink::TransactionalSink(std::unique_ptr<KafkaProducer> producer, std::string transactional_id,
                                     Limits limits)
    : producer_(std::move(producer)), transactional_id_(std::move(transactional_id)), limits_(limits) {}

TransactionalSink::~TransactionalSink() {
  // An open transaction is aborted by the broker after transaction.timeout.ms, or at once by the next
  // init_transactions of this transactional.id; aborting here only makes it visible sooner.
  if (open_) (void)abort();
}

std::string TransactionalSink::fatal_message(int code, const std::string& reason) {
  if (is_fenced_code(code)) {
    fenced_ = true;
    return fmt::format(
        "fenced: another producer with transactional.id '{}' has started (another sluice with the same "
        "connector took over); this instance stops writing so that only one writes ({})",
        transactional_id_, reason);
  }
  return fmt::format("Kafka transactional producer (transactional.id '{}') failed for good: {}",
                     transactional_id_, reason);
}

Status TransactionalSink::classify(rd_kafka_error_t* error, const char* what) {
  std::string reason =
      fmt::format("{}: {} ({})", what, rd_kafka_error_string(error), rd_kafka_error_name(error));
  int code = rd_kafka_error_code(error);
  bool fatal = rd_kafka_error_is_fatal(error);
  bool abortable = rd_kafka_error_txn_requires_abort(error);
  rd_kafka_error_destroy(error);
  if (fatal) {
    char buf[512];
    if (auto underlying = rd_kafka_fatal_error(producer_->handle(), buf, sizeof(buf)); underlying) {
      code = underlying;
      reason += fmt::format("; {}", buf);
    }
    return Error::fatal(fatal_message(code, reason));
  }
  if (code == RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED ||
      code == RD_KAFKA_RESP_ERR_INVALID_TRANSACTION_TIMEOUT) {
    return Error::fatal(fatal_message(code, reason));
  }
  if (abortable) {
    if (auto s = abort(); !s) return s;
    return Error::transient(
        fmt::format("Kafka transaction aborted ({}); resuming after the last committed offset", reason));
  }
  return Error::transient(reason);
}

Status TransactionalSink::init() {
  if (initialized_) return ok_status();
  for (int attempt = 1;; ++attempt) {
    rd_kafka_error_t* e = rd_kafka_init_transactions(producer_->handle(), limits_.timeout_ms);
    if (e == nullptr) break;
    producer_->poll(0);
    if (auto client = producer_->client_error(); !client.empty()) {
      rd_kafka_error_destroy(e);
      return Error::fatal(client);  // authentication or TLS refused: retrying cannot help
    }
    if (rd_kafka_error_is_retriable(e) && attempt < kAttempts) {
      logger()->warn("init_transactions: {}; retrying", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
      continue;
    }
    return classify(e, "init_transactions");
  }
  initialized_ = true;
  logger()->info("exactly-once: transactional producer ready (transactional.id {})", transactional_id_);
  return ok_status();
}

Status TransactionalSink::begin() {
  if (open_) return ok_status();
  if (!initialized_) return Error::fatal("exactly-once: a transaction began before init_transactions");
  if (rd_kafka_error_t* e = rd_kafka_begin_transaction(producer_->handle()); e != nullptr) {
    return classify(e, "begin_transaction");
  }
  open_ = true;
  opened_ = std::chrono::steady_clock::now();
  events_ = bytes_ = 0;
  delivery_error_.clear();
  return ok_status();
}

bool TransactionalSink::due() const {
  if (!open_) return false;
  return events_ >= limits_.max_events || bytes_ >= limits_.max_bytes ||
         std::chrono::steady_clock::now() - opened_ >= std::chrono::milliseconds(limits_.interval_ms);
}

Status TransactionalSink::produce(const std::string& topic, std::optional<std::string_view> key,
                                  std::optional<std::string_view> value, uint64_t opaque,
                                  const std::vector<KafkaHeader>& headers,
                                  const std::function<bool()>& interrupted) {
  return produce_placed(topic, -1, -1, key, value, opaque, headers, interrupted);
}

Status TransactionalSink::produce_placed(const std::string& topic, int32_t partition, int64_t timestamp_ms,
                                         std::optional<std::string_view> key,
                                         std::optional<std::string_view> value, uint64_t opaque,
                                         const std::vector<KafkaHeader>& headers,
                                         const std::function<bool()>& interrupted) {
  if (auto_commit_ && due()) {
    if (auto s = commit(); !s) return s;
  }
  if (auto s = begin(); !s) return s;
  auto s =
      producer_->produce_placed(topic, partition, timestamp_ms, key, value, opaque, headers, interrupted);
  if (!s) {
    char buf[512];
    if (auto code = rd_kafka_fatal_error(producer_->handle(), buf, sizeof(buf)); code) {
      return Error::fatal(fatal_message(code, buf));
    }
    return s;
  }
  ++events_;
  bytes_ += static_cast<int64_t>((key ? key->size() : 0) + (value ? value->size() : 0));
  return ok_status();
}

void TransactionalSink::delivery_failed(std::string_view topic, const char* error) {
  if (delivery_error_.empty()) {
    delivery_error_ = fmt::format("Kafka did not take a message for topic '{}': {}", topic, error);
    logger()->warn("{}; the transaction will be aborted and sent again", delivery_error_);
  }
}

Status TransactionalSink::commit() {
  if (!open_) return ok_status();
  for (int attempt = 1;; ++attempt) {
    rd_kafka_error_t* e = rd_kafka_commit_transaction(producer_->handle(), limits_.timeout_ms);
    if (e == nullptr) break;
    if (rd_kafka_error_is_retriable(e) && !rd_kafka_error_txn_requires_abort(e) && attempt < kAttempts) {
      logger()->warn("commit_transaction: {}; retrying", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
      continue;
    }
    return classify(e, "commit_transaction");
  }
  open_ = false;
  ++committed_;
  if (!delivery_error_.empty()) {  // librdkafka refuses such commits; never count it as done
    return Error::fatal(
        fmt::format("Kafka committed a transaction after a failed delivery: {}", delivery_error_));
  }
  return ok_status();
}

Status TransactionalSink::abort() {
  if (!open_) return ok_status();
  for (int attempt = 1;; ++attempt) {
    rd_kafka_error_t* e = rd_kafka_abort_transaction(producer_->handle(), limits_.timeout_ms);
    if (e == nullptr) break;
    if (rd_kafka_error_is_retriable(e) && attempt < kAttempts) {
      logger()->warn("abort_transaction: {}; retrying", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
      continue;
    }
    std::string reason = fmt::format("abort_transaction: {}", rd_kafka_error_string(e));
    int code = rd_kafka_error_code(e);
    bool fatal = rd_kafka_error_is_fatal(e);
    rd_kafka_error_destroy(e);
    if (fatal) return Error::fatal(fatal_message(code, reason));
    return Error::transient(reason);
  }
  open_ = false;
  logger()->info("Kafka transaction aborted ({} messages); they are sent again", events_);
  return ok_status();
}

}  // namespace sluice::sink
