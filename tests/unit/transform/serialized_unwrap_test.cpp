// The transforms fast paths give the bytes the generic chain gives. Generic: the serializer writes every
// record with schemas, transform::ChainRunner decodes it, applies the whole chain and encodes it in the
// converters' form. Fast: transform::Chain::take_serialized_unwrap moves a leading ExtractNewRecordState into
// the serializer (SerializerOptions::unwrap), which writes the records in the converters' form, and the rest
// of the chain passes their bytes through. Compared over a wide set of records: every type of the value
// converter tests, inserts/updates/deletes (key-only and full old rows)/truncates/snapshot reads, tables with
// and without key, tombstones, heartbeats, transaction metadata and logical decoding messages, schemas on
// and off.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "event/heartbeat.h"
#include "event/json_serializer.h"
#include "event/logical_message.h"
#include "event/pg_types.h"
#include "event/transaction_metadata.h"
#include "transform/chain.h"
#include "transform/chain_runner.h"

namespace sluice::event {
namespace {

namespace pt = pgtype;
using Kind = decode::TupleValue::Kind;
using Props = std::map<std::string, std::string>;

decode::TupleValue text(std::string_view v) {
  return {Kind::kText, v};
}
decode::TupleValue null() {
  return {Kind::kNull, {}};
}
decode::TupleValue toast() {
  return {Kind::kUnchangedToast, {}};
}

int32_t numeric_typmod(int32_t p, int32_t s) {
  return ((p << 16) | s) + 4;
}

// Every column kind the value converter tests cover, one column each (pg_lsn has no Debezium mapping and is
// dropped from the schema), with a NOT NULL column, a default and a composite key.
std::shared_ptr<const TableSchema> wide_table() {
  std::vector<ColumnInfo> cols = {
      {"id", Oid{pt::kInt8}, -1, false, true, 2},
      {"region", Oid{pt::kVarchar}, 4 + 8, false, true, 1},
      {"i2", Oid{pt::kInt2}},
      {"i4", Oid{pt::kInt4}, -1, false},
      {"oid", Oid{pt::kOid}},
      {"flag", Oid{pt::kBool}},
      {"f4", Oid{pt::kFloat4}},
      {"f8", Oid{pt::kFloat8}},
      {"f8nan", Oid{pt::kFloat8}},
      {"txt", Oid{pt::kText}},
      {"bp", Oid{pt::kBpchar}, 9},
      {"uid", Oid{pt::kUuid}},
      {"js", Oid{pt::kJson}},
      {"jsb", Oid{pt::kJsonb}},
      {"doc", Oid{pt::kXml}},
      {"raw", Oid{pt::kBytea}},
      {"amount", Oid{pt::kNumeric}, numeric_typmod(10, 2)},
      {"ratio", Oid{pt::kNumeric}},
      {"price", Oid{pt::kMoney}},
      {"day", Oid{pt::kDate}},
      {"at", Oid{pt::kTime}},
      {"attz", Oid{pt::kTimetz}},
      {"ts", Oid{pt::kTimestamp}},
      {"tstz", Oid{pt::kTimestamptz}},
      {"span", Oid{pt::kInterval}},
      {"tags", Oid{pt::kTextArray}},
      {"nums", Oid{pt::kInt4Array}},
      {"addr", Oid{pt::kInet}},
      {"pos", Oid{pt::kPoint}},
      {"bits", Oid{pt::kBit}, 5},
      {"rng", Oid{pt::kInt4range}},
      {"lsn", Oid{3220}},
      {"note", Oid{pt::kText}},
  };
  cols[3].default_expr = "42";
  TableInfo info{Oid{16400}, "public", "wide", 'd', cols};
  auto r = TableSchema::build(info, "myserver", {});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return *r;
}

std::vector<decode::TupleValue> wide_row(std::string_view id, std::string_view note) {
  return {text(id),
          text("eu"),
          text("-32768"),
          text("2147483647"),
          text("4294967295"),
          text("t"),
          text("1.2345678e+07"),
          text("1e+300"),
          text("NaN"),
          text("tab\tquote\"back\\slash\x01 \xc3\xa9 \xf0\x9f\x98\x80"),
          text("ab   "),
          text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
          text(R"({"a": [1, 2.50]})"),
          text(R"({"k": {"n": null}})"),
          text("<a>b</a>"),
          text("\\x0a0bff"),
          text("1234.50"),
          text("-0.0010"),
          text("$1,234.50"),
          text("2024-02-29"),
          text("10:11:12.5"),
          text("10:11:12.123+05:30"),
          text("2024-05-01 10:11:12.123456"),
          text("2024-05-01 10:11:12+00"),
          text("1 year 2 mons 3 days 04:05:06.789"),
          text(R"({a,"b c",NULL})"),
          text("{1,2,3}"),
          text("10.0.0.1/8"),
          text("(1.5,-2)"),
          text("10101"),
          text("[1,5)"),
          text("0/16B3748"),
          text(note)};
}

// public.plain (id int4 primary key, __deleted text): a column named like the field the rewrite modes add.
std::shared_ptr<const TableSchema> deleted_column_table() {
  TableInfo info{Oid{16401},
                 "public",
                 "plain",
                 'd',
                 {{"id", Oid{pt::kInt4}, -1, false, true}, {"__deleted", Oid{pt::kText}}}};
  auto r = TableSchema::build(info, "myserver", {});
  EXPECT_TRUE(r.ok());
  return *r;
}

// public.audit (msg text): no primary key, so no Kafka key.
std::shared_ptr<const TableSchema> keyless_table() {
  TableInfo info{Oid{16402}, "public", "audit", 'd', {{"msg", Oid{pt::kText}}}};
  auto r = TableSchema::build(info, "myserver", {});
  EXPECT_TRUE(r.ok());
  return *r;
}

Source source(std::string_view snapshot = "false") {
  Source s;
  s.snapshot = snapshot;
  s.ts_us = 1714558272123456;
  s.tx_id = 767;
  s.lsn = Lsn(24023128);
  s.last_commit_lsn = Lsn(24022960);
  return s;
}

// A record as the sink would send it, or dropped.
struct Sent {
  bool dropped = false;
  std::string topic;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<int32_t> partition;
  std::optional<int64_t> timestamp_ms;
  bool operator==(const Sent&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Sent& s) {
  if (s.dropped) return os << "(dropped)";
  os << "topic=" << s.topic << " key=" << s.key.value_or("<null>") << " value=" << s.value.value_or("<null>")
     << " headers=";
  for (const auto& [n, v] : s.headers) os << n << ":" << v << ";";
  return os;
}

// The records of one connector run, produced with the given serializer options and sent through a chain.
class Run {
 public:
  Run(const Props& props, bool key_schemas, bool value_schemas, bool fast) {
    std::set<std::string> used;
    auto chain = transform::Chain::create(props, used);
    EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().message);
    chain_ = *chain;
    chain_->key_schemas_enable = key_schemas;
    chain_->value_schemas_enable = value_schemas;
    if (fast) {
      took_unwrap_ = chain_->take_serialized_unwrap().has_value();
      passes_bytes_ = !chain_->reads_data();
    }
    // As config/transforms_config.cpp: records are written with schemas unless the chain passes bytes.
    options_.server_name = "myserver";
    options_.database = "postgres";
    options_.version = "3.4.3.Final";
    options_.key_schemas_enable = passes_bytes_ ? key_schemas : true;
    options_.value_schemas_enable = passes_bytes_ ? value_schemas : true;
    options_.unwrap = chain_->serialized_unwrap();
    serializer_.emplace(options_);
    runner_.emplace(chain_, passes_bytes_);
  }

