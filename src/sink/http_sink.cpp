// HttpSink: one libcurl easy handle, reused (keep-alive) until a failure; Debezium Server's header layout
// (record headers as <headers.prefix><NAME>, base64 unless headers.encode.base64=false).
#include "sink/http_sink.h"

#include <fmt/format.h>

#include <mutex>

#include "common/base64.h"
#include "common/log.h"

namespace sluice::sink {

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() < 4096) out->append(data, std::min<size_t>(size * n, 4096 - out->size()));
  return size * n;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::string idempotency_key(const std::string& prefix, const std::string& run_id, const DirectMessage& m) {
  if (m.position) return fmt::format("{}-{}-{}", prefix, m.position->commit_lsn.value(), m.position->index);
  return fmt::format("{}-snapshot-{}-{}", prefix, run_id, m.seq);
}

std::string http_body(std::span<const DirectMessage> batch, bool as_array) {
  if (!as_array) return batch.empty() || !batch.front().value ? std::string() : *batch.front().value;
  std::string body = "[";
  for (const auto& m : batch) {
    if (body.size() > 1) body += ',';
    body += m.value ? *m.value : std::string("null");
  }
  body += ']';
  return body;
}

HttpSink::HttpSink(config::HttpSinkConfig config, DeliveryHandler* handler, int64_t max_queue)
    : DirectSink("http", handler, max_queue, config.batch ? static_cast<size_t>(config.batch_max_size) : 64,
                 RetryLimits{config.retries, std::chrono::milliseconds(config.retry_interval_ms),
                             std::chrono::milliseconds(config.retry_max_interval_ms)}),
      config_(std::move(config)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  start();
}

HttpSink::~HttpSink() {
  stop();
}

void HttpSink::disconnect() {
  curl_.reset();
}

DirectSink::Delivery HttpSink::deliver(std::span<const DirectMessage> batch) {
  if (config_.batch) return post(batch);
  // One request per record, in order; the batch is only the delivery thread's unit of work. A failure
  // retries from the failed record: the ones before were acknowledged (and keep their idempotency keys).
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].value) continue;  // a tombstone: Debezium's HTTP consumer sends values only
    if (auto st = post(batch.subspan(i, 1)); !st) return st;
  }
  return ok_status();
}

DirectSink::Delivery HttpSink::post(std::span<const DirectMessage> batch) {
  if (!curl_) {
    curl_.reset(curl_easy_init());
    if (!curl_) return Error::transient("http sink: curl_easy_init failed");
  }
  CURL* c = curl_.get();
  const std::string body = http_body(batch, config_.batch);
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add = [&](const std::string& h) { headers.reset(curl_slist_append(headers.release(), h.c_str())); };
  add("Content-Type: application/json");
  add("Expect:");  // no 100-continue round trip
  if (!config_.idempotency_header.empty()) {
    add(fmt::format("{}: {}", config_.idempotency_header,
                    idempotency_key(config_.idempotency_prefix, run_id(), batch.front())));
  }
  if (config_.batch) add(fmt::format("X-Sluice-Batch-Size: {}", batch.size()));
  if (!config_.batch) {
    const auto& m = batch.front();
    for (const auto& h : m.headers) {
      add(fmt::format("{}{}: {}", config_.headers_prefix, upper(h.name),
                      config_.headers_encode_base64 ? base64_encode(h.value) : h.value));
    }
  }
  for (const auto& [name, value] : config_.static_headers) add(fmt::format("{}: {}", name, value));
  if (config_.auth == "bearer") add("Authorization: Bearer " + config_.bearer_token);

  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, config_.url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(config_.timeout_ms, 10000)));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response_);
  if (config_.auth == "basic") {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(c, CURLOPT_USERNAME, config_.basic_user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, config_.basic_password.c_str());
  }
  if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (!config_.verify_tls) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  response_.clear();
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    return Error::transient(fmt::format("POST {}: {}", config_.url, curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return ok_status();
  std::string excerpt = response_.substr(0, 200);
  return Error::transient(
      fmt::format("POST {}: HTTP {}{}{}", config_.url, status, excerpt.empty() ? "" : ": ", excerpt));
}

std::unique_ptr<DirectSink> make_http_sink(const config::Config& config, DeliveryHandler* handler) {
  const auto& d = config.direct.http;
  module_logger("sink")->info("sink.type=http: POST to {}{}", d.url, d.batch ? " (JSON array batches)" : "");
  return std::make_unique<HttpSink>(d, handler, config.max_queue_size);
}

}  // namespace sluice::sink
