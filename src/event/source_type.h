// The source column's type as Debezium's column.propagate.source.type / datatype.propagate.source.type
// publish it (PropagateSourceMetadataToSchemaParameter): name, length and scale as pgjdbc's metadata
// (snapshot) or the Relation message and Debezium's TypeRegistry (stream) give them. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event/table_schema.h"

namespace sluice::event {

// pgjdbc's DatabaseMetaData.getColumns TYPE_NAME for a column whose declared type is `typname`
// (pg_type.typname of atttypid: a domain's own name, _int4 for int4[]): serial / bigserial / smallserial
// for an int4 / int8 / int2 column whose default calls nextval(.
std::string jdbc_type_name(std::string_view typname, const std::optional<std::string>& default_expr);

// pgjdbc TypeInfoCache.getPrecision / getScale / getDisplaySize for a builtin type (arrays count as their
// element type). Types pgjdbc does not know give Integer.MAX_VALUE (its unknownLength), 0 and MAX_VALUE.
int32_t jdbc_precision(uint32_t oid, int32_t typmod);
int32_t jdbc_scale(uint32_t oid, int32_t typmod);
int32_t jdbc_display_size(uint32_t oid, int32_t typmod);

struct SourceColumnType {
  std::string name;               // upper case, as Debezium publishes it
  std::optional<int32_t> length;  // absent: Column.UNSET_INT_VALUE
  std::optional<int32_t> scale;   // absent: the driver's DECIMAL_DIGITS was null
};

// The column as Debezium's Column holds it: from the JDBC metadata of the snapshot (from_stream false) or
// from a Relation message (true). They differ for an unconstrained numeric (snapshot: length 0, no scale;
// stream: 131089, 0) and for columns with an unconstrained type pgjdbc has no precision for.
SourceColumnType source_column_type(const ColumnInfo& column, bool from_stream);

// The schema parameters, in Debezium's order: __debezium.source.column.type, .length, .scale, .name.
std::vector<std::pair<std::string, std::string>> source_type_parameters(const ColumnInfo& column,
                                                                        bool from_stream);

}  // namespace sluice::event
