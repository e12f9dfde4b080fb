// Java strings are UTF-16: lengths, prefixes and String.hashCode of UTF-8 text counted in UTF-16 code units
// (a character outside the BMP is two units, a surrogate pair).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice {

// The length of the UTF-8 sequence a lead byte starts (a stray continuation byte counts as 1).
constexpr size_t utf8_sequence_length(unsigned char lead) {
  return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// String.length(): the UTF-16 units of a UTF-8 string.
size_t utf16_length(std::string_view utf8);

// Java's String.substring(0, n): the longest prefix of at most n UTF-16 units (a character outside the BMP
// counts 2 and is not split).
std::string_view truncate_utf16(std::string_view utf8, size_t n);

// String.hashCode over the UTF-16 units of a UTF-8 string (a malformed byte counts as U+FFFD).
int32_t java_string_hash(std::string_view utf8);

}  // namespace sluice
