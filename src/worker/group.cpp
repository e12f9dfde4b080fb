// librdkafka consumers for the worker group: the member (subscribe + cooperative-sticky rebalance callback)
// and the tails of the config and status topics (manual assignment from the beginning, no group).
#include "worker/group.h"

#include <fmt/format.h>

#include <librdkafka/rdkafka.h>
#include <chrono>
#include <thread>

#include "kafka/client.h"
#include "kafka/handles.h"
#include "kafka/topics.h"

namespace sluice::worker {

namespace {

// The worker's own settings (what librdkafka refuses is left out), then the consumer's.
kafka::ClientSpec consumer_spec(const std::string& role, const std::string& bootstrap,
                                const std::map<std::string, std::string>& properties,
                                std::vector<std::pair<std::string, std::string>> settings) {
  kafka::ClientSpec spec;
  spec.role = role;
  spec.quiet = true;
  kafka::Layer worker = kafka::Layer::of(properties);
  worker.properties.emplace_back("bootstrap.servers", bootstrap);
  worker.properties.emplace_back("enable.auto.commit", "false");
  worker.skip_refused = true;
  spec.layers.push_back(std::move(worker));
  spec.layers.push_back({std::move(settings), true, false, {}});
  return spec;
}

}  // namespace

int32_t assignment_partition(const std::string& connector, int partitions) {
  uint32_t h = 2166136261u;
  for (unsigned char c : connector) {
    h ^= c;
    h *= 16777619u;
  }
  return static_cast<int32_t>(h % static_cast<uint32_t>(partitions > 0 ? partitions : 1));
}

struct LogTail::Handle {
  kafka::Consumer rk;
};

LogTail::~LogTail() = default;

Result<std::unique_ptr<LogTail>> LogTail::open(const std::string& bootstrap,
                                               const std::map<std::string, std::string>& properties,
                                               const std::string& topic, int timeout_ms) {
  std::unique_ptr<LogTail> t(new LogTail());
  t->topic_ = topic;
  t->h_ = std::make_unique<Handle>();
  auto consumer = kafka::make_consumer(consumer_spec("consumer for " + topic, bootstrap, properties,
                                                     {{"group.id", "sluice-worker-tail"},
                                                      {"isolation.level", "read_committed"},
                                                      {"fetch.wait.max.ms", "50"}}));
  if (!consumer) return consumer.error();
  t->h_->rk = std::move(*consumer);
  rd_kafka_t* rk = t->h_->rk.get();
  // A topic the worker has just created may be described without its partitions (or with an error) until
  // the brokers' metadata caught up: a tail opened then would read none of them, for good.
  int partitions = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const rd_kafka_metadata_t* raw = nullptr;
    kafka::Topic rkt(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
    auto merr = rd_kafka_metadata(rk, 0, rkt.get(), &raw, timeout_ms);
    rkt.reset();
    if (merr)
      return Error::transient(fmt::format("cannot read metadata of '{}': {}", topic, rd_kafka_err2str(merr)));
    kafka::Metadata md(raw);
    auto terr = md->topic_cnt > 0 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    partitions = md->topic_cnt > 0 ? md->topics[0].partition_cnt : 0;
    if (terr == RD_KAFKA_RESP_ERR_NO_ERROR && partitions > 0) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return Error::transient(
          fmt::format("topic '{}' has no partitions yet: {}", topic, rd_kafka_err2str(terr)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kafka::PartitionList assign(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    auto werr = kafka::query_watermarks(rk, topic, p, &low, &high, timeout_ms);
    if (werr) {
      return Error::transient(fmt::format("cannot read offsets of '{}': {}", topic, rd_kafka_err2str(werr)));
    }
    rd_kafka_topic_partition_list_add(assign.get(), topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    if (high > low) t->pending_[p] = high;
  }
  rd_kafka_assign(rk, assign.get());
  return t;
}

std::vector<LogRecord> LogTail::poll(int timeout_ms) {
  std::vector<LogRecord> out;
  for (int i = 0; i < 1000; ++i) {
    kafka::Message m(rd_kafka_consumer_poll(h_->rk.get(), i == 0 ? timeout_ms : 0));
    if (!m) break;
    if (m->err) continue;  // retried by librdkafka
    LogRecord r;
    r.key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) r.value.emplace(static_cast<const char*>(m->payload), m->len);
    r.partition = m->partition;
    r.offset = m->offset;
    if (auto it = pending_.find(m->partition); it != pending_.end() && m->offset + 1 >= it->second) {
      pending_.erase(it);
    }
    out.push_back(std::move(r));
  }
  return out;
}

struct GroupMember::Handle {
  kafka::Consumer rk;  // closed (unless leave() closed it) and destroyed
  bool closed = false;
  std::string group_id;
  std::string topic;  // the assignment topic
};

namespace {

std::set<int32_t> partition_set(const rd_kafka_topic_partition_list_t* list) {
  std::set<int32_t> out;
  for (int i = 0; i < list->cnt; ++i) out.insert(list->elems[i].partition);
  return out;
}

void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                  void* opaque) {
  auto* callbacks = static_cast<std::pair<GroupMember::Callback, GroupMember::Callback>*>(opaque);
  bool cooperative = std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (cooperative) {
      kafka::KafkaError e(rd_kafka_incremental_assign(rk, parts));
    } else {
      rd_kafka_assign(rk, parts);
    }
    callbacks->first(partition_set(parts));
  } else {
    // Stop what this worker ran in these partitions before they go to another worker.
    callbacks->second(partition_set(parts));
    if (cooperative) {
      kafka::KafkaError e(rd_kafka_incremental_unassign(rk, parts));
    } else {
      rd_kafka_assign(rk, nullptr);
    }
  }
}

}  // namespace

GroupMember::~GroupMember() {
  leave();
  if (h_ && h_->rk) {
    void* opaque = rd_kafka_opaque(h_->rk.get());
    h_.reset();
    delete static_cast<std::pair<Callback, Callback>*>(opaque);
  }
}

Result<std::unique_ptr<GroupMember>> GroupMember::join(const std::string& bootstrap,
                                                       const std::map<std::string, std::string>& properties,
                                                       const std::string& group_id, const std::string& topic,
                                                       const std::string& member_id, Callback on_assigned,
                                                       Callback on_revoked) {
  std::unique_ptr<GroupMember> g(new GroupMember());
  g->h_ = std::make_unique<Handle>();
  g->h_->group_id = group_id;
  g->h_->topic = topic;
  auto spec = consumer_spec("member of worker group " + group_id, bootstrap, properties,
                            {{"group.id", group_id},
                             {"client.id", "sluice-worker-" + member_id},
                             {"partition.assignment.strategy", "cooperative-sticky"},
                             {"session.timeout.ms", "10000"},  // Connect's defaults
                             {"heartbeat.interval.ms", "3000"},
                             {"max.poll.interval.ms", "300000"},
                             {"topic.metadata.refresh.interval.ms", "5000"}});
  auto* callbacks = new std::pair<Callback, Callback>(std::move(on_assigned), std::move(on_revoked));
  spec.opaque = callbacks;
  spec.rebalance_cb = on_rebalance;
  auto consumer = kafka::make_consumer(spec);
  if (!consumer) {
    delete callbacks;
    return consumer.error();
  }
  g->h_->rk = std::move(*consumer);
  rd_kafka_t* rk = g->h_->rk.get();
  rd_kafka_poll_set_consumer(rk);
  kafka::PartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  auto e = rd_kafka_subscribe(rk, topics.get());
  if (e) return Error::fatal(fmt::format("cannot subscribe to {}: {}", topic, rd_kafka_err2str(e)));
  return g;
}

void GroupMember::poll(int timeout_ms) {
  if (!h_ || h_->closed) return;
  kafka::Message m(rd_kafka_consumer_poll(h_->rk.get(), timeout_ms));  // nothing is written to the topic
}

std::optional<std::string> rebalance_conflict(const GroupView& group, int32_t partition) {
  if (group.state != "Stable") {
    return fmt::format("Request cannot be completed because a rebalance is expected (worker group is {})",
                       group.state.empty() ? "Unknown" : group.state);
  }
  if (!group.owners.count(partition)) {
    return std::string(
        "Request cannot be completed because a rebalance is expected (no worker runs the connector: its "
        "worker left the group, which has not reassigned it yet)");
  }
  return std::nullopt;
}

Result<GroupView> GroupMember::describe(int timeout_ms) {
  if (!h_ || !h_->rk) return Error::transient("not a member of the worker group");
  rd_kafka_t* rk = h_->rk.get();
  kafka::Queue q(rd_kafka_queue_new(rk));
  kafka::AdminOptions options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS));
  char err[256];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, err, sizeof(err));
  const char* groups[] = {h_->group_id.c_str()};
  rd_kafka_DescribeConsumerGroups(rk, groups, 1, options.get(), q.get());
  kafka::Event event(rd_kafka_queue_poll(q.get(), timeout_ms + 1000));
  rd_kafka_event_t* ev = event.get();
  GroupView view;
  Status st = ok_status();
  if (ev == nullptr) {
    st = Error::transient("describing the worker group timed out");
  } else if (rd_kafka_event_error(ev)) {
    st = Error::transient(
        fmt::format("cannot describe the worker group: {}", rd_kafka_event_error_string(ev)));
  } else if (const auto* res = rd_kafka_event_DescribeConsumerGroups_result(ev)) {
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t** descs =
        rd_kafka_DescribeConsumerGroups_result_groups(res, &n);
    if (n == 1) {
      if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(descs[0])) {
        st = Error::transient(fmt::format("cannot describe the worker group: {}", rd_kafka_error_string(e)));
      } else {
        view.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(descs[0]));
        static const std::string kPrefix = "sluice-worker-";
        for (size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(descs[0]); ++i) {
          const auto* m = rd_kafka_ConsumerGroupDescription_member(descs[0], i);
          std::string worker = rd_kafka_MemberDescription_client_id(m);
          if (worker.starts_with(kPrefix)) worker = worker.substr(kPrefix.size());
          const auto* parts = rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
          for (int j = 0; parts != nullptr && j < parts->cnt; ++j) {
            if (h_->topic == parts->elems[j].topic) view.owners[parts->elems[j].partition] = worker;
          }
        }
      }
    }
  }
  if (!st) return st.error();
  return view;
}

void GroupMember::leave() {
  if (!h_ || !h_->rk || h_->closed) return;
  h_->closed = true;
  rd_kafka_consumer_close(h_->rk.get());  // serves the final revocation callback
}

}  // namespace sluice::worker
