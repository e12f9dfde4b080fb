// libFuzzer target for the Postgres text-output parsers (event/pg_text.h): the first byte picks the parser,
// the rest is the text. Any input must give a value or a rejection, never a crash, out-of-bounds read or
// overflow (UBSan), and what is accepted must satisfy each parser's documented ranges.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "event/pg_text.h"

namespace {

namespace pgtext = sluice::event::pgtext;

constexpr int64_t kMicrosPerDay = 86'400'000'000;

// Views handed out by ArrayReader must lie in the input or in the reader's own buffer: reading every byte
// lets ASan catch an escape.
size_t touch(std::string_view v) {
  size_t sum = 0;
  for (char c : v) sum += static_cast<unsigned char>(c);
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  volatile size_t sink = 0;
  switch (data[0] % 11) {
    case 0:
      if (auto d = pgtext::parse_date(text); d && d->special == pgtext::Special::kNone) {
        int64_t y = 0;
        unsigned m = 0, day = 0;
        pgtext::civil_from_days(d->epoch_day, y, m, day);
        if (m < 1 || m > 12 || day < 1 || day > 31) std::abort();
        if (pgtext::days_from_civil(y, m, day) != d->epoch_day) std::abort();  // round trip
      }
      break;
    case 1:
      if (auto t = pgtext::parse_time(text); t && (*t < 0 || *t > kMicrosPerDay)) std::abort();
      break;
    case 2:
      if (auto t = pgtext::parse_timetz(text); t && (t->micros < 0 || t->micros > kMicrosPerDay))
        std::abort();
      break;
    case 3:
    case 4:
      if (auto ts = pgtext::parse_timestamp(text, data[0] % 11 == 4)) sink = sink + ts->epoch_micros;
      break;
    case 5:
      if (auto iv = pgtext::parse_interval(text);
          iv && (iv->micros <= -1'000'000 || iv->micros >= 1'000'000)) {
        std::abort();  // the fraction of a second
      }
      break;
    case 6: {
      std::string out;
      if (pgtext::decode_bytea_hex(text, out) && out.size() * 2 + 2 != text.size()) std::abort();
      break;
    }
    case 7: {
      pgtext::ArrayReader reader(text);
      std::string_view item;
      bool is_null = false;
      size_t n = 0;
      while (reader.next(item, is_null)) {
        if (is_null && item.size() != 4) std::abort();  // an unquoted NULL
        sink = sink + touch(item);
        if (++n > text.size() + 1) std::abort();  // every element consumes input
      }
      if (reader.shape() != pgtext::ArrayReader::Shape::kOneDim && n != 0) std::abort();
      break;
    }
    case 8: {
      pgtext::HstorePairs pairs;
      if (pgtext::parse_hstore(text, pairs)) {
        for (const auto& [k, v] : pairs) sink = sink + touch(k) + (v ? touch(*v) : 0);
      }
      break;
    }
    case 9: {
      double x = 0, y = 0;
      if (pgtext::parse_point(text, x, y)) sink = sink + static_cast<size_t>(std::isnan(x) + std::isnan(y));
      break;
    }
    case 10: {
      // days_from_civil / civil_from_days over the whole int64 day range Postgres dates never leave.
      if (text.size() < 8) break;
      int64_t day = 0;
      for (size_t i = 0; i < 8; ++i) day = (day << 8) | static_cast<uint8_t>(text[i]);
      day %= 2'000'000'000;  // |day| well beyond Postgres' range (5874897 AD) yet without overflow
      int64_t y = 0;
      unsigned m = 0, d = 0;
      pgtext::civil_from_days(day, y, m, d);
      if (pgtext::days_from_civil(y, m, d) != day) std::abort();
      break;
    }
  }
  (void)sink;
  return 0;
}
