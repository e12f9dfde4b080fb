// Example consumer for sluice change events (Debezium JSON format) with librdkafka's C++ API.
// Prints one JSON line per event on stdout: {topic, partition, offset, key, op, before, after} or, for a
// tombstone (null value), {topic, partition, offset, key, tombstone: true}; a record that is not a change
// event (transaction metadata, heartbeats, an unwrapped row) as {topic, partition, offset, key, value}.
// Status lines go to stderr.
//
// Environment: SLUICE_KAFKA_BOOTSTRAP (default 127.0.0.1:29092, comma-separated), SLUICE_TOPIC (default
// myserver.public.customers; several topics comma-separated), SLUICE_CONSUMER_GROUP (default cpp-consumer).
// librdkafka decodes every compression codec, so this consumer reads any producer setting.
#include <librdkafka/rdkafkacpp.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t stopping = 0;

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    auto b = item.find_first_not_of(' ');
    auto e = item.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

// Debezium JSON comes with schemas ({"schema":…,"payload":…}, converter schemas.enable=true) or without (the
// payload itself): the payload either way. Text that is not JSON is returned as a string.
nlohmann::json decode(const void* data, size_t size) {
  if (data == nullptr) return nullptr;
  auto doc = nlohmann::json::parse(static_cast<const char*>(data), static_cast<const char*>(data) + size,
                                   nullptr, false);
  if (doc.is_discarded()) return std::string(static_cast<const char*>(data), size);
  if (doc.is_object() && doc.contains("schema") && doc.contains("payload")) return doc["payload"];
  return doc;
}

nlohmann::json describe(const RdKafka::Message& m) {
  nlohmann::json out = {{"topic", m.topic_name()}, {"partition", m.partition()}, {"offset", m.offset()}};
  out["key"] = m.key_pointer() != nullptr ? decode(m.key_pointer(), m.key_len()) : nlohmann::json(nullptr);
  if (m.payload() == nullptr) {
    out["tombstone"] = true;
    return out;
  }
  auto value = decode(m.payload(), m.len());
  if (value.is_object() && value.contains("op")) {
    out["op"] = value["op"];
    out["before"] = value.value("before", nlohmann::json(nullptr));
    out["after"] = value.value("after", nlohmann::json(nullptr));
  } else {
    out["value"] = value;
  }
  return out;
}

}  // namespace

int main() {
  const std::string brokers = env_or("SLUICE_KAFKA_BOOTSTRAP", "127.0.0.1:29092");
  const auto topics = split(env_or("SLUICE_TOPIC", "myserver.public.customers"));
  const std::string group = env_or("SLUICE_CONSUMER_GROUP", "cpp-consumer");
  std::signal(SIGINT, [](int) { stopping = 1; });
  std::signal(SIGTERM, [](int) { stopping = 1; });

  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] :
       {std::pair<std::string, std::string>{"bootstrap.servers", brokers},
        {"group.id", group},
        {"auto.offset.reset", "earliest"},  // a new group reads the topics from the start
        // A subscribed topic that does not exist yet (sluice creates a topic with its first record) is picked
        // up at the next metadata refresh: every 5 s, not librdkafka's 5 min.
        {"topic.metadata.refresh.interval.ms", "5000"},
        {"client.id", "sluice-example-cpp"}}) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      std::cerr << "bad setting " << k << "=" << v << ": " << err << "\n";
      return 2;
    }
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) {
    std::cerr << "cannot create the consumer: " << err << "\n";
    return 1;
  }
  if (auto e = consumer->subscribe(topics); e != RdKafka::ERR_NO_ERROR) {
    std::cerr << "cannot subscribe: " << RdKafka::err2str(e) << "\n";
    return 1;
  }
  std::cerr << "consuming " << nlohmann::json(topics).dump() << " from " << brokers << " as group " << group
            << "\n";
  while (!stopping) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(500));
    switch (m->err()) {
      case RdKafka::ERR_NO_ERROR:
        std::cout << describe(*m).dump() << std::endl;
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        break;
      case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:  // not created yet: the subscription picks it up once it is
        break;
      default:
        std::cerr << "consume error: " << m->errstr() << "\n";
        if (m->err() == RdKafka::ERR__FATAL) return 1;
    }
  }
  consumer->close();
  std::cerr << "stopped\n";
  return 0;
}
