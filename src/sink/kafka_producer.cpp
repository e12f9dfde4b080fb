// librdkafka producer wiring: configuration, delivery-report dispatch, and error logging.
#include "sink/kafka_producer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>

#include "common/log.h"
#include "kafka/client.h"

namespace sluice::sink {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = module_logger("kafka");
  return l;
}

int64_t message_bytes(std::optional<std::string_view> key, std::optional<std::string_view> value) {
  return static_cast<int64_t>((key ? key->size() : 0) + (value ? value->size() : 0));
}

// Errors reach error_cb too (logged there once); librdkafka's own log lines are kept for debugging,
// except critical ones.
void log_cb(const rd_kafka_t* /*rk*/, int level, const char* fac, const char* buf) {
  if (level <= 2) {
    logger()->error("librdkafka {}: {}", fac, buf);
  } else {
    logger()->debug("librdkafka {}: {}", fac, buf);
  }
}

}  // namespace

void KafkaProducer::on_error(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  auto config_error = kafka_config_error(code, reason);
  if (!config_error.empty()) {
    {
      std::lock_guard lock(self->client_error_mu_);
      if (!self->client_error_.empty()) return;  // reported once
      self->client_error_ = config_error;
    }
    logger()->error("{}", config_error);
    self->handler_->on_client_error(config_error);
  } else if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || code == RD_KAFKA_RESP_ERR__TRANSPORT ||
             code == RD_KAFKA_RESP_ERR__RESOLVE) {
    std::lock_guard lock(self->client_error_mu_);
    if (!self->unavailable_since_) {
      self->unavailable_since_ = std::chrono::steady_clock::now();
      self->unavailable_.store(true, std::memory_order_relaxed);
    }
    if (self->client_error_.empty())
      logger()->warn("kafka unavailable, librdkafka keeps retrying: {}", reason);
  } else {
    logger()->error("kafka error {}: {}", rd_kafka_err2name(code), reason);
  }
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::create(
    const std::string& bootstrap_servers, const std::map<std::string, std::string>& properties,
    DeliveryHandler* handler, QueueLimits limits) {
  std::unique_ptr<KafkaProducer> producer(new KafkaProducer(handler, limits));
  // Defaults: durable (acks=all), in order, Java-compatible key partitioning, batching for throughput,
  // and no delivery timeout: an unreachable broker stalls sluice (and holds the slot) instead of
  // dropping changes.
  // Order across retries comes from one request in flight per broker rather than from the idempotent
  // producer: librdkafka's idempotent producer busy-polls its broker thread whenever a batch is ready while
  // its 5 in-flight requests are out, i.e. all the time when the broker is the bottleneck (bench/RESULTS.md:
  // ~11 poll() calls per message, 2.7x the CPU per event, 0.6x the throughput). Exactly-once
  // (transactional.id) and producer.enable.idempotence=true keep the idempotent producer.
  // compression.type=none, Kafka Connect's default: every client reads the topics with no codec package
  // (kafkajs reads only uncompressed and gzip batches out of the box). lz4 gains 1.5-2x the events/s when the
  // broker is the bottleneck (bench/RESULTS.md) and stays an opt-in (producer.compression.type=lz4).
  auto user = [&](const char* k) {
    auto it = properties.find(k);
    return it == properties.end() ? std::string() : it->second;
  };
  const bool idempotent = !user("transactional.id").empty() || user("enable.idempotence") == "true";
  const std::pair<const char*, const char*> defaults[] = {
      {"acks", "all"},
      {"enable.idempotence", idempotent ? "true" : "false"},
      {"max.in.flight.requests.per.connection", idempotent ? "5" : "1"},
      {"partitioner", "murmur2_random"},
      {"linger.ms", "5"},
      {"compression.type", "none"},
      {"message.timeout.ms", "0"},
      {"client.id", "sluice"},
  };
  // sluice's own queue bound (QueueLimits) is the one that applies; librdkafka's is kept above it. Its
  // byte bound stays as the memory bound when max.queue.size.in.bytes is 0: it covers the in-flight window
  // (1 request of up to a 1 MB batch, 5 when idempotent) with room to spare. In bench/run 4 MiB vs 16 MiB
  // with one request in flight: same throughput, RSS 23 vs 40 MB (W1), 40 vs 67 MB (snapshot, 2 threads);
  // 64 MiB bought nothing and cost ~50 MB more.
  const std::string batch = std::to_string(limits.batch_events);
  const std::string max_messages = std::to_string(std::max<int64_t>(100000, limits.max_events + 1000));
  // It must also hold the largest message librdkafka accepts (message.max.bytes, e.g. raised through
  // max.request.size), or such a message would wait for room forever.
  const std::string max_message = user("message.max.bytes");
  const int64_t max_message_kbytes =
      (max_message.empty() ? 1000000 : std::atoll(max_message.c_str())) / 1024 + 1;
  const std::string max_kbytes = std::to_string(std::max<int64_t>(
      {idempotent ? 16384 : 4096, (limits.max_bytes + 1023) / 1024, 2 * max_message_kbytes}));
  const std::pair<const char*, const char*> queue_defaults[] = {
      {"batch.num.messages", batch.c_str()},
      {"queue.buffering.max.messages", max_messages.c_str()},
      {"queue.buffering.max.kbytes", max_kbytes.c_str()},
  };
  kafka::ClientSpec spec;
  spec.role = "Kafka producer";
  kafka::Layer own;
  for (auto [k, v] : queue_defaults) own.properties.emplace_back(k, v);
  for (auto [k, v] : defaults) own.properties.emplace_back(k, v);
  own.properties.emplace_back("bootstrap.servers", bootstrap_servers);
  kafka::Layer user_layer = kafka::Layer::of(properties, true);
  user_layer.origin = "passed through as producer.{} / kafka.{}";
  spec.layers = {std::move(own), std::move(user_layer)};
  spec.dr_msg_cb = &KafkaProducer::on_delivery_report;
  spec.error_cb = &KafkaProducer::on_error;
  spec.log_cb = log_cb;
  spec.opaque = producer.get();
  auto rk = kafka::make_producer(spec);
  if (!rk) return rk.error();
  producer->rk_ = std::move(*rk);
  return producer;
}

