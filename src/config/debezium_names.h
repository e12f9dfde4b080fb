// Debezium configurations as users have them: Debezium 1.x property names (renamed in 2.0) and Debezium
// Server `application.properties` files (debezium.source.*, debezium.sink.*, debezium.format.*), rewritten
// into the connector property names parse_config reads. Pure: no I/O, no logging.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace sluice::config {

// One Debezium 1.x name that Debezium 2.0 removed, and the name that replaced it.
struct LegacyName {
  std::string_view old_name;
  std::string_view new_name;
};
// Every rename of Debezium's 2.0 migration that applies to the PostgreSQL connector
// (RelationalDatabaseConnectorConfig's *.whitelist / *.blacklist, Heartbeat's heartbeat.topics.prefix,
// PostgresConnectorConfig's toasted.value.placeholder, database.server.name).
const std::vector<LegacyName>& legacy_names();

// Whether the properties are a Debezium Server file (a key under debezium.source. or debezium.sink.).
bool is_debezium_server(const Properties& props);

// Rewrites a Debezium Server file into connector properties: debezium.source.<p> -> <p>,
// debezium.sink.type -> sink.type (kafka or null), debezium.sink.kafka.producer.<p> -> producer.<p>
// (bootstrap.servers -> kafka.bootstrap.servers; the serializers are sluice's own), debezium.format.key /
// .value (json only) and their schemas.enable, debezium.transforms* / debezium.predicates* -> transforms*
// / predicates*, debezium.source.offset.storage (a Kafka Connect OffsetBackingStore class) -> file, kafka
// or none; quarkus.* (the server's runtime) are dropped. Other keys keep their names (so an unread one is
// reported). Errors (kFatal) name the key: an unsupported sink or format, a key set both ways.
Result<Properties> from_debezium_server(const Properties& props, std::vector<std::string>& warnings);

// Replaces every Debezium 1.x name by its 2.x name with a deprecation warning (also
// truncate.handling.mode -> skipped.operations and snapshot.mode=exported -> initial). A property set
// under both names is an error (kFatal) naming both.
Result<Properties> apply_legacy_names(const Properties& props, std::vector<std::string>& warnings);

// For a key sluice does not read: what it names when that is a server, a topic or a credential ("a
// server", "a topic", "a credential"), so that the config is refused instead of running with a default
// (a default broker, a default topic) where the user meant another.
std::optional<std::string> names_destination(std::string_view key);

}  // namespace sluice::config
