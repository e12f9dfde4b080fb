// Chunked snapshot reads. Large tables are split into primary-key ranges (so an interrupted snapshot resumes
// after the last range in Kafka), or ctid page ranges for tables without a key when several threads read;
// each chunk is read through a cursor. With snapshot.max.threads > 1, worker threads, each with its own
// connection in a REPEATABLE READ transaction on the same exported snapshot, read chunks and hand the fetched
// batches over a bounded queue to the one thread that publishes them (the sink is not thread-safe). With an
// Encoder, the workers also convert and serialize their rows (in slices of kEncodeSlice rows), so that work
// runs in parallel too. Memory: at most queue capacity + one batch per worker + one held batch per table in
// progress.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "pg/catalog.h"
#include "pg/connection.h"

namespace sluice::snapshot {

// What one table contributes to the plan.
struct TableSize {
  int64_t pages = 0;        // pg_relation_size / block_size, read inside the snapshot transaction
  int64_t estimate = 0;     // pg_class.reltuples (0 when never analyzed)
  bool splittable = false;  // ctid ranges allowed (no select override, Postgres 14+ TID Range Scan)
  // Ascending primary-key values splitting the table into key ranges (see key_boundaries); empty: no key
  // ranges.
  std::vector<std::vector<std::string>> key_bounds;
};

// Reads a table's size on `conn` (inside the snapshot transaction): pg_class's relpages and reltuples
// (no lock), or with `exact_pages` its current pg_relation_size (which takes the ACCESS SHARE lock that
// reading it takes anyway; relpages is 0 until the first VACUUM or ANALYZE).
Result<TableSize> table_size(pg::Connection& conn, Oid table, bool exact_pages);

// One unit of work: a whole table, pages [first_page, end_page) of it (end_page 0: to the end), or the rows
// whose primary key is above `after` (when set) and at most `upto` (when set).
struct Chunk {
  size_t table = 0;
  int64_t first_page = 0;
  int64_t end_page = 0;
  std::optional<std::vector<std::string>> after, upto;
  bool whole() const { return first_page == 0 && end_page == 0 && !after && !upto; }
};

// The target chunk size in pages: total pages / (4 × threads), clamped to 8 MB .. 128 MB.
int64_t chunk_pages(const std::vector<TableSize>& tables, int threads);

// Splits each table with key_bounds into key ranges (whatever the threads: they are also the unit of
// resumption), and with several threads each other splittable table larger than chunk_pages into page
// ranges; the rest are one chunk each (several are packed onto a worker one after the other). Chunks come in
// table order, each table's ranges in key or page order.
std::vector<Chunk> plan_chunks(const std::vector<TableSize>& tables, int threads);
// The chunks of one table (index `table`) for a target size of target_pages.
std::vector<Chunk> plan_table_chunks(const TableSize& t, size_t table, int threads, int64_t target_pages);

// Up to pieces - 1 ascending, distinct primary-key values (text) splitting `table` into ranges of about equal
// row counts, taken from a sample of its pages (TABLESAMPLE SYSTEM) on `conn` (inside the snapshot
// transaction). Empty without a primary key, for pieces < 2, or when the sample found no rows.
Result<std::vector<std::vector<std::string>>> key_boundaries(pg::Connection& conn,
                                                             const pg::CatalogTable& table, int64_t pages,
                                                             int pieces);

// "ROW(<primary key columns>) <op> ROW(<values as literals>)": a condition on the primary key.
std::string key_condition(const pg::Connection& conn, const pg::CatalogTable& table, std::string_view op,
                          const std::vector<std::string>& values);

// The SELECT of one chunk: the override as given, or the table's columns with a ctid or key range.
std::string chunk_sql(const pg::Connection& conn, const pg::CatalogTable& table,
                      const std::optional<std::string>& select_override, const Chunk& chunk);

// Rows [first, first + messages.size()) of a FETCH result, encoded by a worker into Kafka messages: each
// one's key (absent for a table without key) and value as ranges of `bytes`; `ok` false when the encoder
// could not encode the row (the consumer then converts it itself, and reports the error).
struct EncodedRows {
  struct Message {
    size_t key_begin = 0, key_end = 0, value_end = 0;  // value: [key_end, value_end)
    bool has_key = false;
    bool ok = false;
  };
  int first = 0;
  std::string bytes;
  std::vector<Message> messages;

