// `sluice status`: what the replication slot and the offset store say about this connector, and the
// progress of a snapshot in flight (rows done against pg_class.reltuples estimates).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/commands/commands.h"
#include "connector/offset_committer.h"
#include "pg/connection.h"
#include "pg/replication.h"
#include "sink/kafka_producer.h"
#include "snapshot/checkpoint.h"
#include "snapshot/incremental_snapshot.h"

namespace sluice::app {

using connector::OffsetCommitter;

namespace {

struct QuietHandler : sink::DeliveryHandler {
  void on_delivery(uint64_t, std::string_view, const char*) override {}
};

// reltuples of schema.table; -1 when unknown (never analyzed) or missing.
int64_t estimate(pg::Connection& conn, const std::string& id) {
  auto dot = id.find('.');
  if (dot == std::string::npos) return -1;
  auto r = conn.exec_params(
      "SELECT c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2",
      {id.substr(0, dot), id.substr(dot + 1)});
  if (!r || PQntuples(r->get()) == 0) return -1;
  return std::strtoll(PQgetvalue(r->get(), 0, 0), nullptr, 10);
}

std::string rows_of(uint64_t done, int64_t est) {
  if (est <= 0) return fmt::format("{} rows", done);
  return fmt::format("{}/~{} rows ({}%)", done, est,
                     std::min<int64_t>(100, static_cast<int64_t>(done) * 100 / est));
}

}  // namespace

int status(const config::Config& c) {
  std::printf("connector %s (topic.prefix %s)\n", c.name.c_str(), c.topic_prefix.c_str());
  auto conn = pg::Connection::connect(c.conninfo(false));
  if (!conn) {
    std::fprintf(stderr, "cannot connect to Postgres: %s\n", conn.error().message.c_str());
    return 1;
  }
  auto slot = pg::find_slot(*conn, c.slot_name);
  if (!slot) {
    std::fprintf(stderr, "cannot read replication slot %s: %s\n", c.slot_name.c_str(),
                 slot.error().message.c_str());
    return 1;
  }
  if (!*slot) {
    std::printf("replication slot: %s does not exist\n", c.slot_name.c_str());
  } else {
    const auto& s = **slot;
    std::printf("replication slot: %s (plugin %s), %s, confirmed_flush_lsn %s, restart_lsn %s\n",
                c.slot_name.c_str(), s.plugin.c_str(),
                s.active ? fmt::format("active (PID {})", s.active_pid.value_or(0)).c_str() : "inactive",
                s.confirmed_flush.str().c_str(), s.restart_lsn.str().c_str());
  }

  QuietHandler handler;
  std::unique_ptr<sink::KafkaProducer> producer;
  if (c.offset_storage == config::OffsetStorage::kKafka) {
    auto p = sink::KafkaProducer::create(c.bootstrap_servers, c.producer_properties, &handler);
    if (!p) {
      std::fprintf(stderr, "%s\n", p.error().message.c_str());
      return 1;
    }
    producer = std::move(*p);
  }
  OffsetCommitter offsets(c, producer.get());
  if (!offsets.enabled()) {
    std::printf("stored offsets: none (offset.storage=none): snapshot progress is not recorded\n");
    return 0;
  }
  auto stored = offsets.load();
  if (!stored) {
    std::fprintf(stderr, "cannot read the offsets in %s: %s\n", offsets.describe().c_str(),
                 stored.error().message.c_str());
    return 1;
  }
  if (!*stored) {
    std::printf("stored offsets (%s): none for this connector\n", offsets.describe().c_str());
    return 0;
  }
  const auto& o = **stored;
  if (OffsetCommitter::follows_slot(o)) {
    std::printf("stored offsets (%s): reset (sluice reset-offsets): the next start follows the slot\n",
                offsets.describe().c_str());
    return 0;
  }
  if (o.in_tx) {
    std::printf("stopped inside transaction %lld (commit LSN %s): its first %llu messages are in Kafka\n",
                static_cast<long long>(o.in_tx->xid), o.in_tx->commit_lsn.str().c_str(),
                static_cast<unsigned long long>(o.in_tx->events));
  }
  std::printf("stored offsets (%s): LSN %s%s\n", offsets.describe().c_str(), o.lsn.str().c_str(),
              o.tx_id ? fmt::format(", txId {}", *o.tx_id).c_str() : "");

  if (auto cp = snapshot::Checkpoint::parse(o.extra)) {
    std::printf(
        "initial snapshot: interrupted or running, %zu of %zu tables done (the rest resumes as an "
        "incremental snapshot)\n",
        cp->done.size(), cp->tables.size());
    for (const auto& t : cp->tables) {
      uint64_t rows = 0;
      for (auto& [name, n] : cp->rows) {
        if (name == t) rows = n;
      }
      bool done = std::find(cp->done.begin(), cp->done.end(), t) != cp->done.end();
      const auto resume = done ? std::string() : cp->resume_condition(t);
      std::printf("  %s: %s, %s%s\n", t.c_str(), done ? "done" : "not done",
                  rows_of(rows, estimate(*conn, t)).c_str(),
                  resume.empty() ? "" : fmt::format("; resumes with the rows where {}", resume).c_str());
    }
  }
  auto inc = snapshot::IncrementalSnapshot::restore(o.extra, c.incremental_chunk_size);
  if (!inc) {
    std::fprintf(stderr, "%s\n", inc.error().message.c_str());
    return 1;
  }
  if (inc->running()) {
    auto j = nlohmann::json::parse(o.extra);
    auto cols = nlohmann::json::parse(j["incremental_snapshot_collections"].get<std::string>());
    std::printf("incremental snapshot: %s, %zu table(s) left\n", inc->paused() ? "paused" : "running",
                cols.size());
    bool first = true;
    for (const auto& col : cols) {
      std::string id = col.value("incremental_snapshot_collections_id", "");
      if (first) {
        auto last = j.value("incremental_snapshot_primary_key", nlohmann::json());
        auto max = j.value("incremental_snapshot_maximum_key", nlohmann::json());
        std::printf("  %s: in progress, %s, last key %s, maximum key %s\n", id.c_str(),
                    rows_of(inc->table_rows_emitted(), estimate(*conn, id)).c_str(),
                    last.is_string() ? last.get<std::string>().c_str() : "(none yet)",
                    max.is_string() ? max.get<std::string>().c_str() : "(not read yet)");
      } else {
        std::printf("  %s: queued, ~%lld rows\n", id.c_str(), static_cast<long long>(estimate(*conn, id)));
      }
      first = false;
    }
  } else if (!snapshot::Checkpoint::parse(o.extra)) {
    std::printf("snapshot: none in progress\n");
  }
  return 0;
}

Command add_status(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* cli = app.add_subcommand("status",
                                 "Print the replication slot, the stored offsets and the snapshot progress");
  cli->add_option("CONFIG", *path, "Connector config file")->required();
  return {cli, [path] { return status(load_config_or_exit(*path)); }};
}

}  // namespace sluice::app
