// Batches of SinkRecords -> the target Postgres, with the consumed offsets in the same transaction.
#include "pgsink/target_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "common/log.h"

namespace sluice::pgsink {
namespace {

constexpr size_t kMaxParams = 65535;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string quote_literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// SQLSTATE classes that a retry can cure: connection (08), transaction rollback (40: serialization,
// deadlock), insufficient resources (53), operator intervention (57: shutdown), system errors (58).
bool transient_sqlstate(const char* state) {
  if (state == nullptr) return true;
  std::string_view s(state);
  return s.starts_with("08") || s.starts_with("40") || s.starts_with("53") || s.starts_with("57") ||
         s.starts_with("58");
}

std::string schemaless_type(const ColumnValue& c) {
  switch (c.kind) {
    case JsonKind::kBool:
      return "boolean";
    case JsonKind::kInt:
      return "bigint";
    case JsonKind::kDouble:
      return "double precision";
    case JsonKind::kArray:
    case JsonKind::kObject:
      return "jsonb";
    default:
      return "text";
  }
}

std::string column_sql_type(const ColumnValue& c) {
  return c.sql_type.empty() ? schemaless_type(c) : c.sql_type;
}

std::string signature(const SinkRecord& r) {
  std::string s;
  for (const auto& c : r.key) s += c.name + '\x1f';
  s += '\x1e';
  for (const auto& c : r.values) s += c.name + '\x1f';
  return s;
}

}  // namespace

Result<std::unique_ptr<TargetWriter>> TargetWriter::connect(const SinkConfig& config) {
  std::string conninfo = config.conninfo() + " connect_timeout=10";
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return Error::transient("out of memory creating a Postgres connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn);
    bool fatal = msg.find("authentication") != std::string::npos ||
                 msg.find("does not exist") != std::string::npos ||
                 msg.find("no pg_hba.conf entry") != std::string::npos ||
                 msg.find("no password supplied") != std::string::npos;
    auto text = fmt::format("cannot connect to the target Postgres: {}", msg);
    return fatal ? Error::fatal(text) : Error::transient(text);
  }
  // Server notices (CREATE TABLE IF NOT EXISTS …) go to the debug log, not stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char* message) { module_logger("pgsink")->debug("target: {}", message); },
      nullptr);
  std::unique_ptr<TargetWriter> w(new TargetWriter(config, conn));
  std::string session = fmt::format("SET TIME ZONE {}; SET DateStyle = ISO; SET IntervalStyle = postgres",
                                    quote_literal(config.use_time_zone));
  if (!config.search_path.empty()) session += "; SET search_path = " + quote_literal(config.search_path);
  if (auto s = w->exec(session); !s) return Error::fatal(s.error().message);
  // The offsets table: [schema.]name, quoted as written.
  std::string ot;
  std::string_view name = config.offsets_table;
  if (auto dot = name.find('.'); dot != std::string_view::npos) {
    ot = quote_ident(std::string(name.substr(0, dot))) + "." + quote_ident(std::string(name.substr(dot + 1)));
  } else {
    ot = quote_ident(std::string(name));
  }
  w->offsets_sql_ = ot;
  auto create = fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (connector text NOT NULL, topic text NOT NULL, kafka_partition integer "
      "NOT NULL, next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY "
      "(connector, topic, kafka_partition))",
      ot);
  if (auto s = w->exec(create); !s) {
    // Two sinks creating it at once: the loser sees a unique violation on pg_type; the table is there.
    if (auto again = w->exec(create); !again) return again.error();
  }
  return w;
}

TargetWriter::~TargetWriter() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Status TargetWriter::exec(const std::string& sql, const std::vector<const char*>& params, PGresult** keep) {
  PGresult* r = params.empty() ? PQexec(conn_, sql.c_str())
                               : PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                              params.data(), nullptr, nullptr, 0);
  auto st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    if (keep != nullptr) {
      *keep = r;
    } else {
      PQclear(r);
    }
    return ok_status();
  }
  std::string msg = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  bool transient = PQstatus(conn_) != CONNECTION_OK || transient_sqlstate(state);
  std::string text = msg.empty() ? PQerrorMessage(conn_) : msg;
  PQclear(r);
  if (transient) return Error::transient("target Postgres: " + text);
  return Error::data(text);
}

std::string TargetWriter::norm(const std::string& name) const {
  return config_.quote_identifiers ? name : lower(name);
}

std::string TargetWriter::ident(const std::string& name) const {
  return quote_ident(norm(name));
}

