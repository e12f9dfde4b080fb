// InsertField, MaskField, ValueToKey, TimestampRouter: schemas and values as Connect's, bad options named.
#include "transform/connect/cast.h"

#include <gtest/gtest.h>

#include "transform/chain.h"
#include "transform/codec.h"
#include "transform/connect/field_support.h"

namespace sluice::transform {
namespace {

using Props = std::map<std::string, std::string>;

const char* kValue =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"string","optional":true,"field":"email"},{"type":"string","optional":true,"field":"name"}],)"
    R"("optional":false,"name":"t.Value","version":1},"payload":{"id":1,"email":"a@x","name":"A"}})";
const char* kKey = R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],)"
                   R"("optional":false,"name":"t.Key"},"payload":{"id":1}})";
const char* kTyped =
    R"({"schema":{"type":"struct","fields":[{"type":"float","optional":true,"field":"f"},)"
    R"({"type":"double","optional":true,"field":"d"},{"type":"boolean","optional":false,"field":"b"},)"
    R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
    R"("parameters":{"scale":"0"},"field":"n"},{"type":"array","items":{"type":"int32","optional":true},)"
    R"("optional":true,"field":"a"},{"type":"int16","optional":true,"field":"s"}],"optional":false},)"
    R"("payload":{"f":1.5,"d":2.5,"b":true,"n":"BQ==","a":[1,2],"s":null}})";

Result<std::shared_ptr<Chain>> chain_of(const std::string& type, const Props& options) {
  Props p = {{"transforms", "t"}, {"transforms.t.type", "org.apache.kafka.connect.transforms." + type}};
  for (const auto& [k, v] : options) p["transforms.t." + k] = v;
  std::set<std::string> used;
  return Chain::create(p, used);
}

std::string config_error(const std::string& type, const Props& options) {
  auto chain = chain_of(type, options);
  EXPECT_FALSE(chain.ok());
  return chain.ok() ? "" : chain.error().message;
}

// Applies the transform to a record with the given value and key; the record, or the error's message in
// topic.
Record run(const std::string& type, const Props& options, std::optional<std::string> value = kValue,
           std::optional<std::string> key = kKey) {
  auto chain = chain_of(type, options);
  EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().message);
  Codec codec;
  Record r;
  r.topic = "pfx.public.t";
  if (value) r.value = **codec.decode(std::string_view(*value));
  if (key) r.key = **codec.decode(std::string_view(*key));
  auto kept = (*chain)->apply(r);
  if (!kept) r.topic = "ERROR: " + kept.error().message;
  return r;
}

std::string value_of(const Record& r, bool schemas = true) {
  auto v = Codec::encode(r.value, schemas);
  return v ? *v : "<null>";
}

std::string key_of(const Record& r, bool schemas = true) {
  auto v = Codec::encode(r.key, schemas);
  return v ? *v : "<null>";
}

TEST(InsertField, ValueWithSchema) {
  auto r = run("InsertField$Value", {{"topic.field", "topic!"},
                                     {"partition.field", "part"},
                                     {"timestamp.field", "ts?"},
                                     {"static.field", "src"},
                                     {"static.value", "pg"}});
  EXPECT_EQ(
      value_of(r),
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"string","optional":true,"field":"email"},{"type":"string","optional":true,"field":"name"},)"
      R"({"type":"string","optional":false,"field":"topic"},{"type":"int32","optional":true,"field":"part"},)"
      R"({"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,)"
      R"("field":"ts"},{"type":"string","optional":true,"field":"src"}],"optional":false,"name":"t.Value",)"
      R"("version":1},"payload":{"id":1,"email":"a@x","name":"A","topic":"pfx.public.t","part":null,)"
      R"("ts":null,"src":"pg"}})");
  EXPECT_EQ(key_of(r, false), R"({"id":1})");
}

