// RelationCache: owning copies of the Relation ('R') and Type ('Y') messages seen on the stream, keyed
// by oid. pgoutput sends a Relation before the first change of a table in a session and again after
// every schema change, so the latest entry always describes the rows that follow it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/lsn.h"
#include "decode/pgoutput.h"

namespace sluice::decode {

struct CachedColumn {
  std::string name;
  Oid type;
  int32_t typmod = -1;
  uint8_t flags = 0;  // bit 1: part of the replica identity key
  bool is_key() const { return (flags & 1) != 0; }
  bool operator==(const CachedColumn&) const = default;
};

struct CachedRelation {
  Oid oid;
  std::string nspname;  // "pg_catalog" where the wire sent "" (proto.c logicalrep_write_namespace)
  std::string relname;
  char replica_identity = 'd';  // d(efault), n(othing), f(ull), i(ndex)
  std::vector<CachedColumn> columns;
  // 1 on first sight, +1 each time the column layout (names, types, typmods, key flags) changes.
  uint64_t version = 0;
};

struct CachedType {
  Oid oid;
  std::string nspname;  // "pg_catalog" where the wire sent ""
  std::string name;
  std::string qualified_name() const { return nspname + "." + name; }
};

class RelationCache {
 public:
  // Stores an owning copy of `rel`, replacing any entry for the same oid. Returns true when the column
  // layout is new or differs from the cached one (the caller must rebuild anything derived from it);
  // a rename or replica identity change alone updates the entry and returns false.
  bool put(const Relation& rel);
  // The entry for `oid`, or nullptr. The pointer stays valid until clear(); put() for the same oid
  // updates the pointee in place.
  const CachedRelation* find(Oid oid) const;

  // Remembers a Type message (sent for non-built-in column types before the Relation using them).
  void put_type(const Type& type);
  const CachedType* find_type(Oid oid) const;

  size_t size() const { return relations_.size(); }
  void clear();

 private:
  std::unordered_map<uint32_t, CachedRelation> relations_;
  std::unordered_map<uint32_t, CachedType> types_;
};

}  // namespace sluice::decode
