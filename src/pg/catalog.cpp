// Catalog queries against pg_attribute / pg_index / pg_type.
#include "pg/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace sluice::pg {
namespace {

// Name, kind and enum labels of a non-builtin type (builtins are mapped by OID and need none).
Result<CatalogType> type_info(Connection& conn, Oid type) {
  constexpr uint32_t kFirstNormalObjectId = 16384;
  CatalogType out;
  out.type = type;
  if (type.value < kFirstNormalObjectId) return out;
  // For an array (typcategory 'A'), the element's kind, name and enum labels.
  auto r = conn.exec_params(
      "SELECT t.typname, t.typtype, (SELECT string_agg(e.enumlabel, E'\\x1f' ORDER BY e.enumsortorder)"
      " FROM pg_enum e WHERE e.enumtypid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END),"
      " et.typtype, et.typname"
      " FROM pg_type t LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem"
      " WHERE t.oid = $1::oid",
      {std::to_string(type.value)});
  if (!r) return r.error();
  if (PQntuples(r->get()) == 0) return out;
  out.name = PQgetvalue(r->get(), 0, 0);
  out.kind = PQgetvalue(r->get(), 0, 1)[0];
  if (!PQgetisnull(r->get(), 0, 3)) {
    out.element_kind = PQgetvalue(r->get(), 0, 3)[0];
    out.element_name = PQgetvalue(r->get(), 0, 4);
  }
  if (!PQgetisnull(r->get(), 0, 2)) {
    std::string_view labels = PQgetvalue(r->get(), 0, 2);
    for (size_t pos = 0;;) {
      size_t sep = labels.find('\x1f', pos);
      out.enum_values.emplace_back(labels.substr(pos, sep - pos));
      if (sep == std::string_view::npos) break;
      pos = sep + 1;
    }
  }
  return out;
}

}  // namespace

Result<CatalogTable> load_table(Connection& conn, Oid table) {
  auto oid = std::to_string(table.value);
  auto t = conn.exec_params(
      "SELECT n.nspname, c.relname, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = "
      "c.relnamespace "
      "WHERE c.oid = $1::oid",
      {oid});
  if (!t) return t.error();
  if (PQntuples(t->get()) == 0) return Error::fatal(fmt::format("table with oid {} no longer exists", oid));
  CatalogTable out;
  out.oid = table;
  out.schema = PQgetvalue(t->get(), 0, 0);
  out.table = PQgetvalue(t->get(), 0, 1);
  out.replica_identity = PQgetvalue(t->get(), 0, 2)[0];

  // Domains resolve to their base type (recursively, via a CTE walk of typbasetype).
  auto cols = conn.exec_params(
      "WITH RECURSIVE base(oid, root, typmod) AS ("
      "  SELECT t.oid, t.oid, -1 FROM pg_type t"
      "  JOIN pg_attribute a ON a.atttypid = t.oid AND a.attrelid = $1::oid"
      "  UNION ALL"
      "  SELECT b.oid, t.typbasetype, CASE WHEN b.typmod = -1 THEN t.typtypmod ELSE b.typmod END"
      "  FROM base b JOIN pg_type t ON t.oid = b.root WHERE t.typtype = 'd')"
      " SELECT a.attname, coalesce((SELECT root FROM base b JOIN pg_type t ON t.oid = b.root"
      "          WHERE b.oid = a.atttypid AND t.typtype <> 'd' LIMIT 1), a.atttypid),"
      "        CASE WHEN ty.typtype = 'd' THEN coalesce((SELECT typmod FROM base b JOIN pg_type t ON t.oid ="
      "          b.root WHERE b.oid = a.atttypid AND t.typtype <> 'd' LIMIT 1), a.atttypmod) ELSE "
      "a.atttypmod END,"
      "        a.attnotnull OR (ty.typtype = 'd' AND ty.typnotnull),"
      // int2vector arrays are 0-based: normalise the position to 1-based.
      "        CASE WHEN a.attnum = ANY(i.indkey) THEN array_position(i.indkey::int2[], a.attnum)"
      "             - array_lower(i.indkey::int2[], 1) + 1 ELSE 0 END,"
      "        a.atttypid, a.atttypmod, pg_get_expr(d.adbin, d.adrelid), ty.typname, ty.typtype"
      " FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid"
      " LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary"
      " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
      " WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''"
      " ORDER BY a.attnum",
      {oid});
  if (!cols) return cols.error();
  for (int i = 0; i < PQntuples(cols->get()); ++i) {
    CatalogColumn c;
    c.name = PQgetvalue(cols->get(), i, 0);
    c.type = Oid{static_cast<uint32_t>(std::strtoul(PQgetvalue(cols->get(), i, 1), nullptr, 10))};
    c.typmod = std::atoi(PQgetvalue(cols->get(), i, 2));
    c.not_null = std::string_view(PQgetvalue(cols->get(), i, 3)) == "t";
    c.pk_position = std::atoi(PQgetvalue(cols->get(), i, 4));
    c.primary_key = c.pk_position > 0;
    c.declared_type = Oid{static_cast<uint32_t>(std::strtoul(PQgetvalue(cols->get(), i, 5), nullptr, 10))};
    c.declared_typmod = std::atoi(PQgetvalue(cols->get(), i, 6));
    if (!PQgetisnull(cols->get(), i, 7)) c.default_expr = PQgetvalue(cols->get(), i, 7);
    c.declared_type_name = PQgetvalue(cols->get(), i, 8);
    c.declared_type_kind = PQgetvalue(cols->get(), i, 9)[0];
    if (auto info = type_info(conn, c.type); !info) {
      return info.error();
    } else {
      c.type_name = std::move(info->name);
      c.type_kind = info->kind;
      c.enum_values = std::move(info->enum_values);
      c.element_kind = info->element_kind;
      c.element_name = std::move(info->element_name);
    }
    out.columns.push_back(std::move(c));
  }
  return out;
}