TEST(InsertField, KeyAndNulls) {
  auto r = run("InsertField$Key", {{"static.field", "k"}, {"static.value", "v"}});
  EXPECT_EQ(key_of(r, false), R"({"id":1,"k":"v"})");
  auto tomb = run("InsertField$Value", {{"topic.field", "topic"}}, std::nullopt);
  EXPECT_FALSE(tomb.value.has_value());  // a null value passes
  auto keyless = run("InsertField$Key", {{"topic.field", "topic"}}, kValue, std::nullopt);
  EXPECT_FALSE(keyless.key.has_value());
  auto schemaless = run("InsertField$Value", {{"topic.field", "topic"}, {"partition.field", "p"}},
                        std::string(R"({"a":1})"));
  EXPECT_EQ(value_of(schemaless, false), R"({"a":1,"topic":"pfx.public.t"})");  // a null partition: not put
}

TEST(InsertField, RecordErrors) {
  EXPECT_TRUE(run("InsertField$Value", {{"offset.field", "o"}}).topic.find("Only SinkRecord supported") !=
              std::string::npos);
  EXPECT_TRUE(run("InsertField$Value", {{"topic.field", "email"}}).topic.find("duplication email") !=
              std::string::npos);
  EXPECT_TRUE(run("InsertField$Value", {{"timestamp.field", "ts!"}}).topic.find("required") !=
              std::string::npos);
  EXPECT_TRUE(
      run("InsertField$Value", {{"topic.field", "t"}}, std::string(R"("text")")).topic.find("Only Map") !=
      std::string::npos);
}

TEST(InsertField, BadOptions) {
  auto none = config_error("InsertField$Value", {});
  EXPECT_NE(none.find("transforms.t."), std::string::npos) << none;
  EXPECT_NE(none.find("no field insertion configured"), std::string::npos) << none;
  auto no_value = config_error("InsertField$Value", {{"static.field", "s"}});
  EXPECT_NE(no_value.find("transforms.t.static.value"), std::string::npos) << no_value;
  auto bad_bool =
      config_error("InsertField$Value", {{"topic.field", "t"}, {"replace.null.with.default", "yes"}});
  EXPECT_NE(bad_bool.find("transforms.t.replace.null.with.default"), std::string::npos) << bad_bool;
  EXPECT_NE(bad_bool.find("'yes'"), std::string::npos) << bad_bool;
  auto unknown = config_error("InsertField$Value", {{"topic.field", "t"}, {"topic.feild", "x"}});
  EXPECT_NE(unknown.find("transforms.t.topic.feild"), std::string::npos) << unknown;
}

TEST(ValueToKey, KeyFromValueFields) {
  auto r = run("ValueToKey", {{"fields", "email,id"}});
  EXPECT_EQ(key_of(r),
            R"({"schema":{"type":"struct","fields":[{"type":"string","optional":true,"field":"email"},)"
            R"({"type":"int32","optional":false,"field":"id"}],"optional":false},)"
            R"("payload":{"email":"a@x","id":1}})");
  EXPECT_EQ(value_of(r, false), R"({"id":1,"email":"a@x","name":"A"})");
  auto keyless = run("ValueToKey", {{"fields", "id"}}, kValue, std::nullopt);
  EXPECT_EQ(key_of(keyless, false), R"({"id":1})");
}

TEST(ValueToKey, Errors) {
  EXPECT_NE(run("ValueToKey", {{"fields", "nope"}}).topic.find("Field does not exist: nope"),
            std::string::npos);
  EXPECT_NE(run("ValueToKey", {{"fields", "id"}}, std::nullopt).topic.find("Only Map objects supported"),
            std::string::npos);  // a tombstone fails, as in Connect
  auto missing = config_error("ValueToKey", {});
  EXPECT_NE(missing.find("transforms.t.fields"), std::string::npos) << missing;
  auto empty = config_error("ValueToKey", {{"fields", " , "}});
  EXPECT_NE(empty.find("transforms.t.fields"), std::string::npos) << empty;
}