  bool took_unwrap() const { return took_unwrap_; }
  bool passes_bytes() const { return passes_bytes_; }

  // As connector::Emitter::change: key, value (or the serializer's drop), the headers the emitter adds.
  Sent change(const ChangeEvent& ev) {
    std::string key, value;
    auto has_key = serializer_->key(ev, key);
    EXPECT_TRUE(has_key.ok());
    auto written = serializer_->value(ev, value);
    EXPECT_TRUE(written.ok()) << (written.ok() ? "" : written.error().message);
    if (*written == JsonSerializer::Written::kDropped) return Sent{.dropped = true};
    std::optional<std::string_view> k, v;
    if (*has_key) k = key;
    if (*written == JsonSerializer::Written::kDocument) v = value;
    last_key_ = *has_key ? std::optional<std::string>(key) : std::nullopt;
    return send(ev.table->topic(), k, v, {{"trace", "t-1"}});
  }
  // As connector::Emitter::tombstone: the key of the delete before, a null value.
  Sent tombstone(const TableSchema& table) {
    if (serializer_->drops_tombstones()) return Sent{.dropped = true};
    std::optional<std::string_view> k;
    if (last_key_) k = *last_key_;
    return send(table.topic(), k, std::nullopt, {{"trace", "t-1"}});
  }
  Sent heartbeat() {
    std::string key, value;
    heartbeat_key("myserver", options_.key_schemas_enable, key);
    heartbeat_value(1714558272123, options_.value_schemas_enable, value);
    return send("__debezium-heartbeat.myserver", key, value, {});
  }
  std::vector<Sent> transaction() {
    TransactionMetadata tm(options_.key_schemas_enable, options_.value_schemas_enable);
    std::string key, value;
    std::vector<Sent> out;
    tm.begin(Xid{767}, Lsn(24022960), 1714558272123456, key, value);
    out.push_back(send("myserver.transaction", key, value, {}));
    (void)tm.table_event("public", "wide", Lsn(24023128));
    tm.end(Lsn(24023300), 1714558272123456, key, value);
    out.push_back(send("myserver.transaction", key, value, {}));
    return out;
  }
  Sent message() {
    MessageSerializer m(options_, ConverterOptions::BinaryMode::kBytes);
    std::string key, value;
    m.key("audit", key);
    m.value("audit", "hello \x01", source(), 1714558272987654, nullptr, value);
    return send("myserver.message", key, value, {});
  }

