// `sluice check`: every precondition for running, each reported with how to fix it.
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "app/commands/commands.h"
#include "connector/offset_committer.h"
#include "pg/replication.h"
#include "sink/kafka_producer.h"

namespace sluice::app {

using connector::OffsetCommitter;

namespace {
class NullHandler final : public sink::DeliveryHandler {
 public:
  void on_delivery(uint64_t, std::string_view, const char*) override {}
};

void report(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "OK  " : "FAIL", what.c_str());
}
}  // namespace

namespace {

// The findings of `sluice check`, and what later checks need of earlier ones.
struct Checker {
  const config::Config& c;
  bool all_ok = true;
  bool existing_slot = false;
  bool kafka_ok = false;
  std::string slot_activity;
  NullHandler handler;
  Result<std::unique_ptr<sink::KafkaProducer>> producer = Error::fatal("Kafka is not used");

  void fail(const std::string& what) {
    report(false, what);
    all_ok = false;
  }
  void check_postgres();
  void check_publication(pg::Connection& conn, int captured, const std::set<std::string>& captured_names);
  void check_replication();
  void check_offsets_file();
  void check_kafka();
  void check_slot_ownership();
};

void Checker::check_postgres() {
  auto conn = pg::Connection::connect(c.conninfo(false));
  if (!conn) {
    const auto& msg = conn.error().message;
    // A TLS failure names the database.ssl* settings already.
    fail(msg.find("database.ssl") != std::string::npos
             ? msg
             : fmt::format("{} (check database.hostname/port/user/password/dbname)", msg));
  } else {
    report(true, fmt::format("connected to Postgres {}:{} database {} (server version {}) {}, sslmode={}",
                             c.hostname, c.port, c.dbname, conn->server_version(), conn->tls_description(),
                             c.sslmode));
    auto problems = pg::check_server(*conn);
    for (const auto& p : problems) fail(p);
    if (problems.empty()) report(true, "wal_level=logical and the user may replicate");
    auto tables = pg::list_tables(*conn);
    int captured = 0;
    std::set<std::string> captured_names;
    if (tables) {
      for (auto& t : *tables) {
        if (!c.filter.captured(t.schema, t.table) && t.schema + "." + t.table != c.signal_data_collection)
          continue;
        captured_names.insert(t.schema + "." + t.table);
        captured += c.filter.captured(t.schema, t.table) ? 1 : 0;
      }
      if (captured == 0) {
        fail(fmt::format("no table matches the filters ({})", c.filter.describe()));
      } else {
        report(true, fmt::format("{} tables match the filters", captured));
      }
    }
    check_publication(*conn, captured, captured_names);
    auto slot = pg::find_slot(*conn, c.slot_name);
    if (!slot) {
      fail(slot.error().message);
    } else if (!*slot) {
      report(true,
             fmt::format("slot {} will be created on start (snapshot.mode decides the initial snapshot)",
                         c.slot_name));
    } else if ((**slot).plugin != "pgoutput") {
      fail(fmt::format("slot {} uses plugin {}, not pgoutput: drop it or choose another slot.name",
                       c.slot_name, (**slot).plugin));
    } else if ((**slot).active) {
      fail(fmt::format("slot {} is active for PID {}: another client streams from it", c.slot_name,
                       (**slot).active_pid.value_or(0)));
    } else {
      existing_slot = true;
      slot_activity = pg::slot_activity(*conn, c.slot_name);
      report(true, fmt::format("slot {} exists: {}", c.slot_name, slot_activity));
    }
  }
}

void Checker::check_publication(pg::Connection& conn, int captured,
                                const std::set<std::string>& captured_names) {
  // The tables the publication covers (or will) that have no replica identity: Postgres refuses their
  // UPDATE and DELETE once it publishes them.
  auto keyless = pg::tables_without_replica_identity(conn);
  auto pub =
      conn.exec_params("SELECT puballtables FROM pg_publication WHERE pubname = $1", {c.publication_name});
  const bool pub_exists = pub && PQntuples(pub->get()) > 0;
  const bool pub_all = pub_exists && std::string_view(PQgetvalue(pub->get(), 0, 0)) == "t";
  std::set<std::string> pub_tables;  // an existing FOR TABLE publication's
  if (pub_exists && !pub_all) {
    auto rows = conn.exec_params(
        "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = $1",
        {c.publication_name});
    for (int i = 0; rows && i < PQntuples(rows->get()); ++i) pub_tables.insert(PQgetvalue(rows->get(), i, 0));
  }
  bool all_tables = false;  // what the publication is, or will be
  if (pub_exists) {
    all_tables = pub_all;
    report(true, fmt::format("publication {} exists ({})", c.publication_name,
                             pub_all ? "FOR ALL TABLES"
                                     : "FOR TABLE " + std::to_string(pub_tables.size()) + " tables"));
  } else if (c.publication_autocreate == config::AutocreateMode::kDisabled) {
    fail(fmt::format(
        "publication {} does not exist and publication.autocreate.mode=disabled: CREATE PUBLICATION "
        "{} FOR TABLE …",
        c.publication_name, c.publication_name));
  } else if (c.publication_autocreate == config::AutocreateMode::kAllTables &&
             (c.publication_autocreate_explicit || !keyless || keyless->empty() || captured == 0)) {
    all_tables = true;
    report(true, fmt::format("publication {} will be created on start FOR ALL TABLES", c.publication_name));
  } else if (c.publication_autocreate == config::AutocreateMode::kAllTables) {
    report(true, fmt::format("publication {} will be created on start FOR TABLE the {} captured tables "
                             "(filtered: publication.autocreate.mode is not set and {} table(s) have no "
                             "replica identity; set it to all_tables for Debezium's FOR ALL TABLES)",
                             c.publication_name, captured, keyless->size()));
  } else {
    report(true, fmt::format("publication {} will be created on start FOR TABLE the {} captured tables",
                             c.publication_name, captured));
  }
  if (keyless) {
    std::vector<std::string> covered;
    for (const auto& t : *keyless) {
      const bool in =
          pub_exists ? (pub_all || pub_tables.count(t) > 0) : (all_tables || captured_names.count(t) > 0);
      if (in) covered.push_back(t);
    }
    for (const auto& t : covered) {
      std::printf(
          "WARN table %s has no replica identity: publication %s %s it, so Postgres refuses its UPDATE and "
          "DELETE (\"cannot update table … because it does not have a replica identity and publishes "
          "updates\"). Fix: ALTER TABLE %s REPLICA IDENTITY FULL, or add a primary key\n",
          t.c_str(), c.publication_name.c_str(), pub_exists ? "covers" : "will cover", t.c_str());
    }
    if (!covered.empty() && all_tables) {
      std::printf("WARN or publish only the captured tables: publication.autocreate.mode=filtered%s\n",
                  pub_exists ? fmt::format(" (and DROP PUBLICATION {} so that it is created again)",
                                           c.publication_name)
                                   .c_str()
                             : "");
    }
  }
}

void Checker::check_replication() {
  auto repl = pg::Connection::connect(c.conninfo(true));
  if (!repl) {
    // The pg_hba hint only when pg_hba.conf is what refused it (not a password, database or privilege).
    const auto& msg = repl.error().message;
    fail(fmt::format("replication connection refused: {}{}", msg,
                     msg.find("pg_hba.conf") != std::string::npos
                         ? " (pg_hba.conf needs a 'replication' line for this user and host)"
                         : ""));
  } else {
    report(true, "replication connection accepted");
  }
}

void Checker::check_offsets_file() {
  if (c.offset_storage == config::OffsetStorage::kFile) {
    // The offsets file is replaced atomically (a temporary file beside it, then rename): its folder must
    // exist and be writable.
    namespace fs = std::filesystem;
    fs::path dir = fs::path(c.offset_file).parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      const bool exists = fs::exists(dir);
      fail(fmt::format("offset.storage.file.filename={}: folder {} {}", c.offset_file, dir.string(),
                       exists ? "is not a folder" : "does not exist (create it first)"));
    } else if (::access(dir.c_str(), W_OK) != 0) {
      fail(fmt::format("offset.storage.file.filename={}: folder {} is not writable: {}", c.offset_file,
                       dir.string(), std::strerror(errno)));
    } else {
      report(true, fmt::format("offsets file {} can be written", c.offset_file));
    }
  }
}