TEST(MaskField, NullValuesByType) {
  auto r = run("MaskField$Value", {{"fields", "email,id"}});
  EXPECT_EQ(value_of(r, false), R"({"id":0,"email":"","name":"A"})");
  EXPECT_TRUE(
      value_of(r).starts_with(R"({"schema":{"type":"struct","fields":[{"type":"int32")"));  // unchanged
  auto typed = run("MaskField$Value", {{"fields", "f,d,b,n,a,s"}}, std::string(kTyped));
  EXPECT_EQ(value_of(typed, false), R"({"f":0.0,"d":0.0,"b":false,"n":"AA==","a":[],"s":null})");
  auto key = run("MaskField$Key", {{"fields", "id"}});
  EXPECT_EQ(key_of(key, false), R"({"id":0})");
}

TEST(MaskField, Replacement) {
  auto r = run("MaskField$Value", {{"fields", "email,name"}, {"replacement", "***"}});
  EXPECT_EQ(value_of(r, false), R"({"id":1,"email":"***","name":"***"})");
  auto n = run("MaskField$Value", {{"fields", "id"}, {"replacement", "7"}});
  EXPECT_EQ(value_of(n, false), R"({"id":7,"email":"a@x","name":"A"})");
  auto f = run("MaskField$Value", {{"fields", "f,d,s"}, {"replacement", "3"}}, std::string(kTyped));
  EXPECT_EQ(value_of(f, false), R"({"f":3.0,"d":3.0,"b":true,"n":"BQ==","a":[1,2],"s":null})");
  EXPECT_NE(
      run("MaskField$Value", {{"fields", "id"}, {"replacement", "abc"}}).topic.find("Unable to convert abc"),
      std::string::npos);
  EXPECT_NE(run("MaskField$Value", {{"fields", "b"}, {"replacement", "1"}}, std::string(kTyped))
                .topic.find("with custom replacement"),
            std::string::npos);
}

TEST(MaskField, BadOptions) {
  auto missing = config_error("MaskField$Value", {});
  EXPECT_NE(missing.find("transforms.t.fields"), std::string::npos) << missing;
  auto empty = config_error("MaskField$Value", {{"fields", "a"}, {"replacement", " "}});
  EXPECT_NE(empty.find("transforms.t.replacement"), std::string::npos) << empty;
  auto unknown = config_error("MaskField$Key", {{"fields", "a"}, {"replace", "x"}});
  EXPECT_NE(unknown.find("transforms.t.replace"), std::string::npos) << unknown;
}

TEST(TimestampRouter, FailsWithoutARecordTimestamp) {
  EXPECT_NE(
      run("TimestampRouter", {{"topic.format", "${topic}_${timestamp}"}}).topic.find("Timestamp missing"),
      std::string::npos);
  auto unknown = config_error("TimestampRouter", {{"timestamp.fmt", "yyyy"}});
  EXPECT_NE(unknown.find("transforms.t.timestamp.fmt"), std::string::npos) << unknown;
}

const char* kNested =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"city"},)"
    R"({"type":"int32","optional":true,"default":5,"field":"zip"}],"optional":true,"name":"Addr","field":"addr"}],)"
    R"("optional":false,"name":"V"},"payload":{"id":1,"addr":{"city":"X","zip":null}}})";

TEST(Flatten, NestedStructsWithSchema) {
  auto r = run("Flatten$Value", {{"delimiter", "_"}}, std::string(kNested));
  EXPECT_EQ(
      value_of(r),
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"string","optional":true,"field":"addr_city"},)"
      R"({"type":"int32","optional":true,"default":5,"field":"addr_zip"}],"optional":false,"name":"V"},)"
      R"("payload":{"id":1,"addr_city":"X","addr_zip":5}})");
  std::string null_addr = kNested;
  const std::string addr = R"({"city":"X","zip":null})";
  null_addr.replace(null_addr.find(addr), addr.size(), "null");
  EXPECT_EQ(value_of(run("Flatten$Value", {}, null_addr), false),
            R"({"id":1,"addr.city":null,"addr.zip":5})");
  auto schemaless = run("Flatten$Value", {}, std::string(R"({"a":{"b":1,"c":{"d":[1]}},"e":null})"));
  EXPECT_EQ(value_of(schemaless, false), R"({"a.b":1,"a.c.d":[1],"e":null})");
  EXPECT_EQ(key_of(run("Flatten$Key", {})), kKey);  // nothing nested: same fields
}

