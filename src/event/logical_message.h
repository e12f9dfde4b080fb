// Logical decoding messages (pg_logical_emit_message; pgoutput 'M' with the `messages` option, Postgres 14+)
// as Debezium's LogicalDecodingMessageMonitor publishes them: op "m" records on <topic.prefix>.message, key
// {prefix}, value {op, ts_ms, source, transaction, message: {prefix, content}} with source.schema and
// source.table "" (and source.txId null for a non-transactional message). content follows
// binary.handling.mode. No headers (Debezium sends these records without the __debezium.context.* ones).
#pragma once

#include <string>
#include <string_view>

#include "event/change_event.h"
#include "event/json_serializer.h"
#include "event/table_schema.h"

namespace sluice::event {

class MessageSerializer {
 public:
  MessageSerializer(SerializerOptions options, ConverterOptions::BinaryMode binary)
      : options_(std::move(options)), binary_(binary) {}

  void key(std::string_view prefix, std::string& out) const;
  // source: ts (the transaction's commit time; Debezium gives a non-transactional message the commit time
  // of the last transaction it saw), txId, lsn, sequence. ts_us: connector clock. transaction: the block, or
  // null.
  void value(std::string_view prefix, std::string_view content, const Source& source, int64_t ts_us,
             const TransactionBlock* transaction, std::string& out);

 private:
  SerializerOptions options_;
  ConverterOptions::BinaryMode binary_;
  std::string scratch_;
};

}  // namespace sluice::event
