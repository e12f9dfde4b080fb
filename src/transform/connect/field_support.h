// Helpers shared by Kafka Connect's field-level transforms (transform/connect/): the part a $Key / $Value
// transform operates on, Connect's schema builders and DataException messages, Java's numeric conversions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transform/connect/part.h"
#include "transform/transform.h"

namespace sluice::transform {

// Float.toString / Double.toString of a value (how JsonConverter writes FLOAT32 / FLOAT64).
std::string java_float_text(double v, bool is_float);

namespace detail {

inline constexpr size_t kCacheLimit = 256;
inline constexpr std::string_view kDecimal = "org.apache.kafka.connect.data.Decimal";

std::optional<Data>& operating(Record& r, Part part);
SchemaPtr primitive_schema(const char* type, bool optional);
// org.apache.kafka.connect.data.Timestamp (int64, version 1).
SchemaPtr timestamp_schema(bool optional);
// What Requirements.requireStruct / requireMap say (Connect's DataException messages).
Error require_struct(const Json& value, std::string_view purpose);
Error require_map(const std::optional<Data>& data, std::string_view purpose);
// Values.convertToLong of a string: new BigDecimal(text).longValue() (digits after the point dropped).
std::optional<int64_t> parse_integral(const std::string& text);
int64_t narrow(int64_t v, const std::string& type);  // Java's (byte) / (short) / (int) casts wrap

}  // namespace detail
}  // namespace sluice::transform
