// SlotMonitor: one query per interval; the byte differences are computed by the server (pg_lsn arithmetic).
#include "connector/slot_monitor.h"

#include <libpq-fe.h>

#include <cstdlib>

#include "common/log.h"

namespace sluice::connector {

namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("metrics");
  return l;
}

int64_t as_int(const PGresult* r, int col) {
  if (PQgetisnull(r, 0, col)) return -1;
  return std::strtoll(PQgetvalue(r, 0, col), nullptr, 10);
}

}  // namespace

SlotMonitor::SlotMonitor(std::string conninfo, std::string slot_name, std::chrono::milliseconds interval,
                         std::shared_ptr<ConnectorMetrics> metrics)
    : conninfo_(std::move(conninfo) + " connect_timeout=10 application_name='sluice-monitor'"),
      slot_name_(std::move(slot_name)),
      interval_(interval),
      metrics_(std::move(metrics)) {}

SlotMonitor::~SlotMonitor() {
  stop();
}

void SlotMonitor::start() {
  thread_ = std::thread([this] { loop(); });
}

void SlotMonitor::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status SlotMonitor::poll_once() {
  if (!conn_) {
    auto c = pg::Connection::connect(conninfo_);
    if (!c) return c.error();
    conn_.emplace(std::move(*c));
  }
  // On a standby pg_current_wal_lsn() fails: pg_last_wal_receive_lsn() is its position.
  auto r = conn_->exec_params(
      "SELECT w::text, (w - '0/0'::pg_lsn)::bigint, (w - s.confirmed_flush_lsn)::bigint, "
      "(w - s.restart_lsn)::bigint, s.active FROM (SELECT CASE WHEN pg_is_in_recovery() THEN "
      "pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END AS w) p LEFT JOIN pg_replication_slots s ON "
      "s.slot_name = $1",
      {slot_name_});
  if (!r) {
    conn_.reset();
    return r.error();
  }
  const PGresult* res = r->get();
  if (PQntuples(res) != 1) return Error::transient("pg_replication_slots: no row");
  auto& m = *metrics_;
  m.server_wal_position.store(as_int(res, 1), std::memory_order_relaxed);
  m.slot_lag_bytes.store(as_int(res, 2), std::memory_order_relaxed);
  m.slot_retained_wal_bytes.store(as_int(res, 3), std::memory_order_relaxed);
  int active = PQgetisnull(res, 0, 4) ? -1 : (PQgetvalue(res, 0, 4)[0] == 't' ? 1 : 0);
  m.slot_active.store(active, std::memory_order_relaxed);
  m.slot_polled_unix_ms.store(coarse_unix_ms(), std::memory_order_relaxed);
  return ok_status();
}

void SlotMonitor::loop() {
  bool failing = false;
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    auto s = poll_once();
    if (!s) {
      metrics_->count(metrics_->slot_poll_errors);
      if (!failing) log()->warn("cannot read replication slot {}: {}", slot_name_, s.error().message);
      failing = true;
    } else if (failing) {
      log()->info("reading replication slot {} again", slot_name_);
      failing = false;
    }
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace sluice::connector
