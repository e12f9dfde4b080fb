// RelationCache: replaces entries on every Relation message and bumps the version only when the column
// layout actually changed, so unchanged re-sends (after a reconnect or relcache invalidation) are cheap.
#include "decode/relation_cache.h"

#include <algorithm>

namespace sluice::decode {

namespace {
constexpr std::string_view kPgCatalog = "pg_catalog";

std::string_view namespace_name(std::string_view wire) {
  return wire.empty() ? kPgCatalog : wire;
}

bool same_layout(const std::vector<CachedColumn>& cached, const std::vector<RelationColumn>& wire) {
  return std::equal(cached.begin(), cached.end(), wire.begin(), wire.end(),
                    [](const CachedColumn& a, const RelationColumn& b) {
                      return a.name == b.name && a.type == b.type && a.typmod == b.typmod &&
                             a.flags == b.flags;
                    });
}
}  // namespace

bool RelationCache::put(const Relation& rel) {
  auto [it, inserted] = relations_.try_emplace(rel.oid.value);
  CachedRelation& entry = it->second;
  entry.oid = rel.oid;
  entry.nspname.assign(namespace_name(rel.nspname));
  entry.relname.assign(rel.relname);
  entry.replica_identity = rel.replica_identity;
  if (!inserted && same_layout(entry.columns, rel.columns)) return false;

  entry.columns.resize(rel.columns.size());
  for (size_t i = 0; i < rel.columns.size(); ++i) {
    const RelationColumn& src = rel.columns[i];
    CachedColumn& dst = entry.columns[i];
    dst.name.assign(src.name);
    dst.type = src.type;
    dst.typmod = src.typmod;
    dst.flags = src.flags;
  }
  ++entry.version;
  return true;
}

const CachedRelation* RelationCache::find(Oid oid) const {
  auto it = relations_.find(oid.value);
  return it == relations_.end() ? nullptr : &it->second;
}

void RelationCache::put_type(const Type& type) {
  CachedType& entry = types_[type.oid.value];
  entry.oid = type.oid;
  entry.nspname.assign(namespace_name(type.nspname));
  entry.name.assign(type.name);
}

const CachedType* RelationCache::find_type(Oid oid) const {
  auto it = types_.find(oid.value);
  return it == types_.end() ? nullptr : &it->second;
}

void RelationCache::clear() {
  relations_.clear();
  types_.clear();
}

}  // namespace sluice::decode
