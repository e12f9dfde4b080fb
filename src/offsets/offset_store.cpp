// Offset records (Kafka Connect layout), the file store and the Kafka topic reader.
#include "offsets/offset_store.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <fmt/format.h>

#include "kafka/client.h"
#include "kafka/topics.h"

namespace sluice::offsets {

std::string offset_key(const std::string& connector_name, const std::string& server_name) {
  return nlohmann::json::array({connector_name, {{"server", server_name}}}).dump();
}

std::string offset_value(const StoredOffset& o) {
  nlohmann::json v = {{"lsn_proc", o.lsn.value()},
                      {"lsn_commit", o.lsn.value()},
                      {"lsn", o.lsn.value()},
                      {"txId", o.tx_id ? nlohmann::json(*o.tx_id) : nlohmann::json(nullptr)},
                      {"ts_usec", o.ts_usec}};
  if (o.in_tx) {
    v["lsn_commit"] = o.in_tx->commit_lsn.value();
    v["lsn_proc"] = o.in_tx->last_lsn.value();
    v["txId"] = o.in_tx->xid;
    v["sluice_tx_events"] = o.in_tx->events;
  }
  if (!o.extra.empty()) {
    auto extra = nlohmann::json::parse(o.extra, nullptr, false);
    if (extra.is_object()) {
      for (auto& [k, val] : extra.items()) v[k] = val;
    }
  }
  return v.dump();
}

std::optional<StoredOffset> parse_offset_value(std::string_view json) {
  auto v = nlohmann::json::parse(json, nullptr, false);
  if (v.is_discarded() || !v.is_object() || !v.contains("lsn") || !v["lsn"].is_number_unsigned()) {
    return std::nullopt;
  }
  StoredOffset o;
  o.lsn = Lsn(v["lsn"].get<uint64_t>());
  if (v.contains("txId") && v["txId"].is_number_integer()) o.tx_id = v["txId"].get<int64_t>();
  if (v.contains("ts_usec") && v["ts_usec"].is_number_integer()) o.ts_usec = v["ts_usec"].get<int64_t>();
  if (v.contains("sluice_tx_events") && v["sluice_tx_events"].is_number_unsigned() &&
      v.contains("lsn_commit") && v["lsn_commit"].is_number_unsigned() && v.contains("lsn_proc") &&
      v["lsn_proc"].is_number_unsigned() && o.tx_id) {
    o.in_tx =
        StoredOffset::InTransaction{Lsn(v["lsn_commit"].get<uint64_t>()), Lsn(v["lsn_proc"].get<uint64_t>()),
                                    *o.tx_id, v["sluice_tx_events"].get<uint64_t>()};
  }
  nlohmann::json extra = nlohmann::json::object();
  for (auto& [k, val] : v.items()) {
    if (k != "lsn" && k != "lsn_proc" && k != "lsn_commit" && k != "txId" && k != "ts_usec" &&
        k != "sluice_tx_events")
      extra[k] = val;
  }
  if (!extra.empty()) o.extra = extra.dump();
  return o;
}

Result<std::optional<StoredOffset>> FileOffsetStore::load() const {
  std::ifstream f(path_);
  if (!f) return std::optional<StoredOffset>{};  // no file yet: no offsets
  std::stringstream ss;
  ss << f.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Error::fatal(fmt::format("offset file '{}' is not valid JSON", path_));
  }
  if (!doc.contains(key_)) return std::optional<StoredOffset>{};
  auto o = parse_offset_value(doc[key_].dump());
  if (!o) return Error::fatal(fmt::format("offset file '{}' has an unreadable entry for {}", path_, key_));
  return std::optional<StoredOffset>(*o);
}

namespace {
Status write_atomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return Error::fatal(fmt::format("cannot write offset file '{}': {}", tmp, std::strerror(errno)));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const int write_errno = errno;
  ::close(fd);
  if (!ok)
    return Error::fatal(fmt::format("cannot write offset file '{}': {}", tmp, std::strerror(write_errno)));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Error::fatal(fmt::format("cannot write offset file '{}': {}", path, std::strerror(errno)));
  }
  return ok_status();
}
}  // namespace

Status FileOffsetStore::erase() {
  std::ifstream f(path_);
  if (!f) return ok_status();
  std::stringstream ss;
  ss << f.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return write_atomically(path_, "{}\n");
  doc.erase(key_);
  return write_atomically(path_, doc.dump() + "\n");
}

