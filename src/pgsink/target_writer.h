// TargetWriter: applies batches of SinkRecords to the target Postgres, each batch in one transaction that
// also stores the consumed Kafka offsets (the offsets table), so a crash at any point neither loses nor
// applies anything twice. Within a table, changes of one key are reduced to the last one (upsert/update
// modes) and written with multi-row statements; a batch the target refuses is retried record by record
// under savepoints to single out the poison record.
#pragma once

#include <libpq-fe.h>

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "pgsink/record.h"
#include "pgsink/sink_config.h"
#include "pgsink/sink_metrics.h"

namespace sluice::pgsink {

// One consumed record of a batch.
struct Pending {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  SinkRecord record;
  bool failed = false;  // its conversion failed and was tolerated: only its offset is stored
};

// Called for a record the target refused (reason: Postgres' message); false aborts the batch
// (errors.tolerance=none), true skips the record.
using FailureFn = std::function<bool(size_t index, const std::string& reason)>;

class TargetWriter {
 public:
  // Connects (kTransient when the server is unreachable), sets the session time zone (use.time.zone) and
  // creates the offsets table when missing.
  static Result<std::unique_ptr<TargetWriter>> connect(const SinkConfig& config);
  ~TargetWriter();

  // The stored next offsets of this connector (name), by topic-partition.
  Result<std::map<TopicPartition, int64_t>> stored_offsets();

  // KIP-875 for the sink (the connector stopped): sets the stored next offsets (nullopt: removes the entry,
  // the partition starts over from the consumer group's offset or auto.offset.reset) in one transaction.
  Status alter_offsets(const std::map<TopicPartition, std::optional<int64_t>>& offsets);
  // Removes every stored offset of this connector.
  Status reset_offsets();

  // Applies the batch and stores next_offsets in one transaction. kTransient: nothing was committed or the
  // outcome is unknown (the connection broke): reconnect, compare stored_offsets and retry. kData: a
  // record was refused and on_failure returned false; nothing was committed.
  Status apply(std::vector<Pending>& batch, const std::map<TopicPartition, int64_t>& next_offsets,
               const FailureFn& on_failure);

  // Statements and rows written so far (for the progress log).
  int64_t rows_written() const { return rows_written_; }

 private:
  struct Column {
    std::string name;
    std::string sql_type;  // format_type(): integer, character(84), timestamp without time zone, …
    TargetColumn target;
  };
  struct Table {
    bool exists = false;
    std::string sql;  // quoted [schema.]table
    std::string regclass_text;
    std::vector<Column> columns;
    std::unordered_map<std::string, size_t> by_name;
  };

  TargetWriter(const SinkConfig& config, PGconn* conn) : config_(config), conn_(conn) {}
  Status exec(const std::string& sql, const std::vector<const char*>& params = {}, PGresult** keep = nullptr);
  Status begin_apply(std::vector<Pending>& batch, const std::map<TopicPartition, int64_t>& next_offsets);
  Status apply_one_by_one(std::vector<Pending>& batch, const std::map<TopicPartition, int64_t>& next_offsets,
                          const FailureFn& on_failure);
  Status write_offsets(const std::map<TopicPartition, int64_t>& next_offsets);
  Status apply_rows(const std::string& table, std::vector<Pending>& batch, const std::vector<size_t>& rows);
  Result<Table*> table(const std::string& name, const SinkRecord& first);
  Status ensure_columns(Table& t, SinkRecord& r);
  Status insert_rows(Table& t, const std::vector<const SinkRecord*>& rows, bool upsert);
  Status update_row(Table& t, const SinkRecord& r);
  Status delete_rows(Table& t, const std::vector<const SinkRecord*>& rows);
  std::string ident(const std::string& name) const;
  std::string norm(const std::string& name) const;
  void rollback();

  SinkConfig config_;
  PGconn* conn_;
  std::string offsets_sql_;
  std::unordered_map<std::string, Table> tables_;
  int64_t rows_written_ = 0;
};

}  // namespace sluice::pgsink
