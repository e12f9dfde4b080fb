// The one emit path and Kafka's delivery reports for it.
#include "connector/emitter.h"

#include <fmt/format.h>

#include <random>

#include "common/log.h"
#include "event/heartbeat.h"

namespace sluice::connector {

namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("connector");
  return l;
}

}  // namespace

Emitter::Emitter(Pipeline& p) : p_(p), serializer_(serializer_options(p)) {}

Status Emitter::send(Kind kind, const std::string& topic, std::optional<std::string_view> key,
                     std::optional<std::string_view> value, TxId tx, const Headers& headers) {
  if (kind == Kind::kHeartbeat) {
    return p_.sink->produce(topic, key, value, kHeartbeatOpaque, headers, [this] { return p_.stopping(); });
  }
  if (accounting_ != nullptr && accounting_->skip_replayed(tx)) return ok_status();
  return publish(kind, topic, key, value, tx, headers);
}

Status Emitter::publish(Kind kind, const std::string& topic, std::optional<std::string_view> key,
                        std::optional<std::string_view> value, TxId tx, const Headers& headers,
                        bool dropped) {
  if (dropped) {
    p_.transforming->drop(topic, tx);
  } else if (auto st = p_.sink->produce(topic, key, value, tx, headers, [this] { return p_.stopping(); });
             !st) {
    return st;
  }
  p_.acks.sent(tx);
  if (accounting_ != nullptr) accounting_->sent(tx, kind == Kind::kChange);
  ++events_sent_;
  return ok_status();
}

Status Emitter::change(const event::ChangeEvent& ev, TxId tx, const Headers& headers) {
  auto has_key = serializer_.key(ev, key_buf_);
  if (!has_key) return has_key.error();
  // A replayed message is skipped before its value is serialized; its key stays in key_buf_ for the
  // tombstone that follows.
  if (accounting_ != nullptr && accounting_->skip_replayed(tx)) return ok_status();
  auto written = serializer_.value(ev, value_buf_);
  if (!written) return written.error();
  std::optional<std::string_view> key, value;
  if (*has_key) key = key_buf_;
  if (*written == event::JsonSerializer::Written::kDocument) value = value_buf_;
  auto st = publish(Kind::kChange, ev.table->topic(), key, value, tx, with_context_headers(headers),
                    *written == event::JsonSerializer::Written::kDropped);
  // Lag behind the source: of a streamed change (snapshot reads have none).
  if (st.ok()) p_.metrics->on_event(ev.op, ev.source.snapshot == "false" ? ev.source.ts_us : 0);
  return st;
}

Status Emitter::encoded(const event::TableSchema& table, std::optional<std::string_view> key,
                        std::string_view value, TxId tx) {
  static const Headers kNoHeaders;
  auto st = send(Kind::kChange, table.topic(), key, value, tx, with_context_headers(kNoHeaders));
  if (st.ok()) p_.metrics->on_event(ConnectorMetrics::kOpRead, 0);
  return st;
}

Status Emitter::tombstone(const event::TableSchema& table, TxId tx, bool has_key, const Headers& headers) {
  std::optional<std::string_view> key;
  if (has_key) key = key_buf_;
  if (serializer_.drops_tombstones()) {
    if (accounting_ != nullptr && accounting_->skip_replayed(tx)) return ok_status();
    return publish(Kind::kChange, table.topic(), key, std::nullopt, tx, headers, true);
  }
  return send(Kind::kChange, table.topic(), key, std::nullopt, tx, with_context_headers(headers));
}

Status Emitter::record(const std::string& topic, bool& topic_ready, TxId tx) {
  if (!topic_ready) {
    if (auto s = p_.sink->ensure_topic(topic, 30000); !s) return s;
    topic_ready = true;
  }
  static const Headers kNoHeaders;
  return send(Kind::kRecord, topic, std::string_view(key_buf_), std::string_view(value_buf_), tx, kNoHeaders);
}

