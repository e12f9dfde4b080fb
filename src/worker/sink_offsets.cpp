// Sink connector offsets: the REST shapes (pure) and the consumer group admin requests (librdkafka).
#include "worker/sink_offsets.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <charconv>
#include <memory>

#include "kafka/client.h"
#include "kafka/handles.h"

namespace sluice::worker {

namespace {

using json = nlohmann::json;

// String.valueOf(v) of Connect's parser: a JSON string as is, anything else as its JSON text.
std::string text_of(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

template <typename T>
std::optional<T> parse_integer(const json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<T>::max()))
      return std::nullopt;
    auto n = v.get<int64_t>();
    if (n < std::numeric_limits<T>::min() || n > std::numeric_limits<T>::max()) return std::nullopt;
    return static_cast<T>(n);
  }
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  T out{};
  const char* begin = s.data();
  if (!s.empty() && s[0] == '+') ++begin;  // Integer.parseInt accepts a leading +
  auto [p, ec] = std::from_chars(begin, s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size() || begin == s.data() + s.size()) return std::nullopt;
  return out;
}

using Handle = kafka::Client;
using Queue = kafka::Queue;
using Event = kafka::Event;
using List = kafka::PartitionList;

Result<Handle> admin_client(const std::string& bootstrap,
                            const std::map<std::string, std::string>& properties) {
  kafka::ClientSpec spec;
  spec.role = "Kafka admin client";
  spec.quiet = true;
  kafka::Layer layer = kafka::Layer::of(properties);
  layer.properties.emplace_back("bootstrap.servers", bootstrap);
  layer.skip_refused = true;  // what librdkafka refuses is left out
  spec.layers.push_back(std::move(layer));
  auto rk = kafka::make_producer(spec);
  if (!rk) return Error::transient(rk.error().message);
  return std::move(*rk);
}

bool not_empty(rd_kafka_resp_err_t e) {
  return e == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP || e == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
         e == RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC || e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS;
}

// The outcome of a group result: its error, then its partitions' errors.
GroupChangeResult outcome_of(const rd_kafka_group_result_t* const* groups, size_t n, bool missing_ok) {
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[i]);
    if (e != nullptr) {
      auto code = rd_kafka_error_code(e);
      if (missing_ok && code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) continue;
      if (not_empty(code)) return {GroupChange::kNotEmpty, rd_kafka_error_string(e)};
      return {GroupChange::kFailed, rd_kafka_error_string(e)};
    }
    const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(groups[i]);
    for (int k = 0; parts != nullptr && k < parts->cnt; ++k) {
      auto code = parts->elems[k].err;
      if (code == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      if (missing_ok && code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) continue;
      std::string why =
          fmt::format("{}[{}]: {}", parts->elems[k].topic, parts->elems[k].partition, rd_kafka_err2str(code));
      if (not_empty(code)) return {GroupChange::kNotEmpty, why};
      return {GroupChange::kFailed, why};
    }
  }
  return {};
}

Result<Event> wait_result(rd_kafka_queue_t* q, int timeout_ms) {
  Event ev(rd_kafka_queue_poll(q, timeout_ms));
  if (!ev) return Error::transient(fmt::format("no answer from Kafka within {} ms", timeout_ms));
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    auto code = rd_kafka_event_error(ev.get());
    std::string why = rd_kafka_event_error_string(ev.get());
    if (code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) return ev;  // the caller decides
    return Error::transient(why);
  }
  return ev;
}

rd_kafka_AdminOptions_t* options(rd_kafka_t* rk, rd_kafka_admin_op_t op, int timeout_ms) {
  char err[256];
  rd_kafka_AdminOptions_t* o = rd_kafka_AdminOptions_new(rk, op);
  rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, err, sizeof err);
  return o;
}

}  // namespace

json sink_offsets_json(const SinkPositions& positions) {
  json out = json::array();
  for (const auto& [tp, offset] : positions) {
    out.push_back({{"partition", {{"kafka_topic", tp.topic}, {"kafka_partition", tp.partition}}},
                   {"offset", {{"kafka_offset", offset}}}});
  }
  return out;
}

Result<SinkOffsetChanges> parse_sink_offsets(const json& entries) {
  SinkOffsetChanges out;
  for (const auto& e : entries) {
    const json partition = e.is_object() && e.contains("partition") ? e["partition"] : json();
    if (!partition.is_object()) {
      return Error::fatal("The partition for a sink connector offset cannot be null or missing");
    }
    if (!partition.contains("kafka_topic") || !partition.contains("kafka_partition")) {
      return Error::fatal(
          "The partition for a sink connector offset must contain the keys 'kafka_topic' and "
          "'kafka_partition'");
    }
    if (partition["kafka_topic"].is_null()) {
      return Error::fatal("Kafka topic names must be valid strings and may not be null");
    }
    if (partition["kafka_partition"].is_null()) {
      return Error::fatal("Kafka partitions must be valid numbers and may not be null");
    }
    auto p = parse_integer<int32_t>(partition["kafka_partition"]);
    if (!p) {
      return Error::fatal("Failed to parse the following Kafka partition value in the provided offsets: '" +
                          text_of(partition["kafka_partition"]) +
                          "'. Partition values for sink connectors need to be integers.");
    }
    pgsink::TopicPartition tp{text_of(partition["kafka_topic"]), *p};
    const json offset = e.contains("offset") ? e["offset"] : json();
    if (offset.is_null()) {
      out[tp] = std::nullopt;
      continue;
    }
    if (!offset.is_object() || !offset.contains("kafka_offset")) {
      return Error::fatal(
          "The offset for a sink connector should either be null or contain the key 'kafka_offset'");
    }
    auto o = parse_integer<int64_t>(offset["kafka_offset"]);
    if (!o) {
      return Error::fatal("Failed to parse the following Kafka offset value in the provided offsets: '" +
                          text_of(offset["kafka_offset"]) +
                          "'. Offset values for sink connectors need to be integers.");
    }
    out[tp] = *o;
  }
  return out;
}

