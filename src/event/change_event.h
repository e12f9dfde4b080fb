// ChangeEvent: one row change (or snapshot read) ready for serialization. Rows are views into the decoded
// pgoutput message or the snapshot result: an event is valid only while its source buffer is.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/lsn.h"
#include "decode/pgoutput.h"
#include "event/table_schema.h"

namespace sluice::event {

enum class Op : char { kCreate = 'c', kUpdate = 'u', kDelete = 'd', kRead = 'r', kTruncate = 't' };

// Column values in TableInfo::columns order, as pgoutput sends them (text format).
using Row = std::span<const decode::TupleValue>;

struct Source {
  std::string_view snapshot =
      "false";        // true|first|first_in_data_collection|last_in_data_collection|last|false
  int64_t ts_us = 0;  // commit time (snapshot: snapshot time), unix microseconds
  std::optional<int64_t> tx_id;
  std::optional<Lsn> lsn;
  std::optional<Lsn> last_commit_lsn;  // first element of source.sequence
  // Second element of source.sequence when it is not `lsn` (incremental snapshot reads: lsn is null, the
  // sequence names the high watermark's position, as Debezium's).
  std::optional<Lsn> sequence_lsn;
  // The transaction's replication origin (pgoutput 'O': a change applied by a subscription or another
  // origin-tracking replicator): source.origin / origin_lsn from Debezium 3.5 on; empty/null otherwise.
  std::string_view origin;
  std::optional<Lsn> origin_lsn;
};

struct TransactionBlock;  // event/transaction_metadata.h

struct ChangeEvent {
  Op op = Op::kCreate;
  const TableSchema* table = nullptr;
  std::optional<Row> before;
  std::optional<Row> after;
  Source source;
  int64_t ts_us = 0;  // connector clock when the event was built (top-level ts_ms/ts_us/ts_ns)
  const TransactionBlock* transaction = nullptr;  // provide.transaction.metadata; null: "transaction":null
};

}  // namespace sluice::event
