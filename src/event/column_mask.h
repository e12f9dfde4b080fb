// Column filters and masks as Debezium's relational layer applies them (Tables.ColumnNameFilterFactory,
// ColumnMappers, mapping.MaskStrings / TruncateColumn): which columns of a table are published, and how the
// value of a masked column is rewritten. Pure: no I/O, no logging (a clear value never reaches a log).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace re2 {
class RE2;
}

namespace sluice::event {

// One column.mask.* / column.truncate.* / *.propagate.source.type property: what it does to the columns it
// matches (kPropagateSourceType: the __debezium.source.column.* schema parameters, values unchanged).
struct MaskSpec {
  enum class Kind { kReplace, kHash, kTruncate, kPropagateSourceType };
  Kind kind = Kind::kReplace;
  std::string key;        // the property, for messages
  int chars = 0;          // kReplace: N '*' characters; kTruncate: at most N characters (UTF-16 units)
  std::string algorithm;  // kHash: the Java MessageDigest name as configured (SHA-256, MD5 …)
  std::string salt;       // kHash
  int version = 1;        // kHash: 1 (Java serialization of the String) or 2 (its UTF-8 bytes)
  // datatype.propagate.source.type: matched against "<schema>.<table>.<type name>" instead of the column id.
  bool by_datatype = false;
};

// The digest of MaskStrings.HashValueConverter: lower-case hex of digest(salt || bytes(value)), where
// bytes() is HashingByteArrayStrategy V1 (java.io.ObjectOutputStream.writeObject(String)) or V2
// (String.getBytes(), UTF-8). Built once per property; hex() is thread-compatible (no shared state).
class StringHasher {
 public:
  // Fails (kFatal) naming `key` when `algorithm` is not a Java MessageDigest algorithm OpenSSL provides.
  static Result<std::shared_ptr<const StringHasher>> create(std::string_view key, std::string_view algorithm,
                                                            std::string salt, int version);
  ~StringHasher();
  // The hex digest of a UTF-8 string value.
  std::string hex(std::string_view utf8) const;

 private:
  StringHasher() = default;
  const void* md_ = nullptr;  // const EVP_MD*
  std::string salt_;
  int version_ = 1;
};

// ObjectOutputStream's bytes for writeObject(String): stream header, TC_STRING (or TC_LONGSTRING above 65535
// bytes) and the length-prefixed modified UTF-8 of the value.
std::string java_serialized_string(std::string_view utf8);

// Java's String.substring(0, n) on a UTF-8 string: the longest prefix of at most n UTF-16 units (a
// character outside the BMP counts 2 and is not split).
std::string_view truncate_utf16(std::string_view utf8, size_t n);

// column.include.list / column.exclude.list and the masking properties, compiled; matched (case-insensitive,
// whole string, as Debezium's Predicates.includes) against "<schema>.<table>.<column>".
class ColumnRules {
 public:
  struct Rule {
    MaskSpec spec;
    std::vector<std::shared_ptr<re2::RE2>> patterns;
    std::shared_ptr<const StringHasher> hasher;  // kHash
  };
  // include / exclude: the list properties' patterns (at most one non-empty); masks: each property's spec
  // and patterns, in Debezium's order of precedence (the first rule that matches a column applies).
  // Fails (kFatal) naming the property of a pattern that does not compile, or both lists being set.
  static Result<std::shared_ptr<const ColumnRules>> create(
      const std::vector<std::string>& include, const std::vector<std::string>& exclude,
      std::vector<std::pair<MaskSpec, std::vector<std::string>>> masks);
  bool empty() const { return include_.empty() && exclude_.empty() && rules_.empty(); }
  bool included(std::string_view column_id) const;
  // The first rule matching the column id, among the rules matched by column id.
  const Rule* mask_for(std::string_view column_id) const;
  // Every rule matching a column, in order of precedence (Debezium applies only the first): column rules by
  // column_id, datatype.propagate.source.type by datatype_id ("<schema>.<table>.<JDBC type name>").
  std::vector<const Rule*> rules_for(std::string_view column_id, std::string_view datatype_id) const;

 private:
  std::vector<std::shared_ptr<re2::RE2>> include_, exclude_;
  std::vector<Rule> rules_;
};

}  // namespace sluice::event
