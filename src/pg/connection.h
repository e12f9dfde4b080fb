// RAII over libpq: Connection (PGconn) and PgResult (PGresult), with Result-returning helpers for the
// handful of statements sluice runs (catalog queries, publication/slot management, snapshot reads).
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sluice::pg {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};

class Connection {
 public:
  // Connects with a keyword=value conninfo. Connection failures are kTransient (the server may come
  // back); authentication, TLS (see tls_hint) and missing-database failures are kFatal.
  static Result<Connection> connect(const std::string& conninfo);

  PGconn* raw() const { return conn_.get(); }
  bool replication() const { return replication_; }

  // Runs a statement that returns tuples or a command status; error text includes the SQL's first line.
  Result<PgResult> exec(const std::string& sql);
  Result<PgResult> exec_params(const std::string& sql, const std::vector<std::optional<std::string>>& params);
  // Runs and discards the result.
  Status run(const std::string& sql);

  std::string escape_identifier(std::string_view ident) const;
  std::string escape_literal(std::string_view lit) const;
  std::string last_error() const;
  int server_version() const { return PQserverVersion(conn_.get()); }
  // "over TLS (TLSv1.3, TLS_AES_256_GCM_SHA384)" or "without TLS".
  std::string tls_description() const;

 private:
  explicit Connection(PGconn* c, bool replication) : conn_(c), replication_(replication) {}
  std::unique_ptr<PGconn, PgConnDeleter> conn_;
  bool replication_ = false;
};

// Quotes "schema"."table" for SQL.
std::string qualified_name(const Connection& c, std::string_view schema, std::string_view table);

// For a connection failure caused by TLS (certificates, sslmode, hostssl/hostnossl rules): " (what to
// check)", naming the database.ssl* settings; empty for other failures. Such failures are fatal: retrying
// cannot fix them.
std::string tls_hint(std::string_view libpq_message);

// Classifies a libpq error for retry decisions: connection-level problems are transient.
bool is_connection_error(const Connection& c);

}  // namespace sluice::pg
