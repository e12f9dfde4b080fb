// Kafka Connect's TimestampConverter$Key / $Value. As Connect's (connect/transforms, 4.x).
#include "transform/connect/timestamp_converter.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "common/civil_time.h"
#include "transform/connect/field_support.h"

namespace sluice::transform {

using namespace detail;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kTimestampName = "org.apache.kafka.connect.data.Timestamp";
constexpr std::string_view kDateName = "org.apache.kafka.connect.data.Date";
constexpr std::string_view kTimeName = "org.apache.kafka.connect.data.Time";
constexpr int64_t kMsPerDay = 86400000;

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::string padded(int64_t v, int count) {
  std::string digits = std::to_string(v);
  if (static_cast<int>(digits.size()) < count) digits.insert(0, count - digits.size(), '0');
  return digits;
}

}  // namespace

// A SimpleDateFormat pattern (the letters sluice implements), compiled; kFatal naming the option.
Result<std::vector<TimestampConverter::Token>> compile_date_format(const Options& options,
                                                                   const std::string& option,
                                                                   const std::string& p) {
  std::vector<TimestampConverter::Token> out;
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\'') {
      if (i + 1 < p.size() && p[i + 1] == '\'') {  // '' is a quote
        out.push_back({0, 0, "'"});
        i += 2;
        continue;
      }
      auto close = p.find('\'', i + 1);
      if (close == std::string::npos) return options.invalid(option, p, "a pattern whose quotes are closed");
      out.push_back({0, 0, p.substr(i + 1, close - i - 1)});
      i = close + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < p.size() && p[j] == c) ++j;
      int count = static_cast<int>(j - i);
      if (std::strchr("yMdHmsS", c) == nullptr || (c == 'M' && count > 2) || (c == 'y' && count == 2)) {
        return options.invalid(option, p,
                               "a SimpleDateFormat pattern of y (not yy), M, MM, d, H, m, s, S and quoted "
                               "text (sluice implements "
                               "these letters)");
      }
      out.push_back({c, count, ""});
      i = j;
    } else {
      out.push_back({0, 0, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

// Formats ms since the epoch (UTC) with a compiled pattern.
Result<std::string> format_date(const std::vector<TimestampConverter::Token>& format, int64_t ms) {
  const int64_t days = floor_div(ms, kMsPerDay);
  int64_t rest = ms - days * kMsPerDay;
  const CivilDate civil = civil_from_days(days);
  const int64_t y = civil.year, mo = civil.month, d = civil.day;
  if (y < 1) return Error::data("formatting a year before 1 AD is not implemented by sluice");
  std::string out;
  for (const auto& tok : format) {
    switch (tok.letter) {
      case 0:
        out += tok.literal;
        break;
      case 'y':
        out += padded(y, tok.count);
        break;
      case 'M':
        out += padded(mo, tok.count);
        break;
      case 'd':
        out += padded(d, tok.count);
        break;
      case 'H':
        out += padded(rest / 3600000, tok.count);
        break;
      case 'm':
        out += padded(rest / 60000 % 60, tok.count);
        break;
      case 's':
        out += padded(rest / 1000 % 60, tok.count);
        break;
      default:
        out += padded(rest % 1000, tok.count);
        break;
    }
  }
  return out;
}

Result<std::unique_ptr<Transform>> TimestampConverter::create(Options& options, Part part) {
  auto t = std::make_unique<TimestampConverter>();
  t->part_ = part;
  t->field_ = options.str("field");
  if (!options.has("target.type"))
    return options.missing("target.type", "string, unix, Date, Time or Timestamp");
  t->type_ = options.str("target.type");
  if (t->type_ != "string" && t->type_ != "unix" && t->type_ != "Date" && t->type_ != "Time" &&
      t->type_ != "Timestamp") {
    return options.invalid("target.type", t->type_, "string, unix, Date, Time, Timestamp");
  }
  t->pattern_ = options.str("format");
  t->unit_ = options.str("unix.precision", "milliseconds");
  if (t->unit_ != "seconds" && t->unit_ != "milliseconds" && t->unit_ != "microseconds" &&
      t->unit_ != "nanoseconds") {
    return options.invalid("unix.precision", t->unit_, "nanoseconds, microseconds, milliseconds, seconds");
  }
  if (auto r = options.boolean("replace.null.with.default", true); !r) return r.error();
  if (t->type_ == "string" && t->pattern_.empty())
    return options.missing("format", "a SimpleDateFormat pattern, required with target.type=string");
  auto compiled = compile_date_format(options, "format", t->pattern_);
  if (!compiled) return compiled.error();
  t->format_ = std::move(*compiled);
  return std::unique_ptr<Transform>(std::move(t));
}

SchemaPtr TimestampConverter::target_schema(bool optional) const {
  auto s = std::make_shared<Schema>();
  s->optional = optional;
  if (type_ == "string") {
    s->type = "string";
  } else if (type_ == "unix") {
    s->type = "int64";
  } else {
    s->type = type_ == "Timestamp" ? "int64" : "int32";
    s->name = std::string(type_ == "Timestamp" ? kTimestampName : type_ == "Date" ? kDateName : kTimeName);
    s->version = 1;
  }
  return s;
}

Result<Json> TimestampConverter::convert(const Schema* schema, const Json& value) const {
  if (value.is_null()) return Json::null();
  // The input's kind, from the schema (Connect's timestampTypeFromSchema) or, schemaless, the value.
  std::string from;
  if (schema != nullptr) {
    const std::string name = schema->name.value_or("");
    if (name == kTimestampName) {
      from = "Timestamp";
    } else if (name == kDateName) {
      from = "Date";
    } else if (name == kTimeName) {
      from = "Time";
    } else if (schema->type == "int64") {
      from = "unix";
    } else if (schema->type == "string") {
      from = "string";
    } else {
      return Error::data(
          fmt::format("Schema {} does not correspond to a known timestamp type format", schema->json()));
    }
  } else if (value.kind == Json::Kind::kNumber && value.text.find_first_of(".eE") == std::string::npos) {
    from = "unix";
  } else if (value.is_string()) {
    from = "string";
  } else {
    return Error::data("TimestampConverter does not support this value type");
  }
  // toRaw: the instant in epoch milliseconds.
  int64_t ms = 0;
  if (from == "string") {
    if (format_.empty()) {
      return Error::data(
          "TimestampConverter requires format option to be specified when using string timestamps");
    }
    const std::string& text = value.text;
    int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0;
    size_t pos = 0;
    auto fail = [&] {
      return Error::data(
          fmt::format("Could not parse timestamp: value ({}) does not match pattern ({})", text, pattern_));
    };
    for (size_t i = 0; i < format_.size(); ++i) {
      const Token& tok = format_[i];
      if (tok.letter == 0) {
        if (text.compare(pos, tok.literal.size(), tok.literal) != 0) return fail();
        pos += tok.literal.size();
        continue;
      }
      const bool abutting = i + 1 < format_.size() && format_[i + 1].letter != 0;
      size_t end = pos;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) &&
             (!abutting || end - pos < static_cast<size_t>(tok.count)))
        ++end;
      if (end == pos || end - pos > 18) return fail();
      int64_t v = std::stoll(text.substr(pos, end - pos));
      pos = end;
      switch (tok.letter) {
        case 'y':
          y = v;
          break;
        case 'M':
          mo = v;
          break;
        case 'd':
          d = v;
          break;
        case 'H':
          h = v;
          break;
        case 'm':
          mi = v;
          break;
        case 's':
          sec = v;
          break;
        default:
          frac = v;
          break;  // S: milliseconds
      }
    }
    // Lenient, as SimpleDateFormat: out-of-range fields roll over.
    int64_t m0 = mo - 1;
    y += floor_div(m0, 12);
    m0 -= floor_div(m0, 12) * 12;
    ms = (days_from_civil(y, static_cast<unsigned>(m0 + 1), 1) + d - 1) * kMsPerDay + h * 3600000 +
         mi * 60000 + sec * 1000 + frac;
  } else {
    auto v = parse_integral(value.text);
    if (!v) return Error::data(fmt::format("Expected a number for a {} timestamp", from));
    ms = *v;
    if (from == "Date") ms = *v * kMsPerDay;
    if (from == "unix") {
      if (unit_ == "seconds") ms = *v * 1000;
      if (unit_ == "microseconds") ms = *v / 1000;  // TimeUnit.toMillis truncates toward zero
      if (unit_ == "nanoseconds") ms = *v / 1000000;
    }
  }
  // toType.
  if (type_ == "Timestamp") return Json::number(std::to_string(ms));
  if (type_ == "Date") return Json::number(std::to_string(floor_div(ms, kMsPerDay)));
  if (type_ == "Time") return Json::number(std::to_string(ms - floor_div(ms, kMsPerDay) * kMsPerDay));
  if (type_ == "unix") {
    int64_t out = ms;
    if (unit_ == "seconds") out = ms / 1000;
    if (unit_ == "microseconds") out = ms * 1000;
    if (unit_ == "nanoseconds") out = ms * 1000000;
    return Json::number(std::to_string(out));
  }
  auto text = format_date(format_, ms);
  if (!text) return text.error();
  return Json::string(std::move(*text));
}

Result<bool> TimestampConverter::apply(Record& record) {
  static constexpr std::string_view kPurpose = "converting timestamp formats";
  auto& data = operating(record, part_);
  if (!data) return true;
  if (!data->schema) {
    if (data->payload.is_null() || field_.empty()) {
      auto v = convert(nullptr, data->payload);
      if (!v) return v.error();
      data->payload = std::move(*v);
      return true;
    }
    if (!data->payload.is_object()) return require_map(data, kPurpose);
    Json* f = data->payload.find(field_);
    auto v = convert(nullptr, f != nullptr ? *f : Json::null());
    if (!v) return v.error();
    data->payload.set(field_, std::move(*v));
    return true;
  }
  if (field_.empty()) {
    auto v = convert(data->schema.get(), data->payload);
    if (!v) return v.error();
    data->payload = std::move(*v);
    data->schema = target_schema(data->schema->optional);
    return true;
  }
  if (!data->schema->is_struct()) return require_struct(data->payload, kPurpose);
  auto it = cache_.find(data->schema.get());
  if (it == cache_.end()) {
    if (data->schema->default_value && !data->schema->default_value->is_null())
      return Error::data(
          "TimestampConverter on a struct schema with a default value is not implemented by sluice");
    auto s = std::make_shared<Schema>(copy_schema_basics(*data->schema));
    for (const auto& f : data->schema->fields) {
      s->fields.push_back(f.name == field_ ? Field{f.name, target_schema(f.schema->optional)} : f);
    }
    s->optional = data->schema->optional;
    if (cache_.size() >= kCacheLimit) cache_.clear();
    it = cache_.emplace(data->schema.get(), std::make_pair(data->schema, SchemaPtr(s))).first;
  }
  if (!data->payload.is_null()) {
    if (!data->payload.is_object()) return require_struct(data->payload, kPurpose);
    if (const Field* f = data->schema->field(field_)) {
      if (Json* v = data->payload.find(field_)) {
        auto c = convert(f->schema.get(), *v);
        if (!c) return c.error();
        *v = std::move(*c);
      }
    }
  }
  data->schema = it->second.second;
  return true;
}

}  // namespace sluice::transform