Result<std::pair<std::string, char>> declared_type(Connection& conn, Oid type) {
  auto r = conn.exec_params("SELECT typname, typtype FROM pg_type WHERE oid = $1::oid",
                            {std::to_string(type.value)});
  if (!r) return r.error();
  if (PQntuples(r->get()) == 0) return std::pair<std::string, char>{};
  return std::pair<std::string, char>{PQgetvalue(r->get(), 0, 0), PQgetvalue(r->get(), 0, 1)[0]};
}

Result<CatalogType> resolve_type(Connection& conn, Oid type, int32_t typmod) {
  auto r = conn.exec_params(
      "WITH RECURSIVE base(oid, typmod, depth) AS ("
      "  SELECT $1::oid, $2::int, 0"
      "  UNION ALL"
      "  SELECT t.typbasetype, CASE WHEN b.typmod = -1 THEN t.typtypmod ELSE b.typmod END, b.depth + 1"
      "  FROM base b JOIN pg_type t ON t.oid = b.oid WHERE t.typtype = 'd')"
      " SELECT oid, typmod FROM base ORDER BY depth DESC LIMIT 1",
      {std::to_string(type.value), std::to_string(typmod)});
  if (!r) return r.error();
  CatalogType out;
  out.type = type;
  out.typmod = typmod;
  if (PQntuples(r->get()) == 1) {
    out.type = Oid{static_cast<uint32_t>(std::strtoul(PQgetvalue(r->get(), 0, 0), nullptr, 10))};
    out.typmod = std::atoi(PQgetvalue(r->get(), 0, 1));
  }
  auto info = type_info(conn, out.type);
  if (!info) return info.error();
  out.name = std::move(info->name);
  out.kind = info->kind;
  out.enum_values = std::move(info->enum_values);
  out.element_kind = info->element_kind;
  out.element_name = std::move(info->element_name);
  return out;
}

std::vector<size_t> primary_key_columns(const CatalogTable& table) {
  std::vector<std::pair<int, size_t>> pk;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].primary_key) pk.emplace_back(table.columns[i].pk_position, i);
  }
  std::sort(pk.begin(), pk.end());
  std::vector<size_t> out;
  for (auto& [pos, i] : pk) out.push_back(i);
  return out;
}

}  // namespace sluice::pg