  const Message& at(int row) const { return messages[static_cast<size_t>(row - first)]; }
  std::string_view key(const Message& m) const {
    return {bytes.data() + m.key_begin, m.key_end - m.key_begin};
  }
  std::string_view value(const Message& m) const {
    return {bytes.data() + m.key_end, m.value_end - m.key_end};
  }
};

// A batch of rows of one table, or the end of a chunk.
struct Batch {
  enum class Kind { kRows, kChunkDone, kError, kFinished };
  Kind kind = Kind::kRows;
  size_t table = 0;
  std::shared_ptr<pg::PgResult> rows;  // kRows: a FETCH result (columns aligned with the table's)
  std::optional<Error> error;          // kError
  int first = 0;                       // kRows: rows [first, first + count) of `rows`
  int count = 0;
  std::shared_ptr<const EncodedRows> encoded;  // kRows with an Encoder: those rows encoded
  size_t chunk = 0;                            // kRows, kChunkDone: index of the chunk in the plan
};

// Encodes rows [first, first + count) of `rows` (a FETCH result of `table`) into `out`.
using Encoder =
    std::function<void(size_t table, const PGresult* rows, int first, int count, EncodedRows& out)>;

// Reads chunk `index` of `job`'s table on `conn` (inside the snapshot transaction) through a cursor,
// fetch_size rows at a time, handing each batch (in slices of `slice` rows when encoding) and then kChunkDone
// to `push`; stops early, with success, when push returns false.
Status read_chunk(pg::Connection& conn, const pg::CatalogTable& table,
                  const std::optional<std::string>& select_override, const Chunk& chunk, size_t index,
                  int fetch_size, const Encoder& encode, const std::function<bool(Batch)>& push);

class ParallelSnapshot {
 public:
  struct Job {
    const pg::CatalogTable* table;
    std::optional<std::string> select_override;
  };

  // Each worker gets its own Encoder from the EncoderFactory.
  using Encoder = snapshot::Encoder;
  using EncoderFactory = std::function<Encoder()>;
  // Rows per encoded slice: bounds the queued encoded bytes (queue capacity × slice × message size).
  static constexpr int kEncodeSlice = 512;

  // `conninfo`: a normal (non-replication) connection string; `snapshot_name`: the exported snapshot.
  ParallelSnapshot(std::string conninfo, std::string snapshot_name, int threads, int fetch_size,
                   EncoderFactory encoders = {});
  ~ParallelSnapshot();
  ParallelSnapshot(const ParallelSnapshot&) = delete;
  ParallelSnapshot& operator=(const ParallelSnapshot&) = delete;

  // Starts the workers over `chunks` of `jobs` (both must outlive this object).
  void start(const std::vector<Job>& jobs, const std::vector<Chunk>& chunks);
  // The next batch, waiting at most `timeout`; nullopt on timeout. kFinished once every worker is done
  // and the queue is drained; kError as soon as a worker failed.
  std::optional<Batch> next(std::chrono::milliseconds timeout);
  // Stops and joins the workers (their transactions roll back).
  void stop();

 private:
  void worker();
  bool push(Batch b);  // false when aborted

  std::string conninfo_;
  std::string snapshot_name_;
  int threads_;
  int fetch_size_;
  EncoderFactory encoders_;
  const std::vector<Job>* jobs_ = nullptr;
  const std::vector<Chunk>* chunks_ = nullptr;

  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Batch> queue_;
  size_t capacity_;
  size_t next_chunk_ = 0;
  int running_ = 0;
  bool aborted_ = false;
  std::vector<std::thread> workers_;
};

// Debezium's source.snapshot markers when chunks of several tables arrive interleaved. Holds back the
// newest row of each table until it is known whether it is the table's last, and the last row of the most
// recently completed table until the next row arrives (so read sequentially, the order is the sequential
// snapshot's) or the snapshot ends. Rules: `first` on the
// first row emitted (none when the first table turned out empty before it, as Debezium), `last` on the final
// one, `first_in_data_collection` / `last_in_data_collection` on the first / last row emitted for each table
// (the snapshot's first wins over last in table, as in the sequential snapshot and Debezium).
class MarkerSequencer {
 public:
  struct Row {
    size_t table = 0;
    std::shared_ptr<pg::PgResult> batch;  // keeps the row's values alive
    int index = 0;
    std::shared_ptr<const EncodedRows> encoded;  // the row encoded by a worker (or null)
    size_t chunk = 0;                            // the chunk it was read in
  };
  using Emit = std::function<Status(const Row& row, std::string_view marker)>;

  explicit MarkerSequencer(size_t tables, Emit emit) : tables_(tables), emit_(std::move(emit)) {}

  // `n` rows of `table` (batch may be null in tests): rows [first, first + n) of batch, optionally encoded,
  // read in `chunk`.
  Status rows(size_t table, std::shared_ptr<pg::PgResult> batch, int n, int first = 0,
              std::shared_ptr<const EncodedRows> encoded = nullptr, size_t chunk = 0);
  // Every chunk of `table` was read.
  Status table_done(size_t table);
  // Every table was read: emits the held row as `last`.
  Status finish();

 private:
  struct TableState {
    std::optional<Row> held;
    bool first_emitted = false;  // a row of this table was emitted (the held one is not first)
  };
  Status emit(const Row& row, bool first_in_table, bool last_in_table, bool last);

  std::vector<TableState> tables_;
  std::optional<Row> pending_last_;  // last row of a completed table
  bool pending_first_in_table_ = false;
  bool any_emitted_ = false;
  bool first_table_empty_ = false;
  Emit emit_;
};

}  // namespace sluice::snapshot
