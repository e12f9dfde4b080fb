// Pure decoder for pgoutput logical replication messages (protocol version 1), the payload of XLogData.
// Wire format: postgres src/backend/replication/logical/proto.c and the "Logical Replication Message
// Formats" chapter of the Postgres docs. All strings/bytes are views into the input buffer: a decoded
// message is valid only as long as the buffer it was decoded from.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "common/lsn.h"
#include "common/result.h"

namespace sluice::decode {

// Postgres timestamps on the wire: microseconds since 2000-01-01 00:00:00 UTC.
constexpr int64_t kPgEpochOffsetUs = 946684800LL * 1000000LL;  // 2000-01-01 minus 1970-01-01, in us
inline int64_t pg_time_to_unix_us(int64_t pg_us) {
  return pg_us + kPgEpochOffsetUs;
}

struct Begin {          // 'B'
  Lsn final_lsn;        // LSN of the commit record
  int64_t commit_time;  // pg epoch microseconds
  Xid xid;
};

struct Commit {  // 'C'
  uint8_t flags = 0;
  Lsn commit_lsn;       // LSN of the commit record
  Lsn end_lsn;          // end of the commit record: where the next transaction starts
  int64_t commit_time;  // pg epoch microseconds
};

struct Origin {  // 'O'
  Lsn commit_lsn;
  std::string_view name;
};

struct RelationColumn {
  uint8_t flags = 0;  // bit 1: part of the replica identity key
  std::string_view name;
  Oid type;
  int32_t typmod = -1;
  bool is_key() const { return (flags & 1) != 0; }
};

struct Relation {  // 'R'
  Oid oid;
  std::string_view nspname;  // "" means pg_catalog
  std::string_view relname;
  char replica_identity = 'd';  // d(efault), n(othing), f(ull), i(ndex)
  std::vector<RelationColumn> columns;
};

struct Type {  // 'Y'
  Oid oid;
  std::string_view nspname;
  std::string_view name;
};

// One column of TupleData.
struct TupleValue {
  enum class Kind : char { kNull = 'n', kUnchangedToast = 'u', kText = 't', kBinary = 'b' };
  Kind kind = Kind::kNull;
  std::string_view data;  // for kText / kBinary
};
using Tuple = std::vector<TupleValue>;

struct Insert {  // 'I'
  Oid relation;
  Tuple new_tuple;
};

struct Update {  // 'U'
  Oid relation;
  char old_kind = 0;  // 0 (no old tuple), 'K' (key columns only), 'O' (full old row, REPLICA IDENTITY FULL)
  Tuple old_tuple;
  // The new row. An unchanged TOASTed column ('u') holds the old tuple's value where the old tuple has one
  // (resolve_unchanged_toast): kUnchangedToast remains only where Postgres sent no value at all.
  Tuple new_tuple;
};

struct Delete {  // 'D'
  Oid relation;
  char old_kind = 'K';  // 'K' or 'O'
  Tuple old_tuple;
};

struct Truncate {       // 'T'
  uint8_t options = 0;  // bit 1: CASCADE, bit 2: RESTART IDENTITY
  std::vector<Oid> relations;
};

struct Message {      // 'M' (pg_logical_emit_message)
  uint8_t flags = 0;  // bit 1: transactional
  Lsn lsn;
  std::string_view prefix;
  std::string_view content;
  bool transactional() const { return (flags & 1) != 0; }
};

using PgMessage =
    std::variant<Begin, Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate, Message>;

// Replaces each unchanged TOASTed value ('u') of the new tuple by the old tuple's value of that column when
// the old tuple has one: under REPLICA IDENTITY FULL every column (Postgres logs the old row detoasted), and
// in a key-only old tuple the replica identity's columns (sent when one changed or is stored out of line).
// As Debezium's PostgresChangeRecordEmitter (the old tuple's values recover the new tuple's unchanged
// toasted ones). Returns how many values were filled. decode_pgoutput applies it to every Update.
size_t resolve_unchanged_toast(Update& update);

// Decodes one pgoutput message. Errors are ErrorKind::kData with the message type and byte offset.
Result<PgMessage> decode_pgoutput(std::span<const std::byte> data);

}  // namespace sluice::decode
