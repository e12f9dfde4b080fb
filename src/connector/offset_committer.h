// OffsetCommitter: records, in the configured offset store, the LSN up to which Kafka acknowledged every
// change, before that LSN is confirmed to Postgres. So the stored offset is never behind the slot (for this
// connector's own confirmations), and a slot that is ahead of it, or missing, betrays a dropped or recreated
// slot instead of silently skipping changes.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "common/lsn.h"
#include "common/result.h"
#include "config/config.h"
#include "offsets/offset_store.h"
#include "sink/sink.h"

namespace sluice::connector {

class OffsetCommitter {
 public:
  // `interrupted` ends a wait for room in the sink's queue (shutdown while Kafka is unreachable).
  OffsetCommitter(
      const config::Config& config, sink::Sink* sink,
      std::function<bool()> interrupted = [] { return false; });

  bool enabled() const { return mode_ != config::OffsetStorage::kNone; }
  std::string describe() const;  // "Kafka topic sluice-offsets" / "file …"

  // Reads the stored offset (once per process; cached afterwards).
  Result<std::optional<offsets::StoredOffset>> load();
  // The next load() reads the store again (another instance may have written to it meanwhile).
  void forget_loaded() { loaded_.reset(); }
  // Exactly-once: the records of an aborted Kafka transaction never happened; `lsn` is the last committed.
  void rewind(Lsn lsn) { written_ = durable_ = lsn; }
  // Snapshot progress (a JSON object of offset members, "" for none) that belongs in the stored offset once
  // every change before `from` is acknowledged: until then the previous progress is stored. So a restart
  // never skips snapshot rows that Kafka has not acknowledged.
  void progress(Lsn from, std::string extra);
  // The progress that applies once everything before `acked` is acknowledged.
  const std::string& progress_at(Lsn acked);
  // Writes `acked` (with the progress that applies to it) when it moved past what was last written or the
  // progress changed (Kafka: produced through the sink and durable once acknowledged; file: durable at
  // once).
  Status store(Lsn acked);
  // A clean stop inside a transaction whose first messages Kafka acknowledged: writes `acked` with the
  // position inside the transaction (always, even when `acked` was written already).
  Status store_in_transaction(Lsn acked, const offsets::StoredOffset::InTransaction& in_tx);
  // Waits (serving the sink) until the last written offset is durable or `interrupted` says stop.
  template <typename Interrupted>
  void wait_durable(Interrupted interrupted) {
    while (enabled() && durable_ < written_ && !interrupted()) sink_->poll(50);
  }

  static bool is_offset_opaque(uint64_t opaque) { return (opaque & kOpaqueBit) != 0; }
  void on_delivery(uint64_t opaque, const char* error);

  // Replaces this connector's stored offsets by a record that says "follow the slot" (LSN 0/0,
  // sluice_follow_slot): the next start continues from the replication slot, or snapshots when there is
  // none. (Without any record an existing slot would be taken for another connector's.)
  Status reset();
  // This process wrote an offset record for the connector (load()'s cached answer may predate it).
  bool stored_any() const { return stored_any_; }
  static bool follows_slot(const offsets::StoredOffset& o) {
    return !o.lsn.valid() && o.extra.find("\"sluice_follow_slot\"") != std::string::npos;
  }

  // The LSN that may be confirmed to Postgres.
  Lsn confirmable(Lsn acked) const { return enabled() ? durable_ : acked; }

 private:
  static constexpr uint64_t kOpaqueBit = 1ULL << 63;
  config::OffsetStorage mode_;
  sink::Sink* sink_;
  std::function<bool()> interrupted_;
  std::string topic_;
  std::string key_;
  std::string bootstrap_;
  std::map<std::string, std::string> kafka_properties_;
  offsets::FileOffsetStore file_;
  std::optional<std::optional<offsets::StoredOffset>> loaded_;
  Lsn written_;
  Lsn durable_;
  std::deque<std::pair<Lsn, std::string>> progress_;  // pending progress, oldest first
  std::string extra_;                                 // progress that applies to the last store
  std::string written_extra_;
  bool rewrite_ = false;  // a record was lost: write again even when nothing changed
  std::optional<offsets::StoredOffset::InTransaction> in_tx_;  // for store_in_transaction
  bool stored_any_ = false;
  std::string value_buf_;
};

}  // namespace sluice::connector
