// Column masks: the digests are Debezium's own test vectors (MaskStringsTest) and values printed by Java 17's
// MessageDigest + ObjectOutputStream for non-ASCII text, an empty string and a string beyond 65535 bytes.
#include "event/column_mask.h"

#include <gtest/gtest.h>

namespace sluice::event {
namespace {

std::string hash(std::string_view alg, std::string salt, int version, std::string_view value) {
  auto h = StringHasher::create("column.mask.hash.test", alg, std::move(salt), version);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error().message);
  return h.ok() ? (*h)->hex(value) : "";
}

TEST(ColumnMask, HashV1MatchesDebeziumMaskStringsTest) {
  EXPECT_EQ(hash("SHA-256", "salt", 1, "hello"),
            "af5843a0f0e728ab0332c8888b6e1190bfb79e584f0d40538de8f10df6ef29c6");
  EXPECT_EQ(hash("SHA-256", "salt", 1, "world"),
            "4588e1f2dcdc7fefc1515d3acd5acb9033478eace68286f383c337b9ff4464a3");
  EXPECT_EQ(hash("MD5", "salt", 1, "hello"), "46f48a7a5ea32efba87cbff49d46d35a");
  EXPECT_EQ(hash("md5", "salt", 1, "world"), "030f632140d9c9591b0d8c21098024b8");  // names: case-insensitive
}

TEST(ColumnMask, HashV2MatchesDebeziumMaskStringsTest) {
  EXPECT_EQ(hash("SHA-256", "salt", 2, "hello"),
            "cd31b3b98ece60cb739c0bf770b2de892ae0ad133f645513c3d83f08757a843a");
  EXPECT_EQ(hash("SHA-256", "salt", 2, "world"),
            "e84ac3142870113ddc6710c06f76421befc8e8ca6de64e98d2993ed8d41f4085");
  EXPECT_EQ(hash("MD5", "salt", 2, "hello"), "06decc8b095724f80103712c235586be");
  EXPECT_EQ(hash("MD5", "salt", 2, "world"), "172c8e95398cc72ab5358ead6981e7e5");
}

TEST(ColumnMask, HashOfNonAsciiMatchesJava) {
  const std::string salt = "s\xC3\xA4lt";                  // "sält": String.getBytes() is UTF-8
  const std::string v = "utf8_\xC3\xB1_\xF0\x9F\x9A\x80";  // "utf8_ñ_🚀": modified UTF-8 in V1
  EXPECT_EQ(hash("SHA-256", salt, 1, v), "7d3b2c767f8aa406bdf2cdb489419ebbd6646c615234b3fa58abcb983768d861");
  EXPECT_EQ(hash("SHA-256", salt, 2, v), "fdd8378b057561697557ee020d2190a5c4ded1a36c05c44f50ae6e9128a7a895");
  EXPECT_EQ(hash("SHA-512/256", salt, 1, v),
            "1f292dba55af78d84b0bf13a0546eae8f3c71283bb7d3f88717678f7b5fbd34a");
  EXPECT_EQ(hash("SHA3-256", salt, 2, v), "65bdcaa3a4192e0d39a395ef6f3ea335b44d7d21fc68fd4846e5852451e95710");
  EXPECT_EQ(hash("SHA-1", salt, 1, v), "8f415069dbacd850859cc46a86bba893e5d0e3c0");
  EXPECT_EQ(hash("SHA-256", salt, 1, ""), "0046d95b3af0dadb097eabb51f2a268326c4be08ef10cdd37a6fc006f7a3bb34");
  EXPECT_EQ(hash("SHA-1", salt, 2, ""), "889f47c546f3fefa76390fe35e4e938ee264ec30");
}

TEST(ColumnMask, HashOfLongStringUsesTcLongString) {
  EXPECT_EQ(hash("MD5", "salt", 1, std::string(70000, 'x')), "de18aaae213c1b07b48f627455fcec67");
}

TEST(ColumnMask, JavaSerializedString) {
  EXPECT_EQ(java_serialized_string("a"), std::string("\xAC\xED\x00\x05\x74\x00\x01"
                                                     "a",
                                                     8));
  // U+1F680 is a surrogate pair, three bytes each.
  EXPECT_EQ(java_serialized_string("\xF0\x9F\x9A\x80"),
            std::string("\xAC\xED\x00\x05\x74\x00\x06\xED\xA0\xBD\xED\xBA\x80", 13));
}

TEST(ColumnMask, UnknownAlgorithmNamesKey) {
  auto h = StringHasher::create("column.mask.hash.SHA-999.with.salt.x", "SHA-999", "x", 1);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().kind, ErrorKind::kFatal);
  EXPECT_NE(h.error().message.find("column.mask.hash.SHA-999.with.salt.x"), std::string::npos);
  EXPECT_NE(h.error().message.find("'SHA-999'"), std::string::npos);
  EXPECT_FALSE(StringHasher::create("k", "SHA256", "x", 1).ok());  // not a Java MessageDigest name
}

