// Config: the connector configuration under Debezium's property names, parsed from a Kafka Connect
// registration JSON, a flat JSON object or a Java .properties file, validated up front (fail fast,
// naming the key, the value and what is allowed).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/direct_sink_config.h"
#include "config/message_key_columns.h"
#include "config/pattern_list.h"
#include "config/sink_types.h"
#include "config/table_filter.h"
#include "config/transform_spec.h"
#include "event/column_mask.h"

namespace sluice::config {

enum class AutocreateMode { kAllTables, kFiltered, kDisabled };
enum class SnapshotMode { kInitial, kNoData, kWhenNeeded, kInitialOnly, kAlways };
enum class OffsetStorage { kKafka, kFile, kNone };
enum class DecimalMode { kPrecise, kDouble, kString };
enum class TimePrecisionMode { kAdaptive, kAdaptiveTimeMicroseconds, kConnect };
enum class BinaryMode { kBytes, kBase64, kBase64UrlSafe, kHex };
enum class IntervalMode { kNumeric, kString };
enum class HstoreMode { kJson, kMap };
enum class FailureMode { kFail, kWarn, kSkip };  // event.processing.failure.handling.mode
// snapshot.isolation.mode: the isolation of snapshot transactions that do not read a replication slot's
// exported snapshot (which is always read under REPEATABLE READ, as Debezium does).
enum class IsolationMode { kSerializable, kRepeatableRead, kReadCommitted, kReadUncommitted };
// incremental.snapshot.watermarking.strategy: the high watermark is a second row, or the deletion of the
// low watermark row.
enum class WatermarkStrategy { kInsertInsert, kInsertDelete };
// exactly.once.support (KIP-618): supported (sluice's default: at-least-once), requested (exactly-once when
// the sink and offsets are Kafka, else at-least-once with a warning), required (exactly-once or exit 2).
enum class ExactlyOnceSupport { kSupported, kRequested, kRequired };

// The newest Debezium 3.x minor release sluice's events are checked against (sluice.compat.version default).
inline constexpr int kNewestCompatMinor = 7;
// The oldest one sluice.compat.version accepts.
inline constexpr int kOldestCompatMinor = 4;

struct Config {
  std::string name = "sluice";  // connector name (registration "name")

  // database.*
  std::string hostname;
  int port = 5432;
  std::string user;
  std::string password;
  std::string dbname;
  std::string sslmode = "prefer";  // libpq's sslmode: disable, allow, prefer, require, verify-ca, verify-full
  std::string sslrootcert;         // CA certificates (PEM) that verify the server (verify-ca, verify-full)
  std::string sslcert;             // client certificate (PEM), for `cert` authentication
  std::string sslkey;              // its private key (PEM)
  std::string sslpassword;         // the private key's passphrase, when it is encrypted

  std::string topic_prefix;
  std::string slot_name = "debezium";
  std::string publication_name = "dbz_publication";
  AutocreateMode publication_autocreate = AutocreateMode::kAllTables;
  // publication.autocreate.mode was set: all_tables is then created even when some table has no replica
  // identity (with a warning); by default sluice creates a filtered publication in that case.
  bool publication_autocreate_explicit = false;
  // slot.drop.on.stop: drop the slot (and forget the stored offsets) after a clean stop.
  bool slot_drop_on_stop = false;
  // slot.takeover (sluice): stream from an existing slot although this connector has no stored offsets
  // (the slot may be another connector's: by default sluice refuses it).
  bool slot_takeover = false;
  std::string topic_delimiter = ".";  // topic.delimiter: <prefix><d><schema><d><table>, and the others
  TableFilter filter;
  // column.include.list / column.exclude.list, column.mask.* and column.truncate.* (null: none).
  std::shared_ptr<const event::ColumnRules> column_rules;
  SnapshotMode snapshot_mode = SnapshotMode::kInitial;
  TableFilter snapshot_include;  // snapshot.include.collection.list: the captured tables that are snapshotted
  // snapshot.select.statement.overrides: "schema.table" -> the SELECT that replaces SELECT <columns> FROM it.
  std::map<std::string, std::string> snapshot_select_overrides;
  int snapshot_fetch_size = 10240;
  int snapshot_max_threads = 1;
  IsolationMode snapshot_isolation = IsolationMode::kSerializable;