void TargetWriter::rollback() {
  PGresult* r = PQexec(conn_, "ROLLBACK");
  PQclear(r);
  tables_.clear();  // DDL of the rolled back transaction is gone too
}

Result<std::map<TopicPartition, int64_t>> TargetWriter::stored_offsets() {
  std::map<TopicPartition, int64_t> out;
  PGresult* r = nullptr;
  std::vector<const char*> params = {config_.name.c_str()};
  if (auto s = exec(fmt::format("SELECT topic, kafka_partition, next_offset FROM {} WHERE connector = $1",
                                offsets_sql_),
                    params, &r);
      !s) {
    return s.error();
  }
  for (int i = 0; i < PQntuples(r); ++i) {
    out[{PQgetvalue(r, i, 0), static_cast<int32_t>(std::stol(PQgetvalue(r, i, 1)))}] =
        std::stoll(PQgetvalue(r, i, 2));
  }
  PQclear(r);
  return out;
}

Status TargetWriter::alter_offsets(const std::map<TopicPartition, std::optional<int64_t>>& offsets) {
  if (auto s = exec("BEGIN"); !s) return s;
  std::map<TopicPartition, int64_t> set;
  for (const auto& [tp, off] : offsets) {
    if (off) {
      set[tp] = *off;
      continue;
    }
    std::string partition = std::to_string(tp.partition);
    std::vector<const char*> params = {config_.name.c_str(), tp.topic.c_str(), partition.c_str()};
    if (auto s = exec(fmt::format("DELETE FROM {} WHERE connector = $1 AND topic = $2 AND kafka_partition = "
                                  "$3::integer",
                                  offsets_sql_),
                      params);
        !s) {
      rollback();
      return s;
    }
  }
  if (auto s = write_offsets(set); !s) {
    rollback();
    return s;
  }
  return exec("COMMIT");
}

Status TargetWriter::reset_offsets() {
  std::vector<const char*> params = {config_.name.c_str()};
  return exec(fmt::format("DELETE FROM {} WHERE connector = $1", offsets_sql_), params);
}

