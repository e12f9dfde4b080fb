// Worker pool, chunk planning and marker sequencing of the parallel snapshot.
#include "snapshot/parallel_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace sluice::snapshot {

Result<TableSize> table_size(pg::Connection& conn, Oid table, bool exact_pages) {
  auto r = conn.exec_params(
      exact_pages ? "SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint, "
                    "greatest(c.reltuples, 0)::bigint FROM pg_class c WHERE c.oid = $1"
                  : "SELECT c.relpages, greatest(c.reltuples, 0)::bigint FROM pg_class c WHERE c.oid = $1",
      {std::to_string(table.value)});
  if (!r) return r.error();
  TableSize s;
  if (PQntuples(r->get()) == 1) {
    s.pages = std::strtoll(PQgetvalue(r->get(), 0, 0), nullptr, 10);
    s.estimate = std::strtoll(PQgetvalue(r->get(), 0, 1), nullptr, 10);
  }
  return s;
}

int64_t chunk_pages(const std::vector<TableSize>& tables, int threads) {
  constexpr int64_t kMinChunkPages = 1024;   // 8 MB: smaller ranges cost more in per-chunk overhead
  constexpr int64_t kMaxChunkPages = 16384;  // 128 MB: what a resumed snapshot reads again at most
  int64_t total = 0;
  for (const auto& t : tables) total += t.pages;
  return std::clamp<int64_t>(total / (4 * static_cast<int64_t>(std::max(threads, 1))), kMinChunkPages,
                             kMaxChunkPages);
}

std::vector<Chunk> plan_table_chunks(const TableSize& t, size_t table, int threads, int64_t target_pages) {
  std::vector<Chunk> out;
  if (!t.key_bounds.empty()) {
    // (-inf, b0], (b0, b1], …, (bn, +inf): every key falls in exactly one range.
    for (size_t b = 0; b <= t.key_bounds.size(); ++b) {
      Chunk c{table, 0, 0, std::nullopt, std::nullopt};
      if (b > 0) c.after = t.key_bounds[b - 1];
      if (b < t.key_bounds.size()) c.upto = t.key_bounds[b];
      out.push_back(std::move(c));
    }
    return out;
  }
  if (threads <= 1 || !t.splittable || t.pages <= target_pages) {
    out.push_back(Chunk{table, 0, 0, std::nullopt, std::nullopt});
    return out;
  }
  // The first range is open below and the last open above, so rows on pages added after the size was read
  // (invisible to the snapshot anyway) or before page 0 can never be missed.
  for (int64_t from = 0; from < t.pages; from += target_pages) {
    int64_t end = from + target_pages >= t.pages ? 0 : from + target_pages;
    out.push_back(Chunk{table, from, end, std::nullopt, std::nullopt});
  }
  return out;
}

std::vector<Chunk> plan_chunks(const std::vector<TableSize>& tables, int threads) {
  const int64_t target = chunk_pages(tables, threads);
  std::vector<Chunk> out;
  for (size_t i = 0; i < tables.size(); ++i) {
    auto c = plan_table_chunks(tables[i], i, threads, target);
    out.insert(out.end(), std::make_move_iterator(c.begin()), std::make_move_iterator(c.end()));
  }
  return out;
}

Result<std::vector<std::vector<std::string>>> key_boundaries(pg::Connection& conn,
                                                             const pg::CatalogTable& table, int64_t pages,
                                                             int pieces) {
  std::vector<std::vector<std::string>> out;
  const auto key = pg::primary_key_columns(table);
  if (key.empty() || pieces < 2 || pages <= 0) return out;
  // About 32 sampled pages per range (hundreds of keys on typical rows) place the boundaries well enough.
  const double percent =
      std::min(100.0, 100.0 * static_cast<double>(32 * pieces) / static_cast<double>(pages));
  std::string cols;
  for (size_t i = 0; i < key.size(); ++i)
    cols += (i ? ", " : "") + conn.escape_identifier(table.columns[key[i]].name);
  auto r = conn.exec(fmt::format("SELECT {} FROM {} TABLESAMPLE SYSTEM ({:.6f}) ORDER BY {}", cols,
                                 pg::qualified_name(conn, table.schema, table.table), percent, cols));
  if (!r) {
    return Error{r.error().kind, fmt::format("snapshot of {}.{}: sampling the primary key: {}", table.schema,
                                             table.table, r.error().message)};
  }
  const int n = PQntuples(r->get());
  for (int p = 1; p < pieces && n > 0; ++p) {
    const int row = static_cast<int>(static_cast<int64_t>(n) * p / pieces);
    if (row <= 0 || row >= n) continue;
    std::vector<std::string> b;
    for (size_t c = 0; c < key.size(); ++c) b.emplace_back(PQgetvalue(r->get(), row, static_cast<int>(c)));
    if (!out.empty() && out.back() == b) continue;  // the sample's order is the key's: equal means a repeat
    out.push_back(std::move(b));
  }
  return out;
}

