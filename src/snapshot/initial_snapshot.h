// Initial snapshot: reads every captured table under the replication slot's exported snapshot, so the
// rows read and the changes streamed afterwards meet at exactly the slot's consistent point.
// Rows are fetched through a cursor in batches of snapshot.fetch.size: memory stays bounded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "decode/pgoutput.h"
#include "pg/catalog.h"
#include "pg/connection.h"

namespace sluice::snapshot {

struct RowPosition {
  bool first_in_table = false;
  bool last_in_table = false;
};

// source.snapshot of a snapshot row: first/last of the whole snapshot, *_in_data_collection per table,
// else "true". In the order RelationalSnapshotChangeEventSource.setSnapshotMarker checks them: last, first,
// last in table, first in table (so the row of a one-row first table is "first").
std::string_view snapshot_marker(RowPosition pos, bool first_table, bool last_table);

// Row `row` of a query result as text values (null or text), into `values` (sized to the result's columns
// by the caller); the views point into `res`.
void row_values(const PGresult* res, int row, std::span<decode::TupleValue> values);

// Called for each row, in table order; values are text, aligned with table.columns. Returning an error
// stops the snapshot.
using RowSink = std::function<Status(const pg::CatalogTable& table, std::span<const decode::TupleValue> row,
                                     RowPosition position)>;

struct SnapshotStats {
  uint64_t rows = 0;
  int64_t tx_id = 0;
};

// snapshot.isolation.mode as Debezium's Postgres connector applies it to a snapshot that does not read a
// slot's exported snapshot: serializable -> SERIALIZABLE READ ONLY DEFERRABLE (waits for a safe snapshot),
// repeatable_read, read_committed (each statement sees the latest commits: no consistency across tables),
// read_uncommitted (Postgres runs it as READ COMMITTED). Values 0..3 in that order.
std::string begin_statement(int isolation_mode);

class InitialSnapshot {
 public:
  InitialSnapshot(pg::Connection& conn, int fetch_size) : conn_(conn), fetch_size_(fetch_size) {}

  // Opens a REPEATABLE READ transaction on the exported snapshot (SET TRANSACTION SNAPSHOT), or without
  // one (snapshot_name empty) a transaction opened by `begin_sql` (snapshot.isolation.mode, see
  // begin_statement).
  Status begin(const std::string& snapshot_name,
               const std::string& begin_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  int64_t tx_id() const { return tx_id_; }
  // Exports the open transaction's snapshot (pg_export_snapshot) for other connections to share.
  Result<std::string> export_snapshot();
  // Reads one table completely: SELECT <its columns>, or `select_override`
  // (snapshot.select.statement.overrides, whose columns must be the table's, in order).
  Result<uint64_t> read_table(const pg::CatalogTable& table, const RowSink& sink,
                              const std::optional<std::string>& select_override = std::nullopt);
  Status commit();

 private:
  pg::Connection& conn_;
  int fetch_size_;
  int64_t tx_id_ = 0;
};

}  // namespace sluice::snapshot
