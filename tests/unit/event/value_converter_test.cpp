// Per-type conversion of pgoutput text values to Debezium JSON values and JsonConverter field schemas.
// Expected values are what Debezium 3.4 + JsonConverter emit (BigInteger bytes computed independently).
#include "event/value_converter.h"

#include <gtest/gtest.h>

#include <cmath>

#include "event/java_format.h"
#include "event/pg_text.h"
#include "event/pg_types.h"

namespace sluice::event {
namespace {

namespace pt = pgtype;
using Kind = decode::TupleValue::Kind;

int32_t numeric_typmod(int p, int s) {
  return ((p << 16) | s) + 4;
}

struct Col {
  uint32_t oid;
  int32_t typmod = -1;
  bool optional = true;
  ConverterOptions options = {};
  std::string type_name = {};  // non-builtin types
  char type_kind = 'b';
  std::vector<std::string> enum_values = {};
  std::optional<std::string> default_expr = {};
  char element_kind = 0;  // an array of a non-builtin type
  std::string element_name = {};
};

std::optional<ColumnConverter> converter(const Col& c) {
  ColumnInfo info{"c", Oid{c.oid}, c.typmod, c.optional};
  info.type_name = c.type_name;
  info.type_kind = c.type_kind;
  info.enum_values = c.enum_values;
  info.default_expr = c.default_expr;
  info.element_kind = c.element_kind;
  info.element_name = c.element_name;
  return make_column_converter(info, 0, c.options);
}

std::string write(const Col& c, Kind kind, std::string_view text) {
  auto conv = converter(c);
  if (!conv) return "<dropped>";
  std::string out, scratch;
  StringSink sink{&out};
  JsonWriter w(sink);
  Status st = write_column_value(*conv, decode::TupleValue{kind, text}, w, scratch);
  if (!st.ok()) return "ERROR " + st.error().message;
  return out;
}

std::string conv(const Col& c, std::string_view text) {
  return write(c, Kind::kText, text);
}
std::string schema(const Col& c) {
  auto conv = converter(c);
  return conv ? conv->field_schema_json : "<dropped>";
}

TEST(ValueConverter, Integers) {
  EXPECT_EQ(conv({pt::kInt2}, "-32768"), "-32768");
  EXPECT_EQ(conv({pt::kInt4}, "2147483647"), "2147483647");
  EXPECT_EQ(conv({pt::kInt8}, "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(conv({pt::kOid}, "4294967295"), "4294967295");
  EXPECT_EQ(conv({pt::kInt4}, "0"), "0");
  EXPECT_EQ(schema({pt::kInt2}), R"({"type":"int16","optional":true,"field":"c"})");
  EXPECT_EQ(schema({pt::kInt4, -1, false}), R"({"type":"int32","optional":false,"field":"c"})");
  EXPECT_EQ(schema({pt::kOid}), R"({"type":"int64","optional":true,"field":"c"})");
  EXPECT_EQ(conv({pt::kInt2}, "32768").substr(0, 5), "ERROR");
  EXPECT_EQ(conv({pt::kInt4}, "12a"), "ERROR invalid int4 value '12a'");
}

TEST(ValueConverter, Boolean) {
  EXPECT_EQ(conv({pt::kBool}, "t"), "true");
  EXPECT_EQ(conv({pt::kBool}, "f"), "false");
  EXPECT_EQ(schema({pt::kBool}), R"({"type":"boolean","optional":true,"field":"c"})");
  EXPECT_EQ(conv({pt::kBool}, "yes").substr(0, 5), "ERROR");
}

TEST(ValueConverter, FloatsUseJavaToString) {
  EXPECT_EQ(conv({pt::kFloat4}, "1.5"), "1.5");
  EXPECT_EQ(conv({pt::kFloat4}, "100"), "100.0");
  EXPECT_EQ(conv({pt::kFloat4}, "1.2345678e+07"), "1.2345678E7");
  EXPECT_EQ(conv({pt::kFloat8}, "0.1"), "0.1");
  EXPECT_EQ(conv({pt::kFloat8}, "1234567"), "1234567.0");
  EXPECT_EQ(conv({pt::kFloat8}, "12345678"), "1.2345678E7");
  EXPECT_EQ(conv({pt::kFloat8}, "0.001"), "0.001");
  EXPECT_EQ(conv({pt::kFloat8}, "0.0001"), "1.0E-4");
  EXPECT_EQ(conv({pt::kFloat8}, "1e+300"), "1.0E300");
  EXPECT_EQ(conv({pt::kFloat8}, "-1.5e-07"), "-1.5E-7");
  EXPECT_EQ(conv({pt::kFloat8}, "-0"), "-0.0");
  EXPECT_EQ(conv({pt::kFloat8}, "0"), "0.0");
  EXPECT_EQ(conv({pt::kFloat8}, "4.9406564584124654e-324"), "4.9E-324");  // Double.MIN_VALUE
  EXPECT_EQ(conv({pt::kFloat8}, "1.7976931348623157e+308"), "1.7976931348623157E308");
  // Jackson writes non-finite doubles as strings (WRITE_NAN_AS_STRINGS is on by default).
  EXPECT_EQ(conv({pt::kFloat8}, "NaN"), R"("NaN")");
  EXPECT_EQ(conv({pt::kFloat4}, "Infinity"), R"("Infinity")");
  EXPECT_EQ(conv({pt::kFloat8}, "-Infinity"), R"("-Infinity")");
  EXPECT_EQ(schema({pt::kFloat4}), R"({"type":"float","optional":true,"field":"c"})");
  EXPECT_EQ(schema({pt::kFloat8}), R"({"type":"double","optional":true,"field":"c"})");
}

TEST(ValueConverter, Strings) {
  EXPECT_EQ(conv({pt::kText}, "josip"), R"("josip")");
  EXPECT_EQ(conv({pt::kText}, "tab\tquote\"back\\slash\x01 é"), "\"tab\\tquote\\\"back\\\\slash\\u0001 é\"");
  EXPECT_EQ(conv({pt::kBpchar, 9}, "ab   "), R"("ab   ")");  // padding kept as Postgres sends it
  EXPECT_EQ(conv({pt::kVarchar, 14}, ""), R"("")");
  EXPECT_EQ(conv({pt::kChar}, "x"), R"("x")");
  EXPECT_EQ(conv({pt::kName}, "pg_class"), R"("pg_class")");
  EXPECT_EQ(conv({pt::kInet}, "10.0.0.1/8"), R"("10.0.0.1/8")");
  EXPECT_EQ(schema({pt::kVarchar, 14}), R"({"type":"string","optional":true,"field":"c"})");
}

TEST(ValueConverter, SemanticStrings) {
  EXPECT_EQ(conv({pt::kUuid}, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            R"("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")");
  EXPECT_EQ(conv({pt::kJsonb}, R"({"a": 1})"), R"("{\"a\": 1}")");
  EXPECT_EQ(schema({pt::kUuid}),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Uuid","version":1,"field":"c"})");
  EXPECT_EQ(schema({pt::kJson}),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"c"})");
  EXPECT_EQ(schema({pt::kJsonb}),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"c"})");
  EXPECT_EQ(schema({pt::kXml}),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Xml","version":1,"field":"c"})");
}

TEST(ValueConverter, Bytea) {
  EXPECT_EQ(conv({pt::kBytea}, "\\x0a0b"), R"("Cgs=")");
  EXPECT_EQ(conv({pt::kBytea}, "\\x"), R"("")");
  EXPECT_EQ(conv({pt::kBytea}, "\\xfbff"), R"("+/8=")");
  EXPECT_EQ(schema({pt::kBytea}), R"({"type":"bytes","optional":true,"field":"c"})");
  EXPECT_EQ(conv({pt::kBytea}, "\\012").substr(0, 5), "ERROR");  // bytea_output=escape is not supported
  Col b64{pt::kBytea};
  b64.options.binary = ConverterOptions::BinaryMode::kBase64UrlSafe;
  EXPECT_EQ(conv(b64, "\\xfbff"), R"("-_8=")");
  EXPECT_EQ(schema(b64), R"({"type":"string","optional":true,"field":"c"})");
  Col hex{pt::kBytea};
  hex.options.binary = ConverterOptions::BinaryMode::kHex;
  EXPECT_EQ(conv(hex, "\\xFBff"), R"("fbff")");
}

TEST(ValueConverter, NumericPrecise) {
  Col n52{pt::kNumeric, numeric_typmod(5, 2)};
  EXPECT_EQ(schema(n52),
            R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal",)"
            R"("version":1,"parameters":{"scale":"2","connect.decimal.precision":"5"},"field":"c"})");
  EXPECT_EQ(conv(n52, "12.34"), R"("BNI=")");
  EXPECT_EQ(conv(n52, "-12.34"), R"("+y4=")");
  EXPECT_EQ(conv(n52, "0.00"), R"("AA==")");
  EXPECT_EQ(conv(n52, "1234.50"), R"("AeI6")");
  Col n50{pt::kNumeric, numeric_typmod(5, 0)};
  EXPECT_EQ(conv(n50, "128"), R"("AIA=")");
  EXPECT_EQ(conv(n50, "-128"), R"("gA==")");  // BigInteger.toByteArray is minimal: one byte
  EXPECT_EQ(conv(n50, "-129"), R"("/38=")");
  EXPECT_EQ(conv(n50, "255"), R"("AP8=")");
  Col n39{pt::kNumeric, numeric_typmod(39, 0)};
  EXPECT_EQ(conv(n39, "100000000000000000000000000000000000000"), R"("SztMqFqGxHoJiiJAAAAAAA==")");
  EXPECT_EQ(conv(n39, "-100000000000000000000000000000000000000"), R"("tMSzV6V5O4X2dd3AAAAAAA==")");
  Col n60{pt::kNumeric, numeric_typmod(60, 0)};
  EXPECT_EQ(conv(n60, std::string(60, '9')), R"("AJ9PJyYXmiJFAddiQiyUZZDZD/////////8=")");
  EXPECT_EQ(conv(n60, "-1" + std::string(59, '0')), R"("8BGvSP2jyV9/0NyS+4rCpLcYAAAAAAAAAA==")");
  // PostgresValueConverter cannot put NaN/Infinity in a Decimal: the conversion fails and, with the default
  // event.converting.failure.handling.mode=warn, the field is null.
  EXPECT_EQ(conv(n52, "NaN"), "null");
  EXPECT_EQ(conv(n52, "Infinity"), "null");
  EXPECT_EQ(conv(n52, "1.2.3").substr(0, 5), "ERROR");
}

TEST(ValueConverter, NumericVariableScale) {
  Col n{pt::kNumeric};
  EXPECT_EQ(schema(n),
            R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},)"
            R"({"type":"bytes","optional":false,"field":"value"}],"optional":true,)"
            R"("name":"io.debezium.data.VariableScaleDecimal","version":1,"doc":"Variable scaled decimal",)"
            R"("field":"c"})");
  EXPECT_EQ(conv(n, "1.500"), R"({"scale":1,"value":"Dw=="})");  // stripTrailingZeros
  EXPECT_EQ(conv(n, "100"), R"({"scale":0,"value":"ZA=="})");    // scale never negative
  EXPECT_EQ(conv(n, "-0.0010"), R"({"scale":3,"value":"/w=="})");
  EXPECT_EQ(conv(n, "0.000"), R"({"scale":0,"value":"AA=="})");
  EXPECT_EQ(conv(n, "NaN"), "null");
}

TEST(ValueConverter, NumericOtherModes) {
  Col dbl{pt::kNumeric, numeric_typmod(10, 2)};
  dbl.options.decimal = ConverterOptions::DecimalMode::kDouble;
  EXPECT_EQ(schema(dbl), R"({"type":"double","optional":true,"field":"c"})");
  EXPECT_EQ(conv(dbl, "-12.50"), "-12.5");
  EXPECT_EQ(conv(dbl, "NaN"), R"("NaN")");
  Col str{pt::kNumeric};
  str.options.decimal = ConverterOptions::DecimalMode::kString;
  EXPECT_EQ(schema(str), R"({"type":"string","optional":true,"field":"c"})");
  EXPECT_EQ(conv(str, "1.500"), R"("1.500")");
  EXPECT_EQ(conv(str, "NaN"), R"("NAN")");
  EXPECT_EQ(conv(str, "-Infinity"), R"("NEGATIVE_INFINITY")");
}

TEST(ValueConverter, Money) {
  Col m{pt::kMoney};
  EXPECT_EQ(schema(m), R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal",)"
                       R"("version":1,"parameters":{"scale":"2"},"field":"c"})");
  EXPECT_EQ(conv(m, "$1,234.50"), R"("AeI6")");
  EXPECT_EQ(conv(m, "-$1,234.50"), R"("/h3G")");
  Col s{pt::kMoney};
  s.options.decimal = ConverterOptions::DecimalMode::kString;
  EXPECT_EQ(conv(s, "-$1,234.50"), R"("-1234.50")");
}

TEST(ValueConverter, Date) {
  EXPECT_EQ(schema({pt::kDate}),
            R"({"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,"field":"c"})");
  EXPECT_EQ(conv({pt::kDate}, "1970-01-01"), "0");
  EXPECT_EQ(conv({pt::kDate}, "2024-02-29"), "19782");  // leap day
  EXPECT_EQ(conv({pt::kDate}, "1969-12-31"), "-1");
  EXPECT_EQ(conv({pt::kDate}, "2000-03-01"), "11017");
  EXPECT_EQ(conv({pt::kDate}, "0001-01-01 BC"), "-719528");  // ISO year 0
  EXPECT_EQ(conv({pt::kDate}, "2023-02-29").substr(0, 5), "ERROR");
  // What Debezium 3.7 emits for 'infinity' / '-infinity' (checked against it by tests/conformance) ...
  EXPECT_EQ(conv({pt::kDate}, "infinity"), "2146033979");
  EXPECT_EQ(conv({pt::kDate}, "-infinity"), "-2147472691");
  // ... and 3.4 (sluice.compat.version=3.4): +infinity as a date in year -5877611.
  Col date34{pt::kDate};
  date34.options.compat_minor = 4;
  EXPECT_EQ(conv(date34, "infinity"), "-2147472692");
  EXPECT_EQ(conv(date34, "-infinity"), "-2147472691");
  Col connect{pt::kDate};
  connect.options.time_precision = ConverterOptions::TimePrecisionMode::kConnect;
  EXPECT_EQ(
      schema(connect),
      R"({"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Date","version":1,"field":"c"})");
}

TEST(ValueConverter, Time) {
  EXPECT_EQ(
      schema({pt::kTime}),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1,"field":"c"})");
  EXPECT_EQ(schema({pt::kTime, 3}),
            R"({"type":"int32","optional":true,"name":"io.debezium.time.Time","version":1,"field":"c"})");
  EXPECT_EQ(
      schema({pt::kTime, 4}),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1,"field":"c"})");
  EXPECT_EQ(conv({pt::kTime}, "10:11:12.5"), "36672500000");
  EXPECT_EQ(conv({pt::kTime}, "00:00:00"), "0");
  EXPECT_EQ(conv({pt::kTime}, "24:00:00"), "86400000000");
  EXPECT_EQ(conv({pt::kTime, 3}, "10:11:12.123"), "36672123");
  EXPECT_EQ(conv({pt::kTime, 0}, "23:59:59"), "86399000");
  EXPECT_EQ(conv({pt::kTime}, "25:00:00").substr(0, 5), "ERROR");
  Col micro{pt::kTime, 2};
  micro.options.time_precision = ConverterOptions::TimePrecisionMode::kAdaptiveTimeMicroseconds;
  EXPECT_EQ(conv(micro, "10:11:12.12"), "36672120000");
}

