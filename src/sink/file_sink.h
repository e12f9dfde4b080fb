// FileSink (sink.type=file): every record as one JSON line in a file, or on stdout (path "-"), rotated by
// size. Line format, fixed and documented in the README ("Without Kafka"):
//   {"topic":"<topic>","key":<key JSON or null>,"value":<value JSON or null>}      (format=record, default)
//   <value JSON>                                                                   (format=value; tombstones
//                                                                                   are not written)
// A batch is acknowledged once it is written and flushed to the kernel, and (fsync=true, the default)
// fsync'ed: after a crash every acknowledged line is in the file.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "config/config.h"
#include "config/direct_sink_config.h"
#include "sink/direct_sink.h"

namespace sluice::sink {

using FileSinkOptions = config::FileSinkConfig;

// One record's line (with its '\n'); empty when the format writes nothing for it (a tombstone as value).
std::string file_line(const DirectMessage& m, bool value_only);

class FileSink final : public DirectSink {
 public:
  FileSink(FileSinkOptions options, DeliveryHandler* handler, int64_t max_queue, size_t max_batch);
  ~FileSink() override;

 private:
  Delivery deliver(std::span<const DirectMessage> batch) override;
  void disconnect() override;
  Status open();
  Status rotate();

  FileSinkOptions options_;
  std::FILE* file_ = nullptr;
  int64_t size_ = 0;  // bytes in the current file
  std::string buf_;
};

// The registry's maker (sink/registry.cpp): the file sink sink.type=file configures.
std::unique_ptr<DirectSink> make_file_sink(const config::Config& config, DeliveryHandler* handler);

}  // namespace sluice::sink
