// Chain: the transforms of a connector config (transforms=a,b; transforms.a.type/.predicate/.negate/
// .<option>; predicates=p; predicates.p.type/.<option>), built and validated once at start-up. Applied to
// every record sluice publishes except the offset records (Connect never transforms those).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "transform/cloud_events.h"
#include "transform/debezium/extract_new_record_state.h"
#include "transform/transform.h"

namespace sluice::transform {

class Chain {
 public:
  // Builds the chain from the connector properties. `used` receives every key the chain read. kFatal on an
  // unknown class, option or predicate, naming the key (and listing what is supported). An empty
  // `transforms` gives an empty chain.
  static Result<std::shared_ptr<Chain>> create(const std::map<std::string, std::string>& props,
                                               std::set<std::string>& used);

  bool empty() const { return steps_.empty(); }
  // Whether a transform reads or changes keys and values (else only topics and headers: the bytes pass as
  // they are, and predicates see a key and value that are present or absent, nothing more). True with
  // CloudEvents, which rewrites every value.
  bool reads_data() const;
  size_t size() const { return steps_.size(); }
  // The fast path for unwrap: when the chain starts with an ExtractNewRecordState the event serializer can
  // write itself (no predicate, ExtractNewRecordState::plain_mode) and the rest does not read data (and no
  // CloudEvents), removes that first step and returns its delete.tombstone.handling.mode, which
  // serialized_unwrap() then gives. The serializer writes the unwrapped records and what remains of the
  // chain passes their bytes through. Else leaves the chain as it is and returns nullopt.
  std::optional<ExtractNewRecordState::Mode> take_serialized_unwrap();
  const std::optional<ExtractNewRecordState::Mode>& serialized_unwrap() const { return serialized_unwrap_; }
  // Applies each transform in order (a transform whose predicate, after negate, is false is skipped); false
  // when a transform dropped the record.
  Result<bool> apply(Record& record);

  // The key and value converters' schemas.enable (the form the transformed records are written in).
  bool key_schemas_enable = true;
  bool value_schemas_enable = true;
  // value.converter=io.debezium.converters.CloudEventsConverter: values are written as CloudEvents.
  std::optional<CloudEventsOptions> cloud_events;

  static const std::vector<std::string>& supported_transforms();
  static const std::vector<std::string>& supported_predicates();

 private:
  struct Step {
    std::string alias;
    std::unique_ptr<Transform> transform;
    const Predicate* predicate = nullptr;
    bool negate = false;
  };
  std::vector<Step> steps_;
  std::map<std::string, std::unique_ptr<Predicate>> predicates_;
  std::optional<ExtractNewRecordState::Mode> serialized_unwrap_;
};

// The chain c.transforms describes, built and validated, with the serializer's fast path taken
// (Chain::take_serialized_unwrap); null when the config names no transform and no CloudEvents converter.
// When the chain reads data, sets c.key_schemas_enable and c.value_schemas_enable to true: the event
// serializer then writes with schemas (the transforms read them, as Connect's see them) and the chain
// writes the converters' form. kFatal naming the key on a bad transform or predicate.
Result<std::shared_ptr<Chain>> build_chain(config::Config& c);

// build_chain for config::parse_config: the chain is checked (and c adjusted as above), then dropped.
Status validate_chain(config::Config& c);

}  // namespace sluice::transform
