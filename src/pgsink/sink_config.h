// SinkConfig: `sluice sink CONFIG`, the Postgres sink's configuration under the names and meanings of
// Debezium's JDBC sink connector (JdbcSinkConnectorConfig, SinkConnectorConfig), plus Kafka Connect's
// sink-task names (topics, topics.regex, errors.*) and the consumer's client settings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace sluice::pgsink {

enum class InsertMode { kInsert, kUpsert, kUpdate };
enum class PrimaryKeyMode { kNone, kKafka, kRecordKey, kRecordValue };
enum class SchemaEvolution { kNone, kBasic };
enum class ErrorsTolerance { kNone, kAll };

struct SinkConfig {
  std::string name = "sluice-sink";  // connector name (registration "name"); keys the stored offsets

  // What to consume: topics (comma-separated) or topics.regex (a Java/RE2 regular expression), not both.
  std::vector<std::string> topics;
  std::string topics_regex;

  // Target: connection.url (jdbc:postgresql://… or a libpq URL/keyword string) + username/password.
  std::string connection_url;
  std::string username;
  std::string password;
  std::string search_path;  // the JDBC URL's currentSchema

  InsertMode insert_mode = InsertMode::kInsert;
  bool delete_enabled = false;
  bool truncate_enabled = false;
  PrimaryKeyMode primary_key_mode = PrimaryKeyMode::kNone;
  std::vector<std::string> primary_key_fields;
  SchemaEvolution schema_evolution = SchemaEvolution::kNone;
  // collection.name.format (table.name.format): ${topic} (dots become underscores), ${source.<field>}.
  std::string collection_name_format = "${topic}";
  bool quote_identifiers = false;
  int batch_size = 500;
  std::string use_time_zone = "UTC";  // session TimeZone of the target connection (use.time.zone)

  // sluice: the target table holding the consumed offsets, written in each batch's transaction.
  std::string offsets_table = "sluice_sink_offsets";

  // Kafka Connect's error handling for records that cannot be converted or applied.
  ErrorsTolerance errors_tolerance = ErrorsTolerance::kNone;
  std::string dlq_topic;  // errors.deadletterqueue.topic.name
  int dlq_replication_factor = 3;
  bool dlq_context_headers = false;  // errors.deadletterqueue.context.headers.enable
  bool errors_log_enable = false;    // errors.log.enable

  // Retries of transient failures (target unreachable, serialization failures): Debezium's
  // flush.max.retries / flush.retry.delay.ms per batch, then reconnecting without limit.
  int flush_max_retries = 5;
  int64_t flush_retry_delay_ms = 1000;

  // Kafka consumer: bootstrap servers, group (Connect's connect-<name> unless consumer.override.group.id)
  // and librdkafka properties from consumer.override.* / consumer.* / kafka.*.
  std::string bootstrap_servers = "localhost:9092";
  std::string group_id;
  std::map<std::string, std::string> consumer_properties;
  // `sluice sink`: a static group member (group.instance.id), so a restart gets its partitions back at once.
  // `sluice connect` runs sinks as dynamic members, as Connect's sink tasks: a stopped sink leaves the group,
  // so its consumer group's offsets can be reset or altered (an admin request needs an empty group).
  bool static_membership = true;

  // metrics.listeners (sluice): `sluice sink` serves /metrics, /health and /ready on this http://host:port
  // (off when empty; a worker serves its sinks' metrics on its own listener).
  std::string metrics_listeners;
  // metrics.listeners.max.connections, .max.connections.per.address and .header.timeout.ms (sluice): the
  // listener's connection caps and request-header deadline; unset: the listener's defaults.
  std::optional<int64_t> metrics_max_connections;
  std::optional<int64_t> metrics_max_connections_per_address;
  std::optional<int64_t> metrics_header_timeout_ms;

  std::vector<std::string> warnings;

  // libpq keyword=value connection string for the target.
  std::string conninfo() const;
};

// Translates connection.url into libpq keyword=value pairs (without user/password): a JDBC URL
// jdbc:postgresql://host[:port][,host2[:port2]]/db?prop=…, a postgresql:// URI or a keyword string. JDBC
// properties with a libpq equivalent are mapped (user, password, sslmode, ssl, sslrootcert, sslcert, sslkey,
// currentSchema, ApplicationName, connectTimeout, options); others are dropped with a warning.
Result<std::map<std::string, std::string>> parse_connection_url(const std::string& url,
                                                                std::vector<std::string>& warnings);

// Validates and converts the (provider-resolved) properties; errors name the key, the value and what is
// allowed.
Result<SinkConfig> parse_sink_config(const config::Properties& props);

}  // namespace sluice::pgsink
