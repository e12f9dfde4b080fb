// Postgres text input forms of Connect/Debezium values: dates and times from epoch counts, decimals from
// their unscaled two's-complement bytes, bytea and bit strings. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sluice::pgsink {

std::string date_from_days(int64_t days);
std::string time_from_micros(int64_t micros);
std::string timestamp_from_micros(int64_t micros);
Result<std::string> decimal_from_base64(std::string_view b64, int32_t scale);
Result<std::string> base64_decode(std::string_view b64);
std::string bytea_hex(std::string_view bytes);
// Debezium's Bits (BitSet.toByteArray, little-endian) as a bit string of `length` bits (<= 0: all bytes).
std::string bits_text(std::string_view bytes, int64_t length);
// Division rounding toward negative infinity.
int64_t floor_div(int64_t a, int64_t b);

}  // namespace sluice::pgsink
