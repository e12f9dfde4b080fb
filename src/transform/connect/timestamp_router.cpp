// Kafka Connect's TimestampRouter. As Connect's (connect/transforms, 4.x).
#include "transform/connect/timestamp_router.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "transform/connect/field_support.h"

namespace sluice::transform {

using namespace detail;  // NOLINT(google-build-using-namespace)

Result<std::unique_ptr<Transform>> TimestampRouter::create(Options& options) {
  auto t = std::make_unique<TimestampRouter>();
  t->topic_format_ = options.str("topic.format", "${topic}-${timestamp}");
  t->timestamp_format_ = options.str("timestamp.format", "yyyyMMdd");
  auto compiled = compile_date_format(options, "timestamp.format", t->timestamp_format_);
  if (!compiled) return compiled.error();
  t->format_ = std::move(*compiled);
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> TimestampRouter::apply(Record& record) {
  // A source record's timestamp is what the connector set: Debezium sets none (nor does sluice); an
  // EventRouter before sets one.
  if (!record.timestamp_ms) {
    return Error::data(
        fmt::format("Timestamp missing on record: SourceRecord{{topic='{}', timestamp=null}}", record.topic));
  }
  auto ts = format_date(format_, *record.timestamp_ms);
  if (!ts) return ts.error();
  std::string topic = topic_format_;
  for (auto [placeholder, text] : {std::pair<std::string, std::string>{"${topic}", record.topic},
                                   std::pair<std::string, std::string>{"${timestamp}", *ts}}) {
    for (size_t at = topic.find(placeholder); at != std::string::npos;
         at = topic.find(placeholder, at + text.size())) {
      topic.replace(at, placeholder.size(), text);
    }
  }
  record.topic = std::move(topic);
  return true;
}

}  // namespace sluice::transform