TEST(ValueConverter, Timestamp) {
  EXPECT_EQ(
      schema({pt::kTimestamp}),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"c"})");
  EXPECT_EQ(
      schema({pt::kTimestamp, 3}),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,"field":"c"})");
  EXPECT_EQ(conv({pt::kTimestamp}, "2024-05-01 10:11:12.123456"), "1714558272123456");
  EXPECT_EQ(conv({pt::kTimestamp, 3}, "2024-05-01 10:11:12.123"), "1714558272123");
  EXPECT_EQ(conv({pt::kTimestamp}, "1900-01-01 00:00:00"), "-2208988800000000");
  EXPECT_EQ(conv({pt::kTimestamp}, "1969-12-31 23:59:59.5"), "-500000");
  EXPECT_EQ(conv({pt::kTimestamp, 3}, "1969-12-31 23:59:59.5"), "-500");  // Instant.toEpochMilli floors
  // Debezium 3.7: Long.MAX_VALUE / MIN_VALUE micros; as millis, pgjdbc's DATE_POSITIVE/NEGATIVE_INFINITY.
  EXPECT_EQ(conv({pt::kTimestamp}, "infinity"), "9223372036854775807");
  EXPECT_EQ(conv({pt::kTimestamp}, "-infinity"), "-9223372036854775808");
  EXPECT_EQ(conv({pt::kTimestamp, 3}, "infinity"), "9223372036825200000");
  EXPECT_EQ(conv({pt::kTimestamp, 3}, "-infinity"), "-9223372036832400000");
  // Debezium 3.4: the pgjdbc constants as micros, and those micros as millis.
  ConverterOptions v34;
  v34.compat_minor = 4;
  EXPECT_EQ(conv({pt::kTimestamp, -1, true, v34}, "infinity"), "9223372036825200000");
  EXPECT_EQ(conv({pt::kTimestamp, 3, true, v34}, "-infinity"), "-9223372036832400");
  EXPECT_EQ(conv({pt::kTimestamp}, "2024-05-01 10:11:12+00").substr(0, 5), "ERROR");
}

