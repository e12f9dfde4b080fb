// The connector's publication (publication.autocreate.mode): created FOR ALL TABLES or FOR TABLE the
// captured tables, kept in sync at each start, and never one that makes Postgres refuse an application's
// UPDATE or DELETE without saying so.
#include <fmt/format.h>

#include <algorithm>

#include "common/log.h"
#include "connector/connector.h"

namespace sluice::connector {

namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("connector");
  return l;
}

}  // namespace

Status ensure_publication(pg::Connection& conn, const config::Config& config,
                          const std::vector<pg::TableRef>& captured) {
  auto r = conn.exec_params("SELECT puballtables FROM pg_publication WHERE pubname = $1",
                            {config.publication_name});
  if (!r) return r.error();
  bool exists = PQntuples(r->get()) > 0;
  const auto mode = config.publication_autocreate;
  auto table_list = [&] {
    std::string s;
    for (auto& t : captured) s += (s.empty() ? "" : ", ") + pg::qualified_name(conn, t.schema, t.table);
    return s;
  };
  auto pub = conn.escape_identifier(config.publication_name);
  // Debezium 3.6 (dbz#1970): an explicitly set skipped.operations leaves the skipped operations out of the
  // publication it creates, so Postgres does not send them at all.
  const bool limit_publish =
      config.compat_minor >= 6 && config.skipped_operations_set &&
      (config.skip_create || config.skip_update || config.skip_delete || config.skip_truncate);
  std::string publish, with;
  if (limit_publish) {
    for (auto [skip, op] :
         {std::pair{config.skip_create, "insert"}, std::pair{config.skip_update, "update"},
          std::pair{config.skip_delete, "delete"}, std::pair{config.skip_truncate, "truncate"}}) {
      if (!skip) publish += (publish.empty() ? "" : ",") + std::string(op);
    }
    with = fmt::format(" WITH (publish = '{}')", publish);
  }
  if (mode == config::AutocreateMode::kDisabled) {
    if (!exists) {
      return Error::fatal(
          fmt::format("publication '{}' does not exist and publication.autocreate.mode=disabled: "
                      "create it (CREATE PUBLICATION {} FOR TABLE …) or change the mode",
                      config.publication_name, pub));
    }
    return ok_status();
  }
  // A publication of updates and deletes makes Postgres refuse the UPDATE and DELETE of a table it covers
  // that has no replica identity: the applications' writes would fail.
  auto keyless = pg::tables_without_replica_identity(conn);
  if (!keyless) return keyless.error();
  auto listed = [](const std::vector<std::string>& tables) {
    std::string s;
    for (const auto& t : tables) s += (s.empty() ? "" : ", ") + t;
    return s;
  };
  std::vector<std::string> captured_keyless;
  for (const auto& t : captured) {
    if (std::find(keyless->begin(), keyless->end(), t.schema + "." + t.table) != keyless->end()) {
      captured_keyless.push_back(t.schema + "." + t.table);
    }
  }
  auto effective = mode;
  if (mode == config::AutocreateMode::kAllTables && !config.publication_autocreate_explicit &&
      !keyless->empty() && !captured.empty() &&
      (!exists || std::string_view(PQgetvalue(r->get(), 0, 0)) != "t")) {
    // sluice's default goes beyond Debezium's here: a filtered publication covers only the captured tables.
    effective = config::AutocreateMode::kFiltered;
    if (!exists) {
      log()->warn(
          "publication.autocreate.mode is not set and {} table(s) have no replica identity: {}. A "
          "publication FOR ALL TABLES would make Postgres refuse their UPDATE and DELETE, so publication {} "
          "is created FOR TABLE the captured tables (filtered; kept in sync at each start). Set "
          "publication.autocreate.mode=all_tables for Debezium's default, or give the tables a replica "
          "identity (ALTER TABLE … REPLICA IDENTITY FULL, or a primary key)",
          keyless->size(), listed(*keyless), config.publication_name);
    }
  }
  if (effective == config::AutocreateMode::kAllTables) {
    if (!exists) {
      if (!keyless->empty()) {
        log()->warn(
            "creating publication {} FOR ALL TABLES: Postgres will refuse UPDATE and DELETE on these {} "
            "table(s) without a replica identity: {}. Fix each with ALTER TABLE <table> REPLICA IDENTITY "
            "FULL (or add a primary key), or set publication.autocreate.mode=filtered to publish only the "
            "captured tables",
            config.publication_name, keyless->size(), listed(*keyless));
      }
      if (auto s = conn.run(fmt::format("CREATE PUBLICATION {} FOR ALL TABLES{}", pub, with)); !s) return s;
      log()->info("created publication {} FOR ALL TABLES{}", config.publication_name, with);
    }
    return ok_status();
  }
  if (!captured_keyless.empty() && !exists) {
    log()->warn(
        "creating publication {} FOR TABLE the captured tables: Postgres will refuse UPDATE and DELETE "
        "on these captured table(s) without a replica identity: {}. Fix each with ALTER TABLE <table> "
        "REPLICA IDENTITY FULL (or add a primary key)",
        config.publication_name, listed(captured_keyless));
  }
  // filtered: the publication lists exactly the captured tables.
  if (captured.empty()) {
    return Error::fatal(
        fmt::format("publication.autocreate.mode=filtered but no table matches the filters ({})",
                    config.filter.describe()));
  }
  if (!exists) {
    if (auto s = conn.run(fmt::format("CREATE PUBLICATION {} FOR TABLE {}{}", pub, table_list(), with)); !s) {
      return s;
    }
    log()->info("created publication {} FOR TABLE {}{}", config.publication_name, table_list(), with);
  } else if (std::string_view(PQgetvalue(r->get(), 0, 0)) == "t") {
    log()->warn("publication {} is FOR ALL TABLES; filtered mode leaves it as it is",
                config.publication_name);
  } else {
    if (auto s = conn.run(fmt::format("ALTER PUBLICATION {} SET TABLE {}", pub, table_list())); !s) return s;
    // Debezium 3.6 appends the WITH clause to this ALTER, which Postgres rejects; its intent, in two steps.
    if (limit_publish) {
      if (auto s = conn.run(fmt::format("ALTER PUBLICATION {} SET (publish = '{}')", pub, publish)); !s)
        return s;
    }
  }
  return ok_status();
}

}  // namespace sluice::connector
