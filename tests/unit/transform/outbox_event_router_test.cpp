// EventRouter (outbox pattern): routing, key, payload, additional fields, JSON expansion, bad options.
#include <gtest/gtest.h>

#include "transform/chain.h"
#include "transform/codec.h"
#include "transform/debezium/outbox_event_router.h"

namespace sluice::transform {
namespace {

using Props = std::map<std::string, std::string>;

const char* kRow =
    R"({"type":"struct","fields":[)"
    R"({"type":"string","optional":false,"name":"io.debezium.data.Uuid","version":1,"field":"id"},)"
    R"({"type":"string","optional":false,"field":"aggregatetype"},)"
    R"({"type":"string","optional":false,"field":"aggregateid"},)"
    R"({"type":"string","optional":false,"field":"type"},)"
    R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"payload"},)"
    R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"ts"},)"
    R"({"type":"int32","optional":true,"field":"v"}],"optional":true,"name":"p.s.outbox.Value","field":"%s"})";

std::string envelope(const std::string& op, const std::string& after, const std::string& before = "null") {
  std::string row_before = kRow, row_after = kRow;
  row_before.replace(row_before.find("%s"), 2, "before");
  row_after.replace(row_after.find("%s"), 2, "after");
  return R"({"schema":{"type":"struct","fields":[)" + row_before + "," + row_after +
         R"(,{"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"}],)"
         R"("optional":false,"name":"p.s.outbox.Envelope","version":2},"payload":{"before":)" +
         before + R"(,"after":)" + after + R"(,"op":")" + op + R"(","ts_ms":1700000000123}})";
}

std::string row(const std::string& type, const std::string& payload, const std::string& id = "o-1") {
  return R"({"id":"5b0c3f0e-0000-4000-8000-000000000001","aggregatetype":")" + type + R"(","aggregateid":")" +
         id + R"(","type":"Created","payload":)" + payload + R"(,"ts":1700000000123456,"v":3})";
}

Result<std::shared_ptr<Chain>> chain_of(const Props& options) {
  Props p = {{"transforms", "outbox"},
             {"transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter"}};
  for (const auto& [k, v] : options) p["transforms.outbox." + k] = v;
  std::set<std::string> used;
  return Chain::create(p, used);
}

struct Applied {
  Result<bool> kept = true;
  Record record;
};

Applied route_one(Chain& chain, const std::string& value) {
  Codec codec;
  Applied a;
  a.record.topic = "p.s.outbox";
  a.record.key = **codec.decode(std::string_view(R"({"schema":{"type":"struct","fields":[]},"payload":{}})"));
  a.record.value = **codec.decode(std::string_view(value));
  a.kept = chain.apply(a.record);
  return a;
}

std::string text(const std::optional<Data>& d, bool schemas = true) {
  auto v = Codec::encode(d, schemas);
  return v ? *v : "<null>";
}

std::shared_ptr<Chain> make(const Props& options) {
  auto c = chain_of(options);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? *c : nullptr;
}

TEST(EventRouter, DefaultsRouteByAggregateTypeKeyByAggregateIdValueIsThePayload) {
  auto chain = make({});
  auto a = route_one(*chain, envelope("c", row("Order", R"("{\"a\": 1}")")));
  ASSERT_TRUE(a.kept.ok() && *a.kept) << (a.kept.ok() ? "" : a.kept.error().message);
  EXPECT_EQ(a.record.topic, "outbox.event.Order");
  EXPECT_EQ(text(a.record.key), R"({"schema":{"type":"string","optional":false},"payload":"o-1"})");
  EXPECT_EQ(text(a.record.value),
            R"({"schema":{"type":"string","optional":true,"name":"io.debezium.data.Json","version":1},)"
            R"("payload":"{\"a\": 1}"})");
  ASSERT_EQ(a.record.headers.size(), 1u);
  EXPECT_EQ(a.record.headers[0].name, "id");
  EXPECT_EQ(a.record.headers[0].value, "5b0c3f0e-0000-4000-8000-000000000001");
  // A snapshot read is routed as a create.
  auto r = route_one(*chain, envelope("r", row("Customer", R"("{}")", "c-9")));
  ASSERT_TRUE(r.kept.ok() && *r.kept);
  EXPECT_EQ(r.record.topic, "outbox.event.Customer");
}

TEST(EventRouter, DeletesTombstonesAndUpdatesAreDroppedOtherRecordsPass) {
  auto chain = make({});
  auto d = route_one(*chain, envelope("d", "null", row("Order", "null")));
  ASSERT_TRUE(d.kept.ok());
  EXPECT_FALSE(*d.kept);
  auto u = route_one(*chain, envelope("u", row("Order", "null"), row("Order", "null")));
  ASSERT_TRUE(u.kept.ok());
  EXPECT_FALSE(*u.kept);
  Record tomb;
  tomb.topic = "p.s.outbox";
  auto t = chain->apply(tomb);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(*t);
  Codec codec;
  Record heartbeat;
  heartbeat.topic = "__debezium-heartbeat.p";
  heartbeat.value = **codec.decode(std::string_view(
      R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"ts_ms"}],)"
      R"("optional":false,"name":"io.debezium.connector.common.Heartbeat"},"payload":{"ts_ms":1}})"));
  auto h = chain->apply(heartbeat);
  ASSERT_TRUE(h.ok() && *h);
  EXPECT_EQ(heartbeat.topic, "__debezium-heartbeat.p");

  auto fatal = make({{"table.op.invalid.behavior", "fatal"}});
  auto f = route_one(*fatal, envelope("u", row("Order", "null"), row("Order", "null")));
  ASSERT_FALSE(f.kept.ok());
  EXPECT_NE(f.kept.error().message.find("Unexpected update"), std::string::npos);
}

