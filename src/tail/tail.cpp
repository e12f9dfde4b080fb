// sluice tail: Kafka mode (a group of its own, offsets never committed; "from now" = the first record
// stamped at or after the start, per partition) and direct mode (the connector with a sink that prints).
#include "tail/tail.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <random>

#include "common/log.h"
#include "config/config.h"
#include "connector/connector.h"
#include "kafka/client.h"
#include "pg/connection.h"
#include "sink/sink.h"
#include "transform/chain.h"

namespace sluice::tail {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void print(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// Prints each event and acknowledges it at the next poll (so the temporary slot keeps up).
class PrintingSink final : public sink::Sink {
 public:
  PrintingSink(sink::DeliveryHandler* handler, Filter filter, FormatOptions options)
      : handler_(handler), filter_(std::move(filter)), options_(options) {}
  Status produce(const std::string& topic, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, uint64_t opaque,
                 const std::vector<sink::KafkaHeader>& /*headers*/,
                 const std::function<bool()>& /*interrupted*/) override {
    if (auto line = format_event(topic, key, value, filter_, options_)) print(*line);
    pending_.emplace_back(opaque, topic);
    return ok_status();
  }
  int poll(int timeout_ms) override {
    if (pending_.empty()) {
      if (timeout_ms > 0) usleep(static_cast<useconds_t>(std::min(timeout_ms, 100)) * 1000);
      return 0;
    }
    std::vector<std::pair<uint64_t, std::string>> serving;
    serving.swap(pending_);
    for (const auto& [opaque, topic] : serving) handler_->on_delivery(opaque, topic, nullptr);
    return static_cast<int>(serving.size());
  }
  bool flush(int /*timeout_ms*/) override {
    while (!pending_.empty()) poll(0);
    return true;
  }
  int out_queue_len() const override { return static_cast<int>(pending_.size()); }
  Status ensure_topic(const std::string& /*topic*/, int /*timeout_ms*/) override { return ok_status(); }

 private:
  sink::DeliveryHandler* handler_;
  Filter filter_;
  FormatOptions options_;
  std::vector<std::pair<uint64_t, std::string>> pending_;
};

std::string regex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

struct Rebalance {
  bool from_beginning;
  int64_t start_ms;
};

void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                  void* opaque) {
  auto* r = static_cast<Rebalance*>(opaque);
  if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_assign(rk, nullptr);
    return;
  }
  if (r->from_beginning) {
    for (int i = 0; i < parts->cnt; ++i) parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
  } else {
    // From now: each partition's first record stamped at or after the start (the end when none is).
    for (int i = 0; i < parts->cnt; ++i) parts->elems[i].offset = r->start_ms;
    if (rd_kafka_offsets_for_times(rk, parts, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < parts->cnt; ++i) parts->elems[i].offset = RD_KAFKA_OFFSET_END;
    }
    // None yet: the current end as a number (OFFSET_END would be resolved later, after records written
    // since now).
    for (int i = 0; i < parts->cnt; ++i) {
      auto& p = parts->elems[i];
      if (p.offset >= 0) continue;
      int64_t low = 0, high = 0;
      p.offset = rd_kafka_query_watermark_offsets(rk, p.topic, p.partition, &low, &high, 10000) ==
                         RD_KAFKA_RESP_ERR_NO_ERROR
                     ? high
                     : RD_KAFKA_OFFSET_END;
    }
  }
  rd_kafka_assign(rk, parts);
  std::fprintf(stderr, "sluice tail: reading %d partition(s)%s\n", parts->cnt,
               r->from_beginning ? " from the beginning" : " from now");
}

int tail_kafka(const TailOptions& o, const Filter& filter, const FormatOptions& fo,
               const std::atomic<bool>& stop) {
  std::random_device rd;
  const std::string group = fmt::format("sluice-tail-{}-{:08x}", getpid(), rd());
  Rebalance rebalance{o.from_beginning, now_ms()};
  kafka::ClientSpec spec;
  spec.role = "Kafka consumer";
  spec.layers = {kafka::Layer::of({{"bootstrap.servers", o.bootstrap},
                                   {"group.id", group},
                                   {"enable.auto.commit", "false"},
                                   {"enable.auto.offset.store", "false"},
                                   {"topic.metadata.refresh.interval.ms", "2000"},
                                   {"allow.auto.create.topics", "false"}})};
  spec.opaque = &rebalance;
  spec.rebalance_cb = on_rebalance;
  auto rk = kafka::make_consumer(spec);
  if (!rk) {
    std::fprintf(stderr, "sluice tail: %s\n", rk.error().message.c_str());
    return 2;
  }
  rd_kafka_poll_set_consumer(rk->get());
  // Names are topics, or tables matched as the end of a topic (<prefix>.<schema>.<table>); none: every
  // topic but internal ones (records that are no change events are skipped as they come).
  kafka::PartitionList subs(rd_kafka_topic_partition_list_new(1));
  if (o.names.empty()) {
    rd_kafka_topic_partition_list_add(subs.get(), "^[^_].*", RD_KAFKA_PARTITION_UA);
  } else {
    for (const auto& n : o.names) {
      rd_kafka_topic_partition_list_add(subs.get(), fmt::format("^(.*\\.)?{}$", regex_escape(n)).c_str(),
                                        RD_KAFKA_PARTITION_UA);
    }
  }
  rd_kafka_resp_err_t e = rd_kafka_subscribe(rk->get(), subs.get());
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "sluice tail: subscribe: %s\n", rd_kafka_err2str(e));
    return 2;
  }
  while (!stop.load()) {
    kafka::Message msg(rd_kafka_consumer_poll(rk->get(), 200));
    if (!msg) continue;
    const rd_kafka_message_t* m = msg.get();
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && m->err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        std::fprintf(stderr, "sluice tail: %s\n", rd_kafka_message_errstr(m));
      }
      continue;
    }
    std::optional<std::string_view> key, value;
    if (m->key) key = std::string_view(static_cast<const char*>(m->key), m->key_len);
    if (m->payload) value = std::string_view(static_cast<const char*>(m->payload), m->len);
    if (auto line = format_event(rd_kafka_topic_name(m->rkt), key, value, filter, fo)) print(*line);
  }
  return 0;
}

