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
#include <thread>

#include <fmt/format.h>

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

struct KafkaHandle {
  rd_kafka_t* rk = nullptr;
  ~KafkaHandle() {
    if (rk) {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  }
};

void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

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

rd_kafka_resp_err_t query_watermarks(rd_kafka_t* rk, const std::string& topic, int32_t partition,
                                     int64_t* low, int64_t* high, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, low, high, timeout_ms);
    const bool no_leader_yet = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                               err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                               err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    if (!no_leader_yet || std::chrono::steady_clock::now() >= deadline) return err;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

namespace {

Status create_compacted_topic(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  char err[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), 1, -1, err, sizeof(err));
  if (nt == nullptr) return Error::fatal(fmt::format("invalid offset.storage.topic '{}': {}", topic, err));
  rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, err, sizeof(err));
  rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
  Status st = ok_status();
  if (ev == nullptr) {
    st = Error::transient(fmt::format("timed out creating offset.storage.topic '{}'", topic));
  } else if (rd_kafka_event_error(ev)) {
    st = Error::transient(
        fmt::format("cannot create offset.storage.topic '{}': {}", topic, rd_kafka_event_error_string(ev)));
  } else {
    size_t n = 0;
    auto** res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      auto code = rd_kafka_topic_result_error(res[i]);
      if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        st = Error::fatal(fmt::format("Kafka refused to create offset.storage.topic '{}': {}", topic,
                                      rd_kafka_err2str(code)));
      }
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  return st;
}

}  // namespace

Result<std::optional<StoredOffset>> load_kafka_offset(const std::string& bootstrap_servers,
                                                      const std::map<std::string, std::string>& properties,
                                                      const std::string& topic, const std::string& key,
                                                      int timeout_ms) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [k, v] : properties) {
    rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err));  // producer-only ones are ignored
  }
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_servers.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "group.id", "sluice-offset-reader", err, sizeof(err));
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err));
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof(err));
  rd_kafka_conf_set(conf, "isolation.level", "read_committed", err, sizeof(err));
  rd_kafka_conf_set_log_cb(conf, quiet_log);
  std::string config_error;
  rd_kafka_conf_set_error_cb(conf, record_config_error);
  rd_kafka_conf_set_opaque(conf, &config_error);
  KafkaHandle h;
  h.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (h.rk == nullptr) return Error::fatal(fmt::format("cannot create Kafka consumer for offsets: {}", err));
  // A transient failure is reported as the authentication/TLS failure behind it, if there was one (fatal).
  auto explain = [&](Error e) -> Error {
    rd_kafka_poll(h.rk, 0);
    return config_error.empty() ? e : Error::fatal(config_error);
  };

  if (auto s = create_compacted_topic(h.rk, topic, timeout_ms); !s) return explain(s.error());

  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(h.rk, topic.c_str(), nullptr);
  auto merr = rd_kafka_metadata(h.rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (merr) {
    return explain(
        Error::transient(fmt::format("cannot read metadata of '{}': {}", topic, rd_kafka_err2str(merr))));
  }
  int partitions = md->topic_cnt > 0 ? md->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(md);

  rd_kafka_topic_partition_list_t* assign = rd_kafka_topic_partition_list_new(partitions);
  int remaining = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    auto werr = query_watermarks(h.rk, topic, p, &low, &high, timeout_ms);
    if (werr) {
      rd_kafka_topic_partition_list_destroy(assign);
      return explain(Error::transient(
          fmt::format("cannot read offsets of '{}' partition {}: {}", topic, p, rd_kafka_err2str(werr))));
    }
    if (high > low) {
      rd_kafka_topic_partition_list_add(assign, topic.c_str(), p)->offset = low;
      ++remaining;
    }
  }
  std::optional<StoredOffset> found;
  if (remaining > 0) {
    rd_kafka_assign(h.rk, assign);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (remaining > 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        rd_kafka_topic_partition_list_destroy(assign);
        return explain(Error::transient(fmt::format("timed out reading offsets from '{}'", topic)));
      }
      rd_kafka_message_t* m = rd_kafka_consumer_poll(h.rk, 200);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        --remaining;
      } else if (m->err) {
        std::string e = rd_kafka_message_errstr(m);
        rd_kafka_message_destroy(m);
        rd_kafka_topic_partition_list_destroy(assign);
        return Error::transient(fmt::format("cannot read offsets from '{}': {}", topic, e));
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
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_topic_partition_list_destroy(assign);
  return found;
}

}  // namespace sluice::offsets
