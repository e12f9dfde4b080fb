// HeaderToValue: headers into value fields with their Connect schemas, move and copy, bad options.
#include "transform/header_to_value.h"

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
      {{{"headers", "a"}, {"fields", "x.a"}, {"operation", "copy"}}, "transforms.h.fields"},
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
