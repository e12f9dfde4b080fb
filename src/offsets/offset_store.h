// Offset stores: where sluice records how far Kafka has acknowledged the stream, independently of the
// replication slot, so that a restart skips what was already delivered and a dropped or recreated slot is
// detected instead of silently skipping changes. Records use Kafka Connect's offset layout: key
// ["<connector name>",{"server":"<topic.prefix>"}], value {"lsn":…,"lsn_commit":…,"lsn_proc":…,"txId":…,
// "ts_usec":…}.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/lsn.h"
#include "common/result.h"
#include "kafka/topics.h"

namespace sluice::offsets {

// StoredOffset::extra of a reset (LSN 0/0): the next start follows the replication slot, or snapshots when
// there is none.
inline constexpr const char* kFollowSlotExtra = R"({"sluice_follow_slot":true})";

struct StoredOffset {
  Lsn lsn;                       // every change before this LSN is acknowledged by Kafka
  std::optional<int64_t> tx_id;  // the last acknowledged transaction
  int64_t ts_usec = 0;           // its commit time
  // Snapshot progress stored beside the position: a JSON object whose members are added to the record
  // (incremental_snapshot_* as Debezium names them, sluice_snapshot for a resumable initial snapshot);
  // empty when no snapshot is in progress.
  std::string extra;
  // A clean stop inside a transaction (Postgres sends it again from its start after the restart): the
  // first `events` messages of the transaction `xid` that commits at `commit_lsn` are in Kafka, the last
  // of them from the change at `last_lsn`. Stored as Debezium's lsn_commit / lsn_proc / txId, plus
  // sluice_tx_events.
  struct InTransaction {
    Lsn commit_lsn;
    Lsn last_lsn;
    int64_t xid = 0;
    uint64_t events = 0;
  };
  std::optional<InTransaction> in_tx;
};

std::string offset_key(const std::string& connector_name, const std::string& server_name);
std::string offset_value(const StoredOffset& offset);
// Nullopt for a record that is not a sluice/Debezium Postgres offset (e.g. a tombstone).
std::optional<StoredOffset> parse_offset_value(std::string_view json);

// File store (offset.storage.file.filename): one JSON document, replaced atomically (write + fsync +
// rename) on every store.
class FileOffsetStore {
 public:
  FileOffsetStore(std::string path, std::string key) : path_(std::move(path)), key_(std::move(key)) {}
  Result<std::optional<StoredOffset>> load() const;
  Status store(const StoredOffset& offset);
  Status erase();  // removes this key's entry
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string key_;
};

// Reads the last offset for `key` from a Kafka topic (offset.storage.topic), creating the topic
// (compacted, one partition) when it does not exist. Writes go through the connector's sink so they are
// ordered after the events they cover.
Result<std::optional<StoredOffset>> load_kafka_offset(const std::string& bootstrap_servers,
                                                      const std::map<std::string, std::string>& properties,
                                                      const std::string& topic, const std::string& key,
                                                      int timeout_ms);

using kafka::query_watermarks;  // moved to kafka/topics.h; the name stays for its callers

}  // namespace sluice::offsets
