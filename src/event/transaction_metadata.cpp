// TransactionMetadata: see transaction_metadata.h. Record layouts: debezium-core 3.4
// TransactionStructMaker / TransactionMonitor (schemas copied from what Debezium 3.4.3 + JsonConverter
// wrote).
#include "event/transaction_metadata.h"

#include <fmt/format.h>

#include "event/java_format.h"

namespace sluice::event {
namespace {

constexpr std::string_view kKeySchema =
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"id"}],"optional":false,"name":)"
    R"("io.debezium.connector.common.TransactionMetadataKey","version":1})";
constexpr std::string_view kValueSchema =
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"status"},{"type":"string","opt)"
    R"(ional":false,"field":"id"},{"type":"int64","optional":true,"field":"event_count"},{"type":"array","i)"
    R"(tems":{"type":"struct","fields":[{"type":"string","optional":false,"field":"data_collection"},{"type)"
    R"(":"int64","optional":false,"field":"event_count"}],"optional":true,"name":"event.collection","versio)"
    R"(n":1},"optional":true,"field":"data_collections"},{"type":"int64","optional":false,"field":"ts_ms"}])"
    R"(,"optional":false,"name":"io.debezium.connector.common.TransactionMetadataValue","version":1})";
constexpr std::string_view kMessageCollection =
    "io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$LogicalDecodingMessageId@";

int64_t floor_ms(int64_t us) {
  return us / 1000 - ((us % 1000 != 0) && (us < 0));
}

void tx_id(std::string& out, Xid xid, Lsn lsn) {
  out.clear();
  fmt::format_to(std::back_inserter(out), "{}:{}", xid.value, static_cast<int64_t>(lsn.value()));
}

}  // namespace

void write_transaction_block(JsonWriter& w, const TransactionBlock& block) {
  w.StartObject();
  write_key(w, "id");
  write_string(w, block.id);
  write_key(w, "total_order");
  w.Int64(block.total_order);
  write_key(w, "data_collection_order");
  w.Int64(block.data_collection_order);
  w.EndObject();
}

void TransactionMetadata::write_key(std::string_view id, std::string& out) {
  out.clear();
  StringSink sink{&out};
  JsonWriter w(sink);
  if (key_schemas_) {
    w.StartObject();
    sluice::write_key(w, "schema");
    write_raw(w, kKeySchema, rapidjson::kObjectType);
    sluice::write_key(w, "payload");
  }
  w.StartObject();
  sluice::write_key(w, "id");
  write_string(w, id);
  w.EndObject();
  if (key_schemas_) w.EndObject();
}

void TransactionMetadata::begin(Xid xid, Lsn lsn, int64_t commit_time_us, std::string& key,
                                std::string& value) {
  xid_ = xid;
  total_ = 0;
  collections_.clear();
  last_ = 0;
  tx_id(scratch_, xid, lsn);
  write_key(scratch_, key);
  write_value("BEGIN", commit_time_us, value);
}

const TransactionBlock& TransactionMetadata::next(std::string_view collection, bool reuse_last, Lsn lsn) {
  size_t i = collections_.size();
  if (reuse_last && last_ < collections_.size() && collections_[last_].first == collection) {
    i = last_;
  } else if (reuse_last) {
    for (size_t k = 0; k < collections_.size(); ++k) {
      if (collections_[k].first == collection) {
        i = k;
        break;
      }
    }
  }
  if (i == collections_.size()) collections_.emplace_back(std::string(collection), 0);
  last_ = i;
  ++total_;
  tx_id(block_.id, xid_, lsn);
  block_.total_order = total_;
  block_.data_collection_order = ++collections_[i].second;
  return block_;
}

const TransactionBlock& TransactionMetadata::table_event(std::string_view schema, std::string_view table,
                                                         Lsn lsn) {
  scratch_.assign(schema);
  scratch_.push_back('.');
  scratch_.append(table);
  return next(scratch_, true, lsn);
}

const TransactionBlock& TransactionMetadata::message_event(Lsn lsn, uint32_t identity_hash) {
  // Integer.toHexString(System.identityHashCode(id)): every message is a new object, so a new collection.
  scratch_.assign(kMessageCollection);
  fmt::format_to(std::back_inserter(scratch_), "{:x}", identity_hash);
  return next(scratch_, false, lsn);
}

void TransactionMetadata::end(Lsn lsn, int64_t commit_time_us, std::string& key, std::string& value) {
  tx_id(scratch_, xid_, lsn);
  write_key(scratch_, key);
  write_value("END", commit_time_us, value);
}

// BEGIN has null counts; END the transaction's event count and its per-collection counts.
void TransactionMetadata::write_value(std::string_view status, int64_t commit_time_us, std::string& value) {
  const bool counts = status == "END";
  value.clear();
  StringSink sink{&value};
  JsonWriter w(sink);
  if (value_schemas_) {
    w.StartObject();
    sluice::write_key(w, "schema");
    write_raw(w, kValueSchema, rapidjson::kObjectType);
    sluice::write_key(w, "payload");
  }
  w.StartObject();
  sluice::write_key(w, "status");
  write_string(w, status);
  sluice::write_key(w, "id");
  write_string(w, scratch_);
  sluice::write_key(w, "event_count");
  if (counts) {
    w.Int64(total_);
  } else {
    w.Null();
  }
  sluice::write_key(w, "data_collections");
  if (counts) {
    w.StartArray();
    std::vector<std::string_view> names;
    names.reserve(collections_.size());
    for (const auto& c : collections_) names.push_back(c.first);
    for (size_t i : javafmt::hash_map_order(names)) {  // TransactionContext's HashMap<String, Long>
      w.StartObject();
      sluice::write_key(w, "data_collection");
      write_string(w, collections_[i].first);
      sluice::write_key(w, "event_count");
      w.Int64(collections_[i].second);
      w.EndObject();
    }
    w.EndArray();
  } else {
    w.Null();
  }
  sluice::write_key(w, "ts_ms");
  w.Int64(floor_ms(commit_time_us));
  w.EndObject();
  if (value_schemas_) w.EndObject();
}

}  // namespace sluice::event
