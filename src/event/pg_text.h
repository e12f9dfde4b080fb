// Parsers for Postgres' text output of the builtin types sluice converts (the format pgoutput and snapshot
// queries send with DateStyle=ISO, TimeZone=UTC, IntervalStyle=postgres, bytea_output=hex). Pure functions:
// nullopt means "not what Postgres would print"; callers turn that into a data error naming the value.
// Formats: postgres src/backend/utils/adt/{datetime,date,timestamp,arrayfuncs,varlena}.c.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/civil_time.h"

namespace sluice::event::pgtext {

// Proleptic Gregorian calendar (Postgres, like java.time, uses it for all dates). ISO year numbering:
// 1 BC is year 0. The algorithm is common/civil_time.h's.
using ::sluice::days_from_civil;
inline void civil_from_days(int64_t epoch_day, int64_t& year, unsigned& month, unsigned& day) {
  const CivilDate c = ::sluice::civil_from_days(epoch_day);
  year = c.year;
  month = c.month;
  day = c.day;
}

enum class Special : uint8_t { kNone, kInfinity, kNegInfinity };

struct Date {
  Special special = Special::kNone;
  int64_t epoch_day = 0;  // days since 1970-01-01
};
// "2024-02-29", "0001-01-01 BC", "infinity", "-infinity".
std::optional<Date> parse_date(std::string_view text);

// "10:11:12", "10:11:12.5", "24:00:00" -> microseconds since midnight.
std::optional<int64_t> parse_time(std::string_view text);

struct TimeTz {
  int64_t micros = 0;          // local time of day
  int32_t offset_seconds = 0;  // east of UTC
};
// "10:11:12.123+05:30", "10:11:12-08", "10:11:12+05:30:15".
std::optional<TimeTz> parse_timetz(std::string_view text);

struct Timestamp {
  Special special = Special::kNone;
  // timestamptz: the instant; timestamp: the wall time read as UTC. As Debezium's
  // Conversions.toEpochMicros: the seconds' microseconds saturate (TimeUnit.toMicros) and the fraction is
  // added with Java's long overflow: Postgres' timestamps reach 294276 AD, past what int64 microseconds since
  // 1970 hold (292277 AD), and Debezium gives -9223372036853775810 for 294276-12-31 23:59:59.999999.
  int64_t epoch_micros = 0;
  // The same, exact: the UTC day since 1970-01-01 and the microseconds into it (0 <= day_micros < 1 day).
  int64_t epoch_day = 0;
  int64_t day_micros = 0;
};
// timestamp: "2024-05-01 10:11:12.123456[ BC]"; timestamptz additionally requires an offset
// ("+00", "+05:30", "-03:12:34") before the optional " BC". Both accept "infinity"/"-infinity".
std::optional<Timestamp> parse_timestamp(std::string_view text, bool with_zone);

// An interval as pgjdbc's PGInterval holds it (IntervalStyle=postgres: "1 year 2 mons -3 days 04:05:06.7").
struct Interval {
  int32_t years = 0;
  int32_t months = 0;
  int32_t days = 0;
  int32_t hours = 0;
  int32_t minutes = 0;
  int32_t whole_seconds = 0;
  int32_t micros = 0;  // same sign as the time part
};
std::optional<Interval> parse_interval(std::string_view text);

// Decodes bytea hex output ("\x0a0b") into out. False on anything else (e.g. bytea_output=escape).
bool decode_bytea_hex(std::string_view text, std::string& out);

// Reads an array literal as array_out prints it: {a,"b c",NULL,"x\"y"} or with explicit bounds
// "[2:3]={1,2}"; a multidimensional one ({{1,2},{3,4}}, "[0:1][1:1]={{1},{2}}") by its outer dimension.
// Element views stay valid until the next call to next().
class ArrayReader {
 public:
  enum class Shape { kOneDim, kMultiDim, kInvalid };
  explicit ArrayReader(std::string_view text);
  Shape shape() const { return shape_; }
  // One-dimensional: advances to the next element: false at the end of the array or on malformed input
  // (then failed()). is_null is true for an unquoted NULL.
  bool next(std::string_view& element, bool& is_null);
  // Multidimensional: advances to the next sub-array of the outer dimension (its text, "{1,2}"): false at
  // the end or on malformed input (then failed()).
  bool next_subarray(std::string_view& sub);
  bool failed() const { return failed_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  Shape shape_ = Shape::kInvalid;
  bool failed_ = false;
  bool done_ = false;
  std::string buf_;
};

// hstore_out text: "k"=>"v", "k2"=>NULL (keys and values quoted, '"' and '\\' backslash-escaped).
// Pairs in text order; nullopt value for NULL.
using HstorePairs = std::vector<std::pair<std::string, std::optional<std::string>>>;
bool parse_hstore(std::string_view text, HstorePairs& out);

// float8out text: a number, NaN, Infinity or -Infinity (the whole of `text`).
bool parse_float8(std::string_view text, double& v);

// point_out text: "(x,y)" with float8 output for each coordinate (incl. NaN, Infinity).
bool parse_point(std::string_view text, double& x, double& y);

}  // namespace sluice::event::pgtext
