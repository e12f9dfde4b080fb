// NatsSink: one connection (no client-side reconnect: a failure drops it and the batch is published again
// on a new one, deduplicated by Nats-Msg-Id within the stream's duplicate window).
#include "sink/nats_sink.h"

#include <fmt/format.h>
#include <nats/nats.h>

#include <vector>

#include "common/log.h"
#include "sink/http_sink.h"  // idempotency_key

namespace sluice::sink {

namespace {
std::string nats_error(natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0)) {
  std::string msg = natsStatus_GetText(s);
  const char* last = nats_GetLastError(nullptr);
  if (last != nullptr && *last != '\0' && msg != last) msg += std::string(": ") + last;
  if (jerr != 0) msg += fmt::format(" (JetStream error {})", static_cast<int>(jerr));
  return msg;
}
}  // namespace

NatsSink::NatsSink(config::NatsSinkConfig config, std::string id_prefix, DeliveryHandler* handler,
                   int64_t max_queue)
    : DirectSink("nats", handler, max_queue, 256,
                 RetryLimits{config.retries, std::chrono::milliseconds(config.retry_interval_ms),
                             std::chrono::milliseconds(config.retry_max_interval_ms)}),
      config_(std::move(config)),
      id_prefix_(std::move(id_prefix)) {
  start();
}

NatsSink::~NatsSink() {
  stop();
  disconnect();
}

void NatsSink::disconnect() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  js_ = nullptr;
  if (nc_ != nullptr) natsConnection_Destroy(nc_);
  nc_ = nullptr;
}

Status NatsSink::connect() {
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, config_.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts, false);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, config_.timeout_ms);
  // Publish acknowledgements come back on inboxes _INBOX.<id>.<n>: three tokens, which the default stream
  // subjects *.*.* would capture as events. Five tokens match no <prefix>.<schema>.<table> pattern.
  if (s == NATS_OK) s = natsOptions_SetCustomInboxPrefix(opts, "_INBOX.sluice.ack");
  if (s == NATS_OK && !config_.user.empty()) {
    s = natsOptions_SetUserInfo(opts, config_.user.c_str(), config_.password.c_str());
  }
  if (s == NATS_OK) s = natsConnection_Connect(&nc_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    disconnect();
    if (s == NATS_NOT_PERMITTED || s == NATS_CONNECTION_AUTH_FAILED) {
      return Error::fatal(fmt::format("nats {}: {}: check debezium.sink.nats-jetstream.auth.user / .password",
                                      config_.url, nats_error(s)));
    }
    return Error::transient(fmt::format("nats {}: {}", config_.url, nats_error(s)));
  }
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = config_.timeout_ms;
  s = natsConnection_JetStream(&js_, nc_, &jo);
  if (s != NATS_OK) {
    disconnect();
    return Error::transient(fmt::format("nats {}: JetStream: {}", config_.url, nats_error(s)));
  }
  if (config_.create_stream) {
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    s = js_GetStreamInfo(&si, js_, config_.stream_name.c_str(), nullptr, &jerr);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(si);
    } else if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
      std::vector<std::string> subjects;
      for (size_t b = 0; b <= config_.subjects.size();) {
        auto e = config_.subjects.find(',', b);
        if (e == std::string::npos) e = config_.subjects.size();
        if (e > b) subjects.push_back(config_.subjects.substr(b, e - b));
        b = e + 1;
      }
      std::vector<const char*> subj;
      for (const auto& x : subjects) subj.push_back(x.c_str());
      jsStreamConfig sc;
      jsStreamConfig_Init(&sc);
      sc.Name = config_.stream_name.c_str();
      sc.Subjects = subj.data();
      sc.SubjectsLen = static_cast<int>(subj.size());
      sc.Storage = config_.file_storage ? js_FileStorage : js_MemoryStorage;
      jerr = static_cast<jsErrCode>(0);
      s = js_AddStream(&si, js_, &sc, nullptr, &jerr);
      if (s != NATS_OK) {
        std::string msg = nats_error(s, jerr);
        disconnect();
        return Error::transient(
            fmt::format("nats {}: cannot create stream {}: {}", config_.url, config_.stream_name, msg));
      }
      jsStreamInfo_Destroy(si);
    } else {
      std::string msg = nats_error(s, jerr);
      disconnect();
      return Error::transient(fmt::format("nats {}: stream {}: {}", config_.url, config_.stream_name, msg));
    }
  }
  return ok_status();
}

DirectSink::Delivery NatsSink::deliver(std::span<const DirectMessage> batch) {
  if (js_ == nullptr) {
    if (auto st = connect(); !st) return st;
  }
  for (const auto& m : batch) {
    if (!m.value) continue;  // a tombstone: Debezium's NATS consumer publishes values only
    natsMsg* msg = nullptr;
    natsStatus s =
        natsMsg_Create(&msg, m.topic.c_str(), nullptr, m.value->data(), static_cast<int>(m.value->size()));
    for (const auto& h : m.headers) {
      if (s == NATS_OK) s = natsMsgHeader_Add(msg, h.name.c_str(), h.value.c_str());
    }
    const std::string id = idempotency_key(id_prefix_, run_id(), m);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id.c_str();
    po.MaxWait = config_.timeout_ms;
    jsPubAck* ack = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    if (s == NATS_OK) s = js_PublishMsg(&ack, js_, msg, &po, &jerr);
    natsMsg_Destroy(msg);
    if (ack != nullptr) jsPubAck_Destroy(ack);
    if (s != NATS_OK) {
      if (s == NATS_NO_RESPONDERS || jerr == JSStreamNotFoundErr) {
        // No stream takes the subject (yet): retried, so that creating the stream resumes delivery.
        return Error::transient(
            fmt::format("nats publish {}: no JetStream stream takes the subject "
                        "(create one, or set debezium.sink.nats-jetstream.create-stream=true)",
                        m.topic));
      }
      return Error::transient(fmt::format("nats publish {}: {}", m.topic, nats_error(s, jerr)));
    }
  }
  return ok_status();
}

std::unique_ptr<DirectSink> make_nats_sink(const config::Config& config, DeliveryHandler* handler) {
  const auto& d = config.direct.nats;
  module_logger("sink")->info("sink.type=nats: JetStream publish to {}", d.url);
  return std::make_unique<NatsSink>(d, config.topic_prefix, handler, config.max_queue_size);
}

}  // namespace sluice::sink
