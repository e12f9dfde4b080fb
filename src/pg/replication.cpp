// Replication protocol commands (Postgres docs "Streaming Replication Protocol") over libpq.
#include "pg/replication.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "pg/copy_frame.h"

namespace sluice::pg {

namespace {
int64_t pg_now_us() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t unix_us = static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  return unix_us - 946684800LL * 1000000LL;
}

Lsn lsn_value(PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return Lsn{};
  return Lsn::parse(PQgetvalue(r, row, col)).value_or(Lsn{});
}
}  // namespace

Result<std::optional<SlotInfo>> find_slot(Connection& conn, const std::string& slot) {
  auto r = conn.exec_params(
      "SELECT plugin, confirmed_flush_lsn, restart_lsn, active, active_pid, temporary FROM "
      "pg_replication_slots "
      "WHERE slot_name = $1 AND (database = current_database() OR database IS NULL)",
      {slot});
  if (!r) return r.error();
  PGresult* res = r->get();
  if (PQntuples(res) == 0) return std::optional<SlotInfo>{};
  SlotInfo s;
  s.plugin = PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0);
  s.confirmed_flush = lsn_value(res, 0, 1);
  s.restart_lsn = lsn_value(res, 0, 2);
  s.active = std::string_view(PQgetvalue(res, 0, 3)) == "t";
  if (!PQgetisnull(res, 0, 4)) s.active_pid = std::atoi(PQgetvalue(res, 0, 4));
  s.temporary = std::string_view(PQgetvalue(res, 0, 5)) == "t";
  return std::optional<SlotInfo>(s);
}

std::string slot_activity(Connection& conn, const std::string& slot) {
  auto r = conn.exec_params(
      "SELECT s.active, s.active_pid, a.application_name, host(a.client_addr), "
      "date_trunc('second', a.backend_start)::text, "
      "(to_jsonb(s) ->> 'inactive_since'), s.confirmed_flush_lsn::text, "
      "pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)) "
      "FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid "
      "WHERE s.slot_name = $1",
      {slot});
  if (!r || PQntuples(r->get()) == 0) return "last activity unknown";
  PGresult* res = r->get();
  auto v = [&](int col) {
    return PQgetisnull(res, 0, col) ? std::string() : std::string(PQgetvalue(res, 0, col));
  };
  std::string behind = v(6).empty() ? std::string("no confirmed position")
                                    : fmt::format("confirmed_flush_lsn {}, {} of WAL behind", v(6), v(7));
  if (v(0) == "t") {
    return fmt::format("active for PID {} (application_name '{}', client {}, connected since {}); {}", v(1),
                       v(2), v(3).empty() ? "local" : v(3), v(4), behind);
  }
  if (!v(5).empty()) return fmt::format("inactive since {}; {}", v(5), behind);
  return fmt::format("inactive; {}", behind);
}

Result<std::vector<std::string>> tables_without_replica_identity(Connection& conn) {
  auto r = conn.exec(
      "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind = 'r' AND c.relpersistence = 'p' "
      "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
      "AND n.nspname NOT LIKE 'pg_temp%' AND ("
      "c.relreplident = 'n' "
      "OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND "
      "i.indisprimary)) "
      "OR (c.relreplident = 'i' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND "
      "i.indisreplident))) "
      "ORDER BY 1, 2");
  if (!r) return r.error();
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    out.push_back(fmt::format("{}.{}", PQgetvalue(r->get(), i, 0), PQgetvalue(r->get(), i, 1)));
  }
  return out;
}

