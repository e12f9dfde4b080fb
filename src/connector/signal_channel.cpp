// Kafka signal channel (a librdkafka consumer polled by the streaming thread) and `sluice signal`.
#include "connector/signal_channel.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <random>

#include "common/log.h"
#include "kafka/client.h"
#include "pg/connection.h"
#include "sink/kafka_producer.h"

namespace sluice::connector {

namespace {
std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("signals");
  return l;
}
}  // namespace

struct KafkaSignalChannel::Handle {
  kafka::Consumer rk;
};

KafkaSignalChannel::~KafkaSignalChannel() = default;

Result<std::unique_ptr<KafkaSignalChannel>> KafkaSignalChannel::open(const config::Config& config) {
  std::unique_ptr<KafkaSignalChannel> ch(new KafkaSignalChannel());
  ch->h_ = std::make_unique<Handle>();
  ch->key_ = config.topic_prefix;
  ch->topic_ = config.signal_kafka_topic;
  kafka::ClientSpec spec;
  spec.role = "Kafka signal channel consumer";
  spec.layers = {kafka::Layer::of({{"bootstrap.servers", config.signal_kafka_bootstrap},
                                   {"group.id", config.signal_kafka_group},
                                   {"enable.auto.commit", "false"},
                                   {"auto.offset.reset", "earliest"},
                                   {"topic.metadata.refresh.interval.ms", "1000"},
                                   {"allow.auto.create.topics", "true"}}),
                 // Security settings of the sink apply to the signal consumer too (same cluster by default).
                 kafka::Layer::of(kafka::security_properties(config.producer_properties), true)};
  spec.quiet = true;
  auto consumer = kafka::make_consumer(spec);
  if (!consumer) return Error::fatal(fmt::format("Kafka signal channel: {}", consumer.error().message));
  ch->h_->rk = std::move(*consumer);
  rd_kafka_poll_set_consumer(ch->h_->rk.get());
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, ch->topic_.c_str(), RD_KAFKA_PARTITION_UA);
  auto e = rd_kafka_subscribe(ch->h_->rk.get(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Error::fatal(
        fmt::format("Kafka signal channel: cannot subscribe to {}: {}", ch->topic_, rd_kafka_err2str(e)));
  }
  log()->info("reading signals from Kafka topic {} (group {})", ch->topic_, config.signal_kafka_group);
  return ch;
}

Result<std::vector<snapshot::Signal>> KafkaSignalChannel::poll() {
  std::vector<snapshot::Signal> out;
  for (int i = 0; i < 100; ++i) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(h_->rk.get(), 0);
    if (m == nullptr) break;
    kafka::Message guard(m);
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && m->err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        log()->warn("Kafka signal channel {}: {}", topic_, rd_kafka_message_errstr(m));
      }
      continue;
    }
    dirty_ = true;
    std::string_view key(static_cast<const char*>(m->key), m->key_len);
    if (key != key_) {
      log()->debug("Kafka signal with key '{}' is for another connector (this one: '{}')", key, key_);
      continue;
    }
    std::string_view value(static_cast<const char*>(m->payload), m->len);
    auto sig = snapshot::parse_kafka_signal(key, value);
    if (!sig) {
      log()->warn("{}; skipped", sig.error().message);
      continue;
    }
    sig->id = fmt::format("kafka-{}-{}", m->partition, m->offset);
    out.push_back(std::move(*sig));
  }
  return out;
}

void KafkaSignalChannel::commit() {
  if (!dirty_) return;
  dirty_ = false;
  rd_kafka_commit(h_->rk.get(), nullptr, 0);
}

Status send_signal(const config::Config& config, const std::string& type, const std::string& data,
                   std::string& channel_used) {
  std::random_device rd;
  const std::string id = fmt::format("sluice-{:08x}{:08x}", rd(), rd());
  if (config.signal_source && !config.read_only && !config.signal_data_collection.empty()) {
    auto conn = pg::Connection::connect(config.conninfo(false));
    if (!conn) return conn.error();
    auto dot = config.signal_data_collection.find('.');
    auto table = pg::qualified_name(*conn, config.signal_data_collection.substr(0, dot),
                                    config.signal_data_collection.substr(dot + 1));
    auto r = conn->exec_params(fmt::format("INSERT INTO {} (id, type, data) VALUES ($1, $2, $3)", table),
                               {id, type, data.empty() ? std::nullopt : std::optional<std::string>(data)});
    if (!r) {
      return Error{r.error().kind,
                   fmt::format("cannot insert the signal into {} (signal.data.collection): {}",
                               config.signal_data_collection, r.error().message)};
    }
    channel_used = fmt::format("row '{}' in {}", id, config.signal_data_collection);
    return ok_status();
  }
  if (!config.signal_kafka) {
    return Error::fatal(
        "no signal channel to write to: set signal.data.collection (source channel) or "
        "signal.enabled.channels=kafka");
  }
  struct Waiter : sink::DeliveryHandler {
    std::string error;
    bool done = false;
    void on_delivery(uint64_t, std::string_view, const char* e) override {
      done = true;
      if (e != nullptr) error = e;
    }
  } waiter;
  auto producer =
      sink::KafkaProducer::create(config.signal_kafka_bootstrap, config.producer_properties, &waiter);
  if (!producer) return producer.error();
  if (auto s = (*producer)->ensure_topic(config.signal_kafka_topic, 30000); !s) return s;
  auto value = snapshot::kafka_signal_value(type, data.empty() ? "{}" : data);
  if (auto s = (*producer)->produce(config.signal_kafka_topic, std::string_view(config.topic_prefix),
                                    std::string_view(value), 1, {}, [] { return false; });
      !s) {
    return s;
  }
  if (!(*producer)->flush(30000) || !waiter.done) {
    return Error::transient(
        fmt::format("Kafka did not acknowledge the signal on {}", config.signal_kafka_topic));
  }
  if (!waiter.error.empty()) {
    return Error::fatal(
        fmt::format("Kafka rejected the signal on {}: {}", config.signal_kafka_topic, waiter.error));
  }
  channel_used = fmt::format("Kafka topic {} (key {})", config.signal_kafka_topic, config.topic_prefix);
  return ok_status();
}

}  // namespace sluice::connector