std::string key_condition(const pg::Connection& conn, const pg::CatalogTable& table, std::string_view op,
                          const std::vector<std::string>& values) {
  const auto key = pg::primary_key_columns(table);
  std::string lhs, rhs;
  for (size_t i = 0; i < key.size() && i < values.size(); ++i) {
    lhs += (i ? ", " : "") + conn.escape_identifier(table.columns[key[i]].name);
    rhs += (i ? ", " : "") + conn.escape_literal(values[i]);
  }
  return fmt::format("ROW({}) {} ROW({})", lhs, op, rhs);
}

std::string chunk_sql(const pg::Connection& conn, const pg::CatalogTable& table,
                      const std::optional<std::string>& select_override, const Chunk& chunk) {
  if (select_override) return *select_override;
  std::string cols;
  for (const auto& c : table.columns) {
    if (!cols.empty()) cols += ", ";
    cols += conn.escape_identifier(c.name);
  }
  auto sql = fmt::format("SELECT {} FROM {}", cols, pg::qualified_name(conn, table.schema, table.table));
  if (chunk.after || chunk.upto) {
    std::string where;
    if (chunk.after) where = key_condition(conn, table, ">", *chunk.after);
    if (chunk.upto) where += (where.empty() ? "" : " AND ") + key_condition(conn, table, "<=", *chunk.upto);
    return sql + " WHERE " + where;
  }
  if (chunk.first_page > 0 && chunk.end_page > 0) {
    sql += fmt::format(" WHERE ctid >= '({},0)'::tid AND ctid < '({},0)'::tid", chunk.first_page,
                       chunk.end_page);
  } else if (chunk.first_page > 0) {
    sql += fmt::format(" WHERE ctid >= '({},0)'::tid", chunk.first_page);
  } else if (chunk.end_page > 0) {
    sql += fmt::format(" WHERE ctid < '({},0)'::tid", chunk.end_page);
  }
  return sql;
}

ParallelSnapshot::ParallelSnapshot(std::string conninfo, std::string snapshot_name, int threads,
                                   int fetch_size, EncoderFactory encoders)
    : conninfo_(std::move(conninfo)),
      snapshot_name_(std::move(snapshot_name)),
      threads_(std::max(threads, 1)),
      fetch_size_(fetch_size),
      encoders_(std::move(encoders)),
      capacity_(static_cast<size_t>(2 * std::max(threads, 1))) {}

ParallelSnapshot::~ParallelSnapshot() {
  stop();
}

void ParallelSnapshot::start(const std::vector<Job>& jobs, const std::vector<Chunk>& chunks) {
  jobs_ = &jobs;
  chunks_ = &chunks;
  int n = std::min<int>(threads_, static_cast<int>(std::max<size_t>(chunks.size(), 1)));
  running_ = n;
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { worker(); });
}

void ParallelSnapshot::stop() {
  {
    std::lock_guard lock(mu_);
    aborted_ = true;
  }
  not_full_.notify_all();
  not_empty_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

bool ParallelSnapshot::push(Batch b) {
  std::unique_lock lock(mu_);
  // Errors skip the capacity bound: the consumer must see them even when the queue is full.
  not_full_.wait(lock,
                 [&] { return aborted_ || queue_.size() < capacity_ || b.kind == Batch::Kind::kError; });
  if (aborted_) return false;
  queue_.push_back(std::move(b));
  not_empty_.notify_one();
  return true;
}

std::optional<Batch> ParallelSnapshot::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!not_empty_.wait_for(lock, timeout, [&] { return !queue_.empty() || running_ == 0; }))
    return std::nullopt;
  if (queue_.empty()) return Batch{Batch::Kind::kFinished, 0, nullptr, std::nullopt};
  Batch b = std::move(queue_.front());
  queue_.pop_front();
  not_full_.notify_one();
  return b;
}

