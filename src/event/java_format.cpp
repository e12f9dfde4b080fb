// Java text formats Debezium's JSON inherits; see java_format.h.
#include "event/java_format.h"

#include <algorithm>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/base64.h"
#include "common/civil_time.h"
#include "common/utf16.h"
#include "event/pg_text.h"

namespace sluice::event::javafmt {
namespace {

// Formats a shortest decimal (digits d1d2..dn, value d1.d2..dn x 10^exp) the way Double.toString does.
void append_java_decimal(std::string& out, bool negative, std::string_view digits, int exp) {
  if (negative) out.push_back('-');
  if (exp >= -3 && exp < 7) {  // 10^-3 <= |v| < 10^7: plain notation
    if (exp >= 0) {
      for (int i = 0; i <= exp; ++i) out.push_back(static_cast<size_t>(i) < digits.size() ? digits[i] : '0');
      out.push_back('.');
      if (static_cast<size_t>(exp + 1) < digits.size()) {
        out.append(digits.substr(exp + 1));
      } else {
        out.push_back('0');
      }
    } else {
      out.append("0.");
      out.append(static_cast<size_t>(-exp - 1), '0');
      out.append(digits);
    }
    return;
  }
  out.push_back(digits[0]);
  out.push_back('.');
  if (digits.size() > 1) {
    out.append(digits.substr(1));
  } else {
    out.push_back('0');
  }
  out.push_back('E');
  char buf[8];
  auto r = std::to_chars(buf, buf + sizeof buf, exp);
  out.append(buf, r.ptr);
}

// Splits to_chars scientific output ("-1.2345e+06") into digits and exponent.
void split_scientific(std::string_view s, bool& negative, std::string& digits, int& exp) {
  negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  size_t e = s.find('e');
  digits.clear();
  for (char c : s.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  std::string_view es = s.substr(e + 1);
  if (!es.empty() && es[0] == '+') es.remove_prefix(1);
  std::from_chars(es.data(), es.data() + es.size(), exp);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
}

template <typename F>
void append_floating(std::string& out, F v) {
  if (std::isnan(v)) return out.append("NaN"), void();
  if (std::isinf(v)) return out.append(v < 0 ? "-Infinity" : "Infinity"), void();
  if (v == 0) return out.append(std::signbit(v) ? "-0.0" : "0.0"), void();
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  bool negative;
  std::string digits;
  int exp;
  split_scientific(std::string_view(buf, r.ptr - buf), negative, digits, exp);
  if (digits.size() == 1) {
    // Java picks among decimals of length 1 *or 2* the one closest to v (matters near subnormals,
    // e.g. Double.MIN_VALUE prints 4.9E-324, not 5.0E-324).
    char buf2[64];
    auto r2 = std::to_chars(buf2, buf2 + sizeof buf2, v, std::chars_format::scientific, 1);
    F back{};
    std::from_chars(buf2, r2.ptr, back);
    if (back == v) {
      bool n2;
      std::string d2;
      int e2;
      split_scientific(std::string_view(buf2, r2.ptr - buf2), n2, d2, e2);
      if (d2.size() == 2) digits = std::move(d2), exp = e2;
    }
  }
  append_java_decimal(out, negative, digits, exp);
}

void append_padded(std::string& out, int64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int n = static_cast<int>(r.ptr - buf); n < width; ++n) out.push_back('0');
  out.append(buf, r.ptr);
}

// RFC 1321 MD5, only for UUID.nameUUIDFromBytes of the (short, per-table) TOAST placeholder.
std::array<uint8_t, 16> md5(std::string_view msg) {
  static constexpr uint32_t kK[64] = {
      0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
      0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
      0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
      0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
      0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
      0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
      0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
      0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
  static constexpr int kR[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  std::string data(msg);
  uint64_t bit_len = static_cast<uint64_t>(msg.size()) * 8;
  data.push_back(static_cast<char>(0x80));
  while (data.size() % 64 != 56) data.push_back('\0');
  for (int i = 0; i < 8; ++i) data.push_back(static_cast<char>(bit_len >> (8 * i)));
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  for (size_t off = 0; off < data.size(); off += 64) {
    uint32_t w[16];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const uint8_t*>(data.data() + off + 4 * i);
      w[i] = p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; ++i) {
      uint32_t f;
      int g;
      if (i < 16) {
        f = (b & c) | (~b & d), g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c), g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d, g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d), g = (7 * i) % 16;
      }
      uint32_t t = d;
      d = c;
      c = b;
      uint32_t x = a + f + kK[i] + w[g];
      b = b + (x << kR[i] | x >> (32 - kR[i]));
      a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
  }
  std::array<uint8_t, 16> out{};
  for (int i = 0; i < 16; ++i) out[i] = static_cast<uint8_t>(h[i / 4] >> (8 * (i % 4)));
  return out;
}

}  // namespace

void append_double(std::string& out, double v) {
  append_floating(out, v);
}
void append_float(std::string& out, float v) {
  append_floating(out, v);
}

void append_iso_date(std::string& out, int64_t epoch_day) {
  const auto [y, m, d] = civil_from_days(epoch_day);
  if (y > 9999) out.push_back('+');
  if (y < 0) out.push_back('-');
  append_padded(out, y < 0 ? -y : y, 4);
  out.push_back('-');
  append_padded(out, m, 2);
  out.push_back('-');
  append_padded(out, d, 2);
}

void append_iso_time(std::string& out, int64_t micros_of_day, int fraction_digits) {
  int64_t secs = micros_of_day / 1'000'000;
  int64_t frac = micros_of_day % 1'000'000;
  append_padded(out, secs / 3600, 2);
  out.push_back(':');
  append_padded(out, secs / 60 % 60, 2);
  out.push_back(':');
  append_padded(out, secs % 60, 2);
  if (fraction_digits < 0) {
    if (frac == 0) return;
    int width = 6;
    while (frac % 10 == 0) frac /= 10, --width;
    out.push_back('.');
    append_padded(out, frac, width);
  } else if (fraction_digits > 0) {
    out.push_back('.');
    int64_t v = frac;
    for (int w = 6; w > fraction_digits; --w) v /= 10;
    for (int w = 6; w < fraction_digits; ++w) v *= 10;
    append_padded(out, v, fraction_digits);
  }
}

void append_base64(std::string& out, std::string_view bytes, bool url_safe) {
  ::sluice::append_base64(out, bytes, url_safe);
}

void append_hex(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : bytes) {
    auto b = static_cast<uint8_t>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
}

void append_unscaled_bytes(std::string& out, std::string_view digits, bool negative) {
  while (!digits.empty() && digits[0] == '0') digits.remove_prefix(1);
  if (digits.empty()) return out.push_back('\0'), void();
  // Little-endian 32-bit limbs; 9 decimal digits per multiply-add step.
  const size_t max_limbs = digits.size() / 9 + 2;
  std::array<uint32_t, 16> small{};
  std::vector<uint32_t> big;
  uint32_t* limbs = small.data();
  if (max_limbs > small.size()) big.assign(max_limbs, 0), limbs = big.data();
  size_t used = 0;
  for (size_t pos = 0; pos < digits.size();) {
    size_t n = std::min<size_t>(9, digits.size() - pos);
    uint32_t chunk = 0, scale = 1;
    for (size_t k = 0; k < n; ++k)
      chunk = chunk * 10 + static_cast<uint32_t>(digits[pos + k] - '0'), scale *= 10;
    pos += n;
    uint64_t carry = chunk;
    for (size_t i = 0; i < used; ++i) {
      uint64_t x = static_cast<uint64_t>(limbs[i]) * scale + carry;
      limbs[i] = static_cast<uint32_t>(x);
      carry = x >> 32;
    }
    if (carry != 0) limbs[used++] = static_cast<uint32_t>(carry);
  }
  // Big-endian magnitude without leading zero bytes.
  const size_t start = out.size();
  for (size_t i = used; i-- > 0;) {
    for (int b = 3; b >= 0; --b) {
      auto byte = static_cast<char>(limbs[i] >> (8 * b));
      if (out.size() == start && byte == 0) continue;
      out.push_back(byte);
    }
  }
  if (!negative) {
    if (static_cast<uint8_t>(out[start]) & 0x80)
      out.insert(out.begin() + static_cast<ptrdiff_t>(start), '\0');
    return;
  }
  // Two's complement: invert and add one, then make sure the sign bit is set.
  bool carry = true;
  for (size_t i = out.size(); i-- > start;) {
    auto b = static_cast<uint8_t>(~static_cast<uint8_t>(out[i]));
    if (carry) carry = ++b == 0;
    out[i] = static_cast<char>(b);
  }
  if (!(static_cast<uint8_t>(out[start]) & 0x80)) {
    out.insert(out.begin() + static_cast<ptrdiff_t>(start), static_cast<char>(0xff));
  }
}

std::string name_uuid_from_bytes(std::string_view bytes) {
  auto h = md5(bytes);
  h[6] = (h[6] & 0x0f) | 0x30;
  h[8] = (h[8] & 0x3f) | 0x80;
  std::string hex;
  append_hex(hex, std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

int32_t string_hash(std::string_view b) {
  return java_string_hash(b);
}

std::vector<size_t> hash_map_order(const std::vector<std::string_view>& keys) {
  // Capacity after keys.size() puts into new HashMap<>(): 16, doubled while size > 0.75 * capacity.
  size_t capacity = 16;
  while (keys.size() > capacity * 3 / 4) capacity *= 2;
  std::vector<std::pair<size_t, size_t>> slots;  // (bucket, insertion index)
  slots.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    auto h = static_cast<uint32_t>(string_hash(keys[i]));
    slots.emplace_back((h ^ (h >> 16)) & (capacity - 1), i);
  }
  std::stable_sort(slots.begin(), slots.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<size_t> order;
  order.reserve(slots.size());
  for (const auto& s : slots) order.push_back(s.second);
  return order;
}

}  // namespace sluice::event::javafmt
