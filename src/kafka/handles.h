// RAII for librdkafka's C handles: each is a std::unique_ptr whose deleter is the matching destroy call.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace sluice::kafka {

namespace detail {
template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p != nullptr) Destroy(p);
  }
};
inline void destroy_metadata(const rd_kafka_metadata_t* md) {
  rd_kafka_metadata_destroy(md);
}
inline void destroy_event(rd_kafka_event_t* ev) {
  rd_kafka_event_destroy(ev);
}
// A consumer leaves its group (and commits, when auto-commit is on) before it is destroyed.
inline void close_and_destroy(rd_kafka_t* rk) {
  if (rd_kafka_consumer_closed(rk) == 0) rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}
}  // namespace detail

// A producer or admin client (destroyed as is; flush first where queued messages matter).
using Client = std::unique_ptr<rd_kafka_t, detail::Deleter<rd_kafka_t, rd_kafka_destroy>>;
// A consumer: closed (leaves the group) if it is not yet, then destroyed.
using Consumer = std::unique_ptr<rd_kafka_t, detail::Deleter<rd_kafka_t, detail::close_and_destroy>>;

using Conf = std::unique_ptr<rd_kafka_conf_t, detail::Deleter<rd_kafka_conf_t, rd_kafka_conf_destroy>>;
using Topic = std::unique_ptr<rd_kafka_topic_t, detail::Deleter<rd_kafka_topic_t, rd_kafka_topic_destroy>>;
using Message =
    std::unique_ptr<rd_kafka_message_t, detail::Deleter<rd_kafka_message_t, rd_kafka_message_destroy>>;
using Queue = std::unique_ptr<rd_kafka_queue_t, detail::Deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using Event = std::unique_ptr<rd_kafka_event_t, detail::Deleter<rd_kafka_event_t, detail::destroy_event>>;
using AdminOptions = std::unique_ptr<rd_kafka_AdminOptions_t,
                                     detail::Deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;
using NewTopic =
    std::unique_ptr<rd_kafka_NewTopic_t, detail::Deleter<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy>>;
using PartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t,
                    detail::Deleter<rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_list_destroy>>;
using Metadata = std::unique_ptr<const rd_kafka_metadata_t,
                                 detail::Deleter<const rd_kafka_metadata_t, detail::destroy_metadata>>;
using Headers =
    std::unique_ptr<rd_kafka_headers_t, detail::Deleter<rd_kafka_headers_t, rd_kafka_headers_destroy>>;
using KafkaError =
    std::unique_ptr<rd_kafka_error_t, detail::Deleter<rd_kafka_error_t, rd_kafka_error_destroy>>;

}  // namespace sluice::kafka
