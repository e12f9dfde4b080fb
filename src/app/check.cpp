// `sluice check`: every precondition for running, each reported with how to fix it.
#include <fmt/format.h>

#include <cstdio>

#include "app/connector.h"
#include "app/offset_committer.h"
#include "pg/replication.h"
#include "sink/kafka_producer.h"

namespace sluice::app {

namespace {
class NullHandler final : public sink::DeliveryHandler {
 public:
  void on_delivery(uint64_t, std::string_view, const char*) override {}
};

void report(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "OK  " : "FAIL", what.c_str());
}
}  // namespace

int check(const config::Config& c) {
  bool all_ok = true;
  auto fail = [&](const std::string& what) {
    report(false, what);
    all_ok = false;
  };
  for (const auto& w : c.warnings) std::printf("WARN %s\n", w.c_str());
  report(true, fmt::format("config: topic.prefix={} slot.name={} publication.name={} tables: {}",
                           c.topic_prefix, c.slot_name, c.publication_name, c.filter.describe()));

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
    auto pub =
        conn->exec_params("SELECT puballtables FROM pg_publication WHERE pubname = $1", {c.publication_name});
    if (pub && PQntuples(pub->get()) > 0) {
      report(true, fmt::format("publication {} exists", c.publication_name));
    } else if (c.publication_autocreate == config::AutocreateMode::kDisabled) {
      fail(fmt::format(
          "publication {} does not exist and publication.autocreate.mode=disabled: CREATE PUBLICATION "
          "{} FOR TABLE …",
          c.publication_name, c.publication_name));
    } else {
      report(true, fmt::format("publication {} will be created on start", c.publication_name));
    }
    auto tables = pg::list_tables(*conn);
    if (tables) {
      int n = 0;
      for (auto& t : *tables) n += c.filter.captured(t.schema, t.table) ? 1 : 0;
      if (n == 0) {
        fail(fmt::format("no table matches the filters ({})", c.filter.describe()));
      } else {
        report(true, fmt::format("{} tables match the filters", n));
      }
    }
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
      report(true, fmt::format("slot {} exists, confirmed_flush_lsn {}", c.slot_name,
                               (**slot).confirmed_flush.str()));
    }
  }
  auto repl = pg::Connection::connect(c.conninfo(true));
  if (!repl) {
    fail(fmt::format(
        "replication connection refused: {} (pg_hba.conf needs a 'replication' line for this user)",
        repl.error().message));
  } else {
    report(true, "replication connection accepted");
  }

  NullHandler handler;
  auto producer = sink::KafkaProducer::create(c.bootstrap_servers, c.producer_properties, &handler);
  if (!producer) {
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
    }
  }
  std::printf("%s\n", all_ok ? "ready: sluice run will start" : "not ready: fix the FAIL lines above");
  return all_ok ? 0 : 1;
}

int reset_offsets(const config::Config& c) {
  NullHandler handler;
  std::unique_ptr<sink::KafkaProducer> producer;
  if (c.offset_storage == config::OffsetStorage::kKafka) {
    auto p = sink::KafkaProducer::create(c.bootstrap_servers, c.producer_properties, &handler);
    if (!p) {
      std::fprintf(stderr, "%s\n", p.error().message.c_str());
      return 2;
    }
    producer = std::move(*p);
  }
  OffsetCommitter offsets(c, producer.get());
  if (auto s = offsets.reset(); !s) {
    std::fprintf(stderr, "cannot reset offsets: %s\n", s.error().message.c_str());
    return 1;
  }
  std::printf(
      "offsets of connector %s (topic.prefix %s) in %s reset: the next start follows the replication slot "
      "%s, or snapshots when it does not exist\n",
      c.name.c_str(), c.topic_prefix.c_str(), offsets.describe().c_str(), c.slot_name.c_str());
  return 0;
}

}  // namespace sluice::app
