// Topic administration over librdkafka's admin API and metadata.
#include "kafka/topics.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "kafka/handles.h"

namespace sluice::kafka {

Status create_topic(rd_kafka_t* rk, const TopicSpec& topic, int timeout_ms) {
  char err[512];
  NewTopic nt(rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions, topic.replication_factor, err,
                                    sizeof(err)));
  if (!nt) return Error::fatal(fmt::format("invalid {} '{}': {}", topic.what, topic.name, err));
  for (const auto& [k, v] : topic.configs) rd_kafka_NewTopic_set_config(nt.get(), k.c_str(), v.c_str());
  Queue q(rd_kafka_queue_new(rk));
  AdminOptions opts(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(opts.get(), timeout_ms, err, sizeof(err));
  rd_kafka_NewTopic_t* topics[] = {nt.get()};
  rd_kafka_CreateTopics(rk, topics, 1, opts.get(), q.get());
  Event ev(rd_kafka_queue_poll(q.get(), timeout_ms + 1000));
  if (!ev) {
    return Error::transient(
        fmt::format("timed out creating {} '{}'{}", topic.what, topic.name, topic.timeout_hint));
  }
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Error::transient(fmt::format("cannot create {} '{}': {}", topic.what, topic.name,
                                        rd_kafka_event_error_string(ev.get())));
  }
  size_t n = 0;
  const rd_kafka_topic_result_t** res =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    auto code = rd_kafka_topic_result_error(res[i]);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* why = rd_kafka_topic_result_error_string(res[i]);
      return Error::fatal(fmt::format("Kafka refused to create {} '{}': {}", topic.what, topic.name,
                                      why != nullptr && *why != '\0' ? why : rd_kafka_err2str(code)));
    }
  }
  return ok_status();
}

Status ensure_compacted_topic(rd_kafka_t* rk, TopicSpec topic, int timeout_ms) {
  topic.configs.emplace_back("cleanup.policy", "compact");
  return create_topic(rk, topic, timeout_ms);
}

rd_kafka_resp_err_t query_watermarks(rd_kafka_t* rk, const std::string& topic, int32_t partition,
                                     int64_t* low, int64_t* high, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, low, high, timeout_ms);
    const bool no_leader_yet = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                               err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                               err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    if (!no_leader_yet || std::chrono::steady_clock::now() >= deadline) return err;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<int> partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  const rd_kafka_metadata_t* raw = nullptr;
  Topic rkt(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
  auto merr = rd_kafka_metadata(rk, 0, rkt.get(), &raw, timeout_ms);
  if (merr) {
    return Error::transient(fmt::format("cannot read metadata of '{}': {}", topic, rd_kafka_err2str(merr)));
  }
  Metadata md(raw);
  return md->topic_cnt > 0 ? md->topics[0].partition_cnt : 0;
}

}  // namespace sluice::kafka