TEST(ValueConverter, ZonedTimestampPadsFractionToColumnPrecision) {
  EXPECT_EQ(
      schema({pt::kTimestamptz}),
      R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"c"})");
  EXPECT_EQ(conv({pt::kTimestamptz}, "2024-05-01 10:11:12.123456+00"), R"("2024-05-01T10:11:12.123456Z")");
  EXPECT_EQ(conv({pt::kTimestamptz}, "2024-05-01 10:11:12+00"), R"("2024-05-01T10:11:12.000000Z")");
  EXPECT_EQ(conv({pt::kTimestamptz}, "2024-05-01 10:11:12.5+05:30"), R"("2024-05-01T04:41:12.500000Z")");
  EXPECT_EQ(conv({pt::kTimestamptz, 3}, "2024-05-01 10:11:12.12+00"), R"("2024-05-01T10:11:12.120Z")");
  EXPECT_EQ(conv({pt::kTimestamptz, 0}, "2024-05-01 10:11:12+00"), R"("2024-05-01T10:11:12Z")");
  EXPECT_EQ(conv({pt::kTimestamptz}, "1969-12-31 23:59:59.999999+00"), R"("1969-12-31T23:59:59.999999Z")");
  EXPECT_EQ(conv({pt::kTimestamptz}, "2024-01-01 00:30:00-01"), R"("2024-01-01T01:30:00.000000Z")");
  EXPECT_EQ(conv({pt::kTimestamptz}, "0044-03-15 12:00:00+00 BC"), R"("-0043-03-15T12:00:00.000000Z")");
  EXPECT_EQ(conv({pt::kTimestamptz}, "10000-01-01 00:00:00+00"), R"("+10000-01-01T00:00:00.000000Z")");
  EXPECT_EQ(conv({pt::kTimestamptz}, "infinity"), R"("infinity")");
  EXPECT_EQ(conv({pt::kTimestamptz}, "-infinity"), R"("-infinity")");
}