Result<TargetWriter::Table*> TargetWriter::table(const std::string& name, const SinkRecord& first) {
  auto it = tables_.find(name);
  if (it != tables_.end() && it->second.exists) return &it->second;
  Table t;
  // collection name -> [schema.]table (Debezium's Postgres dialect splits on dots)
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts.size() > 2) parts.erase(parts.begin(), parts.end() - 2);  // catalog.schema.table
  t.sql = parts.size() == 2 ? ident(parts[0]) + "." + ident(parts[1]) : ident(parts[0]);
  t.regclass_text = t.sql;
  auto load = [&]() -> Status {
    PGresult* r = nullptr;
    std::vector<const char*> params = {t.regclass_text.c_str()};
    if (auto s = exec("SELECT a.attname, format_type(a.atttypid, a.atttypmod), ty.typname, a.atttypmod "
                      "FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid "
                      "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
                      "ORDER BY a.attnum",
                      params, &r);
        !s) {
      return s;
    }
    t.columns.clear();
    t.by_name.clear();
    for (int i = 0; i < PQntuples(r); ++i) {
      Column c{
          PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), {PQgetvalue(r, i, 2), std::stoi(PQgetvalue(r, i, 3))}};
      t.by_name[c.name] = t.columns.size();
      t.columns.push_back(std::move(c));
    }
    t.exists = PQntuples(r) > 0;
    PQclear(r);
    return ok_status();
  };
  if (auto s = load(); !s) return s.error();
  if (!t.exists) {
    if (config_.schema_evolution != SchemaEvolution::kBasic) {
      return Error::data(fmt::format("table {} does not exist in the target (schema.evolution=none)", t.sql));
    }
    std::string cols;
    for (const auto* list : {&first.key, &first.values}) {
      for (const auto& c : *list) {
        if (!cols.empty()) cols += ", ";
        cols += ident(c.name) + " " + column_sql_type(c) + (c.optional ? "" : " NOT NULL");
      }
    }
    if (!first.key.empty()) {
      cols += ", PRIMARY KEY (";
      for (size_t i = 0; i < first.key.size(); ++i) cols += (i ? ", " : "") + ident(first.key[i].name);
      cols += ")";
    }
    if (auto s = exec(fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", t.sql, cols)); !s) return s.error();
    module_logger("pgsink")->info("created table {} ({})", t.sql, cols);
    if (auto s = load(); !s) return s.error();
  }
  auto& slot = tables_[name];
  slot = std::move(t);
  return &slot;
}

Status TargetWriter::ensure_columns(Table& t, SinkRecord& r) {
  for (auto* list : {&r.key, &r.values}) {
    for (auto& c : *list) {
      auto it = t.by_name.find(norm(c.name));
      if (it == t.by_name.end()) {
        if (config_.schema_evolution != SchemaEvolution::kBasic) {
          return Error::data(
              fmt::format("column {} is missing in table {} (schema.evolution=none)", ident(c.name), t.sql));
        }
        auto type = column_sql_type(c);
        if (auto s = exec(
                fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}", t.sql, ident(c.name), type));
            !s) {
          return s;
        }
        module_logger("pgsink")->info("added column {} {} to {}", ident(c.name), type, t.sql);
        PGresult* res = nullptr;
        std::vector<const char*> params = {t.regclass_text.c_str(), norm(c.name).c_str()};
        std::string col_name = norm(c.name);
        params[1] = col_name.c_str();
        if (auto s =
                exec("SELECT format_type(a.atttypid, a.atttypmod), ty.typname, a.atttypmod FROM pg_attribute "
                     "a JOIN pg_type ty ON ty.oid = a.atttypid WHERE a.attrelid = to_regclass($1) AND "
                     "a.attname = $2",
                     params, &res);
            !s) {
          return s;
        }
        if (PQntuples(res) == 1) {
          t.by_name[col_name] = t.columns.size();
          t.columns.push_back(
              {col_name, PQgetvalue(res, 0, 0), {PQgetvalue(res, 0, 1), std::stoi(PQgetvalue(res, 0, 2))}});
        }
        PQclear(res);
        it = t.by_name.find(col_name);
        if (it == t.by_name.end()) return Error::data("column added but not found: " + col_name);
      }
      if (c.schemaless) {
        if (auto s = coerce_to_column(c, t.columns[it->second].target); !s) {
          return Error::data(fmt::format("column {}: {}", ident(c.name), s.error().message));
        }
        c.schemaless = false;
      }
    }
  }
  return ok_status();
}

Status TargetWriter::insert_rows(Table& t, const std::vector<const SinkRecord*>& rows, bool upsert) {
  if (rows.empty()) return ok_status();
  const SinkRecord& first = *rows.front();
  size_t ncols = first.key.size() + first.values.size();
  if (ncols == 0) return ok_status();
  std::string head = "INSERT INTO " + t.sql + " (";
  bool first_col = true;
  for (const auto* list : {&first.key, &first.values}) {
    for (const auto& c : *list) {
      head += (first_col ? "" : ", ") + ident(c.name);
      first_col = false;
    }
  }
  head += ") VALUES ";
  std::string tail;
  if (upsert && !first.key.empty()) {
    tail = " ON CONFLICT (";
    for (size_t i = 0; i < first.key.size(); ++i) tail += (i ? ", " : "") + ident(first.key[i].name);
    tail += ")";
    if (first.values.empty()) {
      tail += " DO NOTHING";
    } else {
      tail += " DO UPDATE SET ";
      for (size_t i = 0; i < first.values.size(); ++i) {
        auto id = ident(first.values[i].name);
        tail += (i ? ", " : "") + id + " = EXCLUDED." + id;
      }
    }
  }
  size_t per_stmt = std::max<size_t>(1, std::min(rows.size(), kMaxParams / ncols));
  std::string sql;
  std::vector<const char*> params;
  for (size_t begin = 0; begin < rows.size(); begin += per_stmt) {
    size_t end = std::min(rows.size(), begin + per_stmt);
    sql = head;
    params.clear();
    size_t n = 0;
    for (size_t i = begin; i < end; ++i) {
      sql += i == begin ? "(" : ", (";
      for (size_t k = 0; k < ncols; ++k) {
        if (k) sql += ", ";
        sql += "$" + std::to_string(++n);
      }
      sql += ")";
      for (const auto* list : {&rows[i]->key, &rows[i]->values}) {
        for (const auto& c : *list) params.push_back(c.text ? c.text->c_str() : nullptr);
      }
    }
    sql += tail;
    if (auto s = exec(sql, params); !s) return s;
    rows_written_ += static_cast<int64_t>(end - begin);
  }
  return ok_status();
}

Status TargetWriter::update_row(Table& t, const SinkRecord& r) {
  if (r.values.empty()) return ok_status();
  std::string sql = "UPDATE " + t.sql + " SET ";
  std::vector<const char*> params;
  size_t n = 0;
  for (const auto& c : r.values) {
    sql += (n ? ", " : "") + ident(c.name) + " = $" + std::to_string(n + 1);
    ++n;
    params.push_back(c.text ? c.text->c_str() : nullptr);
  }
  sql += " WHERE ";
  for (size_t i = 0; i < r.key.size(); ++i) {
    sql += (i ? " AND " : "") + ident(r.key[i].name) + " = $" + std::to_string(++n);
    params.push_back(r.key[i].text ? r.key[i].text->c_str() : nullptr);
  }
  if (auto s = exec(sql, params); !s) return s;
  ++rows_written_;
  return ok_status();
}

Status TargetWriter::delete_rows(Table& t, const std::vector<const SinkRecord*>& rows) {
  if (rows.empty()) return ok_status();
  const auto& key = rows.front()->key;
  if (key.empty()) return ok_status();
  std::vector<std::string> casts;
  for (const auto& k : key) {
    auto it = t.by_name.find(norm(k.name));
    casts.push_back(it == t.by_name.end() ? std::string() : "::" + t.columns[it->second].sql_type);
  }
  std::string head = "DELETE FROM " + t.sql + " WHERE (";
  for (size_t i = 0; i < key.size(); ++i) head += (i ? ", " : "") + ident(key[i].name);
  head += ") IN (";
  size_t per_stmt = std::max<size_t>(1, std::min(rows.size(), kMaxParams / key.size()));
  std::vector<const char*> params;
  for (size_t begin = 0; begin < rows.size(); begin += per_stmt) {
    size_t end = std::min(rows.size(), begin + per_stmt);
    std::string sql = head;
    params.clear();
    size_t n = 0;
    for (size_t i = begin; i < end; ++i) {
      sql += i == begin ? "(" : ", (";
      for (size_t k = 0; k < key.size(); ++k) {
        sql += (k ? ", $" : "$") + std::to_string(++n) + casts[k];
        const auto& c = k < rows[i]->key.size() ? rows[i]->key[k] : rows[i]->key.back();
        params.push_back(c.text ? c.text->c_str() : nullptr);
      }
      sql += ")";
    }
    sql += ")";
    if (auto s = exec(sql, params); !s) return s;
    rows_written_ += static_cast<int64_t>(end - begin);
  }
  return ok_status();
}

Status TargetWriter::apply_rows(const std::string& name, std::vector<Pending>& batch,
                                const std::vector<size_t>& rows) {
  if (rows.empty()) return ok_status();
  auto tr = table(name, batch[rows.front()].record);
  if (!tr) return tr.error();
  Table& t = **tr;
  for (size_t i : rows) {
    if (auto s = ensure_columns(t, batch[i].record); !s) return s;
  }
  bool keyed = !batch[rows.front()].record.key.empty();
  if (keyed && config_.insert_mode != InsertMode::kInsert) {
    // Reduce to the last change of each key: the batch commits atomically, so only final states matter.
    std::unordered_map<std::string, size_t> last;
    for (size_t i : rows) last[batch[i].record.key_id] = i;
    std::vector<size_t> order;
    for (size_t i : rows) {
      if (last[batch[i].record.key_id] == i) order.push_back(i);
    }
    std::map<std::string, std::vector<const SinkRecord*>> deletes, writes;
    for (size_t i : order) {
      const auto& r = batch[i].record;
      (r.op == RecordOp::kDelete ? deletes : writes)[signature(r)].push_back(&r);
    }
    for (auto& [sig, list] : deletes) {
      if (auto s = delete_rows(t, list); !s) return s;
    }
    for (auto& [sig, list] : writes) {
      if (config_.insert_mode == InsertMode::kUpdate) {
        for (const auto* r : list) {
          if (auto s = update_row(t, *r); !s) return s;
        }
      } else if (auto s = insert_rows(t, list, true); !s) {
        return s;
      }
    }
    return ok_status();
  }
  // In order: runs of writes with the same columns become one multi-row INSERT.
  std::vector<const SinkRecord*> run;
  std::string run_sig;
  auto flush = [&]() -> Status {
    auto s = insert_rows(t, run, false);
    run.clear();
    return s;
  };
  for (size_t i : rows) {
    const auto& r = batch[i].record;
    if (r.op == RecordOp::kDelete) {
      if (auto s = flush(); !s) return s;
      if (auto s = delete_rows(t, {&r}); !s) return s;
      continue;
    }
    auto sig = signature(r);
    if (!run.empty() && sig != run_sig) {
      if (auto s = flush(); !s) return s;
    }
    run_sig = sig;
    run.push_back(&r);
  }
  return flush();
}

Status TargetWriter::write_offsets(const std::map<TopicPartition, int64_t>& next_offsets) {
  if (next_offsets.empty()) return ok_status();
  std::string sql =
      "INSERT INTO " + offsets_sql_ + " (connector, topic, kafka_partition, next_offset) VALUES ";
  std::vector<std::string> storage;
  storage.reserve(next_offsets.size() * 2);
  std::vector<const char*> params;
  size_t n = 0;
  for (const auto& [tp, off] : next_offsets) {
    sql +=
        fmt::format("{}($1, ${}, ${}::integer, ${}::bigint)", n ? ", " : "", n * 3 + 2, n * 3 + 3, n * 3 + 4);
    ++n;
    storage.push_back(std::to_string(tp.partition));
    storage.push_back(std::to_string(off));
  }
  params.push_back(config_.name.c_str());
  size_t k = 0;
  for (const auto& [tp, off] : next_offsets) {
    params.push_back(tp.topic.c_str());
    params.push_back(storage[k++].c_str());
    params.push_back(storage[k++].c_str());
  }
  sql +=
      " ON CONFLICT (connector, topic, kafka_partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, "
      "updated_at = now()";
  return exec(sql, params);
}

Status TargetWriter::begin_apply(std::vector<Pending>& batch,
                                 const std::map<TopicPartition, int64_t>& next_offsets) {
  if (auto s = exec("BEGIN"); !s) return s;
  // Per table, in the order tables first appear; truncates split a table's records into segments.
  std::vector<std::string> order;
  std::unordered_map<std::string, std::vector<size_t>> by_table;
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& p = batch[i];
    if (p.failed || p.record.op == RecordOp::kSkip) continue;
    auto [it, fresh] = by_table.try_emplace(p.record.table);
    if (fresh) order.push_back(p.record.table);
    it->second.push_back(i);
  }
  for (const auto& name : order) {
    std::vector<size_t> segment;
    for (size_t i : by_table[name]) {
      if (batch[i].record.op == RecordOp::kTruncate) {
        if (auto s = apply_rows(name, batch, segment); !s) return s;
        segment.clear();
        auto tr = table(name, batch[i].record);
        if (!tr) return tr.error();
        if (auto s = exec("TRUNCATE TABLE " + (*tr)->sql); !s) return s;
        continue;
      }
      segment.push_back(i);
    }
    if (auto s = apply_rows(name, batch, segment); !s) return s;
  }
  if (auto s = write_offsets(next_offsets); !s) return s;
  return exec("COMMIT");
}

