// Bounds-checked big-endian reader over a byte span, for the pure wire decoders. A read past the end
// sets a sticky failure flag and returns zero/empty; callers check ok() once per message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace sluice {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  uint8_t u8() { return static_cast<uint8_t>(be(1)); }
  uint16_t u16() { return static_cast<uint16_t>(be(2)); }
  uint32_t u32() { return static_cast<uint32_t>(be(4)); }
  uint64_t u64() { return be(8); }
  int16_t i16() { return static_cast<int16_t>(u16()); }
  int32_t i32() { return static_cast<int32_t>(u32()); }
  int64_t i64() { return static_cast<int64_t>(u64()); }

  // n raw bytes as a view into the underlying buffer.
  std::string_view bytes(size_t n) {
    if (!ok_ || remaining() < n) return fail();
    std::string_view v(reinterpret_cast<const char*>(data_.data()) + pos_, n);
    pos_ += n;
    return v;
  }

  // A NUL-terminated string (the terminator is consumed, not returned).
  std::string_view cstring() {
    if (!ok_) return {};
    if (remaining() == 0) return fail();  // also keeps a null data() (empty span) away from memchr
    const char* start = reinterpret_cast<const char*>(data_.data()) + pos_;
    const void* nul = std::memchr(start, 0, remaining());
    if (nul == nullptr) return fail();
    size_t n = static_cast<size_t>(static_cast<const char*>(nul) - start);
    pos_ += n + 1;
    return {start, n};
  }

 private:
  uint64_t be(size_t n) {
    if (!ok_ || remaining() < n) {
      fail();
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string_view fail() {
    ok_ = false;
    pos_ = data_.size();
    return {};
  }

  std::span<const std::byte> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Big-endian writer into a caller-owned string (for the few messages sluice sends).
inline void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline std::span<const std::byte> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace sluice
