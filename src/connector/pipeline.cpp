// The pipeline's shared helpers: config -> converter/serializer options, event schemas of catalog tables,
// the failure mode for bad events, and waiting for Kafka's acknowledgements.
#include "connector/pipeline.h"

#include <fmt/format.h>

#include <chrono>

#include "common/log.h"
#include "event/source_type.h"
#include "transform/chain.h"

namespace sluice::connector {

namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("connector");
  return l;
}

event::TableInfo table_info(const config::Config& config, const pg::CatalogTable& cat) {
  event::TableInfo info;
  info.oid = cat.oid;
  info.schema = cat.schema;
  info.table = cat.table;
  info.replica_identity = cat.replica_identity;
  for (const auto& c : cat.columns) {
    event::ColumnInfo col;
    col.name = c.name;
    col.type = c.type;
    col.typmod = c.typmod;
    col.optional = !c.not_null;
    col.key = c.primary_key;
    col.key_position = c.pk_position;
    col.type_name = c.type_name;
    col.type_kind = c.type_kind;
    col.enum_values = c.enum_values;
    col.element_kind = c.element_kind;
    col.element_name = c.element_name;
    col.default_expr = c.default_expr;
    col.source_type = event::jdbc_type_name(c.declared_type_name, c.default_expr);
    col.domain = c.declared_type_kind == 'd';
    info.columns.push_back(std::move(col));
  }
  // message.key.columns: the configured columns, in configured order, replace the primary key as the key.
  std::vector<std::string> names;
  for (const auto& col : info.columns) names.push_back(col.name);
  if (auto key = config.message_key_columns.key_columns(info.schema, info.table, names); !key.empty()) {
    for (auto& col : info.columns) col.key = false, col.key_position = 0;
    for (size_t i = 0; i < key.size(); ++i) {
      info.columns[key[i]].key = true;
      info.columns[key[i]].key_position = static_cast<int16_t>(i + 1);
    }
  }
  return info;
}

}  // namespace

int64_t unix_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

event::ConverterOptions converter_options(const config::Config& c) {
  event::ConverterOptions o;
  o.decimal = static_cast<event::ConverterOptions::DecimalMode>(c.decimal_mode);
  o.time_precision = static_cast<event::ConverterOptions::TimePrecisionMode>(c.time_precision_mode);
  o.binary = static_cast<event::ConverterOptions::BinaryMode>(c.binary_mode);
  o.interval = static_cast<event::ConverterOptions::IntervalMode>(c.interval_mode);
  o.hstore = static_cast<event::ConverterOptions::HstoreMode>(c.hstore_mode);
  o.unavailable_value_placeholder = c.unavailable_value_placeholder;
  o.include_unknown_datatypes = c.include_unknown_datatypes;
  o.compat_minor = c.compat_minor;
  o.column_rules = c.column_rules;
  return o;
}

event::SerializerOptions serializer_options(const Pipeline& p) {
  const config::Config& c = p.config;
  event::SerializerOptions o;
  o.server_name = c.topic_prefix;
  o.database = c.dbname;
  o.key_schemas_enable = c.key_schemas_enable;
  o.value_schemas_enable = c.value_schemas_enable;
  o.compat_minor = c.compat_minor;
  if (p.transforms) o.unwrap = p.transforms->serialized_unwrap();
  return o;
}

Status Pipeline::apply_failure_mode(Status s) const {
  if (s.ok() || s.error().kind != ErrorKind::kData) return s;
  if (config.failure_mode != config::FailureMode::kFail) metrics->count(metrics->events_erroneous);
  switch (config.failure_mode) {
    case config::FailureMode::kFail:
      return Error::fatal(
          fmt::format("{} (event.processing.failure.handling.mode=fail: set it to warn or skip to "
                      "skip such events)",
                      s.error().message));
    case config::FailureMode::kWarn:
      log()->warn("skipped an event: {} (event.processing.failure.handling.mode=warn)", s.error().message);
      return ok_status();
    case config::FailureMode::kSkip:
      log()->debug("skipped an event: {}", s.error().message);
      return ok_status();
  }
  return s;
}

Status Pipeline::wait_for_acks() {
  while (acks.events_in_flight() > 0 && !stopping()) sink->poll(100);
  if (delivery_failed) return Error::fatal(delivery_error);
  if (eos != nullptr && !stopping()) return eos->commit();
  return ok_status();
}

Result<std::shared_ptr<const event::TableSchema>> Pipeline::schema_for(const pg::CatalogTable& cat,
                                                                       bool from_stream) {
  event::ConverterOptions options = converter_options(config);
  options.from_stream = from_stream;
  auto schema = event::TableSchema::build(table_info(config, cat), config.topic_prefix, options,
                                          config.topic_delimiter);
  if (!schema) return schema;
  if (auto s = sink->ensure_topic((*schema)->topic(), 30000); !s) return s.error();
  return schema;
}

Status Pipeline::commit_eos() {
  // Every message of the transaction acknowledged: acks.flush_lsn() then covers all of them (the loop
  // commits only between Postgres transactions).
  while (sink->out_queue_len() > 0) sink->poll(50);
  const Lsn lsn = acks.flush_lsn();
  if (lsn > eos_committed) {
    if (auto s = offsets->store(lsn); !s) return s;
  }
  if (!eos->open()) return ok_status();
  if (auto s = eos->commit(); !s) return s;
  eos_committed = std::max(eos_committed, lsn);
  return ok_status();
}

}  // namespace sluice::connector