TEST(EventRouter, AdditionalFieldsInTheEnvelopeAndHeaders) {
  auto chain = make(
      {{"table.fields.additional.placement", "type:envelope:eventType,v:header, aggregateid:header:agg"}});
  auto a = route_one(*chain, envelope("c", row("Order", R"("{\"a\": 1}")")));
  ASSERT_TRUE(a.kept.ok() && *a.kept) << (a.kept.ok() ? "" : a.kept.error().message);
  EXPECT_EQ(
      text(a.record.value),
      R"({"schema":{"type":"struct","fields":[)"
      R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"payload"},)"
      R"({"type":"string","optional":false,"field":"eventType"}],"optional":false,)"
      R"("name":"p.s.outbox.Order.Value"},"payload":{"payload":"{\"a\": 1}","eventType":"Created"}})");
  ASSERT_EQ(a.record.headers.size(), 3u);
  EXPECT_EQ(a.record.headers[1].name, "v");
  EXPECT_EQ(a.record.headers[1].value, "3");
  EXPECT_EQ(a.record.headers[2].name, "agg");
  EXPECT_EQ(a.record.headers[2].value, "o-1");
  // Debezium caches the value schema by the payload schema alone: a second aggregate type with the same
  // payload schema keeps the first one's schema name.
  auto b = route_one(*chain, envelope("c", row("Customer", R"("{}")")));
  ASSERT_TRUE(b.kept.ok() && *b.kept);
  EXPECT_EQ(b.record.topic, "outbox.event.Customer");
  EXPECT_NE(text(b.record.value).find(R"("name":"p.s.outbox.Order.Value")"), std::string::npos);

  auto missing = make({{"table.fields.additional.placement", "nope:envelope"}});
  auto m = route_one(*missing, envelope("c", row("Order", R"("{}")")));
  ASSERT_FALSE(m.kept.ok());
  EXPECT_NE(m.kept.error().message.find("Unable to find field nope"), std::string::npos);
  auto ignored = make({{"table.fields.additional.placement", "nope:envelope,type:envelope"},
                       {"table.field.additional.missing", "ignore"}});
  auto i = route_one(*ignored, envelope("c", row("Order", R"("{}")")));
  ASSERT_TRUE(i.kept.ok() && *i.kept);
  EXPECT_EQ(text(i.record.value, false), R"({"payload":"{}","type":"Created"})");
}

TEST(EventRouter, TopicRegexReplacementAndSchemaVersion) {
  auto chain = make({{"route.topic.regex", "(?<t>[A-Z])(.*)"},
                     {"route.topic.replacement", "events.${t}_$2"},
                     {"route.by.field", "type"},
                     {"table.field.event.key", "id"},
                     {"table.field.event.schema.version", "v"},
                     {"table.fields.additional.placement", "aggregatetype:envelope"}});
  auto a = route_one(*chain, envelope("c", row("Order", R"("{}")")));
  ASSERT_TRUE(a.kept.ok() && *a.kept) << (a.kept.ok() ? "" : a.kept.error().message);
  EXPECT_EQ(a.record.topic, "events.C_reated");
  EXPECT_EQ(text(a.record.key),
            R"({"schema":{"type":"string","optional":false,"name":"io.debezium.data.Uuid","version":1},)"
            R"("payload":"5b0c3f0e-0000-4000-8000-000000000001"})");
  EXPECT_NE(text(a.record.value).find(R"("name":"p.s.outbox.Created.Value","version":3})"),
            std::string::npos);
}