 private:
  Sent send(const std::string& topic, std::optional<std::string_view> key,
            std::optional<std::string_view> value,
            const std::vector<std::pair<std::string, std::string>>& headers) {
    transform::Record record;
    record.topic = topic;
    for (const auto& [n, v] : headers) record.headers.push_back({n, v});
    auto kept = runner_->run(record, key, value);
    EXPECT_TRUE(kept.ok()) << (kept.ok() ? "" : kept.error().message);
    if (!kept.ok() || !*kept) return Sent{.dropped = true};
    Sent s;
    s.topic = record.topic;
    if (auto k = runner_->key()) s.key = std::string(*k);
    if (auto v = runner_->value()) s.value = std::string(*v);
    for (const auto& h : record.headers) s.headers.emplace_back(h.name, h.value);
    s.partition = record.partition;
    s.timestamp_ms = record.timestamp_ms;
    return s;
  }

  std::shared_ptr<transform::Chain> chain_;
  bool took_unwrap_ = false;
  bool passes_bytes_ = false;
  SerializerOptions options_;
  std::optional<JsonSerializer> serializer_;
  std::optional<transform::ChainRunner> runner_;
  std::optional<std::string> last_key_;
};

// Every record of the set, through `run`.
std::vector<Sent> all_records(Run& run) {
  auto wide = wide_table();
  auto plain = deleted_column_table();
  auto keyless = keyless_table();
  std::vector<Sent> out;
  auto row = wide_row("42", "first");
  auto row2 = wide_row("42", "second");
  std::vector<decode::TupleValue> toasted = row2;
  toasted.back() = toast();
  std::vector<decode::TupleValue> key_only(row.size(), null());
  key_only[0] = text("42");
  key_only[1] = text("eu");
  key_only[3] = null();  // NOT NULL: Debezium's fallback value

  TransactionBlock block{"767:24023128", 1, 1};
  ChangeEvent insert{Op::kCreate, wide.get(), std::nullopt, Row(row), source(), 1714558272987654};
  insert.transaction = &block;
  out.push_back(run.change(insert));
  out.push_back(run.change({Op::kUpdate, wide.get(), Row(row), Row(row2), source(), 1714558272987654}));
  out.push_back(
      run.change({Op::kUpdate, wide.get(), std::nullopt, Row(toasted), source(), 1714558272987654}));
  out.push_back(
      run.change({Op::kRead, wide.get(), std::nullopt, Row(row), source("last"), 1714558272987654}));
  out.push_back(
      run.change({Op::kDelete, wide.get(), Row(key_only), std::nullopt, source(), 1714558272987654}));
  out.push_back(run.tombstone(*wide));
  out.push_back(run.change({Op::kDelete, wide.get(), Row(row2), std::nullopt, source(), 1714558272987654}));
  out.push_back(run.tombstone(*wide));
  out.push_back(
      run.change({Op::kTruncate, wide.get(), std::nullopt, std::nullopt, source(), 1714558272987654}));

  std::vector<decode::TupleValue> p1{text("1"), text("no")};
  out.push_back(run.change({Op::kCreate, plain.get(), std::nullopt, Row(p1), source(), 1714558272987654}));
  out.push_back(run.change({Op::kDelete, plain.get(), Row(p1), std::nullopt, source(), 1714558272987654}));
  out.push_back(run.tombstone(*plain));

  std::vector<decode::TupleValue> a1{text("login")};
  out.push_back(run.change({Op::kCreate, keyless.get(), std::nullopt, Row(a1), source(), 1714558272987654}));
  out.push_back(run.change({Op::kDelete, keyless.get(), Row(a1), std::nullopt, source(), 1714558272987654}));
  out.push_back(run.tombstone(*keyless));

  out.push_back(run.heartbeat());
  for (auto& s : run.transaction()) out.push_back(std::move(s));
  out.push_back(run.message());
  return out;
}

struct Combo {
  const char* name;
  Props props;
  bool fast_unwrap;  // the serializer takes the unwrap over
};

const Props kUnwrap = {{"transforms", "unwrap"},
                       {"transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState"}};

Props with(Props p, const Props& more) {
  for (const auto& [k, v] : more) p[k] = v;
  return p;
}

Props unwrap_mode(const char* mode) {
  return with(kUnwrap, {{"transforms.unwrap.delete.tombstone.handling.mode", mode}});
}

const Props kRoute = {{"transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter"},
                      {"transforms.route.regex", "myserver\\.public\\.(.*)"},
                      {"transforms.route.replacement", "cdc.$1"}};

std::vector<Combo> combos() {
  return {
      {"unwrap", kUnwrap, true},
      {"unwrap_drop", unwrap_mode("drop"), true},
      {"unwrap_tombstone", unwrap_mode("tombstone"), true},
      {"unwrap_rewrite", unwrap_mode("rewrite"), true},
      {"unwrap_rewrite_with_tombstone", unwrap_mode("rewrite-with-tombstone"), true},
      {"unwrap_delete_to_tombstone", unwrap_mode("delete-to-tombstone"), true},
      {"unwrap_route", with(with(kUnwrap, kRoute), {{"transforms", "unwrap,route"}}), true},
      {"unwrap_headers_filter",
       with(unwrap_mode("rewrite-with-tombstone"),
            {{"transforms", "unwrap,hdr,drop,nulls"},
             {"transforms.hdr.type", "org.apache.kafka.connect.transforms.InsertHeader"},
             {"transforms.hdr.header", "origin"},
             {"transforms.hdr.value.literal", "sluice"},
             {"transforms.drop.type", "org.apache.kafka.connect.transforms.DropHeaders"},
             {"transforms.drop.headers", "trace"},
             {"transforms.nulls.type", "org.apache.kafka.connect.transforms.Filter"},
             {"transforms.nulls.predicate", "tomb"},
             {"predicates", "tomb"},
             {"predicates.tomb.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"}}),
       true},
      // A delete in mode tombstone is a null value with a schema: RecordIsTombstone matches it.
      {"unwrap_tombstone_filter",
       with(unwrap_mode("tombstone"),
            {{"transforms", "unwrap,nulls"},
             {"transforms.nulls.type", "org.apache.kafka.connect.transforms.Filter"},
             {"transforms.nulls.predicate", "tomb"},
             {"transforms.nulls.negate", "true"},
             {"predicates", "tomb"},
             {"predicates.tomb.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"}}),
       true},
      {"route", with(kRoute, {{"transforms", "route"}}), false},
      {"filter_topic_header",
       {{"transforms", "keep,strip"},
        {"transforms.keep.type", "org.apache.kafka.connect.transforms.Filter"},
        {"transforms.keep.predicate", "wide"},
        {"transforms.strip.type", "org.apache.kafka.connect.transforms.DropHeaders"},
        {"transforms.strip.headers", "trace"},
        {"transforms.strip.predicate", "traced"},
        {"predicates", "wide,traced"},
        {"predicates.wide.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"},
        {"predicates.wide.pattern", ".*\\.wide"},
        {"predicates.traced.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey"},
        {"predicates.traced.name", "trace"}},
       false},
  };
}

void expect_same(const Props& props, bool fast_unwrap, bool key_schemas, bool value_schemas) {
  Run generic(props, key_schemas, value_schemas, false);
  Run fast(props, key_schemas, value_schemas, true);
  ASSERT_EQ(fast.took_unwrap(), fast_unwrap);
  ASSERT_TRUE(fast.passes_bytes());
  auto want = all_records(generic);
  auto got = all_records(fast);
  ASSERT_EQ(want.size(), got.size());
  size_t kept = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i], want[i]) << "record " << i;
    kept += want[i].dropped ? 0 : 1;
  }
  EXPECT_GT(kept, 0u);
}

