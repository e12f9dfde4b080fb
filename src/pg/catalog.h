// Catalog reads: a table's columns as Debezium's JDBC metadata would give them (nullability, primary
// key, base type of domains), in attribute order, excluding dropped and generated columns (which
// pgoutput does not send either).
#pragma once

#include <string>
#include <vector>

#include "common/lsn.h"
#include "common/result.h"
#include "pg/connection.h"

namespace sluice::pg {

struct CatalogColumn {
  std::string name;
  Oid type;             // for a domain, its base type
  int32_t typmod = -1;  // for a domain, the domain's typmod
  bool not_null = false;
  bool primary_key = false;
  int pk_position = 0;  // 1-based position in the primary key, 0 if not part of it
};

struct CatalogTable {
  Oid oid;
  std::string schema;
  std::string table;
  char replica_identity = 'd';
  std::vector<CatalogColumn> columns;
};

Result<CatalogTable> load_table(Connection& conn, Oid table);

}  // namespace sluice::pg