Status TargetWriter::apply_one_by_one(std::vector<Pending>& batch,
                                      const std::map<TopicPartition, int64_t>& next_offsets,
                                      const FailureFn& on_failure) {
  if (auto s = exec("BEGIN"); !s) return s;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& p = batch[i];
    if (p.failed || p.record.op == RecordOp::kSkip) continue;
    if (auto s = exec("SAVEPOINT sluice_record"); !s) return s;
    Status st = ok_status();
    if (p.record.op == RecordOp::kTruncate) {
      auto tr = table(p.record.table, p.record);
      st = tr ? exec("TRUNCATE TABLE " + (*tr)->sql) : Status(tr.error());
    } else {
      st = apply_rows(p.record.table, batch, {i});
    }
    if (!st) {
      if (st.error().kind == ErrorKind::kTransient) return st;
      if (auto s = exec("ROLLBACK TO SAVEPOINT sluice_record"); !s) return s;
      tables_.erase(p.record.table);  // a rolled back CREATE/ALTER
      if (!on_failure(i, st.error().message)) {
        rollback();
        return st;
      }
      p.failed = true;
      continue;
    }
    if (auto s = exec("RELEASE SAVEPOINT sluice_record"); !s) return s;
  }
  if (auto s = write_offsets(next_offsets); !s) return s;
  return exec("COMMIT");
}

Status TargetWriter::apply(std::vector<Pending>& batch, const std::map<TopicPartition, int64_t>& next_offsets,
                           const FailureFn& on_failure) {
  int64_t before = rows_written_;
  auto s = begin_apply(batch, next_offsets);
  if (s) return s;
  rollback();
  rows_written_ = before;
  if (s.error().kind == ErrorKind::kTransient) return s;
  module_logger("pgsink")->debug("batch of {} refused ({}); applying it record by record", batch.size(),
                                 s.error().message);
  auto one = apply_one_by_one(batch, next_offsets, on_failure);
  if (!one && one.error().kind == ErrorKind::kTransient) rollback();
  return one;
}

}  // namespace sluice::pgsink
