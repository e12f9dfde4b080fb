// Cursor-based table reads with one-batch lookahead so the last row of each table can be marked.
#include "snapshot/initial_snapshot.h"

#include <fmt/format.h>

#include <cstdlib>

namespace sluice::snapshot {

std::string begin_statement(int isolation_mode) {
  switch (isolation_mode) {
    case 0:
      return "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE";
    case 1:
      return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    case 2:
      return "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY";
    default:
      return "BEGIN ISOLATION LEVEL READ UNCOMMITTED READ ONLY";
  }
}

void row_values(const PGresult* res, int row, std::span<decode::TupleValue> values) {
  for (int c = 0; c < static_cast<int>(values.size()); ++c) {
    if (PQgetisnull(res, row, c)) {
      values[c] = {decode::TupleValue::Kind::kNull, {}};
    } else {
      values[c] = {decode::TupleValue::Kind::kText,
                   std::string_view(PQgetvalue(res, row, c), static_cast<size_t>(PQgetlength(res, row, c)))};
    }
  }
}

std::string_view snapshot_marker(RowPosition pos, bool first_table, bool last_table) {
  if (pos.last_in_table && last_table) return "last";
  if (pos.first_in_table && first_table) return "first";
  if (pos.last_in_table) return "last_in_data_collection";
  if (pos.first_in_table) return "first_in_data_collection";
  return "true";
}

Status InitialSnapshot::begin(const std::string& snapshot_name, const std::string& begin_sql) {
  if (auto s =
          conn_.run(snapshot_name.empty() ? begin_sql : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      !s) {
    return s;
  }
  if (!snapshot_name.empty()) {
    if (auto s = conn_.run(fmt::format("SET TRANSACTION SNAPSHOT {}", conn_.escape_literal(snapshot_name)));
        !s) {
      return s;
    }
  }
  // source.txId of snapshot reads: the snapshot transaction's own id, as Debezium reads it.
  auto r = conn_.exec("SELECT CASE WHEN pg_is_in_recovery() THEN 0 ELSE txid_current() END");
  if (!r) return r.error();
  tx_id_ = std::strtoll(PQgetvalue(r->get(), 0, 0), nullptr, 10);
  return ok_status();
}

Result<std::string> InitialSnapshot::export_snapshot() {
  auto r = conn_.exec("SELECT pg_export_snapshot()");
  if (!r) return r.error();
  return std::string(PQgetvalue(r->get(), 0, 0));
}

Result<uint64_t> InitialSnapshot::read_table(const pg::CatalogTable& table, const RowSink& sink,
                                             const std::optional<std::string>& select_override) {
  std::string cols;
  for (const auto& c : table.columns) {
    if (!cols.empty()) cols += ", ";
    cols += conn_.escape_identifier(c.name);
  }
  if (cols.empty()) return uint64_t{0};
  auto select = select_override ? *select_override
                                : fmt::format("SELECT {} FROM {}", cols,
                                              pg::qualified_name(conn_, table.schema, table.table));
  if (auto s = conn_.run("DECLARE sluice_snapshot NO SCROLL CURSOR FOR " + select); !s) {
    return Error{s.error().kind,
                 fmt::format("snapshot of {}.{}: {}", table.schema, table.table, s.error().message)};
  }
  auto fetch = fmt::format("FETCH FORWARD {} FROM sluice_snapshot", fetch_size_);

  std::vector<decode::TupleValue> row(table.columns.size());
  auto emit = [&](PGresult* res, int i, RowPosition pos) -> Status {
    row_values(res, i, row);
    return sink(table, row, pos);
  };

  uint64_t count = 0;
  pg::PgResult held;  // the previous batch, whose last row waits for the next fetch
  for (;;) {
    auto next = conn_.exec(fetch);
    if (!next) return next.error();
    int n = PQntuples(next->get());
    if (PQnfields(next->get()) != static_cast<int>(row.size())) {
      return Error::fatal(fmt::format(
          "snapshot of {}.{}: the SELECT returned {} columns, the table has {} (a "
          "snapshot.select.statement.overrides statement must return the table's columns in order)",
          table.schema, table.table, PQnfields(next->get()), row.size()));
    }
    if (held) {
      int hn = PQntuples(held.get());
      RowPosition pos{count == 0, n == 0};
      if (auto s = emit(held.get(), hn - 1, pos); !s) return s.error();
      ++count;
    }
    if (n == 0) break;
    for (int i = 0; i + 1 < n; ++i) {
      if (auto s = emit(next->get(), i, RowPosition{count == 0, false}); !s) return s.error();
      ++count;
    }
    held = std::move(*next);
  }
  if (auto s = conn_.run("CLOSE sluice_snapshot"); !s) return s.error();
  return count;
}

Status InitialSnapshot::commit() {
  return conn_.run("COMMIT");
}

}  // namespace sluice::snapshot
