// The geometric types as Debezium 3.7 maps them (event/geometry.h). Expected values and schemas are what
// Debezium 3.7.1 + JsonConverter emitted for the conformance workload's geo table.
#include "event/geometry.h"

#include <gtest/gtest.h>

#include "event/pg_types.h"
#include "event/value_converter.h"

namespace sluice::event {
namespace {

namespace pt = pgtype;

std::string value(uint32_t oid, std::string_view text, bool optional = true) {
  ColumnInfo info{"g", Oid{oid}, -1, optional};
  auto c = make_column_converter(info, 0, ConverterOptions{});
  if (!c) return "<dropped>";
  std::string out, scratch;
  StringSink sink{&out};
  JsonWriter w(sink);
  const auto kind = text.empty() ? decode::TupleValue::Kind::kNull : decode::TupleValue::Kind::kText;
  Status st = write_column_value(*c, decode::TupleValue{kind, text}, w, scratch);
  if (!st.ok()) return "ERROR " + st.error().message;
  return out;
}

std::string schema(uint32_t oid) {
  ColumnInfo info{"g", Oid{oid}, -1, true};
  auto c = make_column_converter(info, 0, ConverterOptions{});
  return c ? c->field_schema_json : "<dropped>";
}

TEST(Geometry, LineIsAStructOfItsCoefficients) {
  EXPECT_EQ(
      schema(pt::kLine),
      R"j({"type":"struct","fields":[{"type":"double","optional":false,"field":"a"},{"type":"double",)j"
      R"j("optional":false,"field":"b"},{"type":"double","optional":false,"field":"c"}],"optional":true,)j"
      R"j("name":"io.debezium.data.geometry.Line","version":1,"doc":"Geometry (LINE)","field":"g"})j");
  EXPECT_EQ(value(pt::kLine, "{1,-1,0}"), R"({"a":1.0,"b":-1.0,"c":0.0})");
  EXPECT_EQ(value(pt::kLine, "{1,x,0}").substr(0, 5), "ERROR");
}

TEST(Geometry, CircleHasAPointCenter) {
  EXPECT_EQ(
      schema(pt::kCircle),
      R"j({"type":"struct","fields":[{"type":"struct","fields":[{"type":"double","optional":false,)j"
      R"j("field":"x"},{"type":"double","optional":false,"field":"y"},{"type":"bytes","optional":true,)j"
      R"j("field":"wkb"},{"type":"int32","optional":true,"field":"srid"}],"optional":false,"name":)j"
      R"j("io.debezium.data.geometry.Point","version":1,"doc":"Geometry (POINT)","field":"center"},)j"
      R"j({"type":"double","optional":false,"field":"radius"}],"optional":true,"name":)j"
      R"j("io.debezium.data.geometry.Circle","version":1,"doc":"Geometry (CIRCLE)","field":"g"})j");
  EXPECT_EQ(value(pt::kCircle, "<(0,0),1.5>"),
            R"({"center":{"x":0.0,"y":0.0,"wkb":"AQEAAAAAAAAAAAAAAAAAAAAAAAAA","srid":null},"radius":1.5})");
  EXPECT_EQ(value(pt::kCircle, "<(1,1),2>"),
            R"({"center":{"x":1.0,"y":1.0,"wkb":"AQEAAAAAAAAAAADwPwAAAAAAAPA/","srid":null},"radius":2.0})");
}

TEST(Geometry, WkbTypesCarryTheirNativeType) {
  EXPECT_EQ(schema(pt::kBox),
            R"({"type":"struct","fields":[{"type":"bytes","optional":false,"field":"wkb"},{"type":"int32",)"
            R"("optional":true,"field":"srid"},{"type":"map","keys":{"type":"string","optional":false},)"
            R"("values":{"type":"string","optional":false},"optional":true,"field":"extensions"}],)"
            R"("optional":true,"name":"io.debezium.data.geometry.Geometry","version":2,"doc":"Geometry",)"
            R"("field":"g"})");
  EXPECT_EQ(value(pt::kLseg, "[(1e+20,-0.5),(2,3)]"),
            R"({"wkb":"AQIAAAACAAAAQIy1eB2vFUQAAAAAAADgvwAAAAAAAABAAAAAAAAACEA=","srid":null,)"
            R"("extensions":{"type":"lseg"}})");
  // A box is the closed 5-point ring of its corners.
  EXPECT_EQ(
      value(pt::kBox, "(1,1),(0,0)"),
      R"({"wkb":"AQMAAAABAAAABQAAAAAAAAAAAPA/AAAAAAAA8D8AAAAAAADwPwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA)"
      R"(AAAAAA8D8AAAAAAADwPwAAAAAAAPA/","srid":null,"extensions":{"type":"box"}})");
  // Paths say whether they are closed; the WKB is the points as a LineString.
  EXPECT_EQ(value(pt::kPath, "((0,0),(1,0))"),
            R"({"wkb":"AQIAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPA/AAAAAAAAAAA=","srid":null,)"
            R"("extensions":{"type":"path","closed":"true"}})");
  EXPECT_EQ(
      value(pt::kPath, "[(0,0),(1,1),(2,0)]"),
      R"({"wkb":"AQIAAAADAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPA/AAAAAAAA8D8AAAAAAAAAQAAAAAAAAAAA","srid":null,)"
      R"("extensions":{"type":"path","closed":"false"}})");
  // A polygon's ring is closed by repeating its first point; a one-point polygon stays one point.
  EXPECT_EQ(
      value(pt::kPolygon, "((0,0),(1,1),(1,0))"),
      R"({"wkb":"AQMAAAABAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADwPwAAAAAAAPA/AAAAAAAA8D8AAAAAAAAAAAAAAAAAAAAA)"
      R"(AAAAAAAAAAA=","srid":null,"extensions":{"type":"polygon"}})");
  EXPECT_EQ(
      value(pt::kPolygon, "((1,2))"),
      R"({"wkb":"AQMAAAABAAAAAQAAAAAAAAAAAPA/AAAAAAAAAEA=","srid":null,"extensions":{"type":"polygon"}})");
  EXPECT_EQ(value(pt::kPolygon, "((1,2),(3)").substr(0, 5), "ERROR");
}

TEST(Geometry, NullInANotNullColumnIsAValidShape) {
  EXPECT_EQ(value(pt::kLine, "", false), R"({"a":0.0,"b":1.0,"c":0.0})");
  EXPECT_EQ(value(pt::kCircle, "", false),
            R"({"center":{"x":0.0,"y":0.0,"wkb":"AQEAAAAAAAAAAAAAAAAAAAAAAAAA","srid":null},"radius":0.0})");
  EXPECT_EQ(value(pt::kLseg, "", false),
            R"({"wkb":"AQIAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPA/AAAAAAAAAAA=","srid":null,)"
            R"("extensions":{"type":"lseg"}})");
  EXPECT_EQ(value(pt::kLseg, "", true), "null");
}

TEST(Geometry, OlderCompatVersionsHaveNoMapping) {
  ConverterOptions v36;
  v36.compat_minor = 6;
  ColumnInfo info{"g", Oid{pt::kBox}, -1, true};
  EXPECT_FALSE(make_column_converter(info, 0, v36).has_value());
}

}  // namespace
}  // namespace sluice::event
