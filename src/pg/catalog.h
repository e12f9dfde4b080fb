// Catalog reads: a table's columns as Debezium's JDBC metadata would give them (nullability, primary
// key, base type of domains), in attribute order, excluding dropped and generated columns (which
// pgoutput does not send either).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/lsn.h"
#include "common/result.h"
#include "pg/connection.h"

namespace sluice::pg {

// A type as Debezium resolves it: domains replaced by their base type; for types without a fixed OID
// (extensions, enums) the name and kind Debezium maps by.
struct CatalogType {
  Oid type;                              // the base type
  int32_t typmod = -1;                   // for a domain, the domain's typmod
  std::string name;                      // pg_type.typname of the base type (non-builtin types only)
  char kind = 'b';                       // pg_type.typtype of the base type: b, e(num), r(ange), c, p, m
  std::vector<std::string> enum_values;  // kind 'e' (or an array of an enum): labels in sort order
  // An array of a non-builtin type: the element's pg_type.typtype (b, e, d, c, ...) and name; 0 otherwise.
  char element_kind = 0;
  std::string element_name;
};

struct CatalogColumn {
  std::string name;
  Oid type;             // for a domain, its base type
  int32_t typmod = -1;  // for a domain, the domain's typmod
  bool not_null = false;
  bool primary_key = false;
  int pk_position = 0;  // 1-based position in the primary key, 0 if not part of it
  Oid declared_type;    // pg_attribute.atttypid / atttypmod, as pgoutput's Relation message sends them
  int32_t declared_typmod = -1;
  std::string type_name;                    // see CatalogType
  char type_kind = 'b';                     // see CatalogType
  std::vector<std::string> enum_values;     // see CatalogType
  char element_kind = 0;                    // see CatalogType
  std::string element_name;                 // see CatalogType
  std::optional<std::string> default_expr;  // pg_get_expr(adbin): the column default, if any
  std::string declared_type_name;           // pg_type.typname of declared_type (a domain's own name)
  char declared_type_kind = 'b';            // pg_type.typtype of declared_type ('d': a domain)
};

struct CatalogTable {
  Oid oid;
  std::string schema;
  std::string table;
  char replica_identity = 'd';
  std::vector<CatalogColumn> columns;
};

Result<CatalogTable> load_table(Connection& conn, Oid table);

// Indexes into table.columns of the primary key's columns, in key order (empty without a primary key).
std::vector<size_t> primary_key_columns(const CatalogTable& table);

// Resolves a type (and typmod) as it appears in a Relation message: a domain to its base type, plus the
// name/kind/labels of non-builtin types.
Result<CatalogType> resolve_type(Connection& conn, Oid type, int32_t typmod);

// pg_type.typname and typtype of a type (as declared: a domain's own), for a column the catalog no longer
// has.
Result<std::pair<std::string, char>> declared_type(Connection& conn, Oid type);

}  // namespace sluice::pg
