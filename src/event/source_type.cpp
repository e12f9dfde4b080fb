// Source column types for column.propagate.source.type (pgjdbc 42.7 TypeInfoCache / PgDatabaseMetaData,
// Debezium's PostgresConnection.readTableColumn, pgoutput ColumnMetaData and PostgresType).
#include "event/source_type.h"

#include <limits>

#include "event/pg_types.h"

namespace sluice::event {
namespace pt = pgtype;
namespace {

constexpr int32_t kUnknownLength = std::numeric_limits<int32_t>::max();  // pgjdbc's unknownLength

uint32_t base_of(uint32_t oid) {  // TypeInfoCache.convertArrayToBaseOid
  const uint32_t elem = pt::element_of(oid);
  return elem != 0 ? elem : oid;
}

// Debezium's TypeRegistry.getDefaultLength for a base type: the precision, else the display size.
int32_t default_length(uint32_t oid, int32_t typmod) {
  const int32_t p = jdbc_precision(oid, typmod);
  return p != 0 ? p : jdbc_display_size(oid, typmod);
}

std::string upper_ascii(std::string_view s) {  // String.toUpperCase(Locale.ENGLISH) on type names
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  return out;
}

}  // namespace

std::string jdbc_type_name(std::string_view typname, const std::optional<std::string>& default_expr) {
  if (default_expr && default_expr->find("nextval(") != std::string::npos) {
    if (typname == "int4") return "serial";
    if (typname == "int8") return "bigserial";
    if (typname == "int2") return "smallserial";
  }
  return std::string(typname);
}

int32_t jdbc_precision(uint32_t oid, int32_t typmod) {
  switch (base_of(oid)) {
    case pt::kInt2:
      return 5;
    case pt::kOid:
    case pt::kInt4:
      return 10;
    case pt::kInt8:
      return 19;
    case pt::kFloat4:
      return 8;
    case pt::kFloat8:
      return 17;
    case pt::kNumeric:
      return typmod == -1 ? 0 : static_cast<int32_t>((static_cast<uint32_t>(typmod - 4) & 0xFFFF0000u) >> 16);
    case pt::kChar:
    case pt::kBool:
      return 1;
    case pt::kBpchar:
    case pt::kVarchar:
      return typmod == -1 ? kUnknownLength : typmod - 4;
    case pt::kDate:
    case pt::kTime:
    case pt::kTimetz:
    case pt::kInterval:
    case pt::kTimestamp:
    case pt::kTimestamptz:
      return jdbc_display_size(oid, typmod);
    case pt::kBit:
      return typmod;
    case pt::kVarbit:
      return typmod == -1 ? kUnknownLength : typmod;
    default:
      return kUnknownLength;
  }
}

int32_t jdbc_scale(uint32_t oid, int32_t typmod) {
  switch (base_of(oid)) {
    case pt::kFloat4:
      return 8;
    case pt::kFloat8:
      return 17;
    case pt::kNumeric:
      return typmod == -1 ? 0 : static_cast<int32_t>(static_cast<uint32_t>(typmod - 4) & 0xFFFFu);
    case pt::kTime:
    case pt::kTimetz:
    case pt::kTimestamp:
    case pt::kTimestamptz:
      return typmod == -1 ? 6 : typmod;
    case pt::kInterval:
      return typmod == -1 ? 6 : static_cast<int32_t>(static_cast<uint32_t>(typmod) & 0xFFFFu);
    default:
      return 0;
  }
}

int32_t jdbc_display_size(uint32_t oid, int32_t typmod) {
  const uint32_t base = base_of(oid);
  switch (base) {
    case pt::kInt2:
      return 6;
    case pt::kInt4:
      return 11;
    case pt::kOid:
      return 10;
    case pt::kInt8:
      return 20;
    case pt::kFloat4:
      return 15;
    case pt::kFloat8:
      return 25;
    case pt::kChar:
    case pt::kBool:
      return 1;
    case pt::kDate:
      return 13;
    case pt::kTime:
    case pt::kTimetz:
    case pt::kTimestamp:
    case pt::kTimestamptz: {
      // Fractional digits plus the decimal point (pgjdbc counts 2 digits for a precision of 1).
      const int32_t second = typmod == -1 ? 7 : typmod == 0 ? 0 : typmod == 1 ? 3 : typmod + 1;
      if (base == pt::kTime) return 8 + second;
      if (base == pt::kTimetz) return 8 + second + 6;
      if (base == pt::kTimestamp) return 13 + 1 + 8 + second;
      return 13 + 1 + 8 + second + 6;
    }
    case pt::kInterval:
      return 49;
    case pt::kVarchar:
    case pt::kBpchar:
      return typmod == -1 ? kUnknownLength : typmod - 4;
    case pt::kNumeric: {
      if (typmod == -1) return 131089;  // LENGTH(pow(10::numeric, 131071))
      const int32_t precision = ((typmod - 4) >> 16) & 0xFFFF;
      const int32_t scale = (typmod - 4) & 0xFFFF;
      return 1 + precision + (scale != 0 ? 1 : 0);
    }
    case pt::kBit:
      return typmod;
    case pt::kVarbit:
      return typmod == -1 ? kUnknownLength : typmod;
    default:
      return kUnknownLength;
  }
}

SourceColumnType source_column_type(const ColumnInfo& column, bool from_stream) {
  SourceColumnType out;
  out.name = upper_ascii(column.source_type.empty() ? column.type_name : column.source_type);
  const uint32_t oid = column.type.value;
  const int32_t typmod = column.typmod;
  if (!column.domain && column.type_name == "vector") {
    // pgvector: the dimension from atttypmod in both phases (the driver reports MAX_VALUE), scale 0.
    if (typmod != -1) out.length = typmod;
    out.scale = 0;
  } else if (column.domain) {
    // Debezium resolves a domain through its TypeRegistry in both phases (getDefaultLength/Scale): the
    // base type with the domain's typmod; a typmod the base gives no length for yields MAX_VALUE.
    if (typmod == -1) {
      out.length = default_length(oid, -1);
    } else {
      const int32_t n = default_length(oid, typmod);
      out.length = n != 0 ? n : kUnknownLength;
    }
    out.scale = jdbc_scale(oid, typmod);
  } else if (from_stream) {
    // pgoutput ColumnMetaData: the typmod's precision and scale, else the type's defaults.
    out.length = typmod != -1 ? jdbc_precision(oid, typmod) : default_length(oid, -1);
    out.scale = jdbc_scale(oid, typmod);
  } else {
    // PgDatabaseMetaData.getColumns: COLUMN_SIZE (no display-size fallback for numeric) and
    // DECIMAL_DIGITS (null for an unconstrained numeric).
    const bool numeric = oid == pt::kNumeric;
    int32_t size = jdbc_precision(oid, typmod);
    if (!numeric && size == 0) size = jdbc_display_size(oid, typmod);
    out.length = size;
    if (!(numeric && typmod == -1)) out.scale = jdbc_scale(oid, typmod);
  }
  if (out.length && *out.length == -1) out.length.reset();  // Column.UNSET_INT_VALUE
  return out;
}

std::vector<std::pair<std::string, std::string>> source_type_parameters(const ColumnInfo& column,
                                                                        bool from_stream) {
  SourceColumnType t = source_column_type(column, from_stream);
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("__debezium.source.column.type", std::move(t.name));
  if (t.length) out.emplace_back("__debezium.source.column.length", std::to_string(*t.length));
  if (t.scale) out.emplace_back("__debezium.source.column.scale", std::to_string(*t.scale));
  out.emplace_back("__debezium.source.column.name", column.name);
  return out;
}

}  // namespace sluice::event