TEST(Flatten, MapsAndBadOptions) {
  std::string with_map =
      R"({"schema":{"type":"struct","fields":[{"type":"map","keys":{"type":"string","optional":false},)"
      R"("values":{"type":"int32","optional":false},"optional":true,"field":"m"}],"optional":false},)"
      R"("payload":{"m":{"a":1}}})";
  EXPECT_NE(run("Flatten$Value", {}, with_map).topic.find("does not support MAP"), std::string::npos);
  auto unknown = config_error("Flatten$Value", {{"delim", "_"}});
  EXPECT_NE(unknown.find("transforms.t.delim"), std::string::npos) << unknown;
}

TEST(HeaderFrom, MoveAndCopy) {
  auto moved =
      run("HeaderFrom$Value", {{"fields", "email,id"}, {"headers", "h_email,h_id"}, {"operation", "move"}});
  EXPECT_EQ(value_of(moved),
            R"({"schema":{"type":"struct","fields":[{"type":"string","optional":true,"field":"name"}],)"
            R"("optional":false,"name":"t.Value","version":1},"payload":{"name":"A"}})");
  ASSERT_EQ(moved.headers.size(), 2u);
  EXPECT_EQ(moved.headers[0].name, "h_email");
  EXPECT_EQ(moved.headers[0].value, "a@x");
  EXPECT_EQ(moved.headers[1].value, "1");
  auto copied = run("HeaderFrom$Key", {{"fields", "id"}, {"headers", "k"}, {"operation", "copy"}});
  EXPECT_EQ(key_of(copied, false), R"({"id":1})");
  ASSERT_EQ(copied.headers.size(), 1u);
  EXPECT_EQ(copied.headers[0].value, "1");
  EXPECT_NE(run("HeaderFrom$Value", {{"fields", "id"}, {"headers", "h"}, {"operation", "copy"}}, std::nullopt)
                .topic.find("Only Map objects supported"),
            std::string::npos);
}

TEST(HeaderFrom, BadOptions) {
  auto count = config_error("HeaderFrom$Value", {{"fields", "a,b"}, {"headers", "x"}, {"operation", "copy"}});
  EXPECT_NE(count.find("transforms.t.headers"), std::string::npos) << count;
  auto op = config_error("HeaderFrom$Value", {{"fields", "a"}, {"headers", "x"}, {"operation", "steal"}});
  EXPECT_NE(op.find("transforms.t.operation"), std::string::npos) << op;
  EXPECT_NE(op.find("'steal'"), std::string::npos) << op;
  auto missing = config_error("HeaderFrom$Value", {{"fields", "a"}, {"headers", "x"}});
  EXPECT_NE(missing.find("transforms.t.operation"), std::string::npos) << missing;
}

TEST(Cast, FieldsWithSchema) {
  auto r =
      run("Cast$Value", {{"spec", "id:string,email:int8"}},
          std::string(R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"default":0,)"
                      R"("field":"id"},{"type":"string","optional":true,"field":"email"}],"optional":false,)"
                      R"("name":"V"},"payload":{"id":7,"email":"-12"}})"));
  EXPECT_EQ(value_of(r),
            R"({"schema":{"type":"struct","fields":[{"type":"string","optional":false,"default":"0",)"
            R"("field":"id"},{"type":"int8","optional":true,"field":"email"}],"optional":false,)"
            R"("name":"V"},"payload":{"id":"7","email":-12}})");
  auto typed = run("Cast$Value", {{"spec", "f:float64,d:int16,b:int32,n:string"}}, std::string(kTyped));
  EXPECT_NE(typed.topic.find("not implemented"), std::string::npos) << typed.topic;  // a Decimal
  auto nums = run("Cast$Value", {{"spec", "f:float64,d:int16,b:float32"}}, std::string(kTyped));
  EXPECT_EQ(value_of(nums, false), R"({"f":1.5,"d":2,"b":1.0,"n":"BQ==","a":[1,2],"s":null})");
  auto whole = run("Cast$Key", {{"spec", "string"}}, kValue,
                   std::string(R"({"schema":{"type":"int64","optional":false,"name":"K"},"payload":42})"));
  EXPECT_EQ(key_of(whole), R"({"schema":{"type":"string","optional":false,"name":"K"},"payload":"42"})");
}

