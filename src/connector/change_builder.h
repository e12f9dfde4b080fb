// ChangeBuilder: turns pgoutput's relation and row messages into change events, as Debezium's
// PostgresChangeRecordEmitter does. Pure: no I/O, no logging, no clock (the caller passes the time); the
// streamer resolves schemas from the catalog and publishes what this returns.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/lsn.h"
#include "common/result.h"
#include "decode/pgoutput.h"
#include "decode/relation_cache.h"
#include "event/change_event.h"
#include "event/json_serializer.h"
#include "event/table_schema.h"
#include "sink/sink.h"

namespace sluice::connector {

// What the config decides about row events (skipped.operations, tombstones.on.delete).
struct ChangeOptions {
  bool skip_create = false;
  bool skip_update = false;
  bool skip_delete = false;
  bool skip_truncate = true;
  bool tombstones_on_delete = true;
};

// Where a change stands: its transaction, its WAL position, and the connector's clock when it was read
// (the fields of the source block and the event's ts).
struct ChangeContext {
  Lsn lsn;  // the change's (the XLogData's wal_start)
  Xid xid;
  int64_t commit_time_us = 0;          // unix
  std::optional<Lsn> last_commit_lsn;  // source.sequence[0]
  std::string_view origin;             // pgoutput's Origin of the transaction
  std::optional<Lsn> origin_lsn;
  int64_t now_us = 0;  // unix
};

// One record a change publishes, in order.
struct ChangeRecord {
  enum class Kind { kEvent, kTombstone };
  Kind kind = Kind::kEvent;
  // kTombstone: only event.table is set; the tombstone carries the key of the event before it.
  event::ChangeEvent event;
  bool has_key = true;  // kTombstone: false for a table without key (a null key)
  std::vector<sink::KafkaHeader> headers;
};
using ChangeRecords = std::vector<ChangeRecord>;

class ChangeBuilder {
 public:
  explicit ChangeBuilder(ChangeOptions options) : options_(options) {}

  // Forgets every relation (before each streaming attempt: Postgres sends them again).
  void reset();

  // Relation messages: pgoutput sends one before a table's first change in a session, and again when the
  // table changed (or before a truncate). What a Relation means for the schema known for its table:
  enum class RelationState {
    kKnown,        // the schema known for it still describes it (or it stays outside the filters)
    kNotCaptured,  // outside the filters: its changes are not published
    kNeedsSchema,  // captured, and its schema must be (re)built from it: set_schema()
  };
  // `captured`: the table filters include the relation's table.
  RelationState relation(const decode::Relation& rel, bool captured);
  void set_schema(Oid relation, std::shared_ptr<const event::TableSchema> schema);
  // The schema of the relation a change names: nullptr for a table outside the filters; an error when its
  // Relation message never came (a protocol violation).
  Result<const event::TableSchema*> table(Oid relation, Lsn lsn) const;
  const decode::RelationCache& relations() const { return relations_; }

  // Row messages of table t (a captured one). Each appends the records to publish to `out`.
  // Insert: a create event ("c").
  void insert(const event::TableSchema& t, const decode::Insert& m, const ChangeContext& at,
              ChangeRecords& out) const;
  // Update: an update event ("u") with the old row when Postgres sent one (replica identity FULL, or a
  // changed key). When the message key changed (a primary-key update): a delete under the old key (with
  // its tombstone) and a create under the new one, each naming the other key in a header, as Debezium.
  // `keys` serializes the message keys to compare them; fails when a key cannot be converted.
  Status update(const event::TableSchema& t, const decode::Update& m, const ChangeContext& at,
                event::JsonSerializer& keys, ChangeRecords& out) const;
  // Delete: a delete event ("d") and its tombstone (tombstones.on.delete).
  void remove(const event::TableSchema& t, const decode::Delete& m, const ChangeContext& at,
              ChangeRecords& out) const;
  // Truncate, for each captured table it names: a truncate event ("t") unless skipped.
  void truncate(const event::TableSchema& t, const ChangeContext& at, ChangeRecords& out) const;
  bool skips_truncate() const { return options_.skip_truncate; }

  // A logical decoding message's source block: a transactional one belongs to its transaction; a
  // non-transactional one stands alone, as its own last commit (Debezium's lsn_commit).
  static event::Source message_source(const decode::Message& m, const ChangeContext& at);

 private:
  event::ChangeEvent base_event(event::Op op, const event::TableSchema& t, const ChangeContext& at) const;

  ChangeOptions options_;
  decode::RelationCache relations_;
  // Relation oid -> schema of a captured table; nullptr for a relation outside the filters.
  std::unordered_map<uint32_t, std::shared_ptr<const event::TableSchema>> schemas_;
};

}  // namespace sluice::connector
