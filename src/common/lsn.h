// Strong types for Postgres protocol quantities: Lsn (a WAL position, printed "X/X" as Postgres does),
// Xid (transaction id) and Oid. Never pass an LSN as a bare integer across modules.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

class Lsn {
 public:
  constexpr Lsn() = default;
  constexpr explicit Lsn(uint64_t v) : v_(v) {}

  constexpr uint64_t value() const { return v_; }
  constexpr bool valid() const { return v_ != 0; }  // InvalidXLogRecPtr is 0
  auto operator<=>(const Lsn&) const = default;

  // Parses Postgres' "XXXXXXXX/XXXXXXXX" (hex halves, 1-8 digits each). Nullopt on anything else.
  static std::optional<Lsn> parse(std::string_view text);
  // Formats as Postgres does: upper-case hex, no leading zeros, e.g. "0/16B3748".
  std::string str() const;

 private:
  uint64_t v_ = 0;
};

struct Xid {
  uint32_t value = 0;
  auto operator<=>(const Xid&) const = default;
};

struct Oid {
  uint32_t value = 0;
  auto operator<=>(const Oid&) const = default;
};

}  // namespace sluice