TEST(EventRouter, PartitionAndTimestampOfTheRecord) {
  auto chain = make({{"table.fields.additional.placement", "v:partition"}});
  auto a = route_one(*chain, envelope("c", row("Order", "null")));
  ASSERT_TRUE(a.kept.ok() && *a.kept) << (a.kept.ok() ? "" : a.kept.error().message);
  EXPECT_EQ(a.record.partition, 3);
  EXPECT_EQ(a.record.timestamp_ms, 1700000000123);  // the envelope's ts_ms
  auto ts = make({{"table.field.event.timestamp", "ts"}});
  auto b = route_one(*ts, envelope("c", row("Order", "null")));
  ASSERT_TRUE(b.kept.ok() && *b.kept);
  EXPECT_EQ(b.record.timestamp_ms, 1700000000123);  // MicroTimestamp 1700000000123456 / 1000
  EXPECT_FALSE(b.record.partition.has_value());
  auto bad = make({{"table.fields.additional.placement", "type:partition"}});
  auto c = route_one(*bad, envelope("c", row("Order", "null")));
  ASSERT_FALSE(c.kept.ok());  // not an int32 column
}

TEST(EventRouter, LaterTransformsSeeTheRecordTimestamp) {
  Props p = {{"transforms", "outbox,insert,route"},
             {"transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter"},
             {"transforms.outbox.table.fields.additional.placement", "type:envelope,v:partition"},
             {"transforms.insert.type", "org.apache.kafka.connect.transforms.InsertField$Value"},
             {"transforms.insert.timestamp.field", "at!"},
             {"transforms.insert.partition.field", "part"},
             {"transforms.route.type", "org.apache.kafka.connect.transforms.TimestampRouter"},
             {"transforms.route.timestamp.format", "yyyy-MM-dd'T'HH"}};
  std::set<std::string> used;
  auto chain = Chain::create(p, used);
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  auto a = route_one(**chain, envelope("c", row("Order", R"("{}")")));
  ASSERT_TRUE(a.kept.ok() && *a.kept) << (a.kept.ok() ? "" : a.kept.error().message);
  EXPECT_EQ(a.record.topic, "outbox.event.Order-2023-11-14T22");  // ts_ms 1700000000123
  EXPECT_EQ(text(a.record.value, false),
            R"({"payload":"{}","type":"Created","part":3,"at":1700000000123})");  // Connect's order
}

TEST(EventRouter, EmptyPayloadTombstoneOnlyWhenAsked) {
  auto plain = make({});
  auto a = route_one(*plain, envelope("c", row("Order", "null")));
  ASSERT_TRUE(a.kept.ok() && *a.kept);
  EXPECT_EQ(text(a.record.value, false), "null");
  EXPECT_TRUE(a.record.value.has_value());
  auto tomb = make({{"route.tombstone.on.empty.payload", "true"}});
  auto b = route_one(*tomb, envelope("c", row("Order", "null")));
  ASSERT_TRUE(b.kept.ok() && *b.kept);
  EXPECT_FALSE(b.record.value.has_value());
  auto blank = route_one(*tomb, envelope("c", row("Order", R"("  ")")));
  ASSERT_TRUE(blank.kept.ok() && *blank.kept);
  EXPECT_FALSE(blank.record.value.has_value());
  EXPECT_EQ(text(blank.record.key, false), R"("o-1")");
}