int tail_direct(const TailOptions& o, const Filter& filter, const FormatOptions& fo,
                const std::atomic<bool>& stop) {
  auto props = config::load_properties(o.direct_config);
  if (!props) {
    std::fprintf(stderr, "sluice tail: %s\n", props.error().message.c_str());
    return 2;
  }
  auto resolved = config::resolve_providers(*props);
  if (!resolved) {
    std::fprintf(stderr, "sluice tail: %s: %s\n", o.direct_config.c_str(), resolved.error().message.c_str());
    return 2;
  }
  // The user's connector keeps its slot, publication, offsets and sink: tail has its own of each.
  config::Properties p;
  for (const auto& [k, v] : *resolved) {
    if (k.starts_with("debezium.sink.") || k.starts_with("sluice.sink.") || k.starts_with("offset.storage") ||
        k == "sink.type" || k == "exactly.once.support" || k.starts_with("transforms") ||
        k.starts_with("predicates") || k.starts_with("debezium.transforms") ||
        k.starts_with("debezium.predicates")) {
      continue;
    }
    std::string key = k;
    if (key.starts_with("debezium.source.")) key = key.substr(std::string_view("debezium.source.").size());
    if (key == "offset.storage" || key.starts_with("offset.storage.") || key.starts_with("offset.flush."))
      continue;
    p[key] = v;
  }
  std::random_device rd;
  const std::string tag = fmt::format("{}_{:06x}", getpid(), rd() & 0xFFFFFF);
  p["slot.name"] = "sluice_tail_" + tag;
  p["publication.name"] = "sluice_tail_" + tag;
  p["publication.autocreate.mode"] = "filtered";
  p["slot.drop.on.stop"] = "true";
  p["snapshot.mode"] = o.from_beginning ? "initial" : "no_data";
  p["sink.type"] = "null";
  p["offset.storage"] = "none";
  p["heartbeat.interval.ms"] = "0";
  if (!p.count("topic.prefix")) p["topic.prefix"] = "tail";
  if (!o.names.empty()) {
    // Only the named tables (schema.table, or a table of any schema) are published to tail's slot.
    std::string include;
    for (const auto& n : o.names) {
      include += (include.empty() ? "" : ",") +
                 (n.find('.') == std::string::npos ? ".*\\." + regex_escape(n) : regex_escape(n));
    }
    p["table.include.list"] = include;
  }
  auto cfg = config::parse_config(p, transform::validate_chain);
  if (!cfg) {
    std::fprintf(stderr, "sluice tail: %s: %s\n", o.direct_config.c_str(), cfg.error().message.c_str());
    return 2;
  }
  const std::string conninfo = cfg->conninfo(false);
  const std::string publication = cfg->publication_name;
  int rc = 0;
  {
    connector::Connector connector(std::move(*cfg), stop);
    connector.set_sink_factory([&](sink::DeliveryHandler* h) -> std::unique_ptr<sink::Sink> {
      return std::make_unique<PrintingSink>(h, filter, fo);
    });
    rc = connector.run();
  }
  // The slot went with slot.drop.on.stop; the publication is tail's too.
  if (auto conn = pg::Connection::connect(conninfo); conn) {
    if (auto s = conn->run(fmt::format("DROP PUBLICATION IF EXISTS \"{}\"", publication)); !s) {
      std::fprintf(stderr, "sluice tail: cannot drop publication %s: %s\n", publication.c_str(),
                   s.error().message.c_str());
    }
  }
  return rc;
}

}  // namespace

int run_tail(const TailOptions& o, const std::atomic<bool>& stop) {
  Filter filter;
  for (const auto& list : o.ops) {
    for (size_t b = 0; b <= list.size();) {
      auto e = list.find(',', b);
      if (e == std::string::npos) e = list.size();
      std::string word = list.substr(b, e - b);
      b = e + 1;
      if (word.empty()) continue;
      auto letter = op_letter(word);
      if (!letter) {
        std::fprintf(
            stderr,
            "sluice tail: invalid value for --op: '%s' (allowed: c/create/insert, u/update, d/delete, "
            "r/read/snapshot, t/truncate, m/message)\n",
            word.c_str());
        return 2;
      }
      filter.ops.insert(*letter);
    }
  }
  for (const auto& t : o.tables) filter.tables.insert(t);
  // In direct mode the names are tables: they filter like --table.
  if (!o.direct_config.empty()) {
    for (const auto& n : o.names) filter.tables.insert(n);
  }
  FormatOptions fo;
  fo.json = o.json;
  fo.color = o.color == "always" || (o.color == "auto" && isatty(STDOUT_FILENO) && !o.json);
  return o.direct_config.empty() ? tail_kafka(o, filter, fo, stop) : tail_direct(o, filter, fo, stop);
}

}  // namespace sluice::tail
