// FileSink: JSON lines, appended; rotation renames the full file to <path>.<n> (n one past the highest
// existing) and starts a new one, so readers of <path> see whole lines only.
#include "sink/file_sink.h"

#include <fmt/format.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/log.h"

namespace sluice::sink {

namespace {

bool is_json(const std::string& s) {
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> handler;
  rapidjson::StringStream ss(s.c_str());
  return !reader.Parse<rapidjson::kParseStopWhenDoneFlag>(ss, handler).IsError() &&
         s.find_first_not_of(" \t\r\n", ss.Tell()) == std::string::npos;
}

// JSON as is; anything else (a string converter's key) as a JSON string.
void append_json(std::string& out, const std::optional<std::string>& v) {
  if (!v) {
    out += "null";
  } else if (is_json(*v)) {
    // One line per record: JSON text from the serializer has no raw newlines outside whitespace.
    for (char c : *v) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  } else {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(v->data(), static_cast<rapidjson::SizeType>(v->size()));
    out.append(sb.GetString(), sb.GetSize());
  }
}

// Retried (a full disk, a file system remounted), except a closed stdout: its reader is gone for good.
Error io_error(const std::string& what, const std::string& path) {
  if (path == "-" && errno == EPIPE) {
    return Error::fatal("cannot write to stdout (sluice.sink.file.path=-): its reader closed it");
  }
  return Error::transient(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

}  // namespace

std::string file_line(const DirectMessage& m, bool value_only) {
  std::string out;
  if (value_only) {
    if (!m.value) return out;
    append_json(out, m.value);
  } else {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(m.topic.data(), static_cast<rapidjson::SizeType>(m.topic.size()));
    out += R"({"topic":)";
    out.append(sb.GetString(), sb.GetSize());
    out += R"(,"key":)";
    append_json(out, m.key);
    out += R"(,"value":)";
    append_json(out, m.value);
    out += '}';
  }
  out += '\n';
  return out;
}

FileSink::FileSink(FileSinkOptions options, DeliveryHandler* handler, int64_t max_queue, size_t max_batch)
    : DirectSink("file", handler, max_queue, max_batch,
                 RetryLimits{-1, std::chrono::milliseconds(500), std::chrono::milliseconds(10000)}),
      options_(std::move(options)) {
  start();
}

FileSink::~FileSink() {
  stop();
  disconnect();
}

void FileSink::disconnect() {
  if (file_ != nullptr && file_ != stdout) std::fclose(file_);
  file_ = nullptr;
}

Status FileSink::open() {
  if (options_.path == "-") {
    file_ = stdout;
    return ok_status();
  }
  file_ = std::fopen(options_.path.c_str(), "ab");
  if (file_ == nullptr) return io_error("cannot open sluice.sink.file.path", options_.path);
  std::error_code ec;
  auto size = std::filesystem::file_size(options_.path, ec);
  size_ = ec ? 0 : static_cast<int64_t>(size);
  return ok_status();
}

Status FileSink::rotate() {
  namespace fs = std::filesystem;
  disconnect();
  const fs::path path(options_.path);
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const std::string stem = path.filename().string() + ".";
  uint64_t next = 1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(stem)) continue;
    const std::string n = name.substr(stem.size());
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos) continue;
    next = std::max<uint64_t>(next, std::stoull(n) + 1);
  }
  const std::string target = fmt::format("{}.{}", options_.path, next);
  if (std::rename(options_.path.c_str(), target.c_str()) != 0)
    return io_error("cannot rotate", options_.path);
  return open();
}

DirectSink::Delivery FileSink::deliver(std::span<const DirectMessage> batch) {
  if (file_ == nullptr) {
    if (auto s = open(); !s) return s;
  }
  for (const auto& m : batch) {
    std::string line = file_line(m, options_.value_only);
    if (line.empty()) continue;
    if (options_.rotate_bytes > 0 && file_ != stdout && size_ > 0 &&
        size_ + static_cast<int64_t>(line.size()) > options_.rotate_bytes) {
      if (std::fflush(file_) != 0) return io_error("cannot write", options_.path);
      if (options_.fsync && ::fsync(fileno(file_)) != 0) return io_error("cannot fsync", options_.path);
      if (auto s = rotate(); !s) return s;
    }
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) {
      return io_error("cannot write", options_.path);
    }
    size_ += static_cast<int64_t>(line.size());
  }
  if (std::fflush(file_) != 0) return io_error("cannot write", options_.path);
  if (options_.fsync && file_ != stdout && ::fsync(fileno(file_)) != 0) {
    return io_error("cannot fsync", options_.path);
  }
  return ok_status();
}

std::unique_ptr<DirectSink> make_file_sink(const config::Config& config, DeliveryHandler* handler) {
  const auto& d = config.direct.file;
  module_logger("sink")->info("sink.type=file: JSON lines to {}{}", d.path == "-" ? "stdout" : d.path,
                              d.rotate_bytes > 0 ? fmt::format(", rotated at {} bytes", d.rotate_bytes) : "");
  FileSinkOptions o{d.path, d.rotate_bytes, d.fsync, d.value_only};
  return std::make_unique<FileSink>(o, handler, config.max_queue_size,
                                    static_cast<size_t>(config.max_batch_size));
}

}  // namespace sluice::sink