Result<CreatedSlot> create_slot(Connection& conn, const std::string& slot, bool temporary,
                                bool export_snapshot) {
  auto sql =
      fmt::format("CREATE_REPLICATION_SLOT {} {}LOGICAL pgoutput {}", conn.escape_identifier(slot),
                  temporary ? "TEMPORARY " : "", export_snapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT");
  auto r = conn.exec(sql);
  if (!r) return r.error();
  CreatedSlot c;
  c.consistent_point = lsn_value(r->get(), 0, 1);
  if (!PQgetisnull(r->get(), 0, 2)) c.snapshot_name = PQgetvalue(r->get(), 0, 2);
  return c;
}

Status drop_slot(Connection& conn, const std::string& slot) {
  auto r = conn.exec_params("SELECT pg_drop_replication_slot($1)", {slot});
  if (!r) return r.error();
  return ok_status();
}

std::vector<std::string> check_server(Connection& conn) {
  std::vector<std::string> problems;
  if (conn.server_version() < 100000) {
    problems.push_back(
        fmt::format("Postgres {} is too old: pgoutput needs Postgres 10 or later", conn.server_version()));
    return problems;
  }
  if (auto r = conn.exec("SHOW wal_level"); r) {
    std::string level = PQgetvalue(r->get(), 0, 0);
    if (level != "logical") {
      problems.push_back(fmt::format(
          "wal_level is '{}', but logical decoding needs wal_level=logical: set wal_level = logical in "
          "postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart Postgres",
          level));
    }
  } else {
    problems.push_back(r.error().message);
  }
  if (auto r = conn.exec("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user"); r) {
    if (PQntuples(r->get()) == 0 || std::string_view(PQgetvalue(r->get(), 0, 0)) != "t") {
      problems.push_back(
          "the database user has neither REPLICATION nor SUPERUSER: run ALTER ROLE <user> WITH REPLICATION");
    }
  } else {
    problems.push_back(r.error().message);
  }
  return problems;
}

Result<std::vector<TableRef>> list_tables(Connection& conn) {
  auto r = conn.exec(
      "SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', "
      "'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' "
      "ORDER BY n.nspname, c.relname");
  if (!r) return r.error();
  std::vector<TableRef> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    out.push_back(TableRef{Oid{static_cast<uint32_t>(std::strtoul(PQgetvalue(r->get(), i, 0), nullptr, 10))},
                           PQgetvalue(r->get(), i, 1), PQgetvalue(r->get(), i, 2)});
  }
  return out;
}

ReplicationStream::~ReplicationStream() {
  release_buffer();
}

void ReplicationStream::release_buffer() {
  if (buf_ != nullptr) {
    PQfreemem(buf_);
    buf_ = nullptr;
  }
}

Status ReplicationStream::start(const std::string& slot, Lsn start, const std::string& publication,
                                bool messages) {
  auto sql = fmt::format("START_REPLICATION SLOT {} LOGICAL {} (proto_version '1', publication_names {}{})",
                         conn_.escape_identifier(slot), start.str(), conn_.escape_literal(publication),
                         messages ? ", messages 'true'" : "");
  PgResult r(PQexec(conn_.raw(), sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_COPY_BOTH) {
    auto msg = fmt::format("START_REPLICATION failed for slot '{}' at {}: {}", slot, start.str(),
                           conn_.last_error());
    if (is_connection_error(conn_) || msg.find("is active for PID") != std::string::npos) {
      return Error::transient(msg);
    }
    return Error::fatal(msg);
  }
  streaming_ = true;
  return ok_status();
}

Result<std::span<const std::byte>> ReplicationStream::read(std::chrono::milliseconds timeout, int wake_fd) {
  release_buffer();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int n = PQgetCopyData(conn_.raw(), &buf_, 1);
    if (n > 0)
      return std::span<const std::byte>(reinterpret_cast<const std::byte*>(buf_), static_cast<size_t>(n));
    if (n == -1) {
      streaming_ = false;
      PgResult r(PQgetResult(conn_.raw()));
      std::string why = conn_.last_error();
      if (why.empty()) why = "no error given (the server shut down or restarted)";
      return Error::transient(fmt::format("replication stream ended by the server: {}", why));
    }
    if (n == -2) {
      streaming_ = false;
      return Error::transient(fmt::format("replication connection lost: {}", conn_.last_error()));
    }
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::span<const std::byte>{};
    pollfd p[2] = {{PQsocket(conn_.raw()), POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int pr = ::poll(p, wake_fd >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (pr < 0 && errno != EINTR) return Error::transient("poll() on the replication socket failed");
    if (pr > 0 && p[0].revents != 0 && PQconsumeInput(conn_.raw()) == 0) {
      streaming_ = false;
      return Error::transient(fmt::format("replication connection lost: {}", conn_.last_error()));
    }
    if (pr > 0 && wake_fd >= 0 && (p[1].revents & POLLIN) != 0) {
      char drain[64];
      while (::read(wake_fd, drain, sizeof drain) > 0) {
      }
      // A frame that arrived meanwhile is returned by the next read(); the caller serves what woke it first.
      return std::span<const std::byte>{};
    }
  }
}

Status ReplicationStream::send_status(Lsn write, Lsn flush, bool reply_requested) {
  std::string msg;
  encode_standby_status(StandbyStatus{write, flush, flush, pg_now_us(), reply_requested}, msg);
  if (PQputCopyData(conn_.raw(), msg.data(), static_cast<int>(msg.size())) != 1 ||
      PQflush(conn_.raw()) != 0) {
    return Error::transient(fmt::format("cannot send standby status update: {}", conn_.last_error()));
  }
  return ok_status();
}

void ReplicationStream::finish() {
  if (!streaming_) return;
  streaming_ = false;
  release_buffer();
  PQputCopyEnd(conn_.raw(), nullptr);
  PQflush(conn_.raw());
}

}  // namespace sluice::pg
