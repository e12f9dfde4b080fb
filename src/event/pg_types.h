// Builtin Postgres type OIDs (postgres src/include/catalog/pg_type.dat, checked against a live PG 15) that
// sluice maps to Debezium logical types, and the array type of each. OIDs of builtin types never change.
#pragma once

#include <cstdint>

namespace sluice::event::pgtype {

constexpr uint32_t kBool = 16;
constexpr uint32_t kBytea = 17;
constexpr uint32_t kChar = 18;  // "char": a single byte
constexpr uint32_t kName = 19;
constexpr uint32_t kInt8 = 20;
constexpr uint32_t kInt2 = 21;
constexpr uint32_t kInt4 = 23;
constexpr uint32_t kText = 25;
constexpr uint32_t kOid = 26;
constexpr uint32_t kJson = 114;
constexpr uint32_t kXml = 142;
constexpr uint32_t kPoint = 600;
constexpr uint32_t kLseg = 601;
constexpr uint32_t kPath = 602;
constexpr uint32_t kBox = 603;
constexpr uint32_t kPolygon = 604;
constexpr uint32_t kLine = 628;
constexpr uint32_t kCircle = 718;
constexpr uint32_t kCidr = 650;
constexpr uint32_t kFloat4 = 700;
constexpr uint32_t kFloat8 = 701;
constexpr uint32_t kMacaddr8 = 774;
constexpr uint32_t kMoney = 790;
constexpr uint32_t kMacaddr = 829;
constexpr uint32_t kInet = 869;
constexpr uint32_t kBpchar = 1042;
constexpr uint32_t kVarchar = 1043;
constexpr uint32_t kDate = 1082;
constexpr uint32_t kTime = 1083;
constexpr uint32_t kTimestamp = 1114;
constexpr uint32_t kTimestamptz = 1184;
constexpr uint32_t kInterval = 1186;
constexpr uint32_t kTimetz = 1266;
constexpr uint32_t kBit = 1560;
constexpr uint32_t kVarbit = 1562;
constexpr uint32_t kNumeric = 1700;
constexpr uint32_t kRefcursor = 1790;
constexpr uint32_t kUuid = 2950;
constexpr uint32_t kTsvector = 3614;
constexpr uint32_t kJsonb = 3802;
constexpr uint32_t kInt4range = 3904;
constexpr uint32_t kNumrange = 3906;
constexpr uint32_t kTsrange = 3908;
constexpr uint32_t kTstzrange = 3910;
constexpr uint32_t kDaterange = 3912;
constexpr uint32_t kInt8range = 3926;

// Array types (pg_type.typarray of the element type).
constexpr uint32_t kBoolArray = 1000;
constexpr uint32_t kByteaArray = 1001;
constexpr uint32_t kCharArray = 1002;
constexpr uint32_t kNameArray = 1003;
constexpr uint32_t kInt2Array = 1005;
constexpr uint32_t kInt4Array = 1007;
constexpr uint32_t kTextArray = 1009;
constexpr uint32_t kOidArray = 1028;
constexpr uint32_t kJsonArray = 199;
constexpr uint32_t kXmlArray = 143;
constexpr uint32_t kPointArray = 1017;
constexpr uint32_t kCidrArray = 651;
constexpr uint32_t kFloat4Array = 1021;
constexpr uint32_t kFloat8Array = 1022;
constexpr uint32_t kMacaddr8Array = 775;
constexpr uint32_t kMoneyArray = 791;
constexpr uint32_t kMacaddrArray = 1040;
constexpr uint32_t kInetArray = 1041;
constexpr uint32_t kBpcharArray = 1014;
constexpr uint32_t kVarcharArray = 1015;
constexpr uint32_t kInt8Array = 1016;
constexpr uint32_t kDateArray = 1182;
constexpr uint32_t kTimeArray = 1183;
constexpr uint32_t kTimestampArray = 1115;
constexpr uint32_t kTimestamptzArray = 1185;
constexpr uint32_t kIntervalArray = 1187;
constexpr uint32_t kTimetzArray = 1270;
constexpr uint32_t kBitArray = 1561;
constexpr uint32_t kVarbitArray = 1563;
constexpr uint32_t kNumericArray = 1231;
constexpr uint32_t kRefcursorArray = 2201;
constexpr uint32_t kUuidArray = 2951;
constexpr uint32_t kTsvectorArray = 3643;
constexpr uint32_t kJsonbArray = 3807;
constexpr uint32_t kInt4rangeArray = 3905;
constexpr uint32_t kNumrangeArray = 3907;
constexpr uint32_t kTsrangeArray = 3909;
constexpr uint32_t kTstzrangeArray = 3911;
constexpr uint32_t kDaterangeArray = 3913;
constexpr uint32_t kInt8rangeArray = 3927;

// The element type of a builtin array type, or 0 when oid is not one of the arrays above.
constexpr uint32_t element_of(uint32_t array_oid) {
  switch (array_oid) {
    case kBoolArray:
      return kBool;
    case kByteaArray:
      return kBytea;
    case kCharArray:
      return kChar;
    case kNameArray:
      return kName;
    case kInt2Array:
      return kInt2;
    case kInt4Array:
      return kInt4;
    case kTextArray:
      return kText;
    case kOidArray:
      return kOid;
    case kJsonArray:
      return kJson;
    case kXmlArray:
      return kXml;
    case kPointArray:
      return kPoint;
    case kCidrArray:
      return kCidr;
    case kFloat4Array:
      return kFloat4;
    case kFloat8Array:
      return kFloat8;
    case kMacaddr8Array:
      return kMacaddr8;
    case kMoneyArray:
      return kMoney;
    case kMacaddrArray:
      return kMacaddr;
    case kInetArray:
      return kInet;
    case kBpcharArray:
      return kBpchar;
    case kVarcharArray:
      return kVarchar;
    case kInt8Array:
      return kInt8;
    case kDateArray:
      return kDate;
    case kTimeArray:
      return kTime;
    case kTimestampArray:
      return kTimestamp;
    case kTimestamptzArray:
      return kTimestamptz;
    case kIntervalArray:
      return kInterval;
    case kTimetzArray:
      return kTimetz;
    case kBitArray:
      return kBit;
    case kVarbitArray:
      return kVarbit;
    case kNumericArray:
      return kNumeric;
    case kRefcursorArray:
      return kRefcursor;
    case kUuidArray:
      return kUuid;
    case kTsvectorArray:
      return kTsvector;
    case kJsonbArray:
      return kJsonb;
    case kInt4rangeArray:
      return kInt4range;
    case kNumrangeArray:
      return kNumrange;
    case kTsrangeArray:
      return kTsrange;
    case kTstzrangeArray:
      return kTstzrange;
    case kDaterangeArray:
      return kDaterange;
    case kInt8rangeArray:
      return kInt8range;
    default:
      return 0;
  }
}

}  // namespace sluice::event::pgtype