TEST(Cast, JavaConversions) {
  auto int8 = [] {
    Schema s;
    s.type = "string";
    return s;
  }();
  EXPECT_EQ(*cast_value(&int8, Json::string("true"), "boolean"), Json::boolean_value(true));
  EXPECT_EQ(*cast_value(&int8, Json::string("yes"), "boolean"), Json::boolean_value(false));
  EXPECT_EQ(*cast_value(&int8, Json::string("1e3"), "float64"), Json::number("1000.0"));
  EXPECT_FALSE(cast_value(&int8, Json::string("300"), "int8").ok());  // Byte.parseByte: out of range
  EXPECT_FALSE(cast_value(&int8, Json::string("1.5"), "int32").ok());
  Schema i64;
  i64.type = "int64";
  EXPECT_EQ(*cast_value(&i64, Json::number("300"), "int8"), Json::number("44"));  // (byte) 300
  EXPECT_EQ(*cast_value(&i64, Json::number("3"), "float32"), Json::number("3.0"));
  Schema f64;
  f64.type = "double";
  EXPECT_EQ(*cast_value(&f64, Json::number("1.0E10"), "int32"), Json::number("2147483647"));
  EXPECT_EQ(*cast_value(&f64, Json::number("-2.7"), "int64"), Json::number("-2"));
  Schema f32;
  f32.type = "float";
  EXPECT_EQ(*cast_value(&f32, Json::number("0.1"), "float64"), Json::number("0.10000000149011612"));
  Schema st;
  st.type = "struct";
  EXPECT_FALSE(cast_value(&st, Json::object(), "string").ok());
}

TEST(Cast, BadOptions) {
  auto missing = config_error("Cast$Value", {});
  EXPECT_NE(missing.find("transforms.t.spec"), std::string::npos) << missing;
  auto bad_type = config_error("Cast$Value", {{"spec", "a:decimal"}});
  EXPECT_NE(bad_type.find("transforms.t.spec"), std::string::npos) << bad_type;
  EXPECT_NE(bad_type.find("'a:decimal'"), std::string::npos) << bad_type;
  auto to_bytes = config_error("Cast$Value", {{"spec", "a:bytes"}});
  EXPECT_NE(to_bytes.find("BYTES"), std::string::npos) << to_bytes;
  auto mixed = config_error("Cast$Value", {{"spec", "int32,a:string"}});
  EXPECT_NE(mixed.find("transforms.t.spec"), std::string::npos) << mixed;
  auto colons = config_error("Cast$Value", {{"spec", "a:b:c"}});
  EXPECT_NE(colons.find("transforms.t.spec"), std::string::npos) << colons;
}

const char* kTimes =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"ts"},)"
    R"({"type":"string","optional":true,"field":"s"}],"optional":false,"name":"T"},)"
    R"("payload":{"id":1,"ts":1714567890123456,"s":"2024-05-01 12:51:30.123"}})";