KafkaProducer::~KafkaProducer() = default;

KafkaProducer::Fd::~Fd() {
  if (fd >= 0) ::close(fd);
}

int KafkaProducer::wake_fd() {
  if (wake_read_.fd >= 0) return wake_read_.fd;
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
  wake_read_.fd = fds[0];
  wake_write_.fd = fds[1];
  // The main queue (delivery reports, errors) is the one rd_kafka_poll serves; the handle is only a
  // reference.
  rd_kafka_queue_t* q = rd_kafka_queue_get_main(rk_.get());
  rd_kafka_queue_io_event_enable(q, wake_write_.fd, "1", 1);
  // librdkafka writes on an enqueue only: an event queued before the pipe existed would wait unseen.
  if (rd_kafka_queue_length(q) > 0) {
    const char byte = '1';
    [[maybe_unused]] const ssize_t n = ::write(wake_write_.fd, &byte, 1);
  }
  rd_kafka_queue_destroy(q);
  return wake_read_.fd;
}

void KafkaProducer::note_available() {
  if (!unavailable_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(client_error_mu_);
  unavailable_.store(false, std::memory_order_relaxed);
  if (!unavailable_since_) return;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                        *unavailable_since_)
                      .count();
  unavailable_since_.reset();
  logger()->info("kafka available again after {:.1f} s unavailable", static_cast<double>(ms) / 1000.0);
}

void KafkaProducer::on_delivery_report(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  self->limit_.release(static_cast<int64_t>(msg->len + msg->key_len));
  const char* err = msg->err ? rd_kafka_err2str(msg->err) : nullptr;
  if (err == nullptr) {
    self->note_available();
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    int64_t ts = rd_kafka_message_timestamp(msg, &type);
    self->handler_->on_delivery_timing(reinterpret_cast<uint64_t>(msg->_private),
                                       rd_kafka_message_latency(msg),
                                       type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? ts : -1);
  }
  std::string_view topic = msg->rkt ? rd_kafka_topic_name(msg->rkt) : "";
  self->handler_->on_delivery(reinterpret_cast<uint64_t>(msg->_private), topic, err);
}

Status KafkaProducer::wait_for_room(int64_t bytes, const std::function<bool()>& interrupted) {
  if (limit_.has_room(bytes)) return ok_status();
  // Backpressure: the streaming loop is inside produce(), so nothing more is read from Postgres.
  const auto started = std::chrono::steady_clock::now();
  auto next_log = started + std::chrono::seconds(1);
  bool logged = false;
  while (!limit_.has_room(bytes)) {
    if (interrupted()) return Error::transient("interrupted while waiting for Kafka to acknowledge events");
    poll(50);
    if (auto now = std::chrono::steady_clock::now(); now >= next_log) {
      logger()->warn(
          "queue full: {} events ({} bytes) sent and not acknowledged by Kafka (max.queue.size={}, "
          "max.queue.size.in.bytes={}); reading from Postgres is paused for {} s until Kafka acknowledges",
          limit_.events(), limit_.bytes(), limit_.max_events(), limit_.max_bytes(),
          std::chrono::duration_cast<std::chrono::seconds>(now - started).count());
      logged = true;
      next_log = now + std::chrono::seconds(30);
    }
  }
  if (logged) {
    logger()->info(
        "Kafka acknowledges again: reading from Postgres resumed after {} ms",
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count());
  }
  return ok_status();
}

