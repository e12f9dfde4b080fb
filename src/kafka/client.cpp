// The client factory: layered properties -> rd_kafka_conf_t -> rd_kafka_t.
#include "kafka/client.h"

#include <fmt/format.h>

namespace sluice::kafka {

namespace {

void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

const char* type_name(ClientType type) {
  return type == ClientType::kProducer ? "producer" : "consumer";
}

std::string with_key(std::string_view origin, std::string_view key) {
  std::string out;
  for (size_t i = 0; i < origin.size(); ++i) {
    if (origin.compare(i, 2, "{}") == 0) {
      out += key;
      ++i;
    } else {
      out.push_back(origin[i]);
    }
  }
  return out;
}

}  // namespace

std::string shown_value(std::string_view key, std::string_view value) {
  bool secret = key.find("password") != std::string_view::npos ||
                key.find("secret") != std::string_view::npos || key == "ssl.key.pem" || key == "ssl_key";
  return secret ? std::string("(secret)") : fmt::format("'{}'", value);
}

std::string refused_property(ClientType type, std::string_view key, std::string_view value,
                             std::string_view reason, bool user, std::string_view origin) {
  if (!user) return fmt::format("cannot set Kafka property {}='{}': {}", key, value, reason);
  std::string out = fmt::format("invalid Kafka {} property {}={}: {}", type_name(type), key,
                                shown_value(key, value), reason);
  if (!origin.empty()) out += fmt::format(" ({})", with_key(origin, key));
  return out;
}

Result<Conf> make_conf(const ClientSpec& spec) {
  Conf conf(rd_kafka_conf_new());
  char err[512];
  for (const auto& layer : spec.layers) {
    for (const auto& [k, v] : layer.properties) {
      if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), err, sizeof(err)) == RD_KAFKA_CONF_OK) continue;
      if (layer.skip_refused) continue;
      return Error::fatal(refused_property(spec.type, k, v, err, layer.user, layer.origin));
    }
  }
  if (spec.log_cb != nullptr) {
    rd_kafka_conf_set_log_cb(conf.get(), spec.log_cb);
  } else if (spec.quiet) {
    rd_kafka_conf_set_log_cb(conf.get(), quiet_log);
  }
  if (spec.error_cb != nullptr) rd_kafka_conf_set_error_cb(conf.get(), spec.error_cb);
  if (spec.dr_msg_cb != nullptr) rd_kafka_conf_set_dr_msg_cb(conf.get(), spec.dr_msg_cb);
  if (spec.rebalance_cb != nullptr) rd_kafka_conf_set_rebalance_cb(conf.get(), spec.rebalance_cb);
  if (spec.opaque != nullptr) rd_kafka_conf_set_opaque(conf.get(), spec.opaque);
  return conf;
}

namespace {

Result<rd_kafka_t*> make(rd_kafka_type_t type, Conf conf, const std::string& role) {
  char err[512];
  // rd_kafka_new owns the configuration only when it succeeds.
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof(err));
  if (rk == nullptr) return Error::fatal(fmt::format("cannot create the {}: {}", role, err));
  (void)conf.release();
  return rk;
}

}  // namespace

Result<Client> make_producer(Conf conf, const std::string& role) {
  auto rk = make(RD_KAFKA_PRODUCER, std::move(conf), role);
  if (!rk) return rk.error();
  return Client(*rk);
}

Result<Consumer> make_consumer(Conf conf, const std::string& role) {
  auto rk = make(RD_KAFKA_CONSUMER, std::move(conf), role);
  if (!rk) return rk.error();
  return Consumer(*rk);
}

Result<Client> make_producer(const ClientSpec& spec) {
  ClientSpec s = spec;
  s.type = ClientType::kProducer;
  auto conf = make_conf(s);
  if (!conf) return conf.error();
  return make_producer(std::move(*conf), spec.role);
}

Result<Consumer> make_consumer(const ClientSpec& spec) {
  ClientSpec s = spec;
  s.type = ClientType::kConsumer;
  auto conf = make_conf(s);
  if (!conf) return conf.error();
  return make_consumer(std::move(*conf), spec.role);
}

Properties security_properties(const Properties& p) {
  Properties out;
  for (const auto& [k, v] : p) {
    if (k.starts_with("security.") || k.starts_with("sasl.") || k.starts_with("ssl.")) out[k] = v;
  }
  return out;
}

}  // namespace sluice::kafka