Status Emitter::heartbeat() {
  const auto& c = p_.config;
  const std::string topic = c.heartbeat_topic_prefix + c.topic_delimiter + c.topic_prefix;
  if (auto s = p_.sink->ensure_topic(topic, 30000); !s) return s;
  event::heartbeat_key(c.topic_prefix, c.key_schemas_enable, key_buf_);
  event::heartbeat_value(unix_now_us() / 1000, c.value_schemas_enable, value_buf_);
  return send(Kind::kHeartbeat, topic, std::string_view(key_buf_), std::string_view(value_buf_), 0, {});
}

const Emitter::Headers& Emitter::with_context_headers(const Headers& headers) {
  if (!p_.config.extended_headers) return headers;
  if (context_headers_.empty()) {
    // Debezium 3's extended headers: logical name, task, connector type, and an id of this run.
    std::random_device rd;
    std::string run_id = fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:08x}{:04x}", rd(), rd() & 0xFFFF,
                                     rd() & 0xFFF, 0x8000 | (rd() & 0x3FFF), rd(), rd() & 0xFFFF);
    context_headers_ = {{"__debezium.context.connectorLogicalName", p_.config.topic_prefix},
                        {"__debezium.context.taskId", "0"},
                        {"__debezium.context.connectorName", "postgresql"},
                        {"__debezium.context.runId", run_id}};
  }
  if (headers.empty()) return context_headers_;
  headers_buf_ = headers;
  headers_buf_.insert(headers_buf_.end(), context_headers_.begin(), context_headers_.end());
  return headers_buf_;
}

void Emitter::on_delivery(uint64_t opaque, std::string_view topic, const char* error) {
  if (error != nullptr) p_.metrics->count(p_.metrics->delivery_errors);
  if (error != nullptr && p_.eos != nullptr) {  // the transaction is aborted and sent again
    p_.eos->delivery_failed(topic, error);
    return;
  }
  if (OffsetCommitter::is_offset_opaque(opaque)) {
    p_.offsets->on_delivery(opaque, error);
    return;
  }
  if (opaque == kHeartbeatOpaque) {  // heartbeats carry no change: nothing to confirm
    if (error != nullptr) log()->warn("heartbeat to {} not delivered: {}", topic, error);
    return;
  }
  if (error != nullptr && p_.config.failure_mode != config::FailureMode::kFail) {
    // The broker refused this one event (e.g. larger than its message.max.bytes): warn/skip drop it.
    if (p_.config.failure_mode == config::FailureMode::kWarn) {
      log()->warn(
          "Kafka rejected an event for topic '{}': {}; skipped (event.processing.failure.handling.mode=warn)",
          topic, error);
    }
    p_.acks.acked(opaque);
    return;
  }
  if (error != nullptr) {
    // librdkafka retries transient failures itself (message.timeout.ms=0: forever); what reaches here is
    // permanent (message too large, not authorized, …). Stop without confirming it to Postgres.
    if (!p_.delivery_failed) {
      p_.delivery_failed = true;
      p_.delivery_error = fmt::format("Kafka rejected an event for topic '{}': {}", topic, error);
      log()->error("{}", p_.delivery_error);
    }
    return;
  }
  if (topic_observer_ && topic != last_topic_) {
    last_topic_ = topic;
    if (seen_topics_.insert(last_topic_).second) topic_observer_(last_topic_);
  }
  p_.acks.acked(opaque);
}

void Emitter::on_delivery_timing(uint64_t opaque, int64_t latency_us, int64_t append_ms) {
  if (!p_.latency || opaque == kHeartbeatOpaque || OffsetCommitter::is_offset_opaque(opaque)) return;
  p_.latency->acked(opaque, latency_us, append_ms, unix_now_us());
}

// Kafka refused sluice's credentials or TLS: nothing can be delivered until the configuration changes.
// Stop (exit 1) without confirming anything further to Postgres.
void Emitter::on_client_error(const std::string& message) {
  if (!p_.delivery_failed) {
    p_.delivery_failed = true;
    p_.delivery_error = message;
  }
}

}  // namespace sluice::connector