// Regression (value_converter_fuzz): a timestamptz far before the int64 microsecond range saturates; printing
// its time of day must not overflow.
// Regression (issue 15): Postgres' largest timestamps, past int64 microseconds since 1970, as Debezium 3.4
// streams and snapshots them: ZonedTimestamp and milliseconds exact, MicroTimestamp
// Conversions.toEpochMicros's saturated seconds plus the wrapped fraction.
TEST(ValueConverter, LargestTimestamps) {
  EXPECT_EQ(conv({pt::kTimestamptz}, "294276-12-31 23:59:59.999999+00"),
            R"("+294276-12-31T23:59:59.999999Z")");
  EXPECT_EQ(conv({pt::kTimestamp}, "294276-12-31 23:59:59.999999"), "-9223372036853775810");
  Col connect{pt::kTimestamp};
  connect.options.time_precision = ConverterOptions::TimePrecisionMode::kConnect;
  EXPECT_EQ(conv(connect, "294276-12-31 23:59:59.999999"), "9224318015999999");
  EXPECT_EQ(conv(connect, "4713-01-01 00:00:00 BC"), "-210863520000000");
  EXPECT_EQ(conv({pt::kTimestamp, 3}, "294276-12-31 23:59:59.999"), "9224318015999999");
}

TEST(ValueConverter, ZonedTimestampAtSaturatedExtremes) {
  EXPECT_EQ(conv({pt::kTimestamptz}, "20040234-03-15 12:00:00.123+00 BC").substr(0, 2), R"("-)");
  EXPECT_EQ(conv({pt::kTimestamptz}, "20040234-03-15 12:00:00.123+00").substr(0, 2), R"("+)");
}

TEST(ValueConverter, ZonedTime) {
  EXPECT_EQ(
      schema({pt::kTimetz}),
      R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTime","version":1,"field":"c"})");
  EXPECT_EQ(conv({pt::kTimetz}, "10:11:12.123+05:30"), R"("04:41:12.123Z")");
  EXPECT_EQ(conv({pt::kTimetz}, "10:11:12-08"), R"("18:11:12Z")");
  EXPECT_EQ(conv({pt::kTimetz}, "01:00:00+02"), R"("23:00:00Z")");  // wraps around midnight
  EXPECT_EQ(conv({pt::kTimetz}, "10:11:00.120000+00"), R"("10:11:00.12Z")");
  // Debezium 3.7 keeps 24:00:00 at UTC; other offsets wrap as any time does.
  EXPECT_EQ(conv({pt::kTimetz}, "24:00:00+00"), R"("24:00:00Z")");
  EXPECT_EQ(conv({pt::kTimetz}, "24:00:00+02"), R"("22:00:00Z")");
  // Regression (issue 15): Debezium 3.4's OffsetTime holds no 24:00, it gives the next midnight on both
  // paths.
  Col tz34{pt::kTimetz};
  tz34.options.compat_minor = 4;
  EXPECT_EQ(conv(tz34, "24:00:00+00"), R"("00:00:00Z")");
}

TEST(ValueConverter, Interval) {
  EXPECT_EQ(
      schema({pt::kInterval}),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroDuration","version":1,"field":"c"})");
  EXPECT_EQ(conv({pt::kInterval}, "1 year 2 mons 3 days 04:05:06.789"), "37091106789000");
  EXPECT_EQ(conv({pt::kInterval}, "-1 days -02:00:00"), "-93600000000");
  EXPECT_EQ(conv({pt::kInterval}, "1 mon"), "2629800000000");  // 365.25/12 days per month
  EXPECT_EQ(conv({pt::kInterval}, "-00:00:01.5"), "-1500000");
  EXPECT_EQ(conv({pt::kInterval}, "00:00:00"), "0");
  EXPECT_EQ(conv({pt::kInterval}, "P1Y").substr(0, 5), "ERROR");
}

