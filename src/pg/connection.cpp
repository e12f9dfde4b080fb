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
    auto hint = tls_hint(msg);
    bool fatal = !hint.empty() || msg.find("authentication") != std::string::npos ||
                 msg.find("does not exist") != std::string::npos ||
                 msg.find("no pg_hba.conf entry") != std::string::npos ||
                 msg.find("no password supplied") != std::string::npos ||
                 msg.find("must be superuser or replication") != std::string::npos ||
                 msg.find("permission denied") != std::string::npos;
    auto text = fmt::format("cannot connect to Postgres: {}{}", msg, hint);
    return fatal ? Error::fatal(text) : Error::transient(text);
  }
  return c;
}

std::string Connection::tls_description() const {
  if (!PQsslInUse(conn_.get())) return "without TLS";
  const char* protocol = PQsslAttribute(conn_.get(), "protocol");
  const char* cipher = PQsslAttribute(conn_.get(), "cipher");
  return fmt::format("over TLS ({}, {})", protocol ? protocol : "?", cipher ? cipher : "?");
}

std::string tls_hint(std::string_view msg) {
  auto has = [&](std::string_view s) { return msg.find(s) != std::string_view::npos; };
  if (has("no encryption") && has("pg_hba.conf")) {
    return " (the server accepts only TLS connections from here: set database.sslmode to require, verify-ca "
           "or "
           "verify-full)";
  }
  if (has("does not match host name") || has("could not get server's host name from server certificate")) {
    return " (database.sslmode=verify-full checks that database.hostname is one of the names in the server's "
           "certificate: connect by one of them, or use verify-ca)";
  }
  if (has("root certificate file") || has("could not read root certificate")) {
    return " (set database.sslrootcert to the CA certificates (PEM) that signed the server's certificate)";
  }
  if (has("certificate verify failed") || has("self-signed certificate") || has("self signed certificate")) {
    return " (the server's certificate is not signed by a CA in database.sslrootcert)";
  }
  if (has("server does not support SSL")) {
    return " (the server has ssl=off: enable TLS there, or lower database.sslmode)";
  }
  if (has("certificate file") || has("private key") || has("could not load private key") ||
      has("bad decrypt")) {
    return " (check database.sslcert, database.sslkey and database.sslpassword)";
  }
  if (has("certificate authentication failed") || has("connection requires a valid client certificate") ||
      has("alert unknown ca") || has("alert bad certificate") || has("alert certificate required") ||
      has("certificate required")) {
    return " (the server refused the client certificate: check database.sslcert/database.sslkey, and that "
           "the "
           "certificate's CN is database.user)";
  }
  if (has("hostssl") || (has("pg_hba.conf rejects") && has("SSL encryption"))) {
    return " (the server refuses TLS connections from here: check pg_hba.conf)";
  }
  return "";
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