GroupChangeResult delete_consumer_group(const std::string& bootstrap,
                                        const std::map<std::string, std::string>& properties,
                                        const std::string& group, int timeout_ms) {
  auto rk = admin_client(bootstrap, properties);
  if (!rk) return {GroupChange::kFailed, rk.error().message};
  Queue q(rd_kafka_queue_new(rk->get()));
  rd_kafka_DeleteGroup_t* del = rd_kafka_DeleteGroup_new(group.c_str());
  rd_kafka_AdminOptions_t* o = options(rk->get(), RD_KAFKA_ADMIN_OP_DELETEGROUPS, timeout_ms);
  rd_kafka_DeleteGroups(rk->get(), &del, 1, o, q.get());
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_DeleteGroup_destroy(del);
  auto ev = wait_result(q.get(), timeout_ms + 1000);
  if (!ev) return {GroupChange::kFailed, ev.error().message};
  const rd_kafka_DeleteGroups_result_t* res = rd_kafka_event_DeleteGroups_result(ev->get());
  if (res == nullptr) return {};  // the request failed as a whole with GROUP_ID_NOT_FOUND: nothing to delete
  size_t n = 0;
  const rd_kafka_group_result_t** groups = rd_kafka_DeleteGroups_result_groups(res, &n);
  return outcome_of(groups, n, true);
}

GroupChangeResult alter_consumer_group_offsets(const std::string& bootstrap,
                                               const std::map<std::string, std::string>& properties,
                                               const std::string& group, const SinkOffsetChanges& changes,
                                               int timeout_ms) {
  List set(rd_kafka_topic_partition_list_new(static_cast<int>(changes.size())));
  List reset(rd_kafka_topic_partition_list_new(static_cast<int>(changes.size())));
  for (const auto& [tp, offset] : changes) {
    if (offset) {
      rd_kafka_topic_partition_list_add(set.get(), tp.topic.c_str(), tp.partition)->offset = *offset;
    } else {
      rd_kafka_topic_partition_list_add(reset.get(), tp.topic.c_str(), tp.partition);
    }
  }
  auto rk = admin_client(bootstrap, properties);
  if (!rk) return {GroupChange::kFailed, rk.error().message};
  Queue q(rd_kafka_queue_new(rk->get()));
  if (set->cnt > 0) {
    rd_kafka_AlterConsumerGroupOffsets_t* a =
        rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), set.get());
    rd_kafka_AdminOptions_t* o = options(rk->get(), RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeout_ms);
    rd_kafka_AlterConsumerGroupOffsets(rk->get(), &a, 1, o, q.get());
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_AlterConsumerGroupOffsets_destroy(a);
    auto ev = wait_result(q.get(), timeout_ms + 1000);
    if (!ev) return {GroupChange::kFailed, ev.error().message};
    const rd_kafka_AlterConsumerGroupOffsets_result_t* res =
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev->get());
    if (res != nullptr) {
      size_t n = 0;
      const rd_kafka_group_result_t** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(res, &n);
      if (auto r = outcome_of(groups, n, false); r.outcome != GroupChange::kDone) return r;
    }
  }
  if (reset->cnt > 0) {
    rd_kafka_DeleteConsumerGroupOffsets_t* d =
        rd_kafka_DeleteConsumerGroupOffsets_new(group.c_str(), reset.get());
    rd_kafka_AdminOptions_t* o = options(rk->get(), RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS, timeout_ms);
    rd_kafka_DeleteConsumerGroupOffsets(rk->get(), &d, 1, o, q.get());
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_DeleteConsumerGroupOffsets_destroy(d);
    auto ev = wait_result(q.get(), timeout_ms + 1000);
    if (!ev) return {GroupChange::kFailed, ev.error().message};
    const rd_kafka_DeleteConsumerGroupOffsets_result_t* res =
        rd_kafka_event_DeleteConsumerGroupOffsets_result(ev->get());
    if (res != nullptr) {
      size_t n = 0;
      const rd_kafka_group_result_t** groups = rd_kafka_DeleteConsumerGroupOffsets_result_groups(res, &n);
      // A group with no committed offsets has nothing to delete.
      if (auto r = outcome_of(groups, n, true); r.outcome != GroupChange::kDone) return r;
    }
  }
  return {};
}

}  // namespace sluice::worker