TEST(ValueConverter, Arrays) {
  EXPECT_EQ(schema({pt::kInt4Array}),
            R"({"type":"array","items":{"type":"int32","optional":true},"optional":true,"field":"c"})");
  EXPECT_EQ(conv({pt::kInt4Array}, "{1,NULL,-3}"), "[1,null,-3]");
  EXPECT_EQ(conv({pt::kInt4Array}, "{}"), "[]");
  EXPECT_EQ(conv({pt::kInt4Array}, "[2:3]={1,2}"), "[1,2]");
  EXPECT_EQ(conv({pt::kTextArray}, R"({"a b","c\"d","e\\f",NULL,"","NULL"," x ",plain})"),
            R"(["a b","c\"d","e\\f",null,"","NULL"," x ","plain"])");
  EXPECT_EQ(conv({pt::kVarcharArray}, R"({"a,b","{c}"})"), R"(["a,b","{c}"])");
  EXPECT_EQ(conv({pt::kByteaArray}, R"({"\\x0102",NULL})"), R"(["AQI=",null])");
  EXPECT_EQ(conv({pt::kNumericArray}, "{1.5,NULL}"), R"([{"scale":1,"value":"Dw=="},null])");
  EXPECT_EQ(conv({pt::kNumericArray, numeric_typmod(5, 2)}, "{1.50,-12.34}"), R"(["AJY=","+y4="])");
  EXPECT_EQ(conv({pt::kFloat8Array}, "{1,NaN}"), R"([1.0,"NaN"])");
  EXPECT_EQ(conv({pt::kTimestamptzArray}, R"({"2024-01-01 10:00:00+00"})"),
            R"(["2024-01-01T10:00:00.000000Z"])");
  EXPECT_EQ(conv({pt::kTimetzArray}, "{10:00:00+02}"), R"(["08:00:00Z"])");
  EXPECT_EQ(conv({pt::kDateArray}, "{2024-02-29,1970-01-01}"), "[19782,0]");
  EXPECT_EQ(conv({pt::kBoolArray}, "{t,f}"), "[true,false]");
  EXPECT_EQ(conv({pt::kJsonbArray}, R"({"{\"a\": 1}"})"), R"(["{\"a\": 1}"])");
  EXPECT_EQ(
      schema({pt::kNumericArray, numeric_typmod(5, 2)}),
      R"({"type":"array","items":{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal",)"
      R"("version":1,"parameters":{"scale":"2","connect.decimal.precision":"5"}},"optional":true,"field":"c"})");
  EXPECT_EQ(
      schema({pt::kUuidArray}),
      R"({"type":"array","items":{"type":"string","optional":true,"name":"io.debezium.data.Uuid","version":1},)"
      R"("optional":true,"field":"c"})");
  // Regression (issue 15): pgjdbc turns a multidimensional array into nested arrays the element converter
  // rejects: one null per sub-array of the outer dimension, as Debezium.
  EXPECT_EQ(conv({pt::kInt4Array}, "{{1,2},{3,4}}"), "[null,null]");
  EXPECT_EQ(conv({pt::kInt4Array}, "{{{1,2},{3,4}},{{5,6},{7,8}}}"), "[null,null]");
  EXPECT_EQ(conv({pt::kInt4Array}, "[0:2][1:1]={{1},{NULL},{3}}"), "[null,null,null]");
  EXPECT_EQ(conv({pt::kTextArray}, R"({{"a}{,\"",b},{"}",NULL}})"), "[null,null]");
  EXPECT_EQ(conv({pt::kTsvectorArray}, R"({{'a'}})"), "null");  // required elements
  // Debezium 3.7's temporal element converters fail the whole column (3.4: one null per sub-array).
  EXPECT_EQ(conv({pt::kDateArray}, "{{2024-01-01},{2024-01-02}}"), "null");
  EXPECT_EQ(conv({pt::kTimetzArray}, "{{10:00:00+02}}"), "null");
  Col dates34{pt::kDateArray};
  dates34.options.compat_minor = 4;
  EXPECT_EQ(conv(dates34, "{{2024-01-01},{2024-01-02}}"), "[null,null]");
  EXPECT_EQ(conv({pt::kInt4Array}, "{{1,2},{3,4}").substr(0, 5), "ERROR");
  EXPECT_EQ(conv({pt::kInt4Array}, "{{1,2}x{3,4}}").substr(0, 5), "ERROR");
  // One element Debezium cannot convert fails the whole column.
  EXPECT_EQ(conv({pt::kNumericArray, numeric_typmod(5, 2)}, "{1.00,NaN}"), "null");
  EXPECT_EQ(conv({pt::kInt4Array}, R"({1,"2)").substr(0, 5), "ERROR");
  EXPECT_EQ(conv({pt::kInt4Array}, "{1,x}").substr(0, 5), "ERROR");
}

TEST(ValueConverter, UnsupportedTypesAreDropped) {
  EXPECT_EQ(schema({pt::kPointArray}), "<dropped>");
  EXPECT_EQ(schema({pt::kNameArray}), "<dropped>");
  EXPECT_EQ(schema({pt::kIntervalArray}), "<dropped>");
  EXPECT_EQ(schema({pt::kXmlArray}), "<dropped>");
  EXPECT_EQ(schema({16384}), "<dropped>");  // an enum or other user type without a type registry
}

TEST(ValueConverter, UnchangedToast) {
  EXPECT_EQ(write({pt::kText}, Kind::kUnchangedToast, ""), R"("__debezium_unavailable_value")");
  EXPECT_EQ(write({pt::kJsonb}, Kind::kUnchangedToast, ""), R"("__debezium_unavailable_value")");
  EXPECT_EQ(write({pt::kBytea}, Kind::kUnchangedToast, ""), R"("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==")");
  EXPECT_EQ(write({pt::kTextArray}, Kind::kUnchangedToast, ""), R"(["__debezium_unavailable_value"])");
  EXPECT_EQ(
      write({pt::kInt4Array}, Kind::kUnchangedToast, ""),
      "[95,95,100,101,98,101,122,105,117,109,95,117,110,97,118,97,105,108,97,98,108,101,95,118,97,108,117,"
      "101]");
  EXPECT_EQ(write({pt::kUuidArray}, Kind::kUnchangedToast, ""),
            R"(["b68a35a7-17ad-35b3-af2a-ae46edb4545a"])");
  EXPECT_EQ(write({pt::kNumeric}, Kind::kUnchangedToast, ""), "null");
  EXPECT_EQ(write({pt::kFloat8Array}, Kind::kUnchangedToast, ""), "null");
  Col custom{pt::kText};
  custom.options.unavailable_value_placeholder = "hex:00ff";
  // new String(bytes): the invalid UTF-8 byte becomes U+FFFD.
  EXPECT_EQ(write(custom, Kind::kUnchangedToast, ""), "\"\\u0000\xEF\xBF\xBD\"");
}

TEST(ValueConverter, NullInNotNullColumnGetsDebeziumFallback) {
  EXPECT_EQ(write({pt::kInt4, -1, true}, Kind::kNull, ""), "null");
  EXPECT_EQ(write({pt::kInt4, -1, false}, Kind::kNull, ""), "0");
  EXPECT_EQ(write({pt::kText, -1, false}, Kind::kNull, ""), R"("")");
  EXPECT_EQ(write({pt::kBool, -1, false}, Kind::kNull, ""), "false");
  EXPECT_EQ(write({pt::kFloat8, -1, false}, Kind::kNull, ""), "0.0");
  EXPECT_EQ(write({pt::kNumeric, numeric_typmod(5, 2), false}, Kind::kNull, ""), R"("AA==")");
  EXPECT_EQ(write({pt::kNumeric, -1, false}, Kind::kNull, ""), R"({"scale":0,"value":"AA=="})");
  EXPECT_EQ(write({pt::kTimestamptz, -1, false}, Kind::kNull, ""), R"("1970-01-01T00:00:00Z")");
  EXPECT_EQ(write({pt::kTimetz, -1, false}, Kind::kNull, ""), R"("00:00:00Z")");
  EXPECT_EQ(write({pt::kInt4Array, -1, false}, Kind::kNull, ""), "[]");
}

TEST(ValueConverter, BinaryTupleDataIsAnError) {
  EXPECT_EQ(write({pt::kInt4}, Kind::kBinary, "\0\0\0\1").substr(0, 5), "ERROR");
}

