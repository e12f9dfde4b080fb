// Parsers for Postgres' text output of builtin types; see pg_text.h.
#include "event/pg_text.h"

#include <charconv>
#include <limits>

#include "common/civil_time.h"

namespace sluice::event::pgtext {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly n digits (n > 0) at pos.
bool fixed_digits(std::string_view s, size_t& pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

// Reads min..max digits at pos.
bool var_digits(std::string_view s, size_t& pos, size_t min, size_t max, int64_t& out) {
  size_t start = pos;
  int64_t v = 0;
  while (pos < s.size() && is_digit(s[pos]) && pos - start < max) v = v * 10 + (s[pos++] - '0');
  if (pos - start < min || (pos < s.size() && is_digit(s[pos]))) return false;
  out = v;
  return true;
}

bool consume(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

bool consume(std::string_view s, size_t& pos, std::string_view lit) {
  if (s.substr(pos, lit.size()) == lit) {
    pos += lit.size();
    return true;
  }
  return false;
}

bool valid_ymd(int64_t y, int64_t m, int64_t d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

// YYYY-MM-DD (year: 4+ digits, as Postgres prints it); the era suffix is handled by the caller.
bool date_part(std::string_view s, size_t& pos, int64_t& y, int64_t& m, int64_t& d) {
  return var_digits(s, pos, 4, 9, y) && consume(s, pos, '-') && fixed_digits(s, pos, 2, m) &&
         consume(s, pos, '-') && fixed_digits(s, pos, 2, d);
}

// HH:MM:SS[.ffffff] -> micros; hour 24 only as 24:00:00.
bool time_part(std::string_view s, size_t& pos, int64_t& micros) {
  int64_t h, mi, sec, frac = 0;
  if (!fixed_digits(s, pos, 2, h) || !consume(s, pos, ':') || !fixed_digits(s, pos, 2, mi) ||
      !consume(s, pos, ':') || !fixed_digits(s, pos, 2, sec)) {
    return false;
  }
  if (consume(s, pos, '.')) {
    size_t start = pos;
    if (!var_digits(s, pos, 1, 6, frac)) return false;
    for (size_t n = pos - start; n < 6; ++n) frac *= 10;
  }
  if (mi > 59 || sec > 59 || h > 24) return false;
  micros = ((h * 60 + mi) * 60 + sec) * kMicrosPerSecond + frac;
  return micros <= kMicrosPerDay;
}

// +HH[:MM[:SS]] -> seconds east of UTC.
bool offset_part(std::string_view s, size_t& pos, int32_t& seconds) {
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return false;
  int sign = s[pos++] == '-' ? -1 : 1;
  int64_t h, m = 0, sec = 0;
  if (!fixed_digits(s, pos, 2, h)) return false;
  if (consume(s, pos, ':')) {
    if (!fixed_digits(s, pos, 2, m)) return false;
    if (consume(s, pos, ':') && !fixed_digits(s, pos, 2, sec)) return false;
  }
  seconds = static_cast<int32_t>(sign * (h * 3600 + m * 60 + sec));
  return true;
}

bool era_suffix(std::string_view s, size_t& pos, int64_t& year) {
  if (consume(s, pos, " BC")) {
    if (year == 0) return false;
    year = 1 - year;
  }
  return pos == s.size();
}

}  // namespace

std::optional<Date> parse_date(std::string_view s) {
  if (s == "infinity") return Date{Special::kInfinity, 0};
  if (s == "-infinity") return Date{Special::kNegInfinity, 0};
  size_t pos = 0;
  int64_t y, m, d;
  if (!date_part(s, pos, y, m, d) || !era_suffix(s, pos, y) || !valid_ymd(y, m, d)) return std::nullopt;
  return Date{Special::kNone, days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d))};
}

std::optional<int64_t> parse_time(std::string_view s) {
  size_t pos = 0;
  int64_t micros;
  if (!time_part(s, pos, micros) || pos != s.size()) return std::nullopt;
  return micros;
}

std::optional<TimeTz> parse_timetz(std::string_view s) {
  size_t pos = 0;
  TimeTz t;
  if (!time_part(s, pos, t.micros) || !offset_part(s, pos, t.offset_seconds) || pos != s.size()) {
    return std::nullopt;
  }
  return t;
}

std::optional<Timestamp> parse_timestamp(std::string_view s, bool with_zone) {
  if (s == "infinity") return Timestamp{Special::kInfinity, 0};
  if (s == "-infinity") return Timestamp{Special::kNegInfinity, 0};
  size_t pos = 0;
  int64_t y, m, d, micros;
  int32_t offset = 0;
  if (!date_part(s, pos, y, m, d) || !consume(s, pos, ' ') || !time_part(s, pos, micros)) return std::nullopt;
  if (with_zone && !offset_part(s, pos, offset)) return std::nullopt;
  if (!era_suffix(s, pos, y) || !valid_ymd(y, m, d)) return std::nullopt;
  Timestamp t;
  t.epoch_day = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  // micros <= 24:00:00 and |offset| < 16 h: the UTC time is at most a day off the date.
  int64_t utc = micros - int64_t{offset} * kMicrosPerSecond;
  const int64_t carry = utc < 0 ? -1 : utc >= kMicrosPerDay ? (utc >= 2 * kMicrosPerDay ? 2 : 1) : 0;
  t.epoch_day += carry;
  t.day_micros = utc - carry * kMicrosPerDay;
  // Debezium's epoch microseconds (Pg years have at most 8 digits here: the seconds fit).
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  int64_t seconds = 0, at = 0;
  if (__builtin_mul_overflow(t.epoch_day, int64_t{86'400}, &seconds) ||
      __builtin_add_overflow(seconds, t.day_micros / kMicrosPerSecond, &seconds) ||
      __builtin_mul_overflow(seconds, kMicrosPerSecond, &at)) {
    at = t.epoch_day < 0 ? kMin : kMax;  // TimeUnit.SECONDS.toMicros saturates
  }
  // + the fraction, wrapping as Java's long addition
  t.epoch_micros = static_cast<int64_t>(static_cast<uint64_t>(at) +
                                        static_cast<uint64_t>(t.day_micros % kMicrosPerSecond));
  return t;
}

std::optional<Interval> parse_interval(std::string_view s) {
  Interval iv;
  size_t pos = 0;
  bool any = false;
  while (pos < s.size()) {
    // A separator must be followed by another field ("1 mon " ends in a separator).
    if (any && (!consume(s, pos, ' ') || pos == s.size())) return std::nullopt;
    any = true;
    int sign = 1;
    if (s[pos] == '-' || s[pos] == '+') sign = s[pos++] == '-' ? -1 : 1;
    int64_t n;
    if (!var_digits(s, pos, 1, 10, n)) return std::nullopt;
    if (consume(s, pos, ':')) {  // the time part: [+-]H+:MM:SS[.f]
      int64_t mi, sec, frac = 0;
      if (!fixed_digits(s, pos, 2, mi) || !consume(s, pos, ':') || !fixed_digits(s, pos, 2, sec)) {
        return std::nullopt;
      }
      if (consume(s, pos, '.')) {
        size_t fstart = pos;
        if (!var_digits(s, pos, 1, 6, frac)) return std::nullopt;
        for (size_t k = pos - fstart; k < 6; ++k) frac *= 10;
      }
      if (n > INT32_MAX) return std::nullopt;
      iv.hours = static_cast<int32_t>(sign * n);
      iv.minutes = static_cast<int32_t>(sign * mi);
      iv.whole_seconds = static_cast<int32_t>(sign * sec);
      iv.micros = static_cast<int32_t>(sign * frac);
      continue;
    }
    if (!consume(s, pos, ' ') || n > INT32_MAX) return std::nullopt;
    auto value = static_cast<int32_t>(sign * n);
    std::string_view rest = s.substr(pos);
    auto unit = [&](std::string_view singular, std::string_view plural) {
      if (rest.substr(0, plural.size()) == plural) return pos += plural.size(), true;
      if (rest.substr(0, singular.size()) == singular) return pos += singular.size(), true;
      return false;
    };
    if (unit("year", "years")) {
      iv.years = value;
    } else if (unit("mon", "mons")) {
      iv.months = value;
    } else if (unit("day", "days")) {
      iv.days = value;
    } else {
      return std::nullopt;
    }
  }
  if (!any) return std::nullopt;
  return iv;
}

bool decode_bytea_hex(std::string_view s, std::string& out) {
  out.clear();
  if (s.size() < 2 || s[0] != '\\' || s[1] != 'x' || s.size() % 2 != 0) return false;
  out.reserve((s.size() - 2) / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 2; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

ArrayReader::ArrayReader(std::string_view text) : text_(text) {
  if (!text_.empty() && text_[0] == '[') {  // explicit bounds: [l:u]={...}, [l1:u1][l2:u2]={{...}}
    size_t eq = text_.find('=');
    if (eq == std::string_view::npos) return;
    text_ = text_.substr(eq + 1);
  }
  if (text_.size() < 2 || text_.front() != '{' || text_.back() != '}') return;
  shape_ = text_[1] == '{' ? Shape::kMultiDim : Shape::kOneDim;
  pos_ = 1;
  done_ = text_.size() == 2;  // {}
}

bool ArrayReader::next(std::string_view& element, bool& is_null) {
  if (shape_ != Shape::kOneDim || done_ || failed_) return false;
  const size_t end = text_.size() - 1;  // the closing brace
  is_null = false;
  if (pos_ < end && text_[pos_] == '"') {
    buf_.clear();
    ++pos_;
    while (true) {
      if (pos_ >= end) return failed_ = true, false;
      char c = text_[pos_++];
      if (c == '"') break;
      if (c == '\\') {
        if (pos_ >= end) return failed_ = true, false;
        c = text_[pos_++];
      }
      buf_.push_back(c);
    }
    element = buf_;
  } else {
    size_t start = pos_;
    while (pos_ < end && text_[pos_] != ',') {
      char c = text_[pos_];
      if (c == '"' || c == '{' || c == '}' || c == '\\') return failed_ = true, false;
      ++pos_;
    }
    element = text_.substr(start, pos_ - start);
    if (element.empty()) return failed_ = true, false;
    // array_out quotes any element spelled NULL, so an unquoted NULL (any case) is a null element.
    if (element.size() == 4 && (element[0] | 0x20) == 'n' && (element[1] | 0x20) == 'u' &&
        (element[2] | 0x20) == 'l' && (element[3] | 0x20) == 'l') {
      is_null = true;
    }
  }
  if (pos_ == end) {
    done_ = true;
  } else if (text_[pos_] == ',') {
    ++pos_;
  } else {
    return failed_ = true, false;
  }
  return true;
}

bool ArrayReader::next_subarray(std::string_view& sub) {
  if (shape_ != Shape::kMultiDim || done_ || failed_) return false;
  const size_t end = text_.size() - 1;  // the outer closing brace
  if (text_[pos_] != '{') return failed_ = true, false;
  const size_t start = pos_;
  int depth = 0;
  bool quoted = false;
  while (pos_ < end) {
    const char c = text_[pos_++];
    if (quoted) {
      if (c == '\\') {
        ++pos_;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      break;
    }
  }
  if (depth != 0 || quoted || pos_ > end) return failed_ = true, false;
  sub = text_.substr(start, pos_ - start);
  if (pos_ == end) {
    done_ = true;
  } else if (text_[pos_] == ',') {
    ++pos_;
  } else {
    return failed_ = true, false;
  }
  return true;
}

namespace {

// One hstore token: a quoted string with backslash escapes.
bool hstore_quoted(std::string_view text, size_t& pos, std::string& out) {
  if (pos >= text.size() || text[pos] != '"') return false;
  ++pos;
  out.clear();
  while (pos < text.size()) {
    char c = text[pos++];
    if (c == '"') return true;
    if (c == '\\') {
      if (pos >= text.size()) return false;
      c = text[pos++];
    }
    out.push_back(c);
  }
  return false;
}

}  // namespace

bool parse_hstore(std::string_view text, HstorePairs& out) {
  out.clear();
  size_t pos = 0;
  std::string key, value;
  while (pos < text.size()) {
    if (!out.empty()) {
      if (text.substr(pos, 2) != ", ") return false;
      pos += 2;
    }
    if (!hstore_quoted(text, pos, key)) return false;
    if (text.substr(pos, 2) != "=>") return false;
    pos += 2;
    if (text.substr(pos, 4) == "NULL") {
      pos += 4;
      out.emplace_back(key, std::nullopt);
    } else {
      if (!hstore_quoted(text, pos, value)) return false;
      out.emplace_back(key, value);
    }
  }
  return true;
}

bool parse_float8(std::string_view s, double& v) {
  if (s == "NaN") return v = std::numeric_limits<double>::quiet_NaN(), true;
  if (s == "Infinity") return v = std::numeric_limits<double>::infinity(), true;
  if (s == "-Infinity") return v = -std::numeric_limits<double>::infinity(), true;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_point(std::string_view text, double& x, double& y) {
  if (text.size() < 5 || text.front() != '(' || text.back() != ')') return false;
  std::string_view inner = text.substr(1, text.size() - 2);
  size_t comma = inner.find(',');
  if (comma == std::string_view::npos) return false;
  return parse_float8(inner.substr(0, comma), x) && parse_float8(inner.substr(comma + 1), y);
}

}  // namespace sluice::event::pgtext