void Checker::check_kafka() {
  if (c.sink_type != config::SinkType::kKafka) {
    // A direct sink (or null): no Kafka to reach; the destination is tried when sluice run starts.
    report(true, fmt::format("sink.type={}: Kafka is not used", config::sink_type_name(c.sink_type)));
  } else if (producer = sink::KafkaProducer::create(c.bootstrap_servers, c.producer_properties, &handler);
             !producer) {
    fail(producer.error().message);
  } else {
    auto brokers = (*producer)->check_connectivity(10000);
    auto protocol = c.producer_properties.count("security.protocol")
                        ? c.producer_properties.at("security.protocol")
                        : std::string("plaintext");
    if (!brokers && brokers.error().kind == ErrorKind::kFatal) {  // authentication or TLS refused
      fail(fmt::format("{} at {}", brokers.error().message, c.bootstrap_servers));
    } else if (!brokers) {
      fail(fmt::format("{} at {} (check kafka.bootstrap.servers and security.protocol={})",
                       brokers.error().message, c.bootstrap_servers, protocol));
    } else {
      report(true, fmt::format("connected to Kafka at {} ({} brokers, security.protocol={})",
                               c.bootstrap_servers, *brokers, protocol));
      kafka_ok = true;
    }
  }
}

void Checker::check_slot_ownership() {
  // Slot ownership: the snapshot is decided by this connector's stored offsets; an existing slot without
  // them may be another connector's, and `sluice run` refuses it unless confirmed.
  const bool resnapshots = c.snapshot_mode == config::SnapshotMode::kAlways ||
                           c.snapshot_mode == config::SnapshotMode::kInitialOnly;
  if (existing_slot && c.offset_storage != config::OffsetStorage::kNone && !resnapshots &&
      (kafka_ok || c.offset_storage == config::OffsetStorage::kFile)) {
    OffsetCommitter offsets(c, producer ? producer->get() : nullptr);
    auto stored = offsets.load();
    if (!stored) {
      fail(fmt::format("cannot read the stored offsets in {}: {}", offsets.describe(),
                       stored.error().message));
    } else if (*stored && OffsetCommitter::follows_slot(**stored)) {
      report(true, fmt::format("offsets of connector {} were reset: sluice run continues from slot {}",
                               c.name, c.slot_name));
    } else if (*stored) {
      report(true, fmt::format("offsets of connector {} stored in {}: LSN {}", c.name, offsets.describe(),
                               (**stored).lsn.str()));
    } else if (c.slot_takeover) {
      report(true, fmt::format("slot {} exists and connector {} has no stored offsets: slot.takeover=true, "
                               "sluice run continues from the slot without a snapshot",
                               c.slot_name, c.name));
    } else {
      fail(fmt::format(
          "slot {} exists but connector {} (topic.prefix {}) has no offsets in {}: it may be another "
          "connector's slot ({}). Give this connector its own slot.name; or, if the slot is this "
          "connector's, confirm with slot.takeover=true or `sluice reset-offsets CONFIG`",
          c.slot_name, c.name, c.topic_prefix, offsets.describe(), slot_activity));
    }
  }
}

}  // namespace

int check(const config::Config& c) {
  Checker ck{c};
  for (const auto& w : c.warnings) std::printf("WARN %s\n", w.c_str());
  report(true, fmt::format("config: topic.prefix={} slot.name={} publication.name={} tables: {}",
                           c.topic_prefix, c.slot_name, c.publication_name, c.filter.describe()));
  ck.check_postgres();
  ck.check_replication();
  ck.check_offsets_file();
  ck.check_kafka();
  ck.check_slot_ownership();
  std::printf("%s\n", ck.all_ok ? "ready: sluice run will start" : "not ready: fix the FAIL lines above");
  return ck.all_ok ? 0 : 1;
}

Command add_check(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* cli = app.add_subcommand("check", "Validate the config and check Postgres and Kafka are ready");
  cli->add_option("CONFIG", *path, "Connector config file")->required();
  return {cli, [path] { return check(load_config_or_exit(*path)); }};
}

}  // namespace sluice::app
