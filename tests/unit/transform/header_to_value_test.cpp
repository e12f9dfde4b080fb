// HeaderToValue: headers into value fields with their Connect schemas, move and copy, nested fields (as
// ConnectRecordUtil of Debezium 3.7), bad options.
#include "transform/debezium/header_to_value.h"

#include <gtest/gtest.h>

#include "transform/chain.h"
#include "transform/codec.h"

namespace sluice::transform {
namespace {

using Props = std::map<std::string, std::string>;

const char* kValue =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,)"
    R"("name":"p.s.t.Value"},"payload":{"id":1}})";

Result<std::shared_ptr<Chain>> chain_of(const Props& options) {
  Props p = {{"transforms", "h"}, {"transforms.h.type", "io.debezium.transforms.HeaderToValue"}};
  for (const auto& [k, v] : options) p["transforms.h." + k] = v;
  std::set<std::string> used;
  return Chain::create(p, used);
}

std::string text(const std::optional<Data>& d, bool schemas = true) {
  auto v = Codec::encode(d, schemas);
  return v ? *v : "<null>";
}

TEST(HeaderToValue, MovesHeadersWithTheirSchemas) {
  auto chain = chain_of({{"headers", "__op,ctx"}, {"fields", "op,context"}, {"operation", "move"}});
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  Codec codec;
  Record r;
  r.topic = "t";
  r.value = **codec.decode(std::string_view(kValue));
  auto int64 = std::make_shared<Schema>();
  int64->type = "int64";
  int64->optional = true;
  r.headers = {{"__op", "u", optional_string_schema(), Json::string("u")},
               {"ctx", "abc"},
               {"keep", "1"},
               {"ts", "5", int64, Json::number("5")}};
  ASSERT_TRUE(*(*chain)->apply(r));
  EXPECT_EQ(
      text(r.value),
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"string","optional":true,"field":"op"},{"type":"string","optional":false,"field":"context"}],)"
      R"("optional":false,"name":"p.s.t.Value"},"payload":{"id":1,"op":"u","context":"abc"}})");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].name, "keep");
  // Copy keeps the headers; a typed header keeps its schema.
  auto copy = chain_of({{"headers", "ts"}, {"fields", "ts"}, {"operation", "copy"}});
  ASSERT_TRUE(copy.ok());
  Record c;
  c.value = **codec.decode(std::string_view(kValue));
  c.headers = {{"ts", "5", int64, Json::number("5")}};
  ASSERT_TRUE(*(*copy)->apply(c));
  EXPECT_EQ(text(c.value, false), R"({"id":1,"ts":5})");
  EXPECT_NE(text(c.value).find(R"({"type":"int64","optional":true,"field":"ts"})"), std::string::npos);
  EXPECT_EQ(c.headers.size(), 1u);
  // A tombstone, or a record without those headers, passes.
  Record tomb;
  ASSERT_TRUE(*(*copy)->apply(tomb));
  Record none;
  none.value = **codec.decode(std::string_view(kValue));
  ASSERT_TRUE(*(*copy)->apply(none));
  EXPECT_EQ(text(none.value), kValue);
}

TEST(HeaderToValue, SchemalessValuesFail) {
  auto chain = chain_of({{"headers", "a"}, {"fields", "a"}, {"operation", "copy"}});
  Codec codec;
  Record r;
  r.value = **codec.decode(std::string_view(R"({"id":1})"));
  r.headers = {{"a", "x"}};
  EXPECT_FALSE((*chain)->apply(r).ok());
}

const char* kNested =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"db"}],"optional":false,)"
    R"("name":"p.Source","field":"src"},)"
    R"({"type":"struct","fields":[{"type":"int32","optional":true,"field":"x"}],"optional":true,"field":"after"}],)"
    R"("optional":false,"name":"p.s.t.Value"},"payload":{"id":1,"src":{"db":"d"},"after":%A}})";

Record nested_record(const char* after) {
  std::string v = kNested;
  v.replace(v.find("%A"), 2, after);
  Codec codec;
  Record r;
  r.value = **codec.decode(std::string_view(v));
  r.headers = {{"h1", "A"}, {"h2", "B"}, {"h3", "C"}};
  return r;
}

TEST(HeaderToValue, NestedFieldsIntoStructsAndNewParents) {
  auto chain =
      chain_of({{"headers", "h1,h2,h3"}, {"fields", "src.h1,meta.h2,after.h3"}, {"operation", "move"}});
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  auto r = nested_record(R"({"x":5})");
  ASSERT_TRUE(*(*chain)->apply(r));
  // src and after rebuilt (after becomes required, as Debezium's copySchemaBasics leaves optional out); meta
  // is a new optional struct.
  EXPECT_EQ(
      text(r.value),
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"db"},)"
      R"({"type":"string","optional":false,"field":"h1"}],"optional":false,"name":"p.Source","field":"src"},)"
      R"({"type":"struct","fields":[{"type":"int32","optional":true,"field":"x"},)"
      R"({"type":"string","optional":false,"field":"h3"}],"optional":false,"field":"after"},)"
      R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"h2"}],"optional":true,)"
      R"("field":"meta"}],"optional":false,"name":"p.s.t.Value"},)"
      R"("payload":{"id":1,"src":{"db":"d","h1":"A"},"after":{"x":5,"h3":"C"},"meta":{"h2":"B"}}})");
  EXPECT_TRUE(r.headers.empty());
  // A null struct is not descended into; rebuilt as required, Connect's JsonConverter then refuses it.
  auto d = nested_record("null");
  auto failed = (*chain)->apply(d);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("after"), std::string::npos) << failed.error().message;
  // Through a field that is not a struct: Debezium's validateNestedFieldsExist.
  auto through = chain_of({{"headers", "h1"}, {"fields", "id.h1"}, {"operation", "copy"}});
  auto t = nested_record("null");
  auto refused = (*through)->apply(t);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("Field 'id' is a primitive type"), std::string::npos)
      << refused.error().message;
}

TEST(HeaderToValue, BadOptionsNameTheKey) {
  struct Case {
    Props props;
    const char* needle;
  };
  const Case cases[] = {
      {{{"fields", "a"}, {"operation", "move"}}, "transforms.h.headers"},
      {{{"headers", "a"}, {"operation", "move"}}, "transforms.h.fields"},
      {{{"headers", "a,b"}, {"fields", "a"}, {"operation", "move"}}, "transforms.h.fields"},
      {{{"headers", "a"}, {"fields", "a"}}, "transforms.h.operation"},
      {{{"headers", "a"}, {"fields", "a"}, {"operation", "steal"}}, "transforms.h.operation"},
      {{{"headers", "a"}, {"fields", "x..a"}, {"operation", "copy"}}, "transforms.h.fields"},
      {{{"headers", "a"}, {"fields", "x."}, {"operation", "copy"}}, "transforms.h.fields"},
      {{{"headers", "a b"}, {"fields", "a"}, {"operation", "copy"}}, "transforms.h.headers"},
  };
  for (const auto& c : cases) {
    auto chain = chain_of(c.props);
    ASSERT_FALSE(chain.ok()) << c.needle;
    EXPECT_NE(chain.error().message.find(c.needle), std::string::npos) << chain.error().message;
  }
}

}  // namespace
}  // namespace sluice::transform
