// PartitionRouting: Java hash codes, Debezium's MurmurHash3 (vectors from io.debezium.util.MurmurHash3 of
// Debezium 3.7.1, run on the JVM), field paths (change, null parents), bad options.
#include "transform/debezium/partition_routing.h"

#include <gtest/gtest.h>

#include "transform/chain.h"
#include "transform/codec.h"

namespace sluice::transform {
namespace {

using Props = std::map<std::string, std::string>;

SchemaPtr of(const char* type) {
  auto s = std::make_shared<Schema>();
  s->type = type;
  return s;
}

TEST(PartitionRouting, JavaHashCodes) {
  EXPECT_EQ(*java_hash_code(Json::string("abc"), *of("string")), 96354);
  EXPECT_EQ(*java_hash_code(Json::string("é"), *of("string")), 233);
  EXPECT_EQ(*java_hash_code(Json::string("🚀"), *of("string")), 1773027);  // two UTF-16 units
  EXPECT_EQ(*java_hash_code(Json::number("7"), *of("int32")), 7);
  EXPECT_EQ(*java_hash_code(Json::number("-7"), *of("int16")), -7);
  EXPECT_EQ(*java_hash_code(Json::number("5000000000"), *of("int64")), 705032705);
  EXPECT_EQ(*java_hash_code(Json::boolean_value(true), *of("boolean")), 1231);
  EXPECT_EQ(*java_hash_code(Json::number("1.5"), *of("double")), 1073217536);
  EXPECT_FALSE(java_hash_code(Json::string("AQ=="), *of("bytes")).ok());
}

TEST(PartitionRouting, MurmurHashesAsDebezium) {
  // MurmurHash3.getInstance().hash((Object) s): the UTF-8 bytes; lengths around the 8- and 16-byte blocks,
  // tails with bytes >= 0x80 (sign-extended by Debezium), four-byte characters.
  const std::pair<const char*, int32_t> strings[] = {
      {"", 89125410},
      {"a", -1119243492},
      {"ab", -2035972426},
      {"abc", 1809745788},
      {"hello", 1671093224},
      {"12345678", -497140088},
      {"123456789", 845015218},
      {"0123456789abcde", -1723162990},
      {"0123456789abcdef", 26898387},
      {"0123456789abcdef0", -1884752021},
      {"ñandú", 1640830615},
      {"zürich-straße-ÿ€", 1174159860},
      {"🚀 rocket", 1212759456},
      {"x🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀y", -1514971898},
      {"Ā€ÿÿ\u0080", 1722762895},
  };
  for (const auto& [text, hash] : strings) {
    EXPECT_EQ(murmur_hash_bytes(text), hash) << text;
    EXPECT_EQ(*murmur_hash_code(Json::string(text), *of("string")), hash) << text;
  }
  // Any other value: hash(int) of its Java hashCode (Long.hashCode folds the halves; Boolean, Double too).
  const std::pair<int32_t, int32_t> ints[] = {
      {0, 1805505889},
      {1, -1931162451},
      {-1, 171705313},
      {42, -1311320038},
      {127, 1898395388},
      {128, 2094871050},
      {255, 1267635083},
      {256, -1356379757},
      {-128, -1726399188},
      {65535, 660264018},
      {2147483647, 925940511},
      {INT32_MIN, -797218156},
      {-2139062144, -2107995386},
  };
  for (const auto& [v, hash] : ints) EXPECT_EQ(murmur_hash_int(v), hash) << v;
  EXPECT_EQ(*murmur_hash_code(Json::number("42"), *of("int32")), -1311320038);
  EXPECT_EQ(*murmur_hash_code(Json::number("-1"), *of("int64")), 1805505889);
  EXPECT_EQ(*murmur_hash_code(Json::number("1099511627776"), *of("int64")), -1356379757);
  EXPECT_EQ(*murmur_hash_code(Json::boolean_value(true), *of("boolean")), -1891831265);
  EXPECT_EQ(*murmur_hash_code(Json::number("1.5"), *of("double")), -1122085266);
  EXPECT_FALSE(murmur_hash_code(Json::string("AQ=="), *of("bytes")).ok());
}

const char* kEnvelope =
    R"({"schema":{"type":"struct","fields":[)"
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"string","optional":true,"field":"name"}],"optional":true,"name":"p.s.t.Value","field":"before"},)"
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"string","optional":true,"field":"name"}],"optional":true,"name":"p.s.t.Value","field":"after"},)"
    R"({"type":"string","optional":false,"field":"op"}],"optional":false,"name":"p.s.t.Envelope"},)"
    R"("payload":{"before":%B,"after":%A,"op":"%O"}})";