Status FileOffsetStore::store(const StoredOffset& offset) {
  nlohmann::json doc = nlohmann::json::object();
  {
    std::ifstream f(path_);
    if (f) {
      std::stringstream ss;
      ss << f.rdbuf();
      auto old = nlohmann::json::parse(ss.str(), nullptr, false);
      if (!old.is_discarded() && old.is_object()) doc = std::move(old);  // keep other connectors' entries
    }
  }
  doc[key_] = nlohmann::json::parse(offset_value(offset));
  return write_atomically(path_, doc.dump() + "\n");
}

namespace {

// The reader's first authentication or TLS failure (served by rd_kafka_poll on the reading thread), so a
// failed read names it rather than a timeout. The producer normally reports these first.
void record_config_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  auto* out = static_cast<std::string*>(opaque);
  if (!out->empty()) return;
  if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED) {
    *out = fmt::format("Kafka refused the SASL authentication of the offsets reader: {}", reason);
  } else if (code == RD_KAFKA_RESP_ERR__SSL) {
    *out = fmt::format("TLS connection of the offsets reader to Kafka failed: {}", reason);
  }
}

}  // namespace

Result<std::optional<StoredOffset>> load_kafka_offset(const std::string& bootstrap_servers,
                                                      const std::map<std::string, std::string>& properties,
                                                      const std::string& topic, const std::string& key,
                                                      int timeout_ms) {
  std::string config_error;
  kafka::ClientSpec spec;
  spec.role = "Kafka consumer for offsets";
  kafka::Layer passed = kafka::Layer::of(properties);
  passed.skip_refused = true;  // producer-only ones are ignored
  spec.layers = {passed, kafka::Layer::of({{"bootstrap.servers", bootstrap_servers},
                                           {"group.id", "sluice-offset-reader"},
                                           {"enable.auto.commit", "false"},
                                           {"enable.partition.eof", "true"},
                                           {"isolation.level", "read_committed"}})};
  spec.layers.back().skip_refused = true;
  spec.quiet = true;
  spec.error_cb = record_config_error;
  spec.opaque = &config_error;
  auto consumer = kafka::make_consumer(spec);
  if (!consumer) return consumer.error();
  rd_kafka_t* rk = consumer->get();
  // A transient failure is reported as the authentication/TLS failure behind it, if there was one (fatal).
  auto explain = [&](Error e) -> Error {
    rd_kafka_poll(rk, 0);
    return config_error.empty() ? e : Error::fatal(config_error);
  };

  if (auto s = kafka::ensure_compacted_topic(
          rk, {.name = topic, .partitions = 1, .what = "offset.storage.topic"}, timeout_ms);
      !s) {
    return explain(s.error());
  }

  auto partitions = kafka::partition_count(rk, topic, timeout_ms);
  if (!partitions) return explain(partitions.error());

  kafka::PartitionList assign(rd_kafka_topic_partition_list_new(*partitions));
  int remaining = 0;
  for (int p = 0; p < *partitions; ++p) {
    int64_t low = 0, high = 0;
    auto werr = kafka::query_watermarks(rk, topic, p, &low, &high, timeout_ms);
    if (werr) {
      return explain(Error::transient(
          fmt::format("cannot read offsets of '{}' partition {}: {}", topic, p, rd_kafka_err2str(werr))));
    }
    if (high > low) {
      rd_kafka_topic_partition_list_add(assign.get(), topic.c_str(), p)->offset = low;
      ++remaining;
    }
  }
  std::optional<StoredOffset> found;
  if (remaining > 0) {
    rd_kafka_assign(rk, assign.get());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (remaining > 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        return explain(Error::transient(fmt::format("timed out reading offsets from '{}'", topic)));
      }
      kafka::Message msg(rd_kafka_consumer_poll(rk, 200));
      if (!msg) continue;
      const rd_kafka_message_t* m = msg.get();
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        --remaining;
      } else if (m->err) {
        return Error::transient(
            fmt::format("cannot read offsets from '{}': {}", topic, rd_kafka_message_errstr(m)));
      } else if (m->key_len == key.size() &&
                 std::string_view(static_cast<const char*>(m->key), m->key_len) == key) {
        if (m->payload == nullptr) {
          // A tombstone deletes the offsets on purpose (Kafka Connect's DELETE /connectors/N/offsets,
          // or a user's own tooling): read it as `sluice reset-offsets` (follow the slot, or snapshot
          // when there is none), not as a key never written, whose slot may be another connector's.
          found = StoredOffset{};
          found->extra = kFollowSlotExtra;
        } else if (auto o =
                       parse_offset_value(std::string_view(static_cast<const char*>(m->payload), m->len))) {
          found = o;
        }
      }
    }
  }
  return found;
}

}  // namespace sluice::offsets