TEST(SerializedUnwrap, FastPathsWriteWhatTheChainWrites) {
  for (const auto& c : combos()) {
    for (auto [ks, vs] : {std::pair{true, true}, std::pair{false, false}, std::pair{true, false}}) {
      SCOPED_TRACE(::testing::Message() << c.name << " key.schemas=" << ks << " value.schemas=" << vs);
      expect_same(c.props, c.fast_unwrap, ks, vs);
    }
  }
}

// What the fast path writes for each mode, spelled out for one table (the test above only compares paths).
TEST(SerializedUnwrap, ModesOnADelete) {
  auto plain = deleted_column_table();
  std::vector<decode::TupleValue> p1{text("1"), text("no")};
  ChangeEvent del{Op::kDelete, plain.get(), Row(p1), std::nullopt, source(), 1714558272987654};
  auto value_of = [&](transform::ExtractNewRecordState::Mode mode, bool schemas, std::string& out) {
    SerializerOptions o;
    o.value_schemas_enable = schemas;
    o.unwrap = mode;
    JsonSerializer s(o);
    auto w = s.value(del, out);
    EXPECT_TRUE(w.ok());
    return *w;
  };
  using Mode = transform::ExtractNewRecordState::Mode;
  using W = JsonSerializer::Written;
  std::string out;
  EXPECT_EQ(value_of(Mode::kDrop, true, out), W::kDropped);
  EXPECT_EQ(value_of(Mode::kDeleteToTombstone, true, out), W::kNull);
  EXPECT_EQ(value_of(Mode::kTombstone, false, out), W::kDocument);
  EXPECT_EQ(out, "null");
  EXPECT_EQ(value_of(Mode::kTombstone, true, out), W::kDocument);
  EXPECT_EQ(out, R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
                 R"({"type":"string","optional":true,"field":"__deleted"}],"optional":true,)"
                 R"("name":"myserver.public.plain.Value"},"payload":null})");
  EXPECT_EQ(value_of(Mode::kRewrite, false, out), W::kDocument);
  EXPECT_EQ(out, R"({"id":1,"__deleted":"true"})");
}