std::string KafkaProducer::client_error() const {
  std::lock_guard lock(client_error_mu_);
  return client_error_;
}

std::string kafka_config_error(rd_kafka_resp_err_t code, std::string_view reason) {
  if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED) {
    // librdkafka before 2.6.1 repeats the client nonce in its SCRAM final message; brokers that check it
    // strictly (Kafka 4) refuse even the right password (librdkafka PR #4895).
    std::string scram;
    if (reason.find("SCRAM") != std::string_view::npos && rd_kafka_version() < 0x020601ff) {
      scram = fmt::format(
          "; note that librdkafka {} (older than 2.6.1) fails SCRAM against Kafka 4 brokers even with the "
          "right password: use sasl.mechanism=PLAIN over SASL_SSL, or build sluice with a newer librdkafka",
          rd_kafka_version_str());
    }
    return fmt::format(
        "Kafka refused the SASL authentication: {} (check security.protocol, sasl.mechanism and the "
        "credentials in sasl.jaas.config or sasl.username/sasl.password{})",
        reason, scram);
  }
  // A TLS alert from the broker (e.g. it requires a client certificate, or does not trust the one sent)
  // reaches librdkafka as a transport error after the handshake (TLS 1.3): the same configuration problem.
  auto tls_alert = [&] {
    for (std::string_view a : {"alert bad certificate", "alert certificate required", "alert unknown ca",
                               "alert certificate unknown", "alert certificate expired",
                               "alert certificate revoked", "certificate verify failed"}) {
      if (reason.find(a) != std::string_view::npos) return true;
    }
    return false;
  };
  if (code == RD_KAFKA_RESP_ERR__SSL || (code == RD_KAFKA_RESP_ERR__TRANSPORT && tls_alert())) {
    return fmt::format(
        "TLS connection to Kafka failed: {} (check ssl.truststore.location / ssl.ca.location, the key store "
        "settings, and that kafka.bootstrap.servers names the brokers as their certificates do)",
        reason);
  }
  return "";
}

Status KafkaProducer::produce(const std::string& topic, std::optional<std::string_view> key,
                              std::optional<std::string_view> value, uint64_t opaque,
                              const std::vector<KafkaHeader>& headers,
                              const std::function<bool()>& interrupted) {
  return produce_placed(topic, -1, -1, key, value, opaque, headers, interrupted);
}

Status KafkaProducer::produce_placed(const std::string& topic, int32_t partition, int64_t timestamp_ms,
                                     std::optional<std::string_view> key,
                                     std::optional<std::string_view> value, uint64_t opaque,
                                     const std::vector<KafkaHeader>& headers,
                                     const std::function<bool()>& interrupted) {
  const int64_t bytes = message_bytes(key, value);
  if (auto s = wait_for_room(bytes, interrupted); !s) return s;
  for (;;) {
    auto r = try_produce(topic, key, value, opaque, headers, partition, timestamp_ms);
    if (r == RD_KAFKA_RESP_ERR_NO_ERROR) limit_.add(bytes);
    if (r != RD_KAFKA_RESP_ERR__QUEUE_FULL) return status_of(r, topic);
    if (interrupted()) return Error::transient("interrupted while Kafka's send queue was full");
    poll(50);
  }
}

rd_kafka_resp_err_t KafkaProducer::try_produce(const std::string& topic, std::optional<std::string_view> key,
                                               std::optional<std::string_view> value, uint64_t opaque,
                                               const std::vector<KafkaHeader>& headers, int32_t partition,
                                               int64_t timestamp_ms) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (!headers.empty()) {
    hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& h : headers) {
      rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
    }
  }
  void* key_ptr = key ? const_cast<char*>(key->data()) : nullptr;
  size_t key_len = key ? key->size() : 0;
  void* value_ptr = value ? const_cast<char*>(value->data()) : nullptr;
  size_t value_len = value ? value->size() : 0;
  rd_kafka_topic_t* rkt = topic_handle(topic);
  if (rkt == nullptr) {
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    return rd_kafka_last_error();
  }
  auto err = rd_kafka_producev(rk_.get(), RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                               RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
                               RD_KAFKA_V_TIMESTAMP(timestamp_ms < 0 ? 0 : timestamp_ms),
                               RD_KAFKA_V_KEY(key_ptr, key_len), RD_KAFKA_V_VALUE(value_ptr, value_len),
                               RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(opaque)), RD_KAFKA_V_HEADERS(hdrs),
                               RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
  return err;
}

rd_kafka_topic_t* KafkaProducer::topic_handle(const std::string& topic) {
  if (last_topic_name_ != nullptr && *last_topic_name_ == topic) return last_topic_;
  auto it = topics_.find(topic);
  if (it == topics_.end()) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
    if (rkt == nullptr) return nullptr;
    it = topics_.emplace(topic, kafka::Topic(rkt)).first;
  }
  last_topic_name_ = &it->first;
  last_topic_ = it->second.get();
  return last_topic_;
}

