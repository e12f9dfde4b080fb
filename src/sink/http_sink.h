// HttpSink (sink.type=http, Debezium Server's HttpChangeConsumer): POSTs each record's value, or with
// batch.enabled a JSON array of up to batch.max-size values, to debezium.sink.http.url through libcurl
// (TLS by OpenSSL). A 2xx answer acknowledges; anything else (or no answer within timeout.ms) is retried
// with capped exponential backoff. Each request carries an idempotency key <prefix>-<commit LSN>-<n> (of
// its first record), the same when sluice sends the record again, so a receiver can drop duplicates.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "config/config.h"
#include "config/direct_sink_config.h"
#include "sink/direct_sink.h"

namespace sluice::sink {

// The idempotency key of a record: <prefix>-<commit LSN as a decimal>-<index in its transaction>; records
// outside a streamed transaction (snapshot rows) use <prefix>-snapshot-<run id>-<seq>: unique, and never
// equal to an earlier run's (whose rows may differ), so a receiver never drops a row as a duplicate.
std::string idempotency_key(const std::string& prefix, const std::string& run_id, const DirectMessage& m);

// The body of one request: the value (tombstones: none), or a JSON array of the values with null for a
// tombstone.
std::string http_body(std::span<const DirectMessage> batch, bool as_array);

class HttpSink final : public DirectSink {
 public:
  HttpSink(config::HttpSinkConfig config, DeliveryHandler* handler, int64_t max_queue);
  ~HttpSink() override;

 private:
  Delivery deliver(std::span<const DirectMessage> batch) override;
  void disconnect() override;
  Delivery post(std::span<const DirectMessage> batch);

  struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
  };
  config::HttpSinkConfig config_;
  std::unique_ptr<CURL, CurlDeleter> curl_;
  std::string response_;
};

// The registry's maker (sink/registry.cpp): the http sink sink.type=http configures.
std::unique_ptr<DirectSink> make_http_sink(const config::Config& config, DeliveryHandler* handler);

}  // namespace sluice::sink
