// The direct sinks' settings (sink.type = file | http | redis | nats): Debezium Server's property names
// where it has the sink (debezium.sink.http.*, debezium.sink.redis.*, debezium.sink.nats-jetstream.*),
// sluice.sink.<type>.* otherwise. Parsed with the connector config; every rejection names the key.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace sluice::config {

struct FileSinkConfig {
  std::string path;          // sluice.sink.file.path ("-": stdout)
  int64_t rotate_bytes = 0;  // sluice.sink.file.rotate.bytes (0: never)
  bool fsync = true;         // sluice.sink.file.fsync: fsync before acknowledging
  bool value_only = false;   // sluice.sink.file.format = record (default) | value
};

struct HttpSinkConfig {
  std::string url;                             // debezium.sink.http.url
  int64_t timeout_ms = 60000;                  // debezium.sink.http.timeout.ms
  int64_t retries = 5;                         // debezium.sink.http.retries (-1: forever)
  int64_t retry_interval_ms = 1000;            // debezium.sink.http.retry.interval.ms (first backoff)
  int64_t retry_max_interval_ms = 30000;       // sluice.sink.http.retry.max.interval.ms (backoff cap)
  std::string headers_prefix = "X-DEBEZIUM-";  // debezium.sink.http.headers.prefix
  bool headers_encode_base64 = true;           // debezium.sink.http.headers.encode.base64
  bool batch = false;                          // debezium.sink.http.batch.enabled
  int64_t batch_max_size = 200;                // debezium.sink.http.batch.max-size
  std::string auth;                            // debezium.sink.http.authentication.type: "", bearer, basic
  std::string bearer_token;                    // sluice.sink.http.authentication.bearer.token
  std::string basic_user;                      // sluice.sink.http.authentication.basic.username
  std::string basic_password;                  // sluice.sink.http.authentication.basic.password
  std::string ca_file;                         // sluice.sink.http.ssl.ca.location
  bool verify_tls = true;                      // sluice.sink.http.ssl.verify
  std::string idempotency_header = "Idempotency-Key";  // sluice.sink.http.idempotency.header ("" none)
  std::string idempotency_prefix;  // sluice.sink.http.idempotency.prefix (default topic.prefix)
  std::map<std::string, std::string> static_headers;  // sluice.sink.http.header.<Name>
};

struct RedisSinkConfig {
  std::string host = "localhost";  // debezium.sink.redis.address host:port
  int port = 6379;
  std::string user;                    // debezium.sink.redis.user
  std::string password;                // debezium.sink.redis.password
  bool extended = false;               // debezium.sink.redis.message.format = compact | extended
  std::string null_key = "default";    // debezium.sink.redis.null.key
  std::string null_value = "default";  // debezium.sink.redis.null.value
  int64_t batch_size = 500;            // debezium.sink.redis.batch.size
  int64_t retry_initial_ms = 300;      // debezium.sink.redis.retry.initial.delay.ms
  int64_t retry_max_ms = 10000;        // debezium.sink.redis.retry.max.delay.ms
  int64_t timeout_ms = 2000;           // debezium.sink.redis.connection.timeout.ms / socket.timeout.ms
  int64_t maxlen = 0;                  // sluice.sink.redis.maxlen (XADD MAXLEN ~ n; 0: untrimmed)
};

struct NatsSinkConfig {
  std::string url;                             // debezium.sink.nats-jetstream.url
  bool create_stream = false;                  // debezium.sink.nats-jetstream.create-stream
  std::string stream_name = "DebeziumStream";  // debezium.sink.nats-jetstream.stream-name
  std::string subjects = "*.*.*";              // debezium.sink.nats-jetstream.subjects
  bool file_storage = false;                   // debezium.sink.nats-jetstream.storage = memory | file
  std::string user;                            // debezium.sink.nats-jetstream.auth.user
  std::string password;                        // debezium.sink.nats-jetstream.auth.password
  int64_t timeout_ms = 5000;                   // debezium.sink.nats-jetstream.async.timeout.ms (ack wait)
  int64_t retries = -1;                        // debezium.sink.nats-jetstream.sync.retries (-1: forever)
  int64_t retry_interval_ms = 1000;            // debezium.sink.nats-jetstream.sync.retry.interval.ms
  int64_t retry_max_interval_ms = 60000;       // debezium.sink.nats-jetstream.sync.retry.max.interval.ms
};

struct DirectSinkConfig {
  FileSinkConfig file;
  HttpSinkConfig http;
  RedisSinkConfig redis;
  NatsSinkConfig nats;
};

using Properties = std::map<std::string, std::string>;

// Reads the settings of sink type `type` ("file", "http", "redis", "nats"; anything else reads nothing)
// from props, adding every key it reads to `used`. Keys of another direct sink's namespace, and unknown
// keys of this one, are refused (naming the key), so a typo does not silently drop a setting; Debezium
// Server's settings that sluice has no use for are accepted with a warning.
Result<DirectSinkConfig> parse_direct_sink(const Properties& props, const std::string& type,
                                           const std::string& topic_prefix, std::set<std::string>& used,
                                           std::vector<std::string>& warnings);

}  // namespace sluice::config
