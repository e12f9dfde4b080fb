// The connector's output-shaping properties: Kafka Connect's transforms/predicates (a TransformSpec that
// transform::build_chain compiles), the key/value/header converters, and the Debezium/Connect properties that
// would change the published records but that sluice does not implement (those stop sluice: never ignored).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "common/result.h"
#include "config/config.h"

namespace sluice::config {

// Reads transforms.*, predicates.*, key.converter / value.converter / header.converter (after
// key/value.converter.schemas.enable were read into c) into c.transforms. `used` receives every key read
// (here or, for the transforms and predicates, by the chain built from the spec).
Status parse_transforms(const Properties& props, Config& c, std::set<std::string>& used);

// kFatal when `key` is a Debezium or Kafka Connect property that changes what is published and that sluice
// does not implement (a column filter or mask, a converter option, …): naming the key and why.
std::optional<Error> unimplemented_output_property(const std::string& key, const std::string& value);

}  // namespace sluice::config
