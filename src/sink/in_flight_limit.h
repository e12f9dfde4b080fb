// InFlightLimit: the bound on what sluice has handed to Kafka and Kafka has not yet acknowledged
// (max.queue.size events, max.queue.size.in.bytes bytes of keys and values). While it is full the producer
// stops taking events, so the streaming loop stops reading the replication socket: Postgres keeps the WAL
// and sluice's memory stays bounded however long Kafka is away.
#pragma once

#include <cstdint>

namespace sluice::sink {

class InFlightLimit {
 public:
  // max_bytes 0: no byte bound (only the event count).
  InFlightLimit(int64_t max_events, int64_t max_bytes) : max_events_(max_events), max_bytes_(max_bytes) {}

  // Whether one more message of `bytes` may be sent now. An empty queue always takes one message, however
  // large (else a message larger than max_bytes could never be sent).
  bool has_room(int64_t bytes) const {
    if (events_ == 0) return true;
    if (events_ >= max_events_) return false;
    return max_bytes_ <= 0 || bytes_ + bytes <= max_bytes_;
  }
  void add(int64_t bytes) {
    ++events_;
    bytes_ += bytes;
  }
  // A message was acknowledged (or failed): it no longer counts.
  void release(int64_t bytes) {
    if (events_ > 0) --events_;
    bytes_ = bytes_ > bytes ? bytes_ - bytes : 0;
  }

  int64_t events() const { return events_; }
  int64_t bytes() const { return bytes_; }
  int64_t max_events() const { return max_events_; }
  int64_t max_bytes() const { return max_bytes_; }

 private:
  int64_t max_events_;
  int64_t max_bytes_;
  int64_t events_ = 0;
  int64_t bytes_ = 0;
};

}  // namespace sluice::sink
