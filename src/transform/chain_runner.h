// ChainRunner: one record's bytes through a Chain, as a sink sends it. A chain that reads data decodes the
// key and value (Codec), applies its transforms and encodes them again in the converters' form; a chain that
// does not (Chain::reads_data: routers, header transforms, Filter with a topic/header/tombstone predicate)
// leaves the bytes as they are and sees only the topic, the headers and whether a key and value are present.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "transform/chain.h"
#include "transform/codec.h"

namespace sluice::transform {

class ChainRunner {
 public:
  // pass_bytes: leave the bytes as they are (only for a chain that does not read data, fed records already
  // in the converters' form); false: decode, apply, encode, whatever the chain (the generic path).
  ChainRunner(std::shared_ptr<Chain> chain, bool pass_bytes);

  // record: the topic and headers, set by the caller; key/value: the serializer's bytes (with schemas when
  // the chain reads data, else already in the converters' form). False when the chain dropped the record.
  // After true, record holds the topic, headers, partition and timestamp to send and key()/value() the bytes
  // (views into the arguments or into this runner, valid until the next run()).
  Result<bool> run(Record& record, std::optional<std::string_view> key,
                   std::optional<std::string_view> value);
  std::optional<std::string_view> key() const { return key_; }
  std::optional<std::string_view> value() const { return value_; }
  bool passes_bytes() const { return pass_through_; }
  // Passes bytes and has no transform left (a plain unwrap the serializer took over): every record goes out
  // as it came.
  bool identity() const { return pass_through_ && chain_->empty(); }

 private:
  std::shared_ptr<Chain> chain_;
  bool pass_through_;
  Codec codec_;
  std::optional<std::string> key_buf_;
  std::optional<std::string> value_buf_;
  std::optional<std::string_view> key_;
  std::optional<std::string_view> value_;
};

}  // namespace sluice::transform