TEST(JavaFormat, UnscaledBytes) {
  auto bytes = [](std::string_view digits, bool negative) {
    std::string raw, b64;
    javafmt::append_unscaled_bytes(raw, digits, negative);
    javafmt::append_base64(b64, raw);
    return b64;
  };
  EXPECT_EQ(bytes("", false), "AA==");
  EXPECT_EQ(bytes("000", true), "AA==");
  EXPECT_EQ(bytes("127", false), "fw==");
  EXPECT_EQ(bytes("32768", true), "gAA=");
  EXPECT_EQ(bytes("32769", true), "/3//");
  EXPECT_EQ(bytes("4294967296", false), "AQAAAAA=");
}

TEST(JavaFormat, Base64Padding) {
  std::string out;
  javafmt::append_base64(out, "a");
  javafmt::append_base64(out, "ab");
  javafmt::append_base64(out, "abc");
  EXPECT_EQ(out, "YQ==YWI=YWJj");
}

TEST(PgText, CalendarRoundTrip) {
  for (int64_t day : {-719528LL, -1LL, 0LL, 11016LL, 19782LL, 2932896LL}) {
    int64_t y;
    unsigned m, d;
    pgtext::civil_from_days(day, y, m, d);
    EXPECT_EQ(pgtext::days_from_civil(y, m, d), day);
  }
}

TEST(PgText, ArrayReaderShapes) {
  EXPECT_EQ(pgtext::ArrayReader("{1}").shape(), pgtext::ArrayReader::Shape::kOneDim);
  EXPECT_EQ(pgtext::ArrayReader("{{1}}").shape(), pgtext::ArrayReader::Shape::kMultiDim);
  EXPECT_EQ(pgtext::ArrayReader("[1:1][1:1]={{1}}").shape(), pgtext::ArrayReader::Shape::kMultiDim);
  EXPECT_EQ(pgtext::ArrayReader("1,2").shape(), pgtext::ArrayReader::Shape::kInvalid);
}

TEST(PgText, ArrayReaderSubarrays) {
  pgtext::ArrayReader r(R"([1:2][0:1]={{1,"}"},{"{\"",NULL}})");
  ASSERT_EQ(r.shape(), pgtext::ArrayReader::Shape::kMultiDim);
  std::string_view sub;
  ASSERT_TRUE(r.next_subarray(sub));
  EXPECT_EQ(sub, R"({1,"}"})");
  ASSERT_TRUE(r.next_subarray(sub));
  EXPECT_EQ(sub, R"({"{\"",NULL})");
  EXPECT_FALSE(r.next_subarray(sub));
  EXPECT_FALSE(r.failed());
  pgtext::ArrayReader three("{{{1},{2}},{{3},{4}}}");
  int n = 0;
  while (three.next_subarray(sub)) ++n;
  EXPECT_EQ(n, 2);
  EXPECT_FALSE(three.failed());
  pgtext::ArrayReader unclosed("{{1,2},{3,4}");  // the last sub-array's brace taken for the outer one
  ASSERT_TRUE(unclosed.next_subarray(sub));
  EXPECT_FALSE(unclosed.next_subarray(sub));
  EXPECT_TRUE(unclosed.failed());
}

TEST(ValueConverter, IntervalString) {
  Col c{pt::kInterval};
  c.options.interval = ConverterOptions::IntervalMode::kString;
  EXPECT_EQ(schema(c), R"({"type":"string","optional":true,"name":"io.debezium.time.Interval","version":1,)"
                       R"("field":"c"})");
  EXPECT_EQ(conv(c, "1 year 2 mons 3 days 04:05:06.789"), R"("P1Y2M3DT4H5M6.789S")");
  EXPECT_EQ(conv(c, "-1 years -2 mons +3 days -04:05:06.5"), R"("P-1Y-2M3DT-4H-5M-6.5S")");
  EXPECT_EQ(conv(c, "00:00:00"), R"("P0Y0M0DT0H0M0S")");
  EXPECT_EQ(conv(c, "100 days"), R"("P0Y0M100DT0H0M0S")");
  EXPECT_EQ(conv(c, "-00:00:00.5"), R"("P0Y0M0DT0H0M-0.5S")");
  EXPECT_EQ(conv(c, "nonsense").substr(0, 5), "ERROR");
}

TEST(ValueConverter, Bits) {
  EXPECT_EQ(schema({pt::kBit, 1}), R"({"type":"boolean","optional":true,"field":"c"})");
  EXPECT_EQ(conv({pt::kBit, 1}, "1"), "true");
  EXPECT_EQ(conv({pt::kBit, 1}, "0"), "false");
  EXPECT_EQ(schema({pt::kBit, 5}),
            R"({"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,)"
            R"("parameters":{"length":"5"},"field":"c"})");
  // BitSet.toByteArray: little-endian, trailing zero bytes dropped.
  EXPECT_EQ(conv({pt::kBit, 5}, "10101"), R"("FQ==")");
  EXPECT_EQ(conv({pt::kBit, 5}, "00000"), R"("")");
  EXPECT_EQ(conv({pt::kVarbit, 16}, "1100110011"), R"("MwM=")");
  EXPECT_EQ(conv({pt::kVarbit}, "111111111111111111"), R"("//8D")");
  EXPECT_EQ(schema({pt::kVarbit}),
            R"({"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,)"
            R"("parameters":{"length":"2147483647"},"field":"c"})");
  EXPECT_EQ(conv({pt::kBit, 5}, "10201").substr(0, 5), "ERROR");
}

TEST(ValueConverter, EnumLtreeCitext) {
  Col e{16400};
  e.type_kind = 'e';
  e.enum_values = {"sad", "ok", "happy"};
  EXPECT_EQ(schema(e), R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
                       R"("parameters":{"allowed":"sad,ok,happy"},"field":"c"})");
  EXPECT_EQ(conv(e, "ok"), R"("ok")");
  Col lt{16500};
  lt.type_name = "ltree";
  EXPECT_EQ(schema(lt), R"({"type":"string","optional":true,"name":"io.debezium.data.Ltree","version":1,)"
                        R"("field":"c"})");
  EXPECT_EQ(conv(lt, "a.b.c"), R"("a.b.c")");
  Col ci{16600};
  ci.type_name = "citext";
  EXPECT_EQ(schema(ci), R"({"type":"string","optional":true,"field":"c"})");
  Col other{16700};
  other.type_name = "cube";
  EXPECT_EQ(schema(other), "<dropped>");
}

