// ByteReader: big-endian reads, views into the input, and the sticky failure on any read past the end.
#include "common/byte_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(ByteReader, ReadsBigEndianIntegers) {
  std::string buf("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", 15);
  ByteReader r(as_bytes(buf));
  EXPECT_EQ(r.u8(), 0x01u);
  EXPECT_EQ(r.u16(), 0x0203u);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_EQ(r.u64(), 0x08090a0b0c0d0e0full);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(r.position(), 15u);
}

TEST(ByteReader, SignedReadsAreTwosComplement) {
  std::string buf("\xff\xfe\xff\xff\xff\xfd\x80\x00\x00\x00\x00\x00\x00\x00", 14);
  ByteReader r(as_bytes(buf));
  EXPECT_EQ(r.i16(), -2);
  EXPECT_EQ(r.i32(), -3);
  EXPECT_EQ(r.i64(), INT64_MIN);
  EXPECT_TRUE(r.ok());
}

TEST(ByteReader, ReadPastEndFailsStickily) {
  std::string buf("\x01\x02\x03", 3);
  ByteReader r(as_bytes(buf));
  EXPECT_EQ(r.u16(), 0x0102u);
  EXPECT_EQ(r.u16(), 0u);  // one byte left: fails, returns zero
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.u8(), 0u);  // still failed although nothing was consumed by the failed read
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.bytes(0).empty());
  EXPECT_TRUE(r.cstring().empty());
}

TEST(ByteReader, BytesAreViewsIntoTheInput) {
  std::string buf("abcdef");
  ByteReader r(as_bytes(buf));
  std::string_view v = r.bytes(4);
  EXPECT_EQ(v, "abcd");
  EXPECT_EQ(v.data(), buf.data());
  EXPECT_EQ(r.bytes(0), "");
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.bytes(3).empty());
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, ReadsCStrings) {
  std::string buf("inv\0items\0\0x", 12);
  ByteReader r(as_bytes(buf));
  EXPECT_EQ(r.cstring(), "inv");
  EXPECT_EQ(r.cstring(), "items");
  EXPECT_EQ(r.cstring(), "");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_TRUE(r.cstring().empty());  // no terminator
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, CStringOnEmptyInputFails) {
  // Regression: an empty span has data() == nullptr, which must never reach memchr.
  ByteReader r(std::span<const std::byte>{});
  EXPECT_TRUE(r.at_end());
  EXPECT_TRUE(r.cstring().empty());
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, HugeLengthFailsWithoutOverflow) {
  std::string buf("abc");
  ByteReader r(as_bytes(buf));
  r.u8();
  EXPECT_TRUE(r.bytes(SIZE_MAX).empty());
  EXPECT_FALSE(r.ok());
}

TEST(PutBe, WritesBigEndian) {
  std::string out = "r";
  put_be(out, 0x0102030405060708ull, 8);
  put_be(out, 0xabcd, 2);
  put_be(out, 0x7f, 1);
  EXPECT_EQ(out, std::string("r\x01\x02\x03\x04\x05\x06\x07\x08\xab\xcd\x7f", 12));
  ByteReader r(as_bytes(out));
  EXPECT_EQ(r.u8(), 'r');
  EXPECT_EQ(r.u64(), 0x0102030405060708ull);
}

}  // namespace
}  // namespace sluice
