// Geometric types as Debezium 3.7 maps them; see geometry.h.
#include "event/geometry.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "event/java_format.h"
#include "event/pg_text.h"
#include "event/pg_types.h"

namespace sluice::event::geometry {
namespace {

namespace pt = pgtype;

void write_double(JsonWriter& w, double v, std::string& scratch) {
  if (std::isnan(v) || std::isinf(v)) {  // Jackson's WRITE_NAN_AS_STRINGS
    write_string(w, std::isnan(v) ? "NaN" : (v < 0 ? "-Infinity" : "Infinity"));
    return;
  }
  scratch.clear();
  javafmt::append_double(scratch, v);
  write_raw(w, scratch, rapidjson::kNumberType);
}

// The numbers of a geometric value's text form, in order (Postgres' float8out: digits, exponents, NaN,
// Infinity, -Infinity), between its punctuation.
bool numbers_of(std::string_view s, std::vector<double>& out) {
  out.clear();
  auto punctuation = [](char c) {
    return c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '<' || c == '>' ||
           c == ',' || c == ' ';
  };
  for (size_t i = 0; i < s.size();) {
    if (punctuation(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !punctuation(s[j])) ++j;
    std::string_view token = s.substr(i, j - i);
    double v = 0;
    if (!pgtext::parse_float8(token, v)) return false;
    out.push_back(v);
    i = j;
  }
  return true;
}

void append_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void append_f64(std::string& out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void simple(JsonWriter& w, const char* type, bool optional, const char* field) {
  w.StartObject();
  write_key(w, "type");
  w.String(type);
  write_key(w, "optional");
  w.Bool(optional);
  if (field != nullptr) {
    write_key(w, "field");
    w.String(field);
  }
  w.EndObject();
}

void named_tail(JsonWriter& w, bool optional, const char* name, int version, const char* doc,
                std::string_view field_name, const SchemaParameters* parameters = nullptr) {
  write_key(w, "optional");
  w.Bool(optional);
  write_key(w, "name");
  w.String(name);
  write_key(w, "version");
  w.Int(version);
  write_key(w, "doc");
  w.String(doc);
  if (parameters != nullptr && !parameters->empty()) {
    write_key(w, "parameters");
    w.StartObject();
    for (const auto& [key, value] : *parameters) {
      write_key(w, key);
      write_string(w, value);
    }
    w.EndObject();
  }
  if (!field_name.empty()) {
    write_key(w, "field");
    write_string(w, field_name);
  }
}

const char* native_name(uint32_t oid) {
  switch (oid) {
    case pt::kLseg:
      return "lseg";
    case pt::kBox:
      return "box";
    case pt::kPath:
      return "path";
    default:
      return "polygon";
  }
}

// io.debezium.data.geometry.Point.createValue: x, y, the point's WKB, srid null.
void write_point(JsonWriter& w, double x, double y, std::string& scratch) {
  w.StartObject();
  write_key(w, "x");
  write_double(w, x, scratch);
  write_key(w, "y");
  write_double(w, y, scratch);
  std::string wkb{'\x01'};
  append_u32(wkb, 1);
  append_f64(wkb, x);
  append_f64(wkb, y);
  scratch.clear();
  javafmt::append_base64(scratch, wkb);
  write_key(w, "wkb");
  write_string(w, scratch);
  write_key(w, "srid");
  w.Null();
  w.EndObject();
}

// Geometry.createValue(schema, wkb, null, extensions): path's extensions also say whether it is closed
// (a LinkedHashMap: type first).
void write_geometry(JsonWriter& w, uint32_t oid, const std::string& wkb, const char* closed,
                    std::string& scratch) {
  w.StartObject();
  scratch.clear();
  javafmt::append_base64(scratch, wkb);
  write_key(w, "wkb");
  write_string(w, scratch);
  write_key(w, "srid");
  w.Null();
  write_key(w, "extensions");
  w.StartObject();
  write_key(w, "type");
  w.String(native_name(oid));
  if (closed != nullptr) {
    write_key(w, "closed");
    w.String(closed);
  }
  w.EndObject();
  w.EndObject();
}

void write_line(JsonWriter& w, double a, double b, double c, std::string& scratch) {
  w.StartObject();
  write_key(w, "a");
  write_double(w, a, scratch);
  write_key(w, "b");
  write_double(w, b, scratch);
  write_key(w, "c");
  write_double(w, c, scratch);
  w.EndObject();
}

void write_circle(JsonWriter& w, double x, double y, double r, std::string& scratch) {
  w.StartObject();
  write_key(w, "center");
  write_point(w, x, y, scratch);
  write_key(w, "radius");
  write_double(w, r, scratch);
  w.EndObject();
}

}  // namespace

bool is_mapped(uint32_t oid) {
  return oid == pt::kLine || oid == pt::kLseg || oid == pt::kBox || oid == pt::kPath || oid == pt::kPolygon ||
         oid == pt::kCircle;
}

std::string wkb_line_string(const double* coords, size_t points) {
  std::string out{'\x01'};
  append_u32(out, 2);
  append_u32(out, static_cast<uint32_t>(points));
  for (size_t i = 0; i < 2 * points; ++i) append_f64(out, coords[i]);
  return out;
}

std::string wkb_polygon(const double* coords, size_t points) {
  std::string out{'\x01'};
  append_u32(out, 3);
  append_u32(out, 1);  // one ring
  append_u32(out, static_cast<uint32_t>(points));
  for (size_t i = 0; i < 2 * points; ++i) append_f64(out, coords[i]);
  return out;
}

void write_schema(JsonWriter& w, uint32_t oid, bool optional, std::string_view field_name,
                  const SchemaParameters& parameters) {
  w.StartObject();
  write_key(w, "type");
  w.String("struct");
  write_key(w, "fields");
  w.StartArray();
  switch (oid) {
    case pt::kLine:
      simple(w, "double", false, "a");
      simple(w, "double", false, "b");
      simple(w, "double", false, "c");
      w.EndArray();
      named_tail(w, optional, "io.debezium.data.geometry.Line", 1, "Geometry (LINE)", field_name,
                 &parameters);
      break;
    case pt::kCircle:
      w.StartObject();  // Point.builder().build(): a required Point
      write_key(w, "type");
      w.String("struct");
      write_key(w, "fields");
      w.StartArray();
      simple(w, "double", false, "x");
      simple(w, "double", false, "y");
      simple(w, "bytes", true, "wkb");
      simple(w, "int32", true, "srid");
      w.EndArray();
      named_tail(w, false, "io.debezium.data.geometry.Point", 1, "Geometry (POINT)", "center");
      w.EndObject();
      simple(w, "double", false, "radius");
      w.EndArray();
      named_tail(w, optional, "io.debezium.data.geometry.Circle", 1, "Geometry (CIRCLE)", field_name,
                 &parameters);
      break;
    default:
      simple(w, "bytes", false, "wkb");
      simple(w, "int32", true, "srid");
      w.StartObject();
      write_key(w, "type");
      w.String("map");
      write_key(w, "keys");
      simple(w, "string", false, nullptr);
      write_key(w, "values");
      simple(w, "string", false, nullptr);
      write_key(w, "optional");
      w.Bool(true);
      write_key(w, "field");
      w.String("extensions");
      w.EndObject();
      w.EndArray();
      named_tail(w, optional, "io.debezium.data.geometry.Geometry", 2, "Geometry", field_name, &parameters);
      break;
  }
  w.EndObject();
}

bool write_value(JsonWriter& w, uint32_t oid, std::string_view text, std::string& scratch) {
  std::vector<double> n;
  if (!numbers_of(text, n)) return false;
  switch (oid) {
    case pt::kLine:
      if (n.size() != 3) return false;
      write_line(w, n[0], n[1], n[2], scratch);
      return true;
    case pt::kCircle:
      if (n.size() != 3) return false;
      write_circle(w, n[0], n[1], n[2], scratch);
      return true;
    case pt::kLseg:
      if (n.size() != 4) return false;
      write_geometry(w, oid, wkb_line_string(n.data(), 2), nullptr, scratch);
      return true;
    case pt::kBox: {  // corners (x1,y1),(x2,y2) -> the closed 5-point ring convertBox builds
      if (n.size() != 4) return false;
      const double ring[] = {n[0], n[1], n[0], n[3], n[2], n[3], n[2], n[1], n[0], n[1]};
      write_geometry(w, oid, wkb_polygon(ring, 5), nullptr, scratch);
      return true;
    }
    case pt::kPath: {  // '[' opens an open path, '(' a closed one (PGpath.open)
      if (n.empty() || n.size() % 2 != 0) return false;
      const bool open = !text.empty() && text.front() == '[';
      write_geometry(w, oid, wkb_line_string(n.data(), n.size() / 2), open ? "false" : "true", scratch);
      return true;
    }
    case pt::kPolygon: {  // one ring, closed by repeating the first point (closeRing)
      if (n.empty() || n.size() % 2 != 0) return false;
      const size_t last = n.size() - 2;
      if (n.size() >= 4 && (n[0] != n[last] || n[1] != n[last + 1])) {
        n.push_back(n[0]);
        n.push_back(n[1]);
      }
      write_geometry(w, oid, wkb_polygon(n.data(), n.size() / 2), nullptr, scratch);
      return true;
    }
    default:
      return false;
  }
}

void write_null_fallback(JsonWriter& w, uint32_t oid, std::string& scratch) {
  switch (oid) {
    case pt::kLine:
      write_line(w, 0, 1, 0, scratch);
      return;
    case pt::kCircle:
      write_circle(w, 0, 0, 0, scratch);
      return;
    case pt::kBox: {
      const double ring[] = {0, 0, 0, 1, 1, 1, 1, 0, 0, 0};
      write_geometry(w, oid, wkb_polygon(ring, 5), nullptr, scratch);
      return;
    }
    case pt::kPolygon: {
      const double ring[] = {0, 0, 1, 0, 0, 1, 0, 0};
      write_geometry(w, oid, wkb_polygon(ring, 4), nullptr, scratch);
      return;
    }
    default: {  // lseg, path: a two-point segment (path's fallback names no "closed")
      const double segment[] = {0, 0, 1, 0};
      write_geometry(w, oid, wkb_line_string(segment, 2), nullptr, scratch);
      return;
    }
  }
}

}  // namespace sluice::event::geometry
