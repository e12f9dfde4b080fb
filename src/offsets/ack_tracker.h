// AckTracker: turns Kafka delivery reports into the LSN that is safe to confirm to Postgres.
// Invariant: flush_lsn() is the end LSN of the newest transaction such that it and every earlier
// transaction were committed (Commit seen) and had every event acknowledged by the sink. Pure, no I/O.
#pragma once

#include <cstdint>
#include <deque>

#include "common/lsn.h"

namespace sluice::offsets {

class AckTracker {
 public:
  using TxId = uint64_t;  // sluice-local sequence number of a transaction, used as the delivery opaque

  // A transaction starts (pgoutput Begin). Returns the id to attach to its events.
  TxId begin(Lsn commit_lsn);
  // One more event of tx was handed to the sink.
  void sent(TxId tx);
  // The sink acknowledged one event of tx.
  void acked(TxId tx);
  // The transaction's Commit arrived; end_lsn is where the next transaction starts.
  void commit(TxId tx, Lsn end_lsn);
  // The server reported its WAL position in a keepalive: when nothing is in flight, every change up to
  // there is either delivered or not captured, so the flush position can move there (keeps idle slots
  // from retaining WAL).
  void idle(Lsn server_wal_end);

  // Every event handed to the sink for tx so far was acknowledged (true for a finished transaction).
  bool all_acked(TxId tx) const;

  Lsn flush_lsn() const { return flush_; }
  size_t transactions_in_flight() const { return txs_.size(); }
  // The id of the oldest transaction in flight; the next id to be given when none is.
  TxId oldest_in_flight() const { return txs_.empty() ? next_id_ : txs_.front().id; }
  uint64_t events_in_flight() const { return events_in_flight_; }
  // Starts over at `start` (the slot's confirmed_flush_lsn), forgetting every transaction in flight:
  // the caller has waited for every sent event's delivery report, or gives up on them.
  void reset(Lsn start) {
    txs_.clear();
    events_in_flight_ = 0;
    flush_ = start;
  }

 private:
  struct Tx {
    TxId id;
    Lsn commit_lsn;
    Lsn end_lsn;
    uint64_t pending = 0;
    bool committed = false;
  };
  Tx* find(TxId tx);
  const Tx* find(TxId tx) const;
  void advance();

  std::deque<Tx> txs_;
  TxId next_id_ = 1;
  uint64_t events_in_flight_ = 0;
  Lsn flush_;
};

}  // namespace sluice::offsets
