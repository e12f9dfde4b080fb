// ChangeBuilder (see change_builder.h): the events of Debezium's PostgresChangeRecordEmitter and
// RelationalChangeRecordEmitter for pgoutput's messages.
#include "connector/change_builder.h"

#include <fmt/format.h>

namespace sluice::connector {

namespace {

// Whether an update's old tuple holds the whole message key: a full old row ('O') does; a key-only one
// ('K') carries the replica identity's columns and nulls for the others.
bool old_key_known(const event::TableSchema& t, char old_kind, const decode::Tuple& old_tuple) {
  if (old_kind == 'O') return true;
  const auto& columns = t.info().columns;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!columns[i].key) continue;
    if (i >= old_tuple.size() || old_tuple[i].kind != decode::TupleValue::Kind::kText) return false;
  }
  return true;
}

}  // namespace

void ChangeBuilder::reset() {
  schemas_.clear();
  relations_.clear();
}

ChangeBuilder::RelationState ChangeBuilder::relation(const decode::Relation& rel, bool captured) {
  std::string_view nsp = rel.nspname.empty() ? std::string_view("pg_catalog") : rel.nspname;
  // Postgres re-sends Relation messages (after reconnects, before truncates): the schema is rebuilt only
  // when the columns, the name or the replica identity changed.
  const bool layout_changed = relations_.put(rel);
  if (auto it = schemas_.find(rel.oid.value); it != schemas_.end() && !layout_changed) {
    const auto* t = it->second.get();
    if (t == nullptr ? !captured
                     : t->info().schema == nsp && t->info().table == rel.relname &&
                           t->info().replica_identity == rel.replica_identity) {
      return RelationState::kKnown;
    }
  }
  if (!captured) {
    schemas_[rel.oid.value] = nullptr;
    return RelationState::kNotCaptured;
  }
  return RelationState::kNeedsSchema;
}

void ChangeBuilder::set_schema(Oid relation, std::shared_ptr<const event::TableSchema> schema) {
  schemas_[relation.value] = std::move(schema);
}

Result<const event::TableSchema*> ChangeBuilder::table(Oid relation, Lsn lsn) const {
  auto it = schemas_.find(relation.value);
  if (it == schemas_.end()) {
    return Error::fatal(
        fmt::format("change for relation oid {} at LSN {} arrived before its Relation message",
                    relation.value, lsn.str()));
  }
  return it->second.get();
}

event::ChangeEvent ChangeBuilder::base_event(event::Op op, const event::TableSchema& t,
                                             const ChangeContext& at) const {
  event::ChangeEvent ev;
  ev.op = op;
  ev.table = &t;
  ev.source.ts_us = at.commit_time_us;
  ev.source.tx_id = static_cast<int64_t>(at.xid.value);
  ev.source.lsn = at.lsn;
  ev.source.last_commit_lsn = at.last_commit_lsn;
  ev.source.origin = at.origin;
  ev.source.origin_lsn = at.origin_lsn;
  ev.ts_us = at.now_us;
  return ev;
}

void ChangeBuilder::insert(const event::TableSchema& t, const decode::Insert& m, const ChangeContext& at,
                           ChangeRecords& out) const {
  if (options_.skip_create) return;
  auto& r = out.emplace_back();
  r.event = base_event(event::Op::kCreate, t, at);
  r.event.after = event::Row(m.new_tuple);
}

Status ChangeBuilder::update(const event::TableSchema& t, const decode::Update& m, const ChangeContext& at,
                             event::JsonSerializer& keys, ChangeRecords& out) const {
  // Key change (Debezium's RelationalChangeRecordEmitter: the key of the old tuple, as converted, differs
  // from the new one, e.g. a primary-key update): delete (+ tombstone) under the old key, create under the
  // new one. Deliberately unlike Debezium, a key-only old tuple that lacks a key column (REPLICA IDENTITY
  // USING INDEX, or message.key.columns beyond the identity) gives an update: Debezium would delete a
  // made-up key (the missing columns' zero values).
  auto del = base_event(event::Op::kDelete, t, at);
  auto cre = base_event(event::Op::kCreate, t, at);
  std::string new_key, old_key;
  if (m.old_kind != 0 && t.has_key() && old_key_known(t, m.old_kind, m.old_tuple)) {
    del.before = event::Row(m.old_tuple);
    cre.after = event::Row(m.new_tuple);
    if (auto k = keys.key_header(cre, new_key); !k) return k.error();
    if (auto k = keys.key_header(del, old_key); !k) return k.error();
  }
  if (new_key != old_key) {
    if (!options_.skip_delete) {
      out.push_back({ChangeRecord::Kind::kEvent, del, true, {{"__debezium.newkey", new_key}}});
      if (options_.tombstones_on_delete) {
        out.push_back({ChangeRecord::Kind::kTombstone, del, true, {{"__debezium.newkey", new_key}}});
      }
    }
    if (!options_.skip_create) {
      out.push_back({ChangeRecord::Kind::kEvent, cre, true, {{"__debezium.oldkey", std::move(old_key)}}});
    }
    return ok_status();
  }
  if (options_.skip_update) return ok_status();
  auto& r = out.emplace_back();
  r.event = base_event(event::Op::kUpdate, t, at);
  if (m.old_kind != 0) r.event.before = event::Row(m.old_tuple);
  r.event.after = event::Row(m.new_tuple);
  return ok_status();
}

void ChangeBuilder::remove(const event::TableSchema& t, const decode::Delete& m, const ChangeContext& at,
                           ChangeRecords& out) const {
  if (options_.skip_delete) return;
  auto& r = out.emplace_back();
  r.event = base_event(event::Op::kDelete, t, at);
  r.event.before = event::Row(m.old_tuple);
  if (options_.tombstones_on_delete) {  // Debezium: also for a null key (a table without key)
    out.push_back({ChangeRecord::Kind::kTombstone, out.back().event, t.has_key(), {}});
  }
}

void ChangeBuilder::truncate(const event::TableSchema& t, const ChangeContext& at, ChangeRecords& out) const {
  if (options_.skip_truncate) return;
  out.emplace_back().event = base_event(event::Op::kTruncate, t, at);
}

event::Source ChangeBuilder::message_source(const decode::Message& m, const ChangeContext& at) {
  event::Source source;
  source.ts_us = at.commit_time_us;  // a non-transactional one: the last transaction's, as Debezium
  source.lsn = m.lsn;
  source.origin = at.origin;
  source.origin_lsn = at.origin_lsn;
  if (m.transactional()) {
    source.tx_id = static_cast<int64_t>(at.xid.value);
    source.last_commit_lsn = at.last_commit_lsn;
  } else {
    source.last_commit_lsn = m.lsn;
  }
  return source;
}

}  // namespace sluice::connector
