// `sluice tail [TOPIC|TABLE…]`: a terminal consumer for people. Reads the change topics from Kafka
// (--bootstrap-server), or with --direct CONFIG the database itself through a replication slot of its own
// (sluice_tail_<pid>, dropped at exit, with a publication of its own, dropped too): no Kafka at all.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "tail/tail_format.h"

namespace sluice::tail {

struct TailOptions {
  std::vector<std::string> names;   // topics, or tables (schema.table / table) matched against topics
  std::vector<std::string> ops;     // --op (letters or words), comma lists allowed
  std::vector<std::string> tables;  // --table
  bool from_beginning = false;      // Kafka: the topics' start; direct: a snapshot of the tables first
  bool json = false;
  std::string bootstrap = "localhost:9092";
  std::string direct_config;   // --direct CONFIG: no Kafka
  std::string color = "auto";  // --color auto|always|never
};

// Runs until stop is set (SIGINT/SIGTERM) or a fatal error; the process exit code.
int run_tail(const TailOptions& options, const std::atomic<bool>& stop);

}  // namespace sluice::tail
