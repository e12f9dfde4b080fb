// Storage topics through librdkafka: an admin request creates them, a producer with acks=all and Java's
// murmur2 partitioner (so keys land where Connect's own producer puts them) writes, a short-lived consumer
// assigned to every partition reads them from the low to the high watermark.
#include "worker/kafka_log.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "offsets/offset_store.h"

namespace sluice::worker {

namespace {

void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

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

rd_kafka_conf_t* make_conf(const std::string& bootstrap,
                           const std::map<std::string, std::string>& properties) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [k, v] : properties) rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  rd_kafka_conf_set_log_cb(conf, quiet_log);
  return conf;
}

struct Consumer {
  rd_kafka_t* rk = nullptr;
  ~Consumer() {
    if (rk) {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  }
};

}  // namespace

struct KafkaLog::Handle {
  rd_kafka_t* rk = nullptr;
  ~Handle() {
    if (rk) {
      rd_kafka_flush(rk, 5000);
      rd_kafka_destroy(rk);
    }
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
  char err[512];
  rd_kafka_conf_t* conf = make_conf(bootstrap, properties);
  rd_kafka_conf_set(conf, "acks", "all", err, sizeof(err));
  rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof(err));
  rd_kafka_conf_set(conf, "partitioner", "murmur2_random", err, sizeof(err));
  rd_kafka_conf_set(conf, "linger.ms", "0", err, sizeof(err));
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  log->producer_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (log->producer_->rk == nullptr) {
    return Error::fatal(fmt::format("cannot create the Kafka producer for {}: {}", topic.name, err));
  }
  rd_kafka_t* rk = log->producer_->rk;

  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions, topic.replication_factor, err, sizeof(err));
  if (nt == nullptr) return Error::fatal(fmt::format("invalid storage topic '{}': {}", topic.name, err));
  rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, err, sizeof(err));
  rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
  Status st = ok_status();
  if (ev == nullptr) {
    st = Error::transient(
        fmt::format("timed out creating storage topic '{}' (is Kafka at {} up?)", topic.name, bootstrap));
  } else if (rd_kafka_event_error(ev)) {
    st = Error::transient(
        fmt::format("cannot create storage topic '{}': {}", topic.name, rd_kafka_event_error_string(ev)));
  } else {
    size_t n = 0;
    auto** res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      auto code = rd_kafka_topic_result_error(res[i]);
      if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        st = Error::fatal(fmt::format("Kafka refused to create storage topic '{}': {}", topic.name,
                                      rd_kafka_topic_result_error_string(res[i])));
      }
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  if (!st) return st.error();
  return log;
}

Result<int64_t> KafkaLog::write(const std::string& key, std::optional<std::string_view> value,
                                int timeout_ms) {
  Pending p;
  void* payload = value ? const_cast<char*>(value->data()) : nullptr;
  size_t len = value ? value->size() : 0;
  auto e = rd_kafka_producev(producer_->rk, RD_KAFKA_V_TOPIC(topic_.name.c_str()),
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
      rd_kafka_purge(producer_->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      while (!p.done.load()) rd_kafka_poll(producer_->rk, 50);
      return Error::transient(fmt::format("timed out writing {} to {}", key, topic_.name));
    }
    rd_kafka_poll(producer_->rk, 20);
  }
  if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Error::transient(
        fmt::format("cannot write {} to {}: {}", key, topic_.name, rd_kafka_err2str(p.err)));
  }
  return p.offset;
}

Result<std::vector<LogRecord>> KafkaLog::read_all(int timeout_ms) const {
  char err[512];
  rd_kafka_conf_t* conf = make_conf(bootstrap_, properties_);
  rd_kafka_conf_set(conf, "group.id", "sluice-worker-reader", err, sizeof(err));
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err));
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof(err));
  rd_kafka_conf_set(conf, "isolation.level", "read_committed", err, sizeof(err));
  Consumer c;
  c.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (c.rk == nullptr)
    return Error::fatal(fmt::format("cannot create a Kafka consumer for {}: {}", topic_.name, err));

  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(c.rk, topic_.name.c_str(), nullptr);
  auto merr = rd_kafka_metadata(c.rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (merr) {
    return Error::transient(
        fmt::format("cannot read metadata of '{}': {}", topic_.name, rd_kafka_err2str(merr)));
  }
  int partitions = md->topic_cnt > 0 ? md->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(md);

  std::map<int32_t, int64_t> end;  // partition -> high watermark still to reach
  rd_kafka_topic_partition_list_t* assign = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    auto werr = offsets::query_watermarks(c.rk, topic_.name, p, &low, &high, timeout_ms);
    if (werr) {
      rd_kafka_topic_partition_list_destroy(assign);
      return Error::transient(fmt::format("cannot read offsets of '{}' partition {}: {}", topic_.name, p,
                                          rd_kafka_err2str(werr)));
    }
    if (high > low) {
      rd_kafka_topic_partition_list_add(assign, topic_.name.c_str(), p)->offset = low;
      end[p] = high;
    }
  }
  std::vector<LogRecord> out;
  if (!end.empty()) rd_kafka_assign(c.rk, assign);
  rd_kafka_topic_partition_list_destroy(assign);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!end.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Error::transient(fmt::format("timed out reading '{}'", topic_.name));
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c.rk, 200);
    if (m == nullptr) continue;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> guard(m, rd_kafka_message_destroy);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // The end: the offsets of transaction markers are never delivered, so the last record may be short of
      // it.
      auto it = end.find(m->partition);
      if (it != end.end() && m->offset >= it->second) end.erase(it);
      continue;
    }
    if (m->err) {
      return Error::transient(fmt::format("cannot read '{}': {}", topic_.name, rd_kafka_message_errstr(m)));
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
  char* id = rd_kafka_clusterid(producer_->rk, timeout_ms);
  if (id == nullptr) return {};
  std::string out(id);
  rd_kafka_mem_free(producer_->rk, id);
  return out;
}

}  // namespace sluice::worker