  // Signals (Debezium's signal.*). signal.data.collection: the signal table (schema.table), which also
  // receives the incremental snapshot's watermark rows; signal.enabled.channels: source and/or kafka.
  std::string signal_data_collection;
  bool signal_source = true;
  bool signal_kafka = false;
  std::string signal_kafka_topic;                   // signal.kafka.topic (default <topic.prefix>-signal)
  std::string signal_kafka_bootstrap;               // signal.kafka.bootstrap.servers (default the sink's)
  std::string signal_kafka_group = "kafka-signal";  // signal.kafka.groupId
  int incremental_chunk_size = 1024;                // incremental.snapshot.chunk.size
  WatermarkStrategy watermark_strategy = WatermarkStrategy::kInsertInsert;
  // read.only: no writes to the database; incremental snapshot windows are bounded by WAL positions
  // instead of watermark rows, and signals come from the Kafka channel.
  bool read_only = false;
  bool tombstones_on_delete = true;
  bool skip_truncate = true;  // skipped.operations contains 't' (Debezium's default)
  bool skip_create = false, skip_update = false, skip_delete = false;
  // skipped.operations was given (not defaulted): from Debezium 3.6 a created publication then publishes only
  // the other operations (WITH (publish = ...)).
  bool skipped_operations_set = false;
  bool key_schemas_enable = true;
  bool value_schemas_enable = true;
  int64_t status_update_interval_ms = 10000;
  // latency.log.interval.ms: log per-stage latency percentiles of streamed events this often (0: off).
  int64_t latency_log_interval_ms = 0;
  // metrics.listeners (sluice): `sluice run` serves /metrics, /health and /ready on this http://host:port
  // ("": no listener). A worker serves them on its REST listener and ignores this.
  std::string metrics_listeners;
  // metrics.slot.poll.interval.ms (sluice): how often the slot's lag and retained WAL are read.
  int64_t metrics_slot_poll_interval_ms = 10000;
  // metrics.listeners.max.connections, .max.connections.per.address and .header.timeout.ms (sluice): the
  // listener's connection caps and request-header deadline; unset: the listener's defaults
  // (server::HttpOptions).
  std::optional<int64_t> metrics_max_connections;
  std::optional<int64_t> metrics_max_connections_per_address;
  std::optional<int64_t> metrics_header_timeout_ms;
  DecimalMode decimal_mode = DecimalMode::kPrecise;
  TimePrecisionMode time_precision_mode = TimePrecisionMode::kAdaptive;
  BinaryMode binary_mode = BinaryMode::kBytes;
  IntervalMode interval_mode = IntervalMode::kNumeric;
  HstoreMode hstore_mode = HstoreMode::kJson;
  // include.unknown.datatypes: columns of types Debezium has no converter for are kept (as Debezium emits
  // them) instead of dropped.
  bool include_unknown_datatypes = false;
  // sluice.compat.version: the Debezium 3.x minor release whose event format sluice writes (3.4 ... 3.7);
  // the default is the newest checked by tests/conformance (see README, "Compatibility with Debezium").
  int compat_minor = kNewestCompatMinor;
  // message.key.columns: per-table message key columns replacing (or, without a primary key, providing) the
  // key.
  MessageKeyColumns message_key_columns;
  bool extended_headers = true;  // extended.headers.enabled: __debezium.context.* headers on every record
  std::string unavailable_value_placeholder = "__debezium_unavailable_value";
  // Where acknowledged offsets are recorded besides the slot: offset.storage = kafka (offset.storage.topic,
  // the default), file (offset.storage.file.filename; chosen when only that is set) or none.
  OffsetStorage offset_storage = OffsetStorage::kKafka;
  std::string offset_topic = "sluice-offsets";
  std::string offset_file;
  FailureMode failure_mode = FailureMode::kFail;
  int64_t heartbeat_interval_ms = 0;  // 0: no heartbeats
  std::string heartbeat_topic_prefix = "__debezium-heartbeat";
  std::string heartbeat_action_query;
  // Logical decoding messages (pg_logical_emit_message, op "m" on <topic.prefix>.message), filtered by
  // message.prefix.include.list / message.prefix.exclude.list.
  IncludeExclude message_prefixes;
  // provide.transaction.metadata: BEGIN/END records on <topic.prefix>.<topic.transaction> and the
  // `transaction` block {id, total_order, data_collection_order} in every streamed event.
  bool provide_transaction_metadata = false;
  std::string transaction_topic = "transaction";  // topic.transaction

