// Kafka Connect's field-level transforms: InsertField, MaskField, Flatten, HeaderFrom, Cast,
// TimestampConverter (each $Key and $Value), ValueToKey, and the TimestampRouter, following
// org.apache.kafka.connect.transforms (schemas rebuilt as Connect's, values in schema order). Connect's
// record metadata as a source connector's transforms see it: the partition and the timestamp of a Debezium
// record are null (its SourceRecords set neither), and there is no offset.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transform/connect_transforms.h"
#include "transform/transform.h"

namespace sluice::transform {

class InsertField final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  // InsertionSpec: a field name with '?' (optional, the default) or '!' (required).
  struct Spec {
    std::string name;
    bool optional = true;
  };
  static std::optional<Spec> parse_spec(const std::string& raw);
  Result<SchemaPtr> updated_schema(const SchemaPtr& schema);

  Part part_ = Part::kValue;
  std::optional<Spec> topic_, partition_, offset_, timestamp_, static_;
  std::string static_value_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

class MaskField final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  // The masked form of a non-null value of this schema (null: schemaless, from the JSON kind).
  Result<Json> masked(const Json& value, const Schema* schema) const;
  bool is_masked(const std::string& name) const;

  Part part_ = Part::kValue;
  std::vector<std::string> fields_;
  std::optional<std::string> replacement_;
};

class ValueToKey final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;

 private:
  std::vector<std::string> fields_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

// Flatten: nested structs (maps, schemaless) become top-level fields named path<delimiter>name; a field is
// optional when it or an enclosing struct is, and takes its default or the enclosing struct's default's.
class Flatten final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Status build_schema(const Schema& schema, const std::string& prefix, Schema& out, bool optional,
                      const Json* parent_default) const;
  void build_value(const Schema& schema, Json& value, const std::string& prefix, const Schema& out_schema,
                   Json& out) const;
  Status build_schemaless(Json& value, const std::string& prefix, Json& out) const;
  std::string name(const std::string& prefix, const std::string& field) const {
    return prefix.empty() ? field : prefix + delimiter_ + field;
  }

  Part part_ = Part::kValue;
  std::string delimiter_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

// HeaderFrom: fields[i] of the key/value into header headers[i] (SimpleHeaderConverter's text; a null value
// an empty header), operation move (the fields leave the struct) or copy.
class HeaderFrom final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Part part_ = Part::kValue;
  std::vector<std::string> fields_, headers_;
  bool move_ = false;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

// Cast: spec field:type,… (or one type: the whole key/value) to int8 int16 int32 int64 float32 float64
// boolean string, from those and from bytes (to string: its base64). Java's conversions: Number.xValue()
// narrowing, Integer.parseInt & co. for strings, Boolean.parseBoolean, Float/Double.toString.
class Cast final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

 private:
  Result<SchemaPtr> updated_schema(const SchemaPtr& schema);
  const std::string* target(const std::string& field) const;

  Part part_ = Part::kValue;
  std::vector<std::pair<std::string, std::string>> casts_;  // field -> Connect type name (int8 … string)
  std::optional<std::string> whole_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

// Cast.castValueToType of one value (schema null: schemaless, from the JSON kind) to a Connect type name.
Result<Json> cast_value(const Schema* schema, const Json& value, const std::string& target);

// TimestampConverter: one field (or the whole key/value) between unix (int64, unix.precision), Connect's
// Timestamp / Date / Time and string (format: SimpleDateFormat's y M d H m s S and quoted literals, UTC).
class TimestampConverter final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options, Part part);
  Result<bool> apply(Record& record) override;

  // A SimpleDateFormat pattern, compiled: letter runs (letter, count) and literals (letter 0).
  struct Token {
    char letter = 0;
    int count = 0;
    std::string literal;
  };

 private:
  Result<Json> convert(const Schema* schema, const Json& value) const;
  SchemaPtr target_schema(bool optional) const;

  Part part_ = Part::kValue;
  std::string field_, type_, unit_, pattern_;
  std::vector<Token> format_;
  std::map<const Schema*, std::pair<SchemaPtr, SchemaPtr>> cache_;
};

// topic.format with ${topic} and ${timestamp}; timestamp.format a SimpleDateFormat pattern (the letters
// TimestampConverter implements). Connect's TimestampRouter fails on a record without a timestamp, which
// every Debezium source record is (unless an EventRouter set one): so does this.
class TimestampRouter final : public Transform {
 public:
  static Result<std::unique_ptr<Transform>> create(Options& options);
  Result<bool> apply(Record& record) override;
  bool reads_data() const override { return false; }

 private:
  std::string topic_format_, timestamp_format_;
  std::vector<TimestampConverter::Token> format_;
};

// Float.toString / Double.toString of a value (how JsonConverter writes FLOAT32 / FLOAT64).
std::string java_float_text(double v, bool is_float);

}  // namespace sluice::transform
