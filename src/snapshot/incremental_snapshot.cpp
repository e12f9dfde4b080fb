// Incremental snapshot state machine: chunk queries on a normal connection, window bookkeeping for the
// streaming thread, progress as offset members.
#include "snapshot/incremental_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "common/log.h"

namespace sluice::snapshot {

namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("snapshot");
  return l;
}

// A random (version 4) UUID, as Debezium names its chunks.
std::string new_chunk_id() {
  std::random_device rd;
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:08x}{:04x}", rd(), rd() & 0xFFFF, rd() & 0xFFF,
                     0x8000 | (rd() & 0x3FFF), rd(), rd() & 0xFFFF);
}

nlohmann::json key_json(const std::optional<std::vector<std::string>>& key) {
  if (!key) return nullptr;
  return nlohmann::json(*key).dump();
}

Result<std::optional<std::vector<std::string>>> key_from_json(const nlohmann::json& j,
                                                              std::string_view member) {
  if (j.is_null()) return std::optional<std::vector<std::string>>{};
  nlohmann::json arr = j;
  if (j.is_string()) arr = nlohmann::json::parse(j.get<std::string>(), nullptr, false);
  if (!arr.is_array()) {
    return Error::fatal(fmt::format(
        "stored offset member {} is not a key (a JSON list of the key's values): {}", member, j.dump()));
  }
  std::vector<std::string> out;
  for (const auto& v : arr) {
    if (!v.is_string()) {
      return Error::fatal(
          fmt::format("stored offset member {} has a non-text key value: {}", member, j.dump()));
    }
    out.push_back(v.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

// The condition comparing the key columns with $first.. (a row comparison).
std::string key_compare(const pg::Connection& conn, const pg::CatalogTable& t,
                        const std::vector<size_t>& cols, std::string_view op, int first) {
  std::string lhs, rhs;
  for (size_t i = 0; i < cols.size(); ++i) {
    lhs += (i ? ", " : "") + conn.escape_identifier(t.columns[cols[i]].name);
    rhs += fmt::format("{}${}", i ? ", " : "", first + static_cast<int>(i));
  }
  return fmt::format("ROW({}) {} ROW({})", lhs, op, rhs);
}

}  // namespace

std::string IncrementalSnapshot::key_of(std::span<const decode::TupleValue> tuple,
                                        const std::vector<size_t>& key_columns) {
  std::string k;
  for (size_t c : key_columns) {
    if (c >= tuple.size() || tuple[c].kind == decode::TupleValue::Kind::kNull ||
        tuple[c].kind == decode::TupleValue::Kind::kUnchangedToast) {
      k += "N;";
      continue;
    }
    k += std::to_string(tuple[c].data.size());
    k += ':';
    k += tuple[c].data;
    k += ';';
  }
  return k;
}

Result<IncrementalSnapshot> IncrementalSnapshot::restore(std::string_view offset_members, int chunk_size) {
  IncrementalSnapshot s(chunk_size);
  if (offset_members.empty()) return s;
  auto j = nlohmann::json::parse(offset_members, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("incremental_snapshot_collections")) return s;
  auto cols = j["incremental_snapshot_collections"];
  if (cols.is_string()) cols = nlohmann::json::parse(cols.get<std::string>(), nullptr, false);
  if (!cols.is_array()) {
    return Error::fatal(fmt::format("stored offset member incremental_snapshot_collections is not a list: {}",
                                    j["incremental_snapshot_collections"].dump()));
  }
  std::vector<SnapshotCollection> all;
  for (const auto& c : cols) {
    auto text = [&](const char* m) {
      return c.contains(m) && c[m].is_string() ? c[m].get<std::string>() : std::string();
    };
    SnapshotCollection sc{text("incremental_snapshot_collections_id"),
                          text("incremental_snapshot_collections_additional_condition"),
                          text("incremental_snapshot_collections_surrogate_key")};
    if (sc.id.empty()) {
      return Error::fatal(fmt::format(
          "stored offset member incremental_snapshot_collections has an entry without id: {}", c.dump()));
    }
    all.push_back(std::move(sc));
  }
  if (all.empty()) return s;
  Current cur;
  cur.collection = all.front();
  auto last = key_from_json(j.value("incremental_snapshot_primary_key", nlohmann::json()),
                            "incremental_snapshot_primary_key");
  if (!last) return last.error();
  auto max = key_from_json(j.value("incremental_snapshot_maximum_key", nlohmann::json()),
                           "incremental_snapshot_maximum_key");
  if (!max) return max.error();
  cur.last_key = *last;
  cur.max_key = *max;
  cur.rows = j.value("sluice_incremental_table_rows", uint64_t{0});
  s.current_ = std::move(cur);
  s.pending_.assign(all.begin() + 1, all.end());
  s.paused_ = j.value("incremental_snapshot_paused", false);
  return s;
}

std::string IncrementalSnapshot::offset_members(std::string_view members) const {
  nlohmann::json j = nlohmann::json::object();
  if (!members.empty()) {
    auto m = nlohmann::json::parse(members, nullptr, false);
    if (m.is_object()) j = std::move(m);
  }
  for (const char* k :
       {"incremental_snapshot_collections", "incremental_snapshot_primary_key",
        "incremental_snapshot_maximum_key", "incremental_snapshot_paused", "sluice_incremental_table_rows"}) {
    j.erase(k);
  }
  if (running()) {
    nlohmann::json cols = nlohmann::json::array();
    auto add = [&](const SnapshotCollection& c) {
      cols.push_back({{"incremental_snapshot_collections_id", c.id},
                      {"incremental_snapshot_collections_additional_condition",
                       c.condition.empty() ? nlohmann::json() : nlohmann::json(c.condition)},
                      {"incremental_snapshot_collections_surrogate_key",
                       c.surrogate_key.empty() ? nlohmann::json() : nlohmann::json(c.surrogate_key)}});
    };
    if (current_) add(current_->collection);
    for (const auto& c : pending_) add(c);
    j["incremental_snapshot_collections"] = cols.dump();
    j["incremental_snapshot_primary_key"] = current_ ? key_json(current_->last_key) : nlohmann::json();
    j["incremental_snapshot_maximum_key"] = current_ ? key_json(current_->max_key) : nlohmann::json();
    if (paused_) j["incremental_snapshot_paused"] = true;
    if (current_) j["sluice_incremental_table_rows"] = current_->rows;
  }
  return j.empty() ? std::string() : j.dump();
}

std::vector<std::string> IncrementalSnapshot::add(const std::vector<SnapshotCollection>& collections) {
  std::vector<std::string> added;
  for (const auto& c : collections) {
    bool queued = (current_ && current_->collection.id == c.id) ||
                  std::any_of(pending_.begin(), pending_.end(), [&](const auto& p) { return p.id == c.id; });
    if (queued) continue;
    pending_.push_back(c);
    added.push_back(c.id);
  }
  return added;
}

std::vector<std::string> IncrementalSnapshot::stop(const std::vector<std::string>& ids) {
  std::vector<std::string> removed;
  auto matches = [&](const std::string& id) {
    return ids.empty() || std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (matches(it->id)) {
      removed.push_back(it->id);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  if (current_ && matches(current_->collection.id)) {
    removed.push_back(current_->collection.id);
    current_.reset();
    prepared_ = false;
    chunk_id_.reset();
    window_open_ = false;
    rows_.clear();
    index_.clear();
  }
  if (!running()) paused_ = false;
  return removed;
}

Result<bool> IncrementalSnapshot::prepare(pg::Connection& conn) {
  const auto& id = current_->collection.id;
  auto dot = id.find('.');
  std::string schema = dot == std::string::npos ? "public" : id.substr(0, dot);
  std::string name = dot == std::string::npos ? id : id.substr(dot + 1);
  auto r = conn.exec_params(
      "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
      {schema, name});
  if (!r) return r.error();
  if (PQntuples(r->get()) == 0) {
    log()->warn("incremental snapshot: table {} does not exist; skipped", id);
    return false;
  }
  auto cat =
      pg::load_table(conn, Oid{static_cast<uint32_t>(std::strtoul(PQgetvalue(r->get(), 0, 0), nullptr, 10))});
  if (!cat) return cat.error();
  table_ = std::move(*cat);
  key_columns_.clear();
  const auto& sk = current_->collection.surrogate_key;
  if (!sk.empty()) {
    for (size_t i = 0; i < table_.columns.size(); ++i) {
      if (table_.columns[i].name == sk) key_columns_.push_back(i);
    }
    if (key_columns_.empty()) {
      log()->warn("incremental snapshot: table {} has no column '{}' (surrogate-key); skipped", id, sk);
      return false;
    }
  } else {
    key_columns_ = pg::primary_key_columns(table_);
    if (key_columns_.empty()) {
      log()->warn(
          "incremental snapshot: table {} has no primary key; skipped (give a \"surrogate-key\" column in "
          "the "
          "execute-snapshot signal)",
          id);
      return false;
    }
  }
  if (!current_->max_key) {
    std::string cols, order;
    for (size_t i = 0; i < key_columns_.size(); ++i) {
      auto c = conn.escape_identifier(table_.columns[key_columns_[i]].name);
      cols += (i ? ", " : "") + c;
      order += (i ? ", " : "") + c + " DESC";
    }
    auto where = current_->collection.condition.empty() ? std::string()
                                                        : " WHERE (" + current_->collection.condition + ")";
    auto q = fmt::format("SELECT {} FROM {}{} ORDER BY {} LIMIT 1", cols,
                         pg::qualified_name(conn, table_.schema, table_.table), where, order);
    auto m = conn.exec(q);
    if (!m) {
      return Error{m.error().kind, fmt::format("incremental snapshot of {}: {}", id, m.error().message)};
    }
    if (PQntuples(m->get()) == 0) {
      log()->info("incremental snapshot: table {} is empty", id);
      return false;
    }
    std::vector<std::string> max;
    for (size_t i = 0; i < key_columns_.size(); ++i)
      max.emplace_back(PQgetvalue(m->get(), 0, static_cast<int>(i)));
    current_->max_key = std::move(max);
  }
  prepared_ = true;
  return true;
}

Result<bool> IncrementalSnapshot::read_chunk(pg::Connection& conn, const WatermarkFn& watermark) {
  if (chunk_id_) return true;
  for (;;) {
    if (!current_) {
      if (pending_.empty()) return false;
      current_ = Current{pending_.front(), std::nullopt, std::nullopt, 0};
      pending_.pop_front();
      prepared_ = false;
      log()->info("incremental snapshot of {} started", current_->collection.id);
    }
    if (!prepared_) {
      auto ok = prepare(conn);
      if (!ok) return ok.error();
      if (!*ok) {
        current_.reset();
        continue;
      }
    }
    break;
  }
  chunk_id_ = new_chunk_id();
  window_open_ = false;
  rows_.clear();
  index_.clear();
  if (auto s = watermark(*chunk_id_, true); !s) return s.error();

  std::string cols, order;
  for (size_t i = 0; i < table_.columns.size(); ++i) {
    cols += (i ? ", " : "") + conn.escape_identifier(table_.columns[i].name);
  }
  for (size_t i = 0; i < key_columns_.size(); ++i) {
    order += (i ? ", " : "") + conn.escape_identifier(table_.columns[key_columns_[i]].name);
  }
  std::vector<std::optional<std::string>> params;
  std::string where;
  int next = 1;
  if (current_->last_key) {
    where = key_compare(conn, table_, key_columns_, ">", next);
    for (auto& v : *current_->last_key) params.emplace_back(v);
    next += static_cast<int>(key_columns_.size());
  }
  where += (where.empty() ? "" : " AND ") + key_compare(conn, table_, key_columns_, "<=", next);
  for (auto& v : *current_->max_key) params.emplace_back(v);
  if (!current_->collection.condition.empty()) where += " AND (" + current_->collection.condition + ")";
  auto q = fmt::format("SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT {}", cols,
                       pg::qualified_name(conn, table_.schema, table_.table), where, order, chunk_size_);
  auto r = conn.exec_params(q, params);
  if (!r) {
    return Error{r.error().kind,
                 fmt::format("incremental snapshot of {}: {}", current_->collection.id, r.error().message)};
  }
  const int n = PQntuples(r->get());
  const int nf = PQnfields(r->get());
  std::vector<decode::TupleValue> tuple(static_cast<size_t>(nf));
  rows_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    Row row;
    row.values.resize(static_cast<size_t>(nf));
    for (int c = 0; c < nf; ++c) {
      if (PQgetisnull(r->get(), i, c)) {
        tuple[c] = {decode::TupleValue::Kind::kNull, {}};
      } else {
        row.values[c].emplace(PQgetvalue(r->get(), i, c), static_cast<size_t>(PQgetlength(r->get(), i, c)));
        tuple[c] = {decode::TupleValue::Kind::kText, *row.values[c]};
      }
    }
    index_[key_of(tuple, key_columns_)] = rows_.size();
    rows_.push_back(std::move(row));
  }
  chunk_short_ = n < chunk_size_;
  chunk_last_key_.reset();
  if (n > 0) {
    std::vector<std::string> last;
    for (size_t c : key_columns_) last.push_back(rows_.back().values[c].value_or(""));
    chunk_last_key_ = std::move(last);
  }
  if (auto s = watermark(*chunk_id_, false); !s) return s.error();
  // Deduplicate from now on, not only from the low watermark: a transaction whose commit record precedes the
  // low watermark in the WAL may still have been invisible to the SELECT (a commit becomes visible only after
  // its record is flushed), so its change, streamed before the low watermark, can be newer than the row read.
  // Dropping a row for any streamed change of its key is always safe: that change and every later one of the
  // key are streamed, so the key's last event is still its latest state.
  window_open_ = true;
  return true;
}

bool IncrementalSnapshot::on_watermark(std::string_view signal_id, bool open) {
  if (!chunk_id_) return false;
  std::string expected = *chunk_id_ + (open ? "-open" : "-close");
  if (signal_id != expected) {
    log()->debug("watermark {} ignored (expected {})", signal_id, expected);
    return false;
  }
  if (open) {
    window_open_ = true;
    return false;
  }
  window_open_ = false;
  return true;
}

void IncrementalSnapshot::deduplicate(uint32_t oid, std::span<const decode::TupleValue> tuple) {
  if (!window_open_ || oid != table_.oid.value || index_.empty()) return;
  auto it = index_.find(key_of(tuple, key_columns_));
  if (it == index_.end()) return;
  rows_[it->second].removed = true;
  index_.erase(it);
}

size_t IncrementalSnapshot::rows_left() const {
  return static_cast<size_t>(
      std::count_if(rows_.begin(), rows_.end(), [](const Row& r) { return !r.removed; }));
}

std::optional<std::string> IncrementalSnapshot::window_emitted() {
  const size_t emitted = rows_left();
  rows_emitted_ += emitted;
  if (current_) current_->rows += emitted;
  rows_.clear();
  index_.clear();
  chunk_id_.reset();
  std::optional<std::string> done;
  if (!current_) return done;
  if (chunk_last_key_) current_->last_key = chunk_last_key_;
  if (chunk_short_ || (chunk_last_key_ && current_->max_key && *chunk_last_key_ == *current_->max_key)) {
    done = current_->collection.id;
    current_.reset();
    prepared_ = false;
  }
  return done;
}

}  // namespace sluice::snapshot