// Configurations the serializer does not write keep the whole chain.
TEST(SerializedUnwrap, OtherChainsKeepTheGenericPath) {
  auto taken = [](const Props& props) {
    std::set<std::string> used;
    auto chain = transform::Chain::create(props, used);
    EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().message);
    size_t before = (*chain)->size();
    bool took = (*chain)->take_serialized_unwrap().has_value();
    EXPECT_EQ((*chain)->size(), took ? before - 1 : before);
    return took;
  };
  EXPECT_TRUE(taken(kUnwrap));
  EXPECT_FALSE(taken(with(kUnwrap, {{"transforms.unwrap.add.fields", "op,table"}})));
  EXPECT_FALSE(taken(with(kUnwrap, {{"transforms.unwrap.add.headers", "op"}})));
  EXPECT_FALSE(taken(with(kUnwrap, {{"transforms.unwrap.route.by.field", "region"}})));
  EXPECT_FALSE(taken(with(kUnwrap, {{"transforms.unwrap.drop.fields.header.name", "h"}})));
  EXPECT_FALSE(taken(with(
      kUnwrap, {{"transforms.unwrap.predicate", "p"},
                {"predicates", "p"},
                {"predicates.p.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"}})));
  // Not first, or followed by a transform that reads data.
  EXPECT_FALSE(taken(with(with(kUnwrap, kRoute), {{"transforms", "route,unwrap"}})));
  EXPECT_FALSE(
      taken(with(kUnwrap, {{"transforms", "unwrap,mask"},
                           {"transforms.mask.type", "org.apache.kafka.connect.transforms.MaskField$Value"},
                           {"transforms.mask.fields", "txt"}})));
}

}  // namespace
}  // namespace sluice::event
