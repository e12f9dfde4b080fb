// libFuzzer target for decode::decode_pgoutput (and RelationCache::put on what it accepts): any input must
// yield a value or a kData error, never a crash, out-of-bounds read or unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <type_traits>
#include <variant>

#include "decode/pgoutput.h"
#include "decode/relation_cache.h"

namespace {

using namespace sluice;          // NOLINT(google-build-using-namespace): fuzz driver, not a header
using namespace sluice::decode;  // NOLINT(google-build-using-namespace)

// Every view must lie inside the input: touch each byte so ASan sees any escape.
size_t touch(std::string_view v, std::span<const std::byte> in) {
  if (v.empty()) return 0;
  const auto* b = reinterpret_cast<const std::byte*>(v.data());
  if (b < in.data() || b + v.size() > in.data() + in.size()) std::abort();
  size_t sum = 0;
  for (char c : v) sum += static_cast<unsigned char>(c);
  return sum;
}

size_t touch(const Tuple& t, std::span<const std::byte> in) {
  size_t sum = 0;
  for (const auto& v : t) {
    if (v.kind != TupleValue::Kind::kText && v.kind != TupleValue::Kind::kBinary && !v.data.empty())
      std::abort();
    sum += touch(v.data, in);
  }
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
  auto r = decode_pgoutput(in);
  if (!r.ok()) {
    if (r.error().kind != ErrorKind::kData || r.error().message.empty()) std::abort();
    return 0;
  }
  RelationCache cache;
  volatile size_t sink = std::visit(
      [&](const auto& m) -> size_t {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Relation>) {
          size_t s = touch(m.nspname, in) + touch(m.relname, in);
          for (const auto& c : m.columns) s += touch(c.name, in);
          // First sight is a layout change; an identical re-send is not.
          if (!cache.put(m) || cache.put(m)) std::abort();
          const CachedRelation* cached = cache.find(m.oid);
          if (cached == nullptr || cached->version != 1 || cached->columns.size() != m.columns.size())
            std::abort();
          return s;
        } else if constexpr (std::is_same_v<T, Type>) {
          cache.put_type(m);
          return touch(m.nspname, in) + touch(m.name, in);
        } else if constexpr (std::is_same_v<T, Origin>) {
          return touch(m.name, in);
        } else if constexpr (std::is_same_v<T, Insert>) {
          return touch(m.new_tuple, in);
        } else if constexpr (std::is_same_v<T, Update>) {
          return touch(m.old_tuple, in) + touch(m.new_tuple, in);
        } else if constexpr (std::is_same_v<T, Delete>) {
          return touch(m.old_tuple, in);
        } else if constexpr (std::is_same_v<T, Message>) {
          return touch(m.prefix, in) + touch(m.content, in);
        } else if constexpr (std::is_same_v<T, Truncate>) {
          return m.relations.size();
        } else {
          return 0;
        }
      },
      *r);
  (void)sink;
  return 0;
}
