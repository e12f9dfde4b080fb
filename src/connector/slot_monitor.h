// SlotMonitor: reads the connector's replication slot from pg_replication_slots every interval on a
// connection of its own (never the replication connection) and stores the slot's lag and retained WAL in
// ConnectorMetrics. The connection is kept between polls and opened again after a failure.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/result.h"
#include "connector/connector_metrics.h"
#include "pg/connection.h"

namespace sluice::connector {

class SlotMonitor {
 public:
  // conninfo: a non-replication conninfo (Config::conninfo(false)).
  SlotMonitor(std::string conninfo, std::string slot_name, std::chrono::milliseconds interval,
              std::shared_ptr<ConnectorMetrics> metrics);
  ~SlotMonitor();
  SlotMonitor(const SlotMonitor&) = delete;
  SlotMonitor& operator=(const SlotMonitor&) = delete;

  void start();
  void stop();
  // One poll on the calling thread (start() polls on a thread of its own).
  Status poll_once();

 private:
  void loop();

  std::string conninfo_;
  std::string slot_name_;
  std::chrono::milliseconds interval_;
  std::shared_ptr<ConnectorMetrics> metrics_;
  std::optional<pg::Connection> conn_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sluice::connector
