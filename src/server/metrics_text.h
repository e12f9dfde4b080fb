// Prometheus exposition of connectors' metrics (text format 0.0.4, prometheus-cpp's TextSerializer): one
// family per metric, each with HELP text and a `connector` label; Debezium's MBean attributes under
// Prometheus-style names (README "Monitoring" lists them).
#pragma once

#include <string>
#include <vector>

#include "connector/connector_metrics.h"
#include "pgsink/sink_metrics.h"

namespace sluice::server {

struct LabeledMetrics {
  std::string connector;
  std::string state;  // RUNNING, PAUSED, FAILED, … (Kafka Connect's connector states)
  const connector::ConnectorMetrics* metrics = nullptr;
};

// A sink connector (the Postgres sink, `sluice sink` or a JdbcSinkConnector in a worker).
struct LabeledSinkMetrics {
  std::string connector;
  std::string state;
  const pgsink::SinkMetrics* metrics = nullptr;
};

// Every metric family, for all the source and sink connectors given (families are listed even when
// empty; sluice_connector_state has both, with type="source" or "sink").
std::string metrics_text(const std::vector<LabeledMetrics>& connectors,
                         const std::vector<LabeledSinkMetrics>& sinks = {});

// The metric names metrics_text() can produce (histograms as their base name), for tests and docs.
std::vector<std::string> metric_names();

}  // namespace sluice::server