TEST(EventRouter, ExpandsJsonPayloadAsJsonSchemaDataInfers) {
  auto chain =
      make({{"table.expand.json.payload", "true"}, {"table.fields.additional.placement", "type:envelope"}});
  auto a = route_one(
      *chain,
      envelope(
          "c",
          row("Order",
              R"("{\"a\": 1, \"b\": [1, 2], \"c\": {\"d\": \"x\"}, \"e\": null, \"f\": 1.50, \"g\": [], \"h\": 5000000000, \"i\": [{\"x\": 1}, {\"y\": true}]}")")));
  ASSERT_TRUE(a.kept.ok() && *a.kept) << (a.kept.ok() ? "" : a.kept.error().message);
  EXPECT_EQ(
      text(a.record.value),
      R"({"schema":{"type":"struct","fields":[{"type":"struct","fields":[)"
      R"({"type":"int32","optional":true,"field":"a"},)"
      R"({"type":"array","items":{"type":"int32","optional":true},"optional":true,"field":"b"},)"
      R"({"type":"struct","fields":[{"type":"string","optional":true,"field":"d"}],"optional":true,)"
      R"("name":"payload.c","field":"c"},)"
      R"({"type":"double","optional":true,"field":"f"},{"type":"int64","optional":true,"field":"h"},)"
      R"({"type":"array","items":{"type":"struct","fields":[{"type":"int32","optional":true,"field":"x"},)"
      R"({"type":"boolean","optional":true,"field":"y"}],"optional":false,"name":"payload.i"},)"
      R"("optional":true,"field":"i"}],"optional":true,"name":"payload","field":"payload"},)"
      R"({"type":"string","optional":false,"field":"type"}],"optional":false,"name":"p.s.outbox.Order.Value"},)"
      R"("payload":{"payload":{"a":1,"b":[1,2],"c":{"d":"x"},"f":1.5,"h":5000000000,)"
      R"("i":[{"x":1,"y":null},{"x":null,"y":true}]},"type":"Created"}})");
  // Not JSON (or a mixed array): Debezium warns and keeps the string.
  auto s = route_one(*chain, envelope("c", row("Order", R"("plain text")")));
  ASSERT_TRUE(s.kept.ok() && *s.kept);
  EXPECT_EQ(text(s.record.value, false), R"({"payload":"plain text","type":"Created"})");
  auto mixed = route_one(*chain, envelope("c", row("Order", R"("{\"m\": [1, \"x\"]}")")));
  ASSERT_TRUE(mixed.kept.ok() && *mixed.kept);
  EXPECT_EQ(text(mixed.record.value, false), R"({"payload":"{\"m\": [1, \"x\"]}","type":"Created"})");
  // Options that keep nulls and empty arrays.
  auto keep = make({{"table.expand.json.payload", "true"},
                    {"table.json.payload.null.behavior", "optional_bytes"},
                    {"table.json.payload.empty.array.behavior", "optional_string"}});
  auto k = route_one(*keep, envelope("c", row("Order", R"("{\"e\": null, \"g\": []}")")));
  ASSERT_TRUE(k.kept.ok() && *k.kept);
  EXPECT_EQ(text(k.record.value),
            R"({"schema":{"type":"struct","fields":[{"type":"bytes","optional":true,"field":"e"},)"
            R"({"type":"array","items":{"type":"string","optional":true},"optional":true,"field":"g"}],)"
            R"("optional":true,"name":"payload"},"payload":{"e":null,"g":[]}})");
}

TEST(EventRouter, RecordErrorsNameTheColumn) {
  auto no_payload = make({{"table.field.event.payload", "body"}});
  auto a = route_one(*no_payload, envelope("c", row("Order", "null")));
  ASSERT_FALSE(a.kept.ok());
  EXPECT_NE(a.kept.error().message.find("Unable to find payload field body"), std::string::npos);
  auto bad_ts = make({{"table.field.event.timestamp", "type"}});
  auto b = route_one(*bad_ts, envelope("c", row("Order", "null")));
  ASSERT_FALSE(b.kept.ok());
  EXPECT_NE(b.kept.error().message.find("type"), std::string::npos);
  auto ts = make({{"table.field.event.timestamp", "ts"}});
  auto c = route_one(*ts, envelope("c", row("Order", "null")));
  EXPECT_TRUE(c.kept.ok() && *c.kept);
}

TEST(EventRouter, BadOptionsAreRejectedNamingTheKey) {
  struct Case {
    Props props;
    const char* needle;
  };
  const Case cases[] = {
      {{{"table.fields.additional.placement", "type"}},
       "transforms.outbox.table.fields.additional.placement"},
      {{{"table.fields.additional.placement", "type:body"}}, "type:body"},
      {{{"table.op.invalid.behavior", "explode"}}, "transforms.outbox.table.op.invalid.behavior"},
      {{{"table.field.additional.missing", "maybe"}}, "transforms.outbox.table.field.additional.missing"},
      {{{"route.tombstone.on.empty.payload", "yes"}}, "transforms.outbox.route.tombstone.on.empty.payload"},
      {{{"route.topic.regex", "(unclosed"}}, "transforms.outbox.route.topic.regex"},
      {{{"route.topic.replacement", "x.${nope}"}}, "transforms.outbox.route.topic.replacement"},
      {{{"table.json.payload.null.behavior", "keep"}}, "transforms.outbox.table.json.payload.null.behavior"},
      {{{"table.field.event.id", ""}}, "transforms.outbox.table.field.event.id"},
      {{{"route.by.fields", "x"}}, "transforms.outbox.route.by.fields"},
  };
  for (const auto& c : cases) {
    auto chain = chain_of(c.props);
    ASSERT_FALSE(chain.ok()) << c.needle;
    EXPECT_NE(chain.error().message.find(c.needle), std::string::npos) << chain.error().message;
  }
}

}  // namespace
}  // namespace sluice::transform
