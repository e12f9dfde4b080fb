// Lsn text form: "%X/%X" of the high and low 32 bits (see Postgres' LSN_FORMAT_ARGS / pg_lsn_in).
#include "common/lsn.h"

#include <fmt/format.h>

namespace sluice {

namespace {
std::optional<uint32_t> parse_hex32(std::string_view s) {
  if (s.empty() || s.size() > 8) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    v = (v << 4) | d;
  }
  return v;
}
}  // namespace

std::optional<Lsn> Lsn::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto hi = parse_hex32(text.substr(0, slash));
  auto lo = parse_hex32(text.substr(slash + 1));
  if (!hi || !lo) return std::nullopt;
  return Lsn((static_cast<uint64_t>(*hi) << 32) | *lo);
}

std::string Lsn::str() const {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(v_ >> 32), static_cast<uint32_t>(v_));
}

}  // namespace sluice
