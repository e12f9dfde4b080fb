// libpq wrappers. Every session sluice opens uses ISO dates, UTC and lossless floats so that values
// arrive in the text forms the event converters expect.
#include "pg/connection.h"

#include <fmt/format.h>

namespace sluice::pg {

namespace {
std::string first_line(const std::string& sql) {
  auto nl = sql.find('\n');
  std::string s = nl == std::string::npos ? sql : sql.substr(0, nl) + " …";
  return s.size() > 200 ? s.substr(0, 200) + " …" : s;
}

std::string trim_error(const char* e) {
  std::string s = e ? e : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

Result<Connection> Connection::connect(const std::string& conninfo) {
  // Session settings go in "options" so they also apply to the walsender (pgoutput's text output).
  std::string full = conninfo +
                     " options='-c DateStyle=ISO -c TimeZone=UTC -c extra_float_digits=3 -c bytea_output=hex "
                     "-c IntervalStyle=postgres' connect_timeout=10";
  PGconn* raw = PQconnectdb(full.c_str());
  bool replication = conninfo.find("replication=") != std::string::npos;
  Connection c(raw, replication);
  if (raw == nullptr) return Error::transient("out of memory creating a Postgres connection");
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string msg = trim_error(PQerrorMessage(raw));
    bool fatal = msg.find("authentication") != std::string::npos ||
                 msg.find("does not exist") != std::string::npos ||
                 msg.find("no pg_hba.conf entry") != std::string::npos ||
                 msg.find("must be superuser or replication") != std::string::npos ||
                 msg.find("permission denied") != std::string::npos;
    auto text = fmt::format("cannot connect to Postgres: {}", msg);
    return fatal ? Error::fatal(text) : Error::transient(text);
  }
  return c;
}

Result<PgResult> Connection::exec(const std::string& sql) {
  PgResult r(PQexec(conn_.get(), sql.c_str()));
  auto st = PQresultStatus(r.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH)
    return r;
  auto msg = fmt::format("Postgres error running '{}': {}", first_line(sql),
                         trim_error(PQerrorMessage(conn_.get())));
  return is_connection_error(*this) ? Error::transient(msg) : Error::fatal(msg);
}

Result<PgResult> Connection::exec_params(const std::string& sql,
                                         const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResult r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                          nullptr, nullptr, 0));
  auto st = PQresultStatus(r.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  auto msg = fmt::format("Postgres error running '{}': {}", first_line(sql),
                         trim_error(PQerrorMessage(conn_.get())));
  return is_connection_error(*this) ? Error::transient(msg) : Error::fatal(msg);
}

Status Connection::run(const std::string& sql) {
  auto r = exec(sql);
  if (!r) return r.error();
  return ok_status();
}

std::string Connection::escape_identifier(std::string_view ident) const {
  char* e = PQescapeIdentifier(conn_.get(), ident.data(), ident.size());
  std::string s = e ? e : "";
  PQfreemem(e);
  return s;
}

std::string Connection::escape_literal(std::string_view lit) const {
  char* e = PQescapeLiteral(conn_.get(), lit.data(), lit.size());
  std::string s = e ? e : "";
  PQfreemem(e);
  return s;
}

std::string Connection::last_error() const {
  return trim_error(PQerrorMessage(conn_.get()));
}

std::string qualified_name(const Connection& c, std::string_view schema, std::string_view table) {
  return c.escape_identifier(schema) + "." + c.escape_identifier(table);
}

bool is_connection_error(const Connection& c) {
  return PQstatus(c.raw()) != CONNECTION_OK;
}

}  // namespace sluice::pg
