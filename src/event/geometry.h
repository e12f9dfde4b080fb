// Postgres' built-in geometric types other than point (line, lseg, box, path, polygon, circle) as Debezium
// 3.7 maps them (dbz#2135): lseg/box/path/polygon -> io.debezium.data.geometry.Geometry v2 (little-endian
// WKB, srid null, an `extensions` map naming the native type), circle -> io.debezium.data.geometry.Circle
// {center: Point, radius}, line -> io.debezium.data.geometry.Line {a, b, c}. Before 3.7 (and with
// sluice.compat.version 3.4-3.6) these types have no mapping (value_converter.cpp: dropped, or binary text
// with include.unknown.datatypes). Follows PostgresValueConverter.convertBox/Lseg/Path/Polygon/Circle/Line
// and io.debezium.spatial.WkbWriter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_writer.h"

namespace sluice::event::geometry {

// True for line, lseg, box, path, polygon and circle (the OIDs this module maps).
bool is_mapped(uint32_t oid);

// The JsonConverter schema of a column of type oid; field_name (if not empty) is appended as "field".
// A column mapper's schema parameters (column.propagate.source.type), written after the type's own.
using SchemaParameters = std::vector<std::pair<std::string, std::string>>;
void write_schema(JsonWriter& w, uint32_t oid, bool optional, std::string_view field_name,
                  const SchemaParameters& parameters = {});

// Writes the value for the Postgres text form (line "{A,B,C}", lseg "[(x,y),(x,y)]", box "(x,y),(x,y)",
// path "[(x,y),...]" open or "((x,y),...)" closed, polygon "((x,y),...)", circle "<(x,y),r>"). False (and
// nothing written) when the text does not parse.
bool write_value(JsonWriter& w, uint32_t oid, std::string_view text, std::string& scratch);

// The value Debezium emits for a null in a NOT NULL column of the type (its OGC-valid fallbacks).
void write_null_fallback(JsonWriter& w, uint32_t oid, std::string& scratch);

// The little-endian WKB Debezium's WkbWriter builds: a LineString (type 2) of the points, or a Polygon (type
// 3) of one ring. coords holds x0, y0, x1, y1, ...
std::string wkb_line_string(const double* coords, size_t points);
std::string wkb_polygon(const double* coords, size_t points);

}  // namespace sluice::event::geometry
