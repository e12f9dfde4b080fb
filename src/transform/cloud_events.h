// CloudEvents: Debezium's io.debezium.converters.CloudEventsConverter as a value format, structured mode
// with JSON events and JSON data (serializer.type=json, data.serializer.type=json): the change event's
// metadata as CloudEvents attributes (id, source, specversion, type, time, datacontenttype, the iodebezium*
// extension attributes from op, source and transaction) and its before/after as `data`. Follows
// CloudEventsConverter.fromConnectData, CloudEventsMaker and PostgresCloudEventsMaker.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "config/transform_spec.h"
#include "transform/record.h"

namespace sluice::transform {

using CloudEventsOptions = config::CloudEventsOptions;

// The value's bytes: nullopt (a Kafka null) for a tombstone and for a record that is not a change event
// (heartbeats, transaction metadata, logical decoding messages), as Debezium's converter returns null;
// kData for an envelope it cannot convert (another connector type, a source field of another type).
Result<std::optional<std::string>> encode_cloud_event(const std::optional<Data>& value,
                                                      const CloudEventsOptions& options);

// "iodebezium" + the name's ASCII letters and digits (CloudEventsConverter.adjustExtensionName).
std::string cloud_events_extension_name(std::string_view name);

}  // namespace sluice::transform
