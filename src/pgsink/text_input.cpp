// Postgres text input forms of Connect/Debezium values. See text_input.h.
#include "pgsink/text_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/base64.h"
#include "common/civil_time.h"

namespace sluice::pgsink {
namespace {

// "YYYY-MM-DD" (+ " BC" for years <= 0: Postgres counts 1 BC as year 0 of the proleptic calendar).
std::string ymd(int64_t days, bool& bc) {
  const auto [y, m, d] = civil_from_days(days);
  bc = y <= 0;
  return fmt::format("{:04d}-{:02d}-{:02d}", bc ? 1 - y : y, m, d);
}

std::string hms(int64_t micros_of_day) {
  int64_t s = micros_of_day / 1000000, us = micros_of_day % 1000000;
  std::string out = fmt::format("{:02d}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60);
  if (us != 0) out += fmt::format(".{:06d}", us);
  return out;
}

}  // namespace

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::string bits_text(std::string_view bytes, int64_t length) {
  // Debezium's Bits: BitSet.toByteArray (little-endian); the string's last character is bit 0.
  if (length <= 0) length = static_cast<int64_t>(bytes.size()) * 8;
  std::string out(static_cast<size_t>(length), '0');
  for (int64_t i = 0; i < length; ++i) {
    size_t byte = static_cast<size_t>(i / 8);
    if (byte < bytes.size() && ((static_cast<unsigned char>(bytes[byte]) >> (i % 8)) & 1)) {
      out[static_cast<size_t>(length - 1 - i)] = '1';
    }
  }
  return out;
}

std::string date_from_days(int64_t days) {
  bool bc = false;
  std::string out = ymd(days, bc);
  return bc ? out + " BC" : out;
}

std::string time_from_micros(int64_t micros) {
  if (micros < 0) micros = 0;
  return hms(micros);
}

std::string timestamp_from_micros(int64_t micros) {
  int64_t days = floor_div(micros, 86400000000LL);
  int64_t rest = micros - days * 86400000000LL;
  bool bc = false;
  std::string out = ymd(days, bc) + " " + hms(rest);
  return bc ? out + " BC" : out;
}

Result<std::string> base64_decode(std::string_view b64) {
  auto out = ::sluice::base64_decode(b64);
  if (!out) return Error::data(fmt::format("invalid base64 '{}'", b64.substr(0, 64)));
  return std::move(*out);
}

std::string bytea_hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Result<std::string> decimal_from_base64(std::string_view b64, int32_t scale) {
  auto raw = base64_decode(b64);
  if (!raw) return raw.error();
  std::vector<uint8_t> mag(raw->begin(), raw->end());
  bool negative = !mag.empty() && (mag[0] & 0x80);
  if (negative) {  // two's complement -> magnitude
    for (auto& b : mag) b = static_cast<uint8_t>(~b);
    for (size_t i = mag.size(); i-- > 0;) {
      if (++mag[i] != 0) break;
    }
  }
  std::string digits;
  while (true) {
    bool zero = true;
    uint32_t rem = 0;
    for (auto& b : mag) {
      uint32_t cur = (rem << 8) | b;
      b = static_cast<uint8_t>(cur / 10);
      rem = cur % 10;
      zero = zero && b == 0;
    }
    digits.push_back(static_cast<char>('0' + rem));
    if (zero) break;
  }
  std::reverse(digits.begin(), digits.end());
  if (scale < 0) {
    digits.append(static_cast<size_t>(-scale), '0');
  } else if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  if (negative && digits.find_first_not_of("0.") != std::string::npos) digits.insert(0, "-");
  return digits;
}

}  // namespace sluice::pgsink
