// TransformingSink: bytes -> transform::ChainRunner -> the wrapped sink.
#include "sink/transforming_sink.h"

#include <fmt/format.h>

namespace sluice::sink {

TransformingSink::TransformingSink(std::unique_ptr<Sink> inner, std::shared_ptr<transform::Chain> chain,
                                   DeliveryHandler* handler)
    : inner_(std::move(inner)), runner_(chain, !chain->reads_data()), handler_(handler) {}

Status TransformingSink::produce(const std::string& topic, std::optional<std::string_view> key,
                                 std::optional<std::string_view> value, uint64_t opaque,
                                 const std::vector<KafkaHeader>& headers,
                                 const std::function<bool()>& interrupted) {
  if (runner_.identity()) {
    if (auto s = ready(topic); !s) return s;
    return inner_->produce(topic, key, value, opaque, headers, interrupted);
  }
  transform::Record record;
  record.topic = topic;
  record.headers.reserve(headers.size());
  for (const auto& h : headers) record.headers.push_back({h.name, h.value});
  auto kept = runner_.run(record, key, value);
  if (!kept) return kept.error();
  if (!*kept) {
    drop(topic, opaque);
    return ok_status();
  }
  if (auto s = ready(record.topic); !s) return s;
  headers_.clear();
  headers_.reserve(record.headers.size());
  for (auto& h : record.headers) headers_.push_back({std::move(h.name), std::move(h.value)});
  if (record.partition || record.timestamp_ms) {
    return inner_->produce_placed(record.topic, record.partition.value_or(-1),
                                  record.timestamp_ms.value_or(-1), runner_.key(), runner_.value(), opaque,
                                  headers_, interrupted);
  }
  return inner_->produce(record.topic, runner_.key(), runner_.value(), opaque, headers_, interrupted);
}

Status TransformingSink::ready(const std::string& topic) {
  if (topic == last_ready_) return ok_status();
  if (!topics_ready_.count(topic)) {
    if (auto s = inner_->ensure_topic(topic, topic_timeout_ms_); !s) return s;
    topics_ready_.insert(topic);
  }
  last_ready_ = topic;
  return ok_status();
}

void TransformingSink::drop(const std::string& topic, uint64_t opaque) {
  dropped_.push_back({opaque, topic});
}

int TransformingSink::serve_dropped() {
  if (dropped_.empty()) return 0;
  serving_.clear();
  serving_.swap(dropped_);  // a handler may produce again while it is served
  for (const auto& d : serving_) handler_->on_delivery(d.opaque, d.topic, nullptr);
  return static_cast<int>(serving_.size());
}

int TransformingSink::poll(int timeout_ms) {
  int served = serve_dropped();
  return served + inner_->poll(served > 0 ? 0 : timeout_ms);
}

bool TransformingSink::flush(int timeout_ms) {
  serve_dropped();
  bool ok = inner_->flush(timeout_ms);
  serve_dropped();
  return ok;
}

Status TransformingSink::ensure_topic(const std::string& /*topic*/, int timeout_ms) {
  topic_timeout_ms_ = timeout_ms;
  return ok_status();
}

}  // namespace sluice::sink
