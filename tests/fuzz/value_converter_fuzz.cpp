// libFuzzer target for the value converters (event/value_converter.h): byte 0 picks a column type, byte 1
// the handling modes, the rest is the column's text as pgoutput would send it. Every input must give valid
// JSON or a kData error naming the type, never a crash, out-of-bounds read or overflow (UBSan); the column's
// field schema must be valid JSON too.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "event/pg_types.h"
#include "event/value_converter.h"

namespace {

using namespace sluice;         // NOLINT(google-build-using-namespace): fuzz driver, not a header
using namespace sluice::event;  // NOLINT(google-build-using-namespace)
namespace pt = pgtype;

struct ColumnType {
  uint32_t oid;
  int32_t typmod = -1;
  const char* type_name = "";  // non-builtin types, mapped by name
  char type_kind = 'b';
  char element_kind = 0;  // arrays of non-builtin types
  const char* element_name = "";
};

int32_t numeric_typmod(int p, int s) {
  return ((p << 16) | s) + 4;
}

const std::vector<ColumnType>& column_types() {
  static const std::vector<ColumnType> types = {
      {pt::kBool},
      {pt::kInt2},
      {pt::kInt4},
      {pt::kInt8},
      {pt::kOid},
      {pt::kFloat4},
      {pt::kFloat8},
      {pt::kNumeric},
      {pt::kNumeric, numeric_typmod(10, 2)},
      {pt::kNumeric, numeric_typmod(40, 10)},
      {pt::kMoney},
      {pt::kText},
      {pt::kJsonb},
      {pt::kXml},
      {pt::kUuid},
      {pt::kBytea},
      {pt::kDate},
      {pt::kTime},
      {pt::kTime, 0},
      {pt::kTime, 3},
      {pt::kTimetz},
      {pt::kTimestamp},
      {pt::kTimestamp, 3},
      {pt::kTimestamptz},
      {pt::kTimestamptz, 0},
      {pt::kInterval},
      {pt::kBit},
      {pt::kBit, 5},
      {pt::kVarbit},
      {pt::kPoint},
      {pt::kTsvector},
      {pt::kInt4range},
      {pt::kLine},
      {pt::kBox},
      {pt::kCircle},
      {3220},  // pg_lsn: an unknown type
      {40000, -1, "mood", 'e'},
      {40001, -1, "ltree"},
      {40002, -1, "hstore"},
      {40003, -1, "citext"},
      {pt::kInt4Array},
      {pt::kInt8Array},
      {pt::kTextArray},
      {pt::kNumericArray},
      {pt::kNumericArray, numeric_typmod(6, 2)},
      {pt::kFloat8Array},
      {pt::kBoolArray},
      {pt::kDateArray},
      {pt::kTimestamptzArray},
      {pt::kTimetzArray},
      {pt::kUuidArray},
      {pt::kByteaArray},
      {pt::kJsonbArray},
      {pt::kTsvectorArray},
      {40004, -1, "_mood", 'b', 'e', "mood"},
      {40005, -1, "_ltree", 'b', 'b', "ltree"},
      {40006, -1, "_hstore", 'b', 'b', "hstore"},
      {40007, -1, "_posint", 'b', 'd', "posint"},
  };
  return types;
}

// The modes as mixed-radix digits of b: decimal (3), time precision (3), binary (4), then one bit each for
// interval, hstore and include.unknown.datatypes.
ConverterOptions options_from(uint8_t b) {
  ConverterOptions o;
  o.decimal = static_cast<ConverterOptions::DecimalMode>(b % 3);
  o.time_precision = static_cast<ConverterOptions::TimePrecisionMode>((b / 3) % 3);
  o.binary = static_cast<ConverterOptions::BinaryMode>((b / 9) % 4);
  o.interval = static_cast<ConverterOptions::IntervalMode>((b / 36) & 1);
  o.hstore = static_cast<ConverterOptions::HstoreMode>((b / 72) & 1);
  o.include_unknown_datatypes = ((b / 144) & 1) != 0;
  return o;
}

bool valid_json(const std::string& s) {
  rapidjson::Document doc;
  doc.Parse(s.data(), s.size());
  return !doc.HasParseError();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const auto& types = column_types();
  const ColumnType& t = types[data[0] % types.size()];
  const ConverterOptions options = options_from(data[1]);
  ColumnInfo column{"c", Oid{t.oid}, t.typmod, (data[0] & 0x80) == 0};
  column.type_name = t.type_name;
  column.type_kind = t.type_kind;
  column.element_kind = t.element_kind;
  column.element_name = t.element_name;
  if (t.type_kind == 'e') column.enum_values = {"sad", "ok", "happy"};
  if (t.element_kind == 'e') column.enum_values = {"sad", "ok"};
  auto converter = make_column_converter(column, 0, options);
  if (!converter) return 0;  // a type Debezium drops in these modes
  if (!valid_json(converter->field_schema_json) || !valid_json(converter->unavailable_json) ||
      !valid_json(converter->null_fallback_json)) {
    std::abort();
  }

  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::string out, scratch;
  StringSink sink{&out};
  JsonWriter w(sink);
  Status st =
      write_column_value(*converter, decode::TupleValue{decode::TupleValue::Kind::kText, text}, w, scratch);
  if (!st.ok()) {
    if (st.error().kind != ErrorKind::kData || st.error().message.empty()) std::abort();
    return 0;
  }
  if (!valid_json(out)) std::abort();
  return 0;
}