  // sink.type (Debezium Server's debezium.sink.type): kafka, null (acknowledge without sending), or a
  // direct sink without Kafka: file, http, redis, nats (Debezium Server's nats-jetstream).
  SinkType sink_type = SinkType::kKafka;
  DirectSinkConfig direct;  // the direct sink's settings (sink.type file/http/redis/nats)
  // Kafka: bootstrap servers plus librdkafka properties passed through from producer.* / kafka.*.
  std::string bootstrap_servers = "localhost:9092";
  std::map<std::string, std::string> producer_properties;

  // Exactly-once (exactly.once.support resolved): a transactional producer (transactional.id, default
  // sluice-<name>-<topic.prefix>) writes several Postgres transactions and their offset record in one Kafka
  // transaction, committed every transaction.boundary.interval.ms or after max events/bytes.
  ExactlyOnceSupport exactly_once_support = ExactlyOnceSupport::kSupported;
  bool exactly_once = false;
  std::string transactional_id;
  int64_t transaction_interval_ms = 100;
  int64_t transaction_max_events = 10000;
  int64_t transaction_max_bytes = 8 << 20;

  // The queue between reading the WAL and Kafka's acknowledgement (Debezium's names): at most max.queue.size
  // events and, when max.queue.size.in.bytes > 0, that many bytes of keys and values are sent and not yet
  // acknowledged; when either is reached sluice stops reading from Postgres until Kafka catches up.
  // max.batch.size: messages per Kafka produce request (librdkafka batch.num.messages).
  int64_t max_queue_size = 8192;
  int64_t max_queue_size_in_bytes = 0;
  int64_t max_batch_size = 2048;

  // Retries after transient failures (lost connections, a server not up yet): errors.max.retries
  // consecutive attempts (-1: no limit, 0: none), waiting errors.retry.delay.initial.ms, doubled after each
  // failure up to errors.retry.delay.max.ms (retriable.restart.connector.wait.ms alone: a constant delay).
  int64_t errors_max_retries = -1;
  int64_t retry_delay_initial_ms = 300;
  int64_t retry_delay_max_ms = 10000;

  // transforms=… / predicates=… and the converters (config/transforms_config.h), compiled by
  // transform::build_chain where the records are transformed. When the chain reads data, build_chain sets
  // key/value_schemas_enable above to true (the transforms read schemas) and the chain writes its output with
  // the converters' schemas.enable; a chain that reads no data (after Chain::take_serialized_unwrap) gets the
  // records in the converters' form.
  TransformSpec transforms;

  std::vector<std::string> warnings;  // unknown keys etc., logged by the caller

  // libpq connection string (keyword=value form) for normal and replication connections (and the snapshot
  // workers'), with the TLS settings.
  std::string conninfo(bool replication) const;
};

// The raw key -> value map as read from a file, before validation.
using Properties = std::map<std::string, std::string>;

// Reads CONFIG: a Kafka Connect registration JSON ({"name":…,"config":{…}}), a flat JSON object, or a
// Java .properties file (chosen by content: JSON if the first non-blank character is '{').
Result<Properties> load_properties(const std::string& path);
Result<Properties> parse_properties_text(std::string_view text);

// Resolves Kafka Connect config-provider references in values: ${env:NAME} (an environment variable) and
// ${file:PATH:KEY} (KEY of the .properties file PATH). Errors name the property and the reference, never
// the resolved secret. `getenv` is injectable for tests.
using EnvLookup = const char* (*)(const char*);
Result<Properties> resolve_providers(const Properties& props, EnvLookup getenv_fn = nullptr);

// Checks c.transforms where the transforms are read, so that a bad transform is reported before the
// properties read after it (transform::validate_chain: it builds the chain, and may set
// c.key/value_schemas_enable).
using TransformValidator = Status (*)(Config& c);

// Validates and converts (after resolve_providers). Errors are kFatal with a message naming the key, the
// value and what is allowed. Without `validate_transforms`, c.transforms is checked for its shape only.
Result<Config> parse_config(const Properties& props, TransformValidator validate_transforms = nullptr);

}  // namespace sluice::config
