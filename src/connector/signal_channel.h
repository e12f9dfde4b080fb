// Signal channels besides the signal table: the Kafka channel (signal.enabled.channels=kafka: messages on
// signal.kafka.topic whose key is the topic.prefix, value {"type":…,"data":…}), and the writer used by
// `sluice signal` for either channel.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "snapshot/signal.h"

namespace sluice::connector {

class KafkaSignalChannel {
 public:
  ~KafkaSignalChannel();
  KafkaSignalChannel(const KafkaSignalChannel&) = delete;
  KafkaSignalChannel& operator=(const KafkaSignalChannel&) = delete;

  // A consumer of signal.kafka.topic in group signal.kafka.groupId (offsets committed after each signal).
  static Result<std::unique_ptr<KafkaSignalChannel>> open(const config::Config& config);
  // Signals that arrived, without waiting. Messages for another connector (key != topic.prefix) and
  // malformed ones are skipped with a warning.
  Result<std::vector<snapshot::Signal>> poll();
  // Commits the consumed position (after the signals returned by poll() were acted upon).
  void commit();

 private:
  KafkaSignalChannel() = default;
  struct Handle;
  std::unique_ptr<Handle> h_;
  std::string key_;
  std::string topic_;
  bool dirty_ = false;
};

// `sluice signal`: writes one signal the way the connector reads it: a row in signal.data.collection
// (source channel, unless read.only) or else a message on the Kafka channel.
Status send_signal(const config::Config& config, const std::string& type, const std::string& data,
                   std::string& channel_used);

}  // namespace sluice::connector
