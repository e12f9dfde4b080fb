// WorkerConfig: `sluice connect`'s worker properties under Kafka Connect's names (connect-distributed
// .properties runs as is: Connect keys sluice has no use for are accepted, unknown ones warned).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace sluice::worker {

struct StorageTopic {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  // -1: the broker's default.replication.factor (KIP-464)
};

// The REST listener as the worker properties describe it (plain data: the command that starts the HTTP
// server turns it into the server's options).
struct RestListener {
  std::string host = "127.0.0.1";
  int port = 8083;
  bool tls = false;
  std::string cert_file;                          // PEM certificate chain (tls)
  std::string key_file;                           // PEM private key (tls)
  std::string client_ca_file;                     // clients must present a certificate signed by these
  std::map<std::string, std::string> basic_auth;  // user -> password; empty: no authentication
  // rest.max.connections, rest.max.connections.per.address, rest.header.timeout.ms (server::HttpOptions'
  // defaults)
  size_t max_connections = 10000;
  size_t max_connections_per_address = 4096;
  int header_timeout_ms = 10000;
};

struct WorkerConfig {
  std::string bootstrap_servers = "localhost:9092";
  std::string group_id = "connect-cluster";
  StorageTopic config_topic{"connect-configs", 1, -1};
  StorageTopic offset_topic{"connect-offsets", 25, -1};
  StorageTopic status_topic{"connect-status", 5, -1};
  std::string listener = "http://127.0.0.1:8083";
  RestListener http;  // parsed from listener and listeners.https.ssl.*, rest.basic.auth.file
  std::string advertised_host;
  int advertised_port = 0;
  std::string advertised_protocol;
  int64_t offset_flush_interval_ms = 60000;
  // librdkafka settings of the worker's own clients (storage topics): security.protocol, sasl.*, ssl.*.
  std::map<std::string, std::string> kafka_properties;
  // Settings a connector inherits unless its config sets them: producer.* (sources), consumer.* (sinks),
  // key/value.converter.*, config.providers*.
  config::Properties connector_defaults;
  std::vector<std::string> warnings;

  // host:port as other workers and the statuses name this worker (Connect's worker_id).
  std::string worker_id() const;
  // The URL other workers forward requests to.
  std::string advertised_url() const;
};

Result<WorkerConfig> parse_worker_config(const config::Properties& props);

// A connector's config as the worker runs it: the stored config plus the worker's defaults (bootstrap
// servers, offset topic, producer.*, converters) where the connector does not set them.
config::Properties connector_properties(const WorkerConfig& worker, const config::Properties& stored);
// The same for a sink connector: bootstrap servers, consumer.* (the worker's security settings too),
// converters, config providers.
config::Properties sink_connector_properties(const WorkerConfig& worker, const config::Properties& stored);

}  // namespace sluice::worker
