// UTF-8 text measured and hashed as Java's UTF-16 strings.
#include "common/utf16.h"

#include <algorithm>

namespace sluice {

size_t utf16_length(std::string_view utf8) {
  size_t units = 0;
  for (char ch : utf8) {
    auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

std::string_view truncate_utf16(std::string_view utf8, size_t n) {
  size_t units = 0;
  size_t i = 0;
  while (i < utf8.size()) {
    const size_t len = std::min(utf8_sequence_length(static_cast<unsigned char>(utf8[i])), utf8.size() - i);
    const size_t u = len == 4 ? 2 : 1;
    if (units + u > n) break;
    units += u;
    i += len;
  }
  return utf8.substr(0, i);
}

int32_t java_string_hash(std::string_view b) {
  uint32_t h = 0;
  auto add = [&h](uint32_t unit) { h = 31 * h + unit; };
  for (size_t i = 0; i < b.size();) {
    auto c = static_cast<uint8_t>(b[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= b.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<uint8_t>(b[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      add(0xFFFD);
      ++i;
      continue;
    }
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<uint8_t>(b[i + k]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      add(0xD800 + (cp >> 10));
      add(0xDC00 + (cp & 0x3FF));
    } else {
      add(cp);
    }
    i += n;
  }
  return static_cast<int32_t>(h);
}

}  // namespace sluice
