// AckTracker: a deque of in-flight transactions in commit order; the contiguous fully-acknowledged
// prefix is popped and its last end LSN becomes the flush position.
#include "offsets/ack_tracker.h"

#include <cassert>
#include <utility>

namespace sluice::offsets {

AckTracker::TxId AckTracker::begin(Lsn commit_lsn) {
  txs_.push_back(Tx{next_id_, commit_lsn, Lsn{}, 0, false});
  return next_id_++;
}

bool AckTracker::all_acked(TxId tx) const {
  const Tx* t = find(tx);
  return t == nullptr || t->pending == 0;
}

const AckTracker::Tx* AckTracker::find(TxId tx) const {
  if (txs_.empty() || tx < txs_.front().id) return nullptr;
  size_t idx = static_cast<size_t>(tx - txs_.front().id);  // ids are dense and in deque order
  return idx < txs_.size() ? &txs_[idx] : nullptr;
}

AckTracker::Tx* AckTracker::find(TxId tx) {
  return const_cast<Tx*>(std::as_const(*this).find(tx));
}

void AckTracker::sent(TxId tx) {
  Tx* t = find(tx);
  assert(t != nullptr);
  if (t == nullptr) return;
  ++t->pending;
  ++events_in_flight_;
}

void AckTracker::acked(TxId tx) {
  Tx* t = find(tx);
  assert(t != nullptr && t->pending > 0);
  if (t == nullptr || t->pending == 0) return;
  --t->pending;
  --events_in_flight_;
  advance();
}

void AckTracker::commit(TxId tx, Lsn end_lsn) {
  Tx* t = find(tx);
  assert(t != nullptr);
  if (t == nullptr) return;
  t->committed = true;
  t->end_lsn = end_lsn;
  advance();
}

void AckTracker::idle(Lsn server_wal_end) {
  if (txs_.empty() && server_wal_end > flush_) flush_ = server_wal_end;
}

void AckTracker::advance() {
  while (!txs_.empty() && txs_.front().committed && txs_.front().pending == 0) {
    if (txs_.front().end_lsn > flush_) flush_ = txs_.front().end_lsn;
    txs_.pop_front();
  }
}

}  // namespace sluice::offsets
