// TransformSpec: the output-shaping part of a connector config as plain data, parsed and checked for its
// shape by config (config/transforms_config.h); transform::build_chain compiles it into a Chain where the
// records are transformed.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace sluice::config {

// value.converter=io.debezium.converters.CloudEventsConverter and its value.converter.* options.
struct CloudEventsOptions {
  bool extension_attributes = true;  // extension.attributes.enable
  bool data_schemas = true;          // json.schemas.enable: data as {"schema":…,"payload":…}
};

struct TransformSpec {
  // transforms, predicates and the transforms.<alias>.* / predicates.<alias>.* keys of the listed aliases,
  // as configured (the chain reads and validates them).
  std::map<std::string, std::string> props;
  // The key and value converters' schemas.enable: the form the transformed records are written in.
  bool key_schemas_enable = true;
  bool value_schemas_enable = true;
  std::optional<CloudEventsOptions> cloud_events;

  // No transform, predicate or CloudEvents converter: the records are published as the serializer writes
  // them.
  bool empty() const { return props.empty() && !cloud_events; }
};

}  // namespace sluice::config
