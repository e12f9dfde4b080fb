// sluice-recv-latency: the W3 baseline "Postgres alone" (bench/bench.py). A bare pgoutput replication client
// that only timestamps what it receives: per change message, commit -> sent by the walsender (its XLogData
// send time) -> received here. It confirms each commit at once and, on SIGTERM/SIGINT, prints the
// percentiles as one JSON object on stdout.
// Usage: sluice-recv-latency '<libpq conninfo>' <slot> <publication>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <variant>

#include "common/latency_histogram.h"
#include "decode/pgoutput.h"
#include "pg/connection.h"
#include "pg/copy_frame.h"
#include "pg/replication.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

int64_t unix_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s '<conninfo>' <slot> <publication>\n", argv[0]);
    return 2;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  auto conn = pg::Connection::connect(std::string(argv[1]) + " replication=database");
  if (!conn) {
    std::fprintf(stderr, "connect: %s\n", conn.error().message.c_str());
    return 1;
  }
  pg::ReplicationStream stream(std::move(*conn));
  if (auto s = stream.start(argv[2], Lsn{}, argv[3], false); !s) {
    std::fprintf(stderr, "%s\n", s.error().message.c_str());
    return 1;
  }
  LatencyHistogram commit_to_sent, sent_to_received, commit_to_received;
  int64_t commit_us = 0;
  Lsn confirmed, last_end;
  bool in_tx = false;
  auto next_status = std::chrono::steady_clock::now();
  while (!g_stop) {
    auto frame = stream.read(std::chrono::milliseconds(100));
    if (!frame) {
      std::fprintf(stderr, "%s\n", frame.error().message.c_str());
      return 1;
    }
    const int64_t now = unix_now_us();
    bool reply = false;
    if (!frame->empty()) {
      auto decoded = pg::decode_server_frame(*frame);
      if (!decoded) {
        std::fprintf(stderr, "bad frame: %s\n", decoded.error().message.c_str());
        return 1;
      }
      if (auto* ka = std::get_if<pg::Keepalive>(&*decoded)) {
        reply = ka->reply_requested;
        if (!in_tx && ka->wal_end > last_end) last_end = ka->wal_end;  // nothing of ours before it
      } else {
        auto& x = std::get<pg::XLogData>(*decoded);
        auto msg = decode::decode_pgoutput(x.data);
        if (!msg) {
          std::fprintf(stderr, "pgoutput at %s: %s\n", x.wal_start.str().c_str(),
                       msg.error().message.c_str());
          return 1;
        }
        const int64_t sent = decode::pg_time_to_unix_us(x.send_time);
        if (auto* b = std::get_if<decode::Begin>(&*msg)) {
          commit_us = decode::pg_time_to_unix_us(b->commit_time);
          in_tx = true;
        } else if (auto* c = std::get_if<decode::Commit>(&*msg)) {
          last_end = c->end_lsn;
          in_tx = false;
        } else if (std::holds_alternative<decode::Insert>(*msg) ||
                   std::holds_alternative<decode::Update>(*msg) ||
                   std::holds_alternative<decode::Delete>(*msg)) {
          commit_to_sent.record(sent - commit_us);
          sent_to_received.record(now - sent);
          commit_to_received.record(now - commit_us);
        }
      }
    }
    // Confirms promptly (the benchmark waits for the slot to pass its end marker), at most every 10 ms.
    if (reply || (last_end > confirmed && std::chrono::steady_clock::now() >= next_status)) {
      if (auto s = stream.send_status(last_end, last_end, false); !s) {
        std::fprintf(stderr, "%s\n", s.error().message.c_str());
        return 1;
      }
      confirmed = last_end;
      next_status = std::chrono::steady_clock::now() + std::chrono::milliseconds(10);
    }
  }
  stream.finish();
  auto ms = [](const LatencyHistogram& h, double q) { return static_cast<double>(h.percentile(q)) / 1000.0; };
  std::printf("{\"events\": %llu", static_cast<unsigned long long>(commit_to_received.count()));
  for (auto [name, h] :
       {std::pair{"commit->sent", &commit_to_sent}, std::pair{"sent->received", &sent_to_received},
        std::pair{"commit->received", &commit_to_received}}) {
    std::printf(", \"%s\": [%.3f, %.3f, %.3f, %.3f]", name, ms(*h, 0.5), ms(*h, 0.99), ms(*h, 0.999),
                static_cast<double>(h->max()) / 1000.0);
  }
  std::printf("}\n");
  return 0;
}
