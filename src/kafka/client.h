// One factory for librdkafka clients (producers, consumers, admin clients) from property maps: sluice's
// settings and the user's are applied in layers, and a refused property fails naming its key and value.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "kafka/handles.h"

namespace sluice::kafka {

using Properties = std::map<std::string, std::string>;

enum class ClientType { kProducer, kConsumer };

// Properties applied to the configuration in order; a later layer overrides an earlier one.
struct Layer {
  std::vector<std::pair<std::string, std::string>> properties;
  // Another client's properties passed through (e.g. the producer's to a reader): what this client
  // refuses is skipped instead of failing.
  bool skip_refused = false;
  // Set by the user: a refusal says so, and `origin` (with {} for the key) tells where it came from, e.g.
  // "passed through as producer.{} / kafka.{}".
  bool user = false;
  std::string origin;

  static Layer of(const Properties& p, bool user = false) {
    return Layer{{p.begin(), p.end()}, false, user, {}};
  }
};

struct ClientSpec {
  ClientType type = ClientType::kConsumer;
  std::string role;  // named when the client cannot be made: "cannot create the <role>: …"
  std::vector<Layer> layers;
  // Optional callbacks and their opaque pointer.
  void (*log_cb)(const rd_kafka_t*, int, const char*, const char*) = nullptr;
  void (*error_cb)(rd_kafka_t*, int, const char*, void*) = nullptr;
  void (*dr_msg_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr;
  void (*rebalance_cb)(rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t*, void*) = nullptr;
  void* opaque = nullptr;
  bool quiet = false;  // librdkafka's own log lines are dropped (when log_cb is not given)
};

// How a property's value is shown in an error: secrets (passwords, private keys) are named, never shown.
std::string shown_value(std::string_view key, std::string_view value);

// The error text for a property librdkafka refused.
std::string refused_property(ClientType type, std::string_view key, std::string_view value,
                             std::string_view reason, bool user, std::string_view origin);

// The configuration built from the spec's layers and callbacks (fatal error on a refused property).
Result<Conf> make_conf(const ClientSpec& spec);

// A client from a configuration make_conf built (to tell a refused property from a failed creation).
Result<Client> make_producer(Conf conf, const std::string& role);
Result<Consumer> make_consumer(Conf conf, const std::string& role);

// A producer (or admin) client; its handle is destroyed as is.
Result<Client> make_producer(const ClientSpec& spec);
// A consumer; closed before it is destroyed.
Result<Consumer> make_consumer(const ClientSpec& spec);

// The security settings (security.*, sasl.*, ssl.*) of a property map: what a helper client talking to the
// same cluster inherits.
Properties security_properties(const Properties& p);

}  // namespace sluice::kafka
