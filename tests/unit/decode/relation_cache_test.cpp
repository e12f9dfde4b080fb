// RelationCache over Relation/Type messages captured from a real Postgres 15 (see pg15_capture.h).
#include "decode/relation_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "common/byte_reader.h"
#include "pg15_capture.h"

namespace sluice::decode {
namespace {

// Decodes a captured message; `storage` must outlive the returned views.
template <typename T>
T decode(std::string_view hex, std::string& storage) {
  storage = pg15::unhex(hex);
  auto r = decode_pgoutput(as_bytes(storage));
  EXPECT_TRUE(r.ok()) << r.error().message;
  return std::get<T>(std::move(r).value());
}

TEST(RelationCache, FindReturnsNullForUnknownOid) {
  RelationCache cache;
  EXPECT_EQ(cache.find(Oid{16390}), nullptr);
  EXPECT_EQ(cache.find_type(Oid{16385}), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(RelationCache, StoresAnOwningCopy) {
  RelationCache cache;
  {
    std::string buf;
    EXPECT_TRUE(cache.put(decode<Relation>(pg15::kRelationItems, buf)));
    buf.assign(buf.size(), '\xee');  // the decoded views are gone; the cache must not care
  }
  const CachedRelation* rel = cache.find(Oid{16390});
  ASSERT_NE(rel, nullptr);
  EXPECT_EQ(rel->oid, Oid{16390});
  EXPECT_EQ(rel->nspname, "inv");
  EXPECT_EQ(rel->relname, "items");
  EXPECT_EQ(rel->replica_identity, 'd');
  EXPECT_EQ(rel->version, 1u);
  ASSERT_EQ(rel->columns.size(), 6u);
  EXPECT_EQ(rel->columns[0].name, "id");
  EXPECT_TRUE(rel->columns[0].is_key());
  EXPECT_EQ(rel->columns[0].type, Oid{23});
  EXPECT_EQ(rel->columns[2].name, "price");
  EXPECT_EQ(rel->columns[2].typmod, 655366);
  EXPECT_EQ(rel->columns[3].typmod, 24);
  EXPECT_FALSE(rel->columns[5].is_key());
  EXPECT_EQ(cache.size(), 1u);
}

TEST(RelationCache, IdenticalResendDoesNotChangeLayout) {
  // Postgres re-sends the Relation after TRUNCATE (relcache invalidation) with the same layout.
  RelationCache cache;
  std::string a, b;
  EXPECT_TRUE(cache.put(decode<Relation>(pg15::kRelationItems, a)));
  const CachedRelation* before = cache.find(Oid{16390});
  EXPECT_FALSE(cache.put(decode<Relation>(pg15::kStream[31], b)));  // tx 737's re-send
  EXPECT_EQ(cache.find(Oid{16390}), before);
  EXPECT_EQ(before->version, 1u);
}

TEST(RelationCache, SchemaChangeReplacesEntryAndBumpsVersion) {
  RelationCache cache;
  std::string a, b;
  EXPECT_TRUE(cache.put(decode<Relation>(pg15::kRelationAudit, a)));
  const CachedRelation* rel = cache.find(Oid{16397});
  ASSERT_NE(rel, nullptr);
  EXPECT_EQ(rel->replica_identity, 'f');
  ASSERT_EQ(rel->columns.size(), 3u);
  EXPECT_EQ(rel->columns[2].name,
            "Stra\xc3\x9f"
            "e");

  EXPECT_TRUE(cache.put(decode<Relation>(pg15::kRelationAuditAltered, b)));  // ADD COLUMN extra
  EXPECT_EQ(cache.find(Oid{16397}), rel);                                    // same entry, updated in place
  EXPECT_EQ(rel->version, 2u);
  ASSERT_EQ(rel->columns.size(), 4u);
  EXPECT_EQ(rel->columns[3].name, "extra");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(RelationCache, TypeOrKeyChangeIsALayoutChange) {
  RelationCache cache;
  std::string buf;
  Relation rel = decode<Relation>(pg15::kRelationItems, buf);
  EXPECT_TRUE(cache.put(rel));
  rel.columns[1].type = Oid{1043};  // ALTER COLUMN name TYPE varchar
  EXPECT_TRUE(cache.put(rel));
  rel.columns[1].flags = 1;  // new replica identity index covers it
  EXPECT_TRUE(cache.put(rel));
  rel.columns[1].typmod = 54;
  EXPECT_TRUE(cache.put(rel));
  rel.columns[1].name = "title";  // RENAME COLUMN
  EXPECT_TRUE(cache.put(rel));
  rel.columns.pop_back();  // DROP COLUMN
  EXPECT_TRUE(cache.put(rel));
  EXPECT_EQ(cache.find(Oid{16390})->version, 6u);
  EXPECT_EQ(cache.find(Oid{16390})->columns.size(), 5u);
  EXPECT_EQ(cache.find(Oid{16390})->columns[1].name, "title");
}

TEST(RelationCache, RenameOrReplicaIdentityAloneUpdatesWithoutLayoutChange) {
  RelationCache cache;
  std::string buf;
  Relation rel = decode<Relation>(pg15::kRelationItems, buf);
  EXPECT_TRUE(cache.put(rel));
  rel.relname = "things";
  rel.nspname = "shop";
  rel.replica_identity = 'n';
  EXPECT_FALSE(cache.put(rel));
  const CachedRelation* c = cache.find(Oid{16390});
  EXPECT_EQ(c->relname, "things");
  EXPECT_EQ(c->nspname, "shop");
  EXPECT_EQ(c->replica_identity, 'n');
  EXPECT_EQ(c->version, 1u);
}

TEST(RelationCache, KeepsRelationsApart) {
  RelationCache cache;
  std::string a, b;
  cache.put(decode<Relation>(pg15::kRelationItems, a));
  cache.put(decode<Relation>(pg15::kRelationAudit, b));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find(Oid{16390})->relname, "items");
  EXPECT_EQ(cache.find(Oid{16397})->relname, "audit");
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.find(Oid{16390}), nullptr);
}

TEST(RelationCache, EmptyNamespaceMeansPgCatalog) {
  RelationCache cache;
  Relation rel;
  rel.oid = Oid{1259};
  rel.relname = "pg_class";
  EXPECT_TRUE(cache.put(rel));  // a relation with no columns is still new
  EXPECT_EQ(cache.find(Oid{1259})->nspname, "pg_catalog");
  EXPECT_TRUE(cache.find(Oid{1259})->columns.empty());
}

TEST(RelationCache, RemembersTypes) {
  RelationCache cache;
  std::string buf;
  cache.put_type(decode<Type>(pg15::kTypeMood, buf));
  buf.clear();
  const CachedType* t = cache.find_type(Oid{16385});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->nspname, "public");
  EXPECT_EQ(t->name, "mood");
  EXPECT_EQ(t->qualified_name(), "public.mood");
  cache.put_type(Type{Oid{16385}, "", "mood2"});
  EXPECT_EQ(cache.find_type(Oid{16385})->qualified_name(), "pg_catalog.mood2");
}

}  // namespace
}  // namespace sluice::decode
