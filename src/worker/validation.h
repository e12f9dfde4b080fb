// Connector config validation as Connect's PUT /connector-plugins/{type}/config/validate answers it: every
// property with the errors src/config's parser finds in it.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "worker/herder.h"

namespace sluice::worker {

inline constexpr const char* kConnectorClass = "io.debezium.connector.postgresql.PostgresConnector";
inline constexpr const char* kTaskClass = "io.debezium.connector.postgresql.PostgresConnectorTask";
// The Postgres sink (src/pgsink), under the class of Debezium's JDBC sink connector.
inline constexpr const char* kSinkConnectorClass = "io.debezium.connector.jdbc.JdbcSinkConnector";
inline constexpr const char* kSinkTaskClass = "io.debezium.connector.jdbc.JdbcSinkConnectorTask";

// The Debezium release whose connectors' names and behaviour sluice's follow (GET /connector-plugins).
inline constexpr const char* kDebeziumVersion = "3.4.3.Final";

// GET /connector-plugins: the JDBC sink and the Postgres source, sorted by class as Connect lists them.
std::vector<PluginInfo> connector_plugins();

// Whether `plugin` names sluice's connector: the class, or an alias Connect accepts (the simple name, or
// the simple name without "Connector").
bool is_postgres_plugin(const std::string& plugin);
// The same for the JDBC sink (JdbcSinkConnector, JdbcSink).
bool is_sink_plugin(const std::string& plugin);

// Validates a stored (unresolved) connector config: providers are resolved and parse_config runs; each
// error it reports is attached to the property it names, and parsing repeats without that property until
// no new error appears (the parser stops at the first).
Validation validate_connector_config(const config::Properties& props);
// The same for a JDBC sink connector config, with pgsink's parser.
Validation validate_sink_config(const config::Properties& props);

// Connect's 400 message for an invalid config ("Connector configuration is invalid and contains the
// following N error(s): …").
std::string invalid_config_message(const Validation& v);

}  // namespace sluice::worker
