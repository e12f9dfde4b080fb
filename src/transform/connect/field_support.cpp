// Helpers shared by Kafka Connect's field-level transforms.
#include "transform/connect/field_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace sluice::transform {

std::string java_float_text(double v, bool is_float) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto r = is_float
               ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v), std::chars_format::scientific)
               : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // [-]d[.ddd]e±XX, the shortest that round-trips
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  auto e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp = std::stoi(sci.substr(e + 1));
  std::string out = negative ? "-" : "";
  double magnitude = std::fabs(is_float ? static_cast<float>(v) : v);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exp >= 0) {
      std::string int_part = digits.substr(0, std::min<size_t>(digits.size(), exp + 1));
      while (static_cast<int>(int_part.size()) < exp + 1) int_part.push_back('0');
      std::string frac = digits.size() > static_cast<size_t>(exp + 1) ? digits.substr(exp + 1) : "0";
      out += int_part + "." + frac;
    } else {
      out += "0." + std::string(-exp - 1, '0') + digits;
    }
  } else {
    out +=
        digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" + std::to_string(exp);
  }
  return out;
}

namespace detail {

std::optional<Data>& operating(Record& r, Part part) {
  return part == Part::kKey ? r.key : r.value;
}

SchemaPtr primitive_schema(const char* type, bool optional) {
  auto s = std::make_shared<Schema>();
  s->type = type;
  s->optional = optional;
  return s;
}

SchemaPtr timestamp_schema(bool optional) {
  auto s = std::make_shared<Schema>();
  s->type = "int64";
  s->optional = optional;
  s->name = "org.apache.kafka.connect.data.Timestamp";
  s->version = 1;
  return s;
}

Error require_struct(const Json& value, std::string_view purpose) {
  return Error::data(fmt::format("Only Struct objects supported for [{}], found: {}", purpose,
                                 value.is_null() ? "null" : "a non-struct value"));
}
Error require_map(const std::optional<Data>& data, std::string_view purpose) {
  return Error::data(fmt::format("Only Map objects supported in absence of schema for [{}], found: {}",
                                 purpose, !data || data->payload.is_null() ? "null" : "a non-map value"));
}

std::optional<int64_t> parse_integral(const std::string& text) {
  std::string s = text;
  if (auto dot = s.find_first_of(".eE"); dot != std::string::npos) {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(d) || std::fabs(d) >= 9.2e18) return std::nullopt;
    return static_cast<int64_t>(std::trunc(d));
  }
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

int64_t narrow(int64_t v, const std::string& type) {
  if (type == "int8") return static_cast<int8_t>(v);
  if (type == "int16") return static_cast<int16_t>(v);
  if (type == "int32") return static_cast<int32_t>(v);
  return v;
}

}  // namespace detail
}  // namespace sluice::transform
