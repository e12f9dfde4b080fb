// TransactionMetadata: Debezium's provide.transaction.metadata. BEGIN and END records for the
// <topic.prefix>.transaction topic and the `transaction` block {id, total_order, data_collection_order} of
// every streamed event, as debezium-core 3.4's TransactionMonitor/TransactionContext make them with pgoutput
// (checked against Debezium 3.4.3 on Postgres 15: tests/conformance). Pure: builds JSON, no I/O.
//
// Debezium's rules, observed: every transaction pgoutput sends gets BEGIN and END, also when none of its
// changes is captured (event_count 0, data_collections []); a transaction id is "<xid>:<LSN>" where the LSN
// is the one of the record at hand (BEGIN: the Begin message's WAL position, an event: its own LSN, END: the
// Commit's end), so the block's id differs from event to event; data_collections lists "<schema>.<table>" in
// java.util.HashMap order; each logical decoding message is a data collection of its own, named after a Java
// object
// ("io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$LogicalDecodingMessageId@<identity
// hash>").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_writer.h"
#include "common/lsn.h"

namespace sluice::event {

struct TransactionBlock {
  std::string id;           // "<xid>:<lsn>"
  int64_t total_order = 0;  // 1-based position of the event in its transaction
  int64_t data_collection_order =
      0;  // 1-based position among the transaction's events of its data collection
};

// Writes the block as the envelope's `transaction` value.
void write_transaction_block(JsonWriter& w, const TransactionBlock& block);

class TransactionMetadata {
 public:
  TransactionMetadata(bool key_schemas_enable, bool value_schemas_enable)
      : key_schemas_(key_schemas_enable), value_schemas_(value_schemas_enable) {}

  // A transaction starts: the BEGIN record's key and value. lsn: the Begin message's WAL position.
  void begin(Xid xid, Lsn lsn, int64_t commit_time_us, std::string& key, std::string& value);
  // The block of the next event of the open transaction: a change of table schema.table at lsn.
  const TransactionBlock& table_event(std::string_view schema, std::string_view table, Lsn lsn);
  // ... or a transactional logical decoding message (its own data collection; identity_hash stands for the
  // Java object's identity hash: any non-zero 31-bit value).
  const TransactionBlock& message_event(Lsn lsn, uint32_t identity_hash);
  // The transaction commits: the END record's key and value. lsn: the Commit message's WAL position (its
  // end).
  void end(Lsn lsn, int64_t commit_time_us, std::string& key, std::string& value);

  int64_t event_count() const { return total_; }

 private:
  const TransactionBlock& next(std::string_view collection, bool reuse_last, Lsn lsn);
  void write_key(std::string_view id, std::string& out);
  void write_value(std::string_view status, int64_t commit_time_us, std::string& value);

  bool key_schemas_;
  bool value_schemas_;
  Xid xid_;
  int64_t total_ = 0;
  // Data collections in first-event order, with their event counts.
  std::vector<std::pair<std::string, int64_t>> collections_;
  size_t last_ = 0;  // index of the collection of the previous event (fast path for runs of one table)
  TransactionBlock block_;
  std::string scratch_;
};

}  // namespace sluice::event
