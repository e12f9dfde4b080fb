// Shared helpers of the connector's unit tests: tuple values, a captured table's schema, a serializer
// without schemas (payloads only), and a sink that keeps what it is given and acknowledges on request.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decode/pgoutput.h"
#include "event/json_serializer.h"
#include "event/pg_types.h"
#include "event/table_schema.h"
#include "sink/sink.h"

namespace sluice::connector::testing {

inline decode::TupleValue text(std::string_view v) {
  return {decode::TupleValue::Kind::kText, v};
}
inline decode::TupleValue null() {
  return {decode::TupleValue::Kind::kNull, {}};
}
inline decode::TupleValue unchanged_toast() {
  return {decode::TupleValue::Kind::kUnchangedToast, {}};
}

constexpr uint32_t kCustomersOid = 16385;

// public.customers (id int4 primary key, name text, bio text), with the given replica identity.
inline std::shared_ptr<const event::TableSchema> customers(char replica_identity = 'd') {
  event::TableInfo info{Oid{kCustomersOid},
                        "public",
                        "customers",
                        replica_identity,
                        {{"id", Oid{event::pgtype::kInt4}, -1, false, true},
                         {"name", Oid{event::pgtype::kText}, -1, true, false},
                         {"bio", Oid{event::pgtype::kText}, -1, true, false}}};
  auto r = event::TableSchema::build(info, "srv", {});
  EXPECT_TRUE(r.ok());
  return *r;
}

// The Relation message pgoutput sends for customers().
inline decode::Relation customers_relation(char replica_identity = 'd') {
  decode::Relation rel;
  rel.oid = Oid{kCustomersOid};
  rel.nspname = "public";
  rel.relname = "customers";
  rel.replica_identity = replica_identity;
  rel.columns = {{1, "id", Oid{event::pgtype::kInt4}, -1},
                 {0, "name", Oid{event::pgtype::kText}, -1},
                 {0, "bio", Oid{event::pgtype::kText}, -1}};
  return rel;
}

inline event::SerializerOptions payload_only() {
  event::SerializerOptions o;
  o.server_name = "srv";
  o.database = "db";
  o.version = "3.4.3.Final";
  o.key_schemas_enable = false;
  o.value_schemas_enable = false;
  return o;
}

// A sink that records every message and acknowledges them when the test says so.
class RecordingSink final : public sink::Sink {
 public:
  struct Message {
    std::string topic;
    std::optional<std::string> key;
    std::optional<std::string> value;
    uint64_t opaque = 0;
    std::vector<sink::KafkaHeader> headers;
  };

  void set_handler(sink::DeliveryHandler* handler) { handler_ = handler; }

  Status produce(const std::string& topic, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, uint64_t opaque,
                 const std::vector<sink::KafkaHeader>& headers, const std::function<bool()>&) override {
    if (refuse) return Error::data("refused by the test");
    Message m{topic, std::nullopt, std::nullopt, opaque, headers};
    if (key) m.key = std::string(*key);
    if (value) m.value = std::string(*value);
    produced.push_back(std::move(m));
    ++pending_;
    return ok_status();
  }
  int poll(int) override { return 0; }
  bool flush(int) override { return true; }
  int out_queue_len() const override { return pending_; }
  Status ensure_topic(const std::string& topic, int) override {
    topics.push_back(topic);
    return ok_status();
  }

  // Reports message i delivered (error null) or failed.
  void deliver(size_t i, const char* error = nullptr) {
    ASSERT_LT(i, produced.size());
    --pending_;
    handler_->on_delivery(produced[i].opaque, produced[i].topic, error);
  }

  std::vector<Message> produced;
  std::vector<std::string> topics;
  bool refuse = false;

 private:
  sink::DeliveryHandler* handler_ = nullptr;
  int pending_ = 0;
};

}  // namespace sluice::connector::testing
