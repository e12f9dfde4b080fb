// ChainRunner: bytes -> Record -> chain -> bytes, or the bytes untouched when the chain does not read them.
#include "transform/chain_runner.h"

#include <fmt/format.h>

namespace sluice::transform {

namespace {

// Whether the payload of a value the serializer wrote is null: "null" without schemas, a document ending in
// "payload":null with them (the payload is its last member). Only ExtractNewRecordState's delete in
// delete.tombstone.handling.mode=tombstone is one; RecordIsTombstone matches it as Connect's null value.
bool null_payload(std::string_view value) {
  return value == "null" || value.ends_with(R"(,"payload":null})");
}

}  // namespace

ChainRunner::ChainRunner(std::shared_ptr<Chain> chain, bool pass_bytes)
    : chain_(std::move(chain)), pass_through_(pass_bytes) {}

Result<bool> ChainRunner::run(Record& record, std::optional<std::string_view> key,
                              std::optional<std::string_view> value) {
  if (pass_through_) {
    // Placeholders: present (a non-null payload, or null as the bytes say) or absent.
    if (key) record.key = Data{nullptr, Json::object()};
    if (value) record.value = Data{nullptr, null_payload(*value) ? Json::null() : Json::object()};
    auto kept = chain_->apply(record);
    if (!kept || !*kept) return kept;
    key_ = key;
    value_ = value;
    return true;
  }
  auto k = codec_.decode(key);
  if (!k) {
    return Error::data(
        fmt::format("cannot read the key of a record for {}: {}", record.topic, k.error().message));
  }
  auto v = codec_.decode(value);
  if (!v) {
    return Error::data(
        fmt::format("cannot read the value of a record for {}: {}", record.topic, v.error().message));
  }
  record.key = std::move(*k);
  record.value = std::move(*v);
  auto kept = chain_->apply(record);
  if (!kept || !*kept) return kept;
  key_buf_ = Codec::encode(record.key, chain_->key_schemas_enable);
  if (chain_->cloud_events) {
    auto ce = encode_cloud_event(record.value, *chain_->cloud_events);
    if (!ce) {
      return Error::data(fmt::format("value.converter CloudEventsConverter failed on a record for {}: {}",
                                     record.topic, ce.error().message));
    }
    value_buf_ = std::move(*ce);
  } else {
    value_buf_ = Codec::encode(record.value, chain_->value_schemas_enable);
  }
  key_.reset();
  value_.reset();
  if (key_buf_) key_ = *key_buf_;
  if (value_buf_) value_ = *value_buf_;
  return true;
}

}  // namespace sluice::transform