Status KafkaProducer::status_of(rd_kafka_resp_err_t err, const std::string& topic) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return ok_status();
  auto msg = fmt::format("cannot produce to Kafka topic '{}': {}", topic, rd_kafka_err2str(err));
  // An event too large for Kafka is a problem of that event (event.processing.failure.handling.mode).
  if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) return Error::data(msg);
  if (err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
    return Error::fatal(msg);
  }
  return Error::transient(msg);
}

int KafkaProducer::poll(int timeout_ms) {
  return rd_kafka_poll(rk_.get(), timeout_ms);
}

bool KafkaProducer::flush(int timeout_ms) {
  return rd_kafka_flush(rk_.get(), timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

int KafkaProducer::out_queue_len() const {
  return rd_kafka_outq_len(rk_.get());
}

bool create_topic_error_is_transient(rd_kafka_resp_err_t code, std::string_view message) {
  // A KRaft broker that has just started is fenced until the controller registers it: its
  // INVALID_REPLICATION_FACTOR ("All brokers are currently fenced") passes, unlike a factor larger than the
  // cluster.
  if (code == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR)
    return message.find("fenced") != std::string_view::npos;
  return code == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT || code == RD_KAFKA_RESP_ERR__TIMED_OUT ||
         code == RD_KAFKA_RESP_ERR_NOT_CONTROLLER || code == RD_KAFKA_RESP_ERR__TRANSPORT;
}

Status KafkaProducer::ensure_topic(const std::string& topic, int timeout_ms) {
  if (known_topics_.count(topic)) return ok_status();
  char err[512];
  kafka::NewTopic nt(rd_kafka_NewTopic_new(topic.c_str(), -1, -1, err, sizeof(err)));
  if (!nt) return Error::fatal(fmt::format("invalid Kafka topic name '{}': {}", topic, err));
  kafka::Queue queue(rd_kafka_queue_new(rk_.get()));
  kafka::AdminOptions options(rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, err, sizeof(err));
  rd_kafka_NewTopic_t* topics[] = {nt.get()};
  rd_kafka_CreateTopics(rk_.get(), topics, 1, options.get(), queue.get());
  // Waits in slices, serving librdkafka's errors in between, so that an authentication or TLS failure
  // stops the wait at once instead of after the request timeout.
  kafka::Event ev;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms + 1000);
  bool interrupted = false;
  while (!ev && std::chrono::steady_clock::now() < deadline && client_error().empty()) {
    ev.reset(rd_kafka_queue_poll(queue.get(), 100));
    if (!ev) poll(0);
    if (!ev && interrupted_ && interrupted_()) {
      interrupted = true;
      break;
    }
  }
  Status status = ok_status();
  if (interrupted) {
    status = Error::transient(fmt::format("stopped while creating Kafka topic '{}'", topic));
  } else if (auto client = client_error(); !ev && !client.empty()) {
    status = Error::fatal(client);
  } else if (!ev) {
    status = Error::transient(fmt::format("timed out creating Kafka topic '{}'", topic));
  } else if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = Error::transient(
        fmt::format("cannot create Kafka topic '{}': {}", topic, rd_kafka_event_error_string(ev.get())));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
    for (size_t i = 0; i < n; ++i) {
      auto code = rd_kafka_topic_result_error(results[i]);
      if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
        logger()->info("created Kafka topic {}", topic);
      } else if (code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* why = rd_kafka_topic_result_error_string(results[i]);
        auto msg =
            fmt::format("Kafka refused to create topic '{}': {} ({}); create it yourself or grant CREATE",
                        topic, why ? why : "", rd_kafka_err2name(code));
        status =
            create_topic_error_is_transient(code, why ? why : "") ? Error::transient(msg) : Error::fatal(msg);
      }
    }
  }
  if (status.ok()) {
    known_topics_.insert(topic);
    note_available();
  }
  return status;
}

Result<int> KafkaProducer::check_connectivity(int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
  // Short attempts, serving librdkafka's errors in between: an authentication or TLS failure is reported
  // as such, not as a timeout.
  while (std::chrono::steady_clock::now() < deadline) {
    err = rd_kafka_metadata(rk_.get(), 0, nullptr, &md, 500);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    poll(0);
    if (auto client = client_error(); !client.empty()) return Error::fatal(client);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Error::transient(fmt::format("cannot reach Kafka: {}", rd_kafka_err2str(err)));
  }
  int brokers = md->broker_cnt;
  rd_kafka_metadata_destroy(md);
  return brokers;
}

}  // namespace sluice::sink