TEST(ColumnMask, TruncateCountsUtf16Units) {
  EXPECT_EQ(truncate_utf16("abcdef", 3), "abc");
  EXPECT_EQ(truncate_utf16("ab", 3), "ab");
  EXPECT_EQ(truncate_utf16("\xC3\xB1\xC3\xB1\xC3\xB1", 2), "\xC3\xB1\xC3\xB1");
  EXPECT_EQ(truncate_utf16("a\xF0\x9F\x9A\x80"
                           "b",
                           3),
            "a\xF0\x9F\x9A\x80");
  EXPECT_EQ(truncate_utf16("a\xF0\x9F\x9A\x80"
                           "b",
                           2),
            "a");  // a pair is not split
  EXPECT_EQ(truncate_utf16("abc", 0), "");
}

TEST(ColumnRules, FilterIsAnchoredAndCaseInsensitive) {
  auto r = ColumnRules::create({"public\\.customers\\.(id|name)"}, {}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->included("public.customers.id"));
  EXPECT_TRUE((*r)->included("PUBLIC.Customers.Name"));
  EXPECT_FALSE((*r)->included("public.customers.email"));
  EXPECT_FALSE((*r)->included("public.customers.id2"));  // whole string
  auto e = ColumnRules::create({}, {"public\\.customers\\.email"}, {});
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE((*e)->included("public.customers.email"));
  EXPECT_TRUE((*e)->included("public.customers.id"));
  EXPECT_TRUE((*e)->included("public.orders.email"));
}

TEST(ColumnRules, BadOptionsNameTheKey) {
  auto both = ColumnRules::create({"a"}, {"b"}, {});
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().message.find("column.include.list and column.exclude.list"), std::string::npos);
  auto bad = ColumnRules::create({"public.t.("}, {}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("column.include.list"), std::string::npos);
  MaskSpec spec;
  spec.key = "column.mask.with.3.chars";
  auto bad_mask = ColumnRules::create({}, {}, {{spec, {"x["}}});
  ASSERT_FALSE(bad_mask.ok());
  EXPECT_NE(bad_mask.error().message.find("column.mask.with.3.chars"), std::string::npos);
}

TEST(ColumnRules, FirstMatchingRuleWins) {
  MaskSpec truncate{MaskSpec::Kind::kTruncate, "column.truncate.to.2.chars", 2, "", "", 1};
  MaskSpec replace{MaskSpec::Kind::kReplace, "column.mask.with.3.chars", 3, "", "", 1};
  auto r = ColumnRules::create({}, {}, {{truncate, {"public\\.t\\.a"}}, {replace, {"public\\.t\\..*"}}});
  ASSERT_TRUE(r.ok());
  ASSERT_NE((*r)->mask_for("public.t.a"), nullptr);
  EXPECT_EQ((*r)->mask_for("public.t.a")->spec.key, "column.truncate.to.2.chars");
  EXPECT_EQ((*r)->mask_for("public.t.b")->spec.key, "column.mask.with.3.chars");
  EXPECT_EQ((*r)->mask_for("public.u.a"), nullptr);
}

}  // namespace
}  // namespace sluice::event
