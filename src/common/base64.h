// Base64 (RFC 4648): the standard and the URL-safe alphabets, padded on output.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// Appends the base64 of `bytes` to `out` ('=' padded; '-' and '_' for 62 and 63 when url_safe).
void append_base64(std::string& out, std::string_view bytes, bool url_safe = false);
inline std::string base64_encode(std::string_view bytes, bool url_safe = false) {
  std::string out;
  append_base64(out, bytes, url_safe);
  return out;
}

enum class Base64Alphabet {
  kStandard,  // '+' and '/' only
  kEither,    // '+' or '-' for 62, '/' or '_' for 63
};

// The bytes of `b64` (decoding stops at the first '='); nullopt for a character outside the alphabet.
std::optional<std::string> base64_decode(std::string_view b64,
                                         Base64Alphabet alphabet = Base64Alphabet::kEither);

}  // namespace sluice
