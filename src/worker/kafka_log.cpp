// Storage topics through librdkafka: an admin request creates them, a producer with acks=all and Java's
// murmur2 partitioner (so keys land where Connect's own producer puts them) writes, a short-lived consumer
// assigned to every partition reads them from the low to the high watermark.
#include "worker/kafka_log.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "kafka/client.h"
#include "kafka/handles.h"
#include "kafka/topics.h"

namespace sluice::worker {

namespace {

struct Pending {
  std::atomic<bool> done{false};
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  int64_t offset = -1;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* p = static_cast<Pending*>(m->_private);
  p->err = m->err;
  p->offset = m->offset;
  p->done.store(true);
}

// The worker's own settings (what librdkafka refuses is left out, as before), then the client's.
kafka::ClientSpec client_spec(const std::string& role, const std::string& bootstrap,
                              const std::map<std::string, std::string>& properties,
                              std::vector<std::pair<std::string, std::string>> settings) {
  kafka::ClientSpec spec;
  spec.role = role;
  spec.quiet = true;
  kafka::Layer worker = kafka::Layer::of(properties);
  worker.properties.emplace_back("bootstrap.servers", bootstrap);
  worker.skip_refused = true;
  spec.layers.push_back(std::move(worker));
  spec.layers.push_back({std::move(settings), true, false, {}});
  return spec;
}

}  // namespace

// The producer; flushed before it is destroyed.
struct KafkaLog::Handle {
  kafka::Client rk;
  ~Handle() {
    if (rk) rd_kafka_flush(rk.get(), 5000);
  }
};

KafkaLog::~KafkaLog() = default;

Result<std::unique_ptr<KafkaLog>> KafkaLog::open(const std::string& bootstrap,
                                                 const std::map<std::string, std::string>& properties,
                                                 const StorageTopic& topic, int timeout_ms) {
  std::unique_ptr<KafkaLog> log(new KafkaLog());
  log->bootstrap_ = bootstrap;
  log->properties_ = properties;
  log->topic_ = topic;
  log->producer_ = std::make_unique<Handle>();
  auto spec = client_spec("Kafka producer for " + topic.name, bootstrap, properties,
                          {{"acks", "all"},
                           {"enable.idempotence", "true"},
                           {"partitioner", "murmur2_random"},
                           {"linger.ms", "0"}});
  spec.dr_msg_cb = on_delivery;
  auto producer = kafka::make_producer(spec);
  if (!producer) return producer.error();
  log->producer_->rk = std::move(*producer);
  kafka::TopicSpec storage{topic.name, topic.partitions, topic.replication_factor,
                           {},         "storage topic",  fmt::format(" (is Kafka at {} up?)", bootstrap)};
  if (auto s = kafka::ensure_compacted_topic(log->producer_->rk.get(), storage, timeout_ms); !s)
    return s.error();
  return log;
}

Result<int64_t> KafkaLog::write(const std::string& key, std::optional<std::string_view> value,
                                int timeout_ms) {
  Pending p;
  void* payload = value ? const_cast<char*>(value->data()) : nullptr;
  size_t len = value ? value->size() : 0;
  auto e = rd_kafka_producev(producer_->rk.get(), RD_KAFKA_V_TOPIC(topic_.name.c_str()),
                             RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                             RD_KAFKA_V_VALUE(payload, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_OPAQUE(&p), RD_KAFKA_V_END);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Error::transient(fmt::format("cannot write {} to {}: {}", key, topic_.name, rd_kafka_err2str(e)));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!p.done.load()) {
    if (std::chrono::steady_clock::now() > deadline) {
      // The message stays queued in librdkafka and still points at p: wait for it rather than return.
      rd_kafka_purge(producer_->rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      while (!p.done.load()) rd_kafka_poll(producer_->rk.get(), 50);
      return Error::transient(fmt::format("timed out writing {} to {}", key, topic_.name));
    }
    rd_kafka_poll(producer_->rk.get(), 20);
  }
  if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Error::transient(
        fmt::format("cannot write {} to {}: {}", key, topic_.name, rd_kafka_err2str(p.err)));
  }
  return p.offset;
}

Result<std::vector<LogRecord>> KafkaLog::read_all(int timeout_ms) const {
  auto consumer =
      kafka::make_consumer(client_spec("Kafka consumer for " + topic_.name, bootstrap_, properties_,
                                       {{"group.id", "sluice-worker-reader"},
                                        {"enable.auto.commit", "false"},
                                        {"enable.partition.eof", "true"},
                                        {"isolation.level", "read_committed"}}));
  if (!consumer) return consumer.error();
  rd_kafka_t* rk = consumer->get();
  auto partitions = kafka::partition_count(rk, topic_.name, timeout_ms);
  if (!partitions) return partitions.error();

  std::map<int32_t, int64_t> end;  // partition -> high watermark still to reach
  kafka::PartitionList assign(rd_kafka_topic_partition_list_new(*partitions));
  for (int p = 0; p < *partitions; ++p) {
    int64_t low = 0, high = 0;
    auto werr = kafka::query_watermarks(rk, topic_.name, p, &low, &high, timeout_ms);
    if (werr) {
      return Error::transient(fmt::format("cannot read offsets of '{}' partition {}: {}", topic_.name, p,
                                          rd_kafka_err2str(werr)));
    }
    if (high > low) {
      rd_kafka_topic_partition_list_add(assign.get(), topic_.name.c_str(), p)->offset = low;
      end[p] = high;
    }
  }
  std::vector<LogRecord> out;
  if (!end.empty()) rd_kafka_assign(rk, assign.get());
  assign.reset();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!end.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Error::transient(fmt::format("timed out reading '{}'", topic_.name));
    }
    kafka::Message m(rd_kafka_consumer_poll(rk, 200));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // The end: the offsets of transaction markers are never delivered, so the last record may be short of
      // it.
      auto it = end.find(m->partition);
      if (it != end.end() && m->offset >= it->second) end.erase(it);
      continue;
    }
    if (m->err) {
      return Error::transient(
          fmt::format("cannot read '{}': {}", topic_.name, rd_kafka_message_errstr(m.get())));
    }
    LogRecord r;
    r.key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) r.value.emplace(static_cast<const char*>(m->payload), m->len);
    r.partition = m->partition;
    r.offset = m->offset;
    out.push_back(std::move(r));
  }
  return out;
}

std::string KafkaLog::cluster_id(int timeout_ms) const {
  char* id = rd_kafka_clusterid(producer_->rk.get(), timeout_ms);
  if (id == nullptr) return {};
  std::string out(id);
  rd_kafka_mem_free(producer_->rk.get(), id);
  return out;
}

}  // namespace sluice::worker