Record record(const std::string& before, const std::string& after, const std::string& op) {
  std::string text = kEnvelope;
  text.replace(text.find("%B"), 2, before);
  text.replace(text.find("%A"), 2, after);
  text.replace(text.find("%O"), 2, op);
  Codec codec;
  Record r;
  r.topic = "p.s.t";
  r.value = **codec.decode(std::string_view(text));
  return r;
}

Result<std::shared_ptr<Chain>> chain_of(const Props& options) {
  Props p = {{"transforms", "p"},
             {"transforms.p.type", "io.debezium.transforms.partitions.PartitionRouting"}};
  for (const auto& [k, v] : options) p["transforms.p." + k] = v;
  std::set<std::string> used;
  return Chain::create(p, used);
}

TEST(PartitionRouting, HashOfTheFieldsModuloThePartitions) {
  auto chain =
      chain_of({{"partition.payload.fields", "change.name,after.nope,op"}, {"partition.topic.num", "4"}});
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  auto c = record("null", R"({"id":7,"name":"abc"})", "c");
  ASSERT_TRUE(*(*chain)->apply(c));
  // "abc".hashCode() + "c".hashCode() = 96354 + 99; after.nope does not exist: left out.
  EXPECT_EQ(c.partition, (96354 + 99) % 4);
  auto d = record(R"({"id":7,"name":"abc"})", "null", "d");  // change = before for a delete
  ASSERT_TRUE(*(*chain)->apply(d));
  EXPECT_EQ(d.partition, (96354 + 100) % 4);
  auto after = chain_of({{"partition.payload.fields", "after.id"}, {"partition.topic.num", "3"}});
  auto del = record(R"({"id":7,"name":"abc"})", "null", "d");
  EXPECT_FALSE((*after)->apply(del).ok());  // after is null: Debezium's NullPointerException
  auto tomb = Record{};
  ASSERT_TRUE(*(*after)->apply(tomb));
  EXPECT_FALSE(tomb.partition.has_value());
  auto nulls = chain_of({{"partition.payload.fields", "after.name"}, {"partition.topic.num", "3"}});
  auto n = record("null", R"({"id":7,"name":null})", "c");
  ASSERT_TRUE(*(*nulls)->apply(n));
  EXPECT_FALSE(n.partition.has_value());  // no value: the partition stays unset
}

TEST(PartitionRouting, BadOptionsNameTheKey) {
  struct Case {
    Props props;
    const char* needle;
  };
  const Case cases[] = {
      {{{"partition.topic.num", "3"}}, "transforms.p.partition.payload.fields"},
      {{{"partition.payload.fields", "after.id"}}, "transforms.p.partition.topic.num"},
      {{{"partition.payload.fields", "after.id"}, {"partition.topic.num", "0"}},
       "transforms.p.partition.topic.num"},
      {{{"partition.payload.fields", "after..id"}, {"partition.topic.num", "2"}},
       "transforms.p.partition.payload.fields"},
      {{{"partition.payload.fields", "after.id"},
        {"partition.topic.num", "2"},
        {"partition.hash.function", "md5"}},
       "transforms.p.partition.hash.function"},
  };
  for (const auto& c : cases) {
    auto chain = chain_of(c.props);
    ASSERT_FALSE(chain.ok()) << c.needle;
    EXPECT_NE(chain.error().message.find(c.needle), std::string::npos) << chain.error().message;
  }
}

TEST(PartitionRouting, MurmurChoosesThePartition) {
  auto chain = chain_of({{"partition.payload.fields", "change.name,op"},
                         {"partition.topic.num", "5"},
                         {"partition.hash.function", " Murmur "}});
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  auto c = record("null", R"({"id":7,"name":"abc"})", "c");
  ASSERT_TRUE(*(*chain)->apply(c));
  // hash("abc") + hash("c"), the sign bit cleared, modulo 5.
  uint32_t total =
      static_cast<uint32_t>(murmur_hash_bytes("abc")) + static_cast<uint32_t>(murmur_hash_bytes("c"));
  EXPECT_EQ(c.partition, static_cast<int32_t>(total & 0x7fffffffu) % 5);
}

}  // namespace
}  // namespace sluice::transform