TEST(TimestampConverter, UnixToStringAndBack) {
  auto r = run("TimestampConverter$Value",
               {{"field", "ts"},
                {"target.type", "string"},
                {"format", "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"},
                {"unix.precision", "microseconds"}},
               std::string(kTimes));
  EXPECT_EQ(value_of(r),
            R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
            R"({"type":"string","optional":true,"field":"ts"},{"type":"string","optional":true,)"
            R"("field":"s"}],"optional":false,"name":"T"},"payload":{"id":1,)"
            R"("ts":"2024-05-01T12:51:30.123Z","s":"2024-05-01 12:51:30.123"}})");
  auto parsed = run("TimestampConverter$Value",
                    {{"field", "s"}, {"target.type", "Timestamp"}, {"format", "yyyy-MM-dd HH:mm:ss.SSS"}},
                    std::string(kTimes));
  EXPECT_EQ(value_of(parsed, false), R"({"id":1,"ts":1714567890123456,"s":1714567890123})");
  EXPECT_TRUE(
      value_of(parsed).find(R"({"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.)"
                            R"(Timestamp","version":1,"field":"s"})") != std::string::npos);
  auto date = run("TimestampConverter$Value",
                  {{"field", "ts"}, {"target.type", "Date"}, {"unix.precision", "microseconds"}},
                  std::string(kTimes));
  EXPECT_EQ(value_of(date, false), R"({"id":1,"ts":19844,"s":"2024-05-01 12:51:30.123"})");
  auto unix_s =
      run("TimestampConverter$Value",
          {{"field", "s"}, {"target.type", "unix"}, {"format", "yyyy-MM-dd"}, {"unix.precision", "seconds"}},
          std::string(kTimes));
  EXPECT_EQ(value_of(unix_s, false), R"({"id":1,"ts":1714567890123456,"s":1714521600})");
  auto bad = run("TimestampConverter$Value",
                 {{"field", "s"}, {"target.type", "Date"}, {"format", "dd/MM/yyyy"}}, std::string(kTimes));
  EXPECT_NE(bad.topic.find("Could not parse timestamp"), std::string::npos) << bad.topic;
  auto not_time =
      run("TimestampConverter$Value", {{"field", "id"}, {"target.type", "Date"}}, std::string(kTimes));
  EXPECT_NE(not_time.topic.find("does not correspond to a known timestamp type"), std::string::npos);
}

TEST(TimestampConverter, BadOptions) {
  auto missing = config_error("TimestampConverter$Value", {{"field", "ts"}});
  EXPECT_NE(missing.find("transforms.t.target.type"), std::string::npos) << missing;
  auto type = config_error("TimestampConverter$Value", {{"target.type", "date"}});
  EXPECT_NE(type.find("transforms.t.target.type"), std::string::npos) << type;
  EXPECT_NE(type.find("'date'"), std::string::npos) << type;
  auto no_format = config_error("TimestampConverter$Value", {{"target.type", "string"}});
  EXPECT_NE(no_format.find("transforms.t.format"), std::string::npos) << no_format;
  auto precision =
      config_error("TimestampConverter$Value", {{"target.type", "unix"}, {"unix.precision", "ms"}});
  EXPECT_NE(precision.find("transforms.t.unix.precision"), std::string::npos) << precision;
  auto letter = config_error("TimestampConverter$Value", {{"target.type", "string"}, {"format", "EEE yyyy"}});
  EXPECT_NE(letter.find("transforms.t.format"), std::string::npos) << letter;
}

TEST(JavaFloatText, AsFloatAndDoubleToString) {
  EXPECT_EQ(java_float_text(1.0, false), "1.0");
  EXPECT_EQ(java_float_text(100.0, false), "100.0");
  EXPECT_EQ(java_float_text(123.456, false), "123.456");
  EXPECT_EQ(java_float_text(0.001, false), "0.001");
  EXPECT_EQ(java_float_text(1e-4, false), "1.0E-4");
  EXPECT_EQ(java_float_text(1e7, false), "1.0E7");
  EXPECT_EQ(java_float_text(1234567.0, false), "1234567.0");
  EXPECT_EQ(java_float_text(-2.5e-5, false), "-2.5E-5");
  EXPECT_EQ(java_float_text(0.1, true), "0.1");
  EXPECT_EQ(java_float_text(-0.0, false), "-0.0");
}

TEST(Chain, UnknownClassListsTheFieldTransforms) {
  auto msg = config_error("Nope", {});
  for (const char* name : {"InsertField$Value", "ValueToKey", "MaskField$Key", "TimestampRouter"})
    EXPECT_NE(msg.find(name), std::string::npos) << msg;
}

}  // namespace
}  // namespace sluice::transform