TEST(ValueConverter, Hstore) {
  Col j{16800};
  j.type_name = "hstore";
  EXPECT_EQ(schema(j), R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,)"
                       R"("field":"c"})");
  EXPECT_EQ(conv(j, R"("a"=>"1", "b"=>NULL, "c d"=>"e \"f")"),
            R"("{\"a\":\"1\",\"b\":null,\"c d\":\"e \\\"f\"}")");
  EXPECT_EQ(conv(j, ""), R"("{}")");
  // java.util.HashMap order, not hstore's: "bb" (hash 3136 -> bucket 0) before "a" (97 -> bucket 1).
  EXPECT_EQ(conv(j, R"("a"=>"1", "bb"=>"2")"), R"("{\"bb\":\"2\",\"a\":\"1\"}")");
  Col m = j;
  m.options.hstore = ConverterOptions::HstoreMode::kMap;
  EXPECT_EQ(schema(m), R"({"type":"map","keys":{"type":"string","optional":false},)"
                       R"("values":{"type":"string","optional":true},"optional":true,"field":"c"})");
  EXPECT_EQ(conv(m, R"("a"=>"1", "b"=>NULL)"), R"({"a":"1","b":null})");
  EXPECT_EQ(conv(m, R"("a"=>1)").substr(0, 5), "ERROR");
}

TEST(ValueConverter, Point) {
  EXPECT_EQ(
      schema({pt::kPoint}),
      R"({"type":"struct","fields":[{"type":"double","optional":false,"field":"x"},)"
      R"({"type":"double","optional":false,"field":"y"},{"type":"bytes","optional":true,"field":"wkb"},)"
      R"({"type":"int32","optional":true,"field":"srid"}],"optional":true,)"
      R"x("name":"io.debezium.data.geometry.Point","version":1,"doc":"Geometry (POINT)","field":"c"})x");
  EXPECT_EQ(conv({pt::kPoint}, "(1.5,2.5)"),
            R"({"x":1.5,"y":2.5,"wkb":"AQEAAAAAAAAAAAD4PwAAAAAAAARA","srid":null})");
  EXPECT_EQ(conv({pt::kPoint}, "(1.5;2.5)").substr(0, 5), "ERROR");
}

TEST(ValueConverter, ColumnDefaults) {
  Col i{pt::kInt4};
  i.default_expr = "42";
  EXPECT_EQ(schema(i), R"({"type":"int32","optional":true,"default":42,"field":"c"})");
  EXPECT_EQ(write(i, Kind::kNull, ""), "42");  // JsonConverter writes the default for a null
  Col serial{pt::kInt4, -1, false};
  serial.default_expr = "nextval('t_id_seq'::regclass)";
  EXPECT_EQ(schema(serial), R"({"type":"int32","optional":false,"default":0,"field":"c"})");
  Col b{pt::kBool, -1, false};
  b.default_expr = "true";
  EXPECT_EQ(schema(b), R"({"type":"boolean","optional":false,"default":true,"field":"c"})");
  Col t{pt::kText};
  t.default_expr = "'it''s'::text";
  EXPECT_EQ(schema(t), R"({"type":"string","optional":true,"default":"it's","field":"c"})");
  Col now{pt::kTimestamptz};
  now.default_expr = "now()";
  EXPECT_EQ(schema(now).find("default"), std::string::npos);
  EXPECT_EQ(default_literal("(-1)"), "-1");
  EXPECT_EQ(default_literal("'2024-01-01'::date"), "2024-01-01");
  EXPECT_EQ(default_literal("'abc'"), "abc");
  EXPECT_EQ(default_literal("'abc"), std::nullopt);
  EXPECT_EQ(default_literal("CURRENT_TIMESTAMP"), std::nullopt);
}

TEST(JavaFormat, HashMapOrder) {
  EXPECT_EQ(javafmt::string_hash("a"), 97);
  EXPECT_EQ(javafmt::string_hash("bb"), 3136);
  EXPECT_EQ(javafmt::string_hash("\xF0\x9F\x98\x80"), 1772899);  // U+1F600: surrogates D83D DE00
  std::vector<std::string_view> keys{"a", "bb", "c d"};
  EXPECT_EQ(javafmt::hash_map_order(keys), (std::vector<size_t>{1, 0, 2}));
}

TEST(PgText, HstoreAndPoint) {
  pgtext::HstorePairs pairs;
  ASSERT_TRUE(pgtext::parse_hstore(R"("k"=>"v", "n"=>NULL, "q\\"=>"\"")", pairs));
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].first, "k");
  EXPECT_EQ(*pairs[0].second, "v");
  EXPECT_FALSE(pairs[1].second.has_value());
  EXPECT_EQ(pairs[2].first, "q\\");
  EXPECT_EQ(*pairs[2].second, "\"");
  EXPECT_FALSE(pgtext::parse_hstore(R"("k"=>"v","n"=>NULL)", pairs));
  EXPECT_FALSE(pgtext::parse_hstore(R"("k)", pairs));
  double x = 0, y = 0;
  EXPECT_TRUE(pgtext::parse_point("(-1,NaN)", x, y));
  EXPECT_EQ(x, -1);
  EXPECT_TRUE(std::isnan(y));
  EXPECT_FALSE(pgtext::parse_point("(1,2", x, y));
}

// include.unknown.datatypes (checked against Debezium 3.4.3 by tests/conformance): off, such columns are
// dropped; on, the text form's UTF-8 bytes in the binary mode, geometric values as pgjdbc prints them.
TEST(ValueConverter, UnknownTypesDroppedByDefault) {
  EXPECT_EQ(schema({3220}), "<dropped>");  // pg_lsn
  ConverterOptions v34;  // before Debezium 3.7 the geometric types other than point had no mapping
  v34.compat_minor = 4;
  EXPECT_EQ(schema({pt::kLine, -1, true, v34}), "<dropped>");
  EXPECT_EQ(schema({40000, -1, true, {}, "pair", 'c'}), "<dropped>");
}

TEST(ValueConverter, UnknownTypesAsBinary) {
  ConverterOptions on;
  on.include_unknown_datatypes = true;
  EXPECT_EQ(schema({3220, -1, true, on}), R"({"type":"bytes","optional":true,"field":"c"})");
  EXPECT_EQ(conv({3220, -1, true, on}, "16/B374D848"), R"("MTYvQjM3NEQ4NDg=")");
  EXPECT_EQ(conv({40000, -1, true, on, "pair", 'c'}, "(1,\"one \xE2\x9C\x93\")"),
            R"("KDEsIm9uZSDinJMiKQ==")");
  ConverterOptions hex = on;
  hex.binary = ConverterOptions::BinaryMode::kHex;
  EXPECT_EQ(schema({3220, -1, true, hex}), R"({"type":"string","optional":true,"field":"c"})");
  EXPECT_EQ(conv({3220, -1, true, hex}, "0/0"), R"("302f30")");
  ConverterOptions url = on;
  url.binary = ConverterOptions::BinaryMode::kBase64UrlSafe;
  EXPECT_EQ(conv({3220, -1, true, url}, "~~~"), R"("fn5-")");
  // NOT NULL without a value: the empty byte array
  EXPECT_EQ(write({3220, -1, false, on}, Kind::kNull, ""), R"("")");
  // An unchanged TOASTed value: the placeholder's bytes as for bytea (null in the base64 modes)
  EXPECT_EQ(write({3220, -1, true, on}, Kind::kUnchangedToast, ""),
            R"("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==")");
  EXPECT_EQ(write({3220, -1, true, hex}, Kind::kUnchangedToast, ""), R"("__debezium_unavailable_value")");
  EXPECT_EQ(write({3220, -1, true, url}, Kind::kUnchangedToast, ""), "null");
}

TEST(ValueConverter, UnknownGeometricTypesUseJavaDoubles) {
  ConverterOptions hex;
  hex.compat_minor = 4;  // Debezium 3.4-3.6: no mapping of their own
  hex.include_unknown_datatypes = true;
  hex.binary = ConverterOptions::BinaryMode::kHex;
  auto text = [&](uint32_t oid, std::string_view pg) {
    std::string json = conv({oid, -1, true, hex}, pg);  // "<hex>"
    std::string out;
    for (size_t i = 1; i + 2 < json.size(); i += 2) {
      out.push_back(static_cast<char>(std::stoi(json.substr(i, 2), nullptr, 16)));
    }
    return out;
  };
  EXPECT_EQ(text(pt::kLine, "{1,2,3}"), "{1.0,2.0,3.0}");
  EXPECT_EQ(text(pt::kLseg, "[(1e+20,-0.5),(2,3)]"), "[(1.0E20,-0.5),(2.0,3.0)]");
  EXPECT_EQ(text(pt::kBox, "(2,2),(0,0)"), "(2.0,2.0),(0.0,0.0)");
  EXPECT_EQ(text(pt::kPath, "[(0,0),(1,1)]"), "[(0.0,0.0),(1.0,1.0)]");
  EXPECT_EQ(text(pt::kPolygon, "((0,0),(1,0))"), "((0.0,0.0),(1.0,0.0))");
  EXPECT_EQ(text(pt::kCircle, "<(1,1),2>"), "<(1.0,1.0),2.0>");
  EXPECT_EQ(conv({pt::kLine, -1, true, hex}, "{1,x2,3}").substr(0, 5), "ERROR");
}

TEST(ValueConverter, Tsvector) {
  EXPECT_EQ(
      schema({pt::kTsvector}),
      R"({"type":"string","optional":true,"name":"io.debezium.data.Tsvector","version":1,"field":"c"})");
  EXPECT_EQ(conv({pt::kTsvector}, "'a' 'cat':2"), R"("'a' 'cat':2")");
  EXPECT_EQ(schema({pt::kTsvectorArray}),
            R"({"type":"array","items":{"type":"string","optional":false,"name":"io.debezium.data.Tsvector",)"
            R"("version":1},"optional":true,"field":"c"})");
  EXPECT_EQ(conv({pt::kTsvectorArray}, "{'x':1,NULL}"), "null");  // a NULL in a required list
}

TEST(ValueConverter, ArraysOfNonBuiltinTypes) {
  Col moods{40001, -1, true, {}, "_mood", 'b', {"sad", "ok"}, {}, 'e', "mood"};
  EXPECT_EQ(schema(moods),
            R"({"type":"array","items":{"type":"string","optional":false,"name":"io.debezium.data.Enum",)"
            R"("version":1,"parameters":{"allowed":"sad,ok"}},"optional":true,"field":"c"})");
  EXPECT_EQ(conv(moods, "{sad,ok}"), R"(["sad","ok"])");
  EXPECT_EQ(conv(moods, "{NULL,ok}"), "null");
  Col ltrees{40002, -1, true, {}, "_ltree", 'b', {}, {}, 'b', "ltree"};
  EXPECT_EQ(schema(ltrees),
            R"({"type":"array","items":{"type":"string","optional":true,"name":"io.debezium.data.Ltree",)"
            R"("version":1},"optional":true,"field":"c"})");
  EXPECT_EQ(conv(ltrees, "{NULL}"), "[null]");  // Debezium 3.7; 3.4 failed the list: null
  ltrees.options.compat_minor = 4;
  EXPECT_EQ(conv(ltrees, "{NULL}"), "null");
  Col citexts{40003, -1, true, {}, "_citext", 'b', {}, {}, 'b', "citext"};
  EXPECT_EQ(conv(citexts, "{Ab,NULL}"), R"(["Ab",null])");
  // Domain and composite arrays: dropped, or (include.unknown.datatypes) lists of required binaries.
  Col domains{40004, -1, true, {}, "_posint", 'b', {}, {}, 'd', "posint"};
  EXPECT_EQ(schema(domains), "<dropped>");
  domains.options.include_unknown_datatypes = true;
  EXPECT_EQ(schema(domains),
            R"({"type":"array","items":{"type":"bytes","optional":false},"optional":true,"field":"c"})");
  EXPECT_EQ(conv(domains, "{1,2}"), R"(["MQ==","Mg=="])");
  EXPECT_EQ(conv(domains, "{1,NULL}"), "null");
  Col pairs{40005, -1, true, {}, "_pair", 'b', {}, {}, 'c', "pair"};
  pairs.options.include_unknown_datatypes = true;
  EXPECT_EQ(conv(pairs, R"x({"(2,two)"})x"), R"(["KDIsdHdvKQ=="])");
  // Builtin arrays without a converter stay dropped.
  Col intervals{pt::kIntervalArray};
  intervals.options.include_unknown_datatypes = true;
  EXPECT_EQ(schema(intervals), "<dropped>");
}

}  // namespace
}  // namespace sluice::event