Status read_chunk(pg::Connection& conn, const pg::CatalogTable& table,
                  const std::optional<std::string>& select_override, const Chunk& chunk, size_t index,
                  int fetch_size, const Encoder& encode, const std::function<bool(Batch)>& push) {
  auto failed = [&](const Error& e) {
    return Error{e.kind, fmt::format("snapshot of {}.{}: {}", table.schema, table.table, e.message)};
  };
  const auto sql = chunk_sql(conn, table, select_override, chunk);
  if (auto s = conn.run("DECLARE sluice_chunk NO SCROLL CURSOR FOR " + sql); !s) return failed(s.error());
  const auto fetch = fmt::format("FETCH FORWARD {} FROM sluice_chunk", fetch_size);
  for (;;) {
    auto r = conn.exec(fetch);
    if (!r) return failed(r.error());
    const int n = PQntuples(r->get());
    if (n == 0) break;
    auto rows = std::make_shared<pg::PgResult>(std::move(*r));
    const int slice = encode ? ParallelSnapshot::kEncodeSlice : n;
    for (int first = 0; first < n; first += slice) {
      Batch b{Batch::Kind::kRows,         chunk.table, rows, std::nullopt, first,
              std::min(slice, n - first), nullptr,     index};
      if (encode) {
        auto encoded = std::make_shared<EncodedRows>();
        encoded->first = first;
        encode(chunk.table, rows->get(), first, b.count, *encoded);
        b.encoded = std::move(encoded);
      }
      if (!push(std::move(b))) return ok_status();
    }
  }
  if (auto s = conn.run("CLOSE sluice_chunk"); !s) return failed(s.error());
  push(Batch{Batch::Kind::kChunkDone, chunk.table, nullptr, std::nullopt, 0, 0, nullptr, index});
  return ok_status();
}

void ParallelSnapshot::worker() {
  auto fail = [this](Error e) { push(Batch{Batch::Kind::kError, 0, nullptr, std::move(e)}); };
  auto done = [this] {
    std::lock_guard lock(mu_);
    --running_;
    not_empty_.notify_all();
  };
  auto conn = pg::Connection::connect(conninfo_);
  if (!conn) {
    fail(conn.error());
    return done();
  }
  auto st = conn->run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (st) st = conn->run(fmt::format("SET TRANSACTION SNAPSHOT {}", conn->escape_literal(snapshot_name_)));
  if (!st) {
    fail(st.error());
    return done();
  }
  const Encoder encode = encoders_ ? encoders_() : Encoder{};
  bool pushed = true;
  auto push_batch = [&](Batch b) { return pushed = push(std::move(b)); };
  for (;;) {
    size_t ci;
    {
      std::lock_guard lock(mu_);
      if (aborted_ || next_chunk_ >= chunks_->size()) break;
      ci = next_chunk_++;
    }
    const auto& chunk = (*chunks_)[ci];
    const auto& job = (*jobs_)[chunk.table];
    if (auto s =
            read_chunk(*conn, *job.table, job.select_override, chunk, ci, fetch_size_, encode, push_batch);
        !s) {
      fail(s.error());
      return done();
    }
    if (!pushed) return done();
  }
  (void)conn->run("COMMIT");
  done();
}

Status MarkerSequencer::emit(const Row& row, bool first_in_table, bool last_in_table, bool last) {
  // As the sequential snapshot checks them: last, first, last in table, first in table.
  std::string_view marker = "true";
  if (last) {
    marker = "last";
  } else if (first_in_table && !any_emitted_ && !first_table_empty_) {
    marker = "first";
  } else if (last_in_table) {
    marker = "last_in_data_collection";
  } else if (first_in_table) {
    marker = "first_in_data_collection";
  }
  any_emitted_ = true;
  return emit_(row, marker);
}

Status MarkerSequencer::rows(size_t table, std::shared_ptr<pg::PgResult> batch, int n, int first,
                             std::shared_ptr<const EncodedRows> encoded, size_t chunk) {
  if (n <= 0) return ok_status();
  // Another row follows: the last row of the completed table is not the snapshot's last.
  if (pending_last_) {
    auto row = std::move(*pending_last_);
    pending_last_.reset();
    if (auto s = emit(row, pending_first_in_table_, true, false); !s) return s;
  }
  auto& t = tables_[table];
  if (t.held) {
    if (auto s = emit(*t.held, !t.first_emitted, false, false); !s) return s;
    t.first_emitted = true;
  }
  for (int i = first; i + 1 < first + n; ++i) {
    if (auto s = emit(Row{table, batch, i, encoded, chunk}, !t.first_emitted, false, false); !s) return s;
    t.first_emitted = true;
  }
  t.held = Row{table, std::move(batch), first + n - 1, std::move(encoded), chunk};
  return ok_status();
}

Status MarkerSequencer::table_done(size_t table) {
  auto& t = tables_[table];
  // Debezium marks `first` only on the first table's first row: none when that table is empty.
  if (table == 0 && !t.held && !t.first_emitted && !any_emitted_) first_table_empty_ = true;
  if (!t.held) return ok_status();  // an empty table
  if (pending_last_) {
    if (auto s = emit(*pending_last_, pending_first_in_table_, true, false); !s) return s;
  }
  pending_last_ = std::move(t.held);
  pending_first_in_table_ = !t.first_emitted;
  t.held.reset();
  t.first_emitted = true;
  return ok_status();
}

Status MarkerSequencer::finish() {
  if (!pending_last_) return ok_status();
  auto row = std::move(*pending_last_);
  pending_last_.reset();
  return emit(row, pending_first_in_table_, true, true);
}

}  // namespace sluice::snapshot
