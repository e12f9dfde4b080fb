// PartitionRouting, following Debezium's PartitionRouting.apply: only change events (not truncates or
// logical decoding messages) are routed; a field that does not exist, or is null, is left out; no field
// left: the record keeps its partition.
#include "transform/debezium/partition_routing.h"
#include "common/utf16.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>

namespace sluice::transform {

namespace {

int32_t long_hash(int64_t v) {
  auto u = static_cast<uint64_t>(v);
  return static_cast<int32_t>(static_cast<uint32_t>(u ^ (u >> 32)));
}

// Infinispan's MurmurHash3 x64 state and mixing (the C original's bmix/fmix with evolving c1, c2).
struct MurmurState {
  uint64_t h1 = 0x9368e53c2f6af274ULL ^ 9001;
  uint64_t h2 = 0x586dcd208f7cd3fdULL ^ 9001;
  uint64_t k1 = 0, k2 = 0;
  uint64_t c1 = 0x87c37b91114253d5ULL;
  uint64_t c2 = 0x4cf5ad432745937fULL;

  void bmix() {
    k1 *= c1;
    k1 = std::rotl(k1, 23);
    k1 *= c2;
    h1 ^= k1;
    h1 += h2;
    h2 = std::rotl(h2, 41);
    k2 *= c2;
    k2 = std::rotl(k2, 23);
    k2 *= c1;
    h2 ^= k2;
    h2 += h1;
    h1 = h1 * 3 + 0x52dce729;
    h2 = h2 * 3 + 0x38495ab5;
    c1 = c1 * 5 + 0x7b7d159c;
    c2 = c2 * 5 + 0x6bce6396;
  }

  static uint64_t fmix(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
  }

  int32_t finish(uint64_t length) {
    h2 ^= length;
    h1 += h2;
    h2 += h1;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 += h2;
    return static_cast<int32_t>(static_cast<uint32_t>(h1 >> 32));
  }
};

// Java's (long) of a byte: sign-extended.
uint64_t widened(char b) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b)));
}

uint64_t block(std::string_view bytes, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

}  // namespace

int32_t murmur_hash_bytes(std::string_view key) {
  MurmurState s;
  const size_t blocks = key.size() / 16;
  for (size_t i = 0; i < blocks; ++i) {
    s.k1 = block(key, i * 16);
    s.k2 = block(key, i * 16 + 8);
    s.bmix();
  }
  s.k1 = s.k2 = 0;
  const size_t tail = blocks * 16;
  const size_t rest = key.size() & 15;
  if (rest > 0) {
    // The Java switch falls through from `rest` down to 1: each byte sign-extended, then shifted.
    for (size_t i = rest; i > 8; --i) s.k2 ^= widened(key[tail + i - 1]) << (8 * (i - 9));
    for (size_t i = std::min<size_t>(rest, 8); i > 0; --i)
      s.k1 ^= widened(key[tail + i - 1]) << (8 * (i - 1));
    s.bmix();
  }
  return s.finish(key.size());
}

int32_t murmur_hash_int(int32_t hashcode) {
  MurmurState s;
  auto u = static_cast<uint32_t>(hashcode);
  for (int i = 3; i >= 0; --i) s.k1 ^= widened(static_cast<char>(u >> (8 * i))) << (8 * i);
  s.bmix();
  return s.finish(4);
}

Result<int32_t> murmur_hash_code(const Json& value, const Schema& schema) {
  if (schema.type == "string" && value.is_string() &&
      !(schema.name && schema.name->starts_with("org.apache.kafka.connect.data."))) {
    return murmur_hash_bytes(value.text);
  }
  auto h = java_hash_code(value, schema);
  if (!h) return h.error();
  return murmur_hash_int(*h);
}

Result<int32_t> java_hash_code(const Json& value, const Schema& schema) {
  if (schema.name && (schema.name->starts_with("org.apache.kafka.connect.data."))) {
    return Error::data(fmt::format(
        "PartitionRouting: the Java hash of a {} value is not implemented in sluice", *schema.name));
  }
  const std::string& t = schema.type;
  if (t == "string" && value.is_string()) return java_string_hash(value.text);
  if (t == "boolean" && value.kind == Json::Kind::kBool) return value.boolean ? 1231 : 1237;
  if ((t == "int8" || t == "int16" || t == "int32" || t == "int64") && value.kind == Json::Kind::kNumber) {
    int64_t v = 0;
    std::from_chars(value.text.data(), value.text.data() + value.text.size(), v);
    return t == "int64" ? long_hash(v) : static_cast<int32_t>(v);
  }
  if ((t == "float" || t == "double") && (value.kind == Json::Kind::kNumber || value.is_string())) {
    double d = value.text == "NaN"         ? std::numeric_limits<double>::quiet_NaN()
               : value.text == "Infinity"  ? std::numeric_limits<double>::infinity()
               : value.text == "-Infinity" ? -std::numeric_limits<double>::infinity()
                                           : std::strtod(value.text.c_str(), nullptr);
    if (t == "float") {
      float f = static_cast<float>(d);
      return f != f ? 0x7fc00000 : std::bit_cast<int32_t>(f);  // floatToIntBits
    }
    return d != d ? long_hash(0x7ff8000000000000L)
                  : long_hash(std::bit_cast<int64_t>(d));  // doubleToLongBits
  }
  return Error::data(
      fmt::format("PartitionRouting: the Java hash of a {} value is not implemented in sluice", t));
}

Result<std::unique_ptr<Transform>> PartitionRouting::create(Options& options) {
  auto t = std::make_unique<PartitionRouting>();
  for (const auto& f : options.list("partition.payload.fields")) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (true) {
      auto dot = f.find('.', pos);
      std::string part = f.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
      auto b = part.find_first_not_of(" \t");
      auto e = part.find_last_not_of(" \t");
      part = b == std::string::npos ? "" : part.substr(b, e - b + 1);
      if (part.empty()) return options.invalid("partition.payload.fields", f, "field paths such as after.id");
      parts.push_back(std::move(part));
      if (dot == std::string::npos) break;
      pos = dot + 1;
    }
    t->fields_.push_back(std::move(parts));
  }
  if (t->fields_.empty()) {
    return options.missing("partition.payload.fields", "the fields the partition is computed from");
  }
  if (!options.has("partition.topic.num")) {
    return options.missing("partition.topic.num", "the number of partitions of the topic");
  }
  auto n = options.integer("partition.topic.num", 1, 1, std::numeric_limits<int32_t>::max());
  if (!n) return n.error();
  t->partitions_ = static_cast<int32_t>(*n);
  auto hash = options.str("partition.hash.function", "java");
  std::transform(hash.begin(), hash.end(), hash.begin(), [](unsigned char c) { return std::tolower(c); });
  if (hash != "java" && hash != "murmur") {
    // Debezium falls back to java for a value it does not know; sluice names it instead.
    return options.invalid("partition.hash.function", hash, "java, murmur");
  }
  t->murmur_ = hash == "murmur";
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> PartitionRouting::apply(Record& record) {
  if (!record.value || record.value->payload.is_null()) return true;
  const Data& value = *record.value;
  if (!value.schema || !value.schema->name || !value.schema->name->ends_with(".Envelope")) return true;
  if (!value.payload.is_object()) return true;
  const Json* op = value.payload.find("op");
  const std::string operation = op != nullptr && op->is_string() ? op->text : "";
  if (operation == "t" || operation == "m") return true;

  uint32_t total = 0;
  bool any = false;
  for (const auto& path : fields_) {
    const Schema* schema = value.schema.get();
    const Json* v = &value.payload;
    bool missing = false;
    for (size_t i = 0; i < path.size(); ++i) {
      std::string name = path[i];
      if (i + 1 < path.size() && name == "change") name = operation == "d" ? "before" : "after";
      const Field* f = schema->is_struct() ? schema->field(name) : nullptr;
      if (f == nullptr || (i + 1 < path.size() && !f->schema->is_struct())) {  // DataException: left out
        missing = true;
        break;
      }
      if (v == nullptr || v->is_null()) {  // getStruct gave null: Debezium's NullPointerException
        return Error::data(
            fmt::format("Unprocessable message: PartitionRouting cannot read {} of a null struct", name));
      }
      schema = f->schema.get();
      v = v->find(name);
    }
    if (missing || v == nullptr || v->is_null()) continue;
    auto h = murmur_ ? murmur_hash_code(*v, *schema) : java_hash_code(*v, *schema);
    if (!h) return h.error();
    total += static_cast<uint32_t>(*h);
    any = true;
  }
  if (!any) return true;
  int32_t normalized = static_cast<int32_t>(total & 0x7fffffffu);
  if (normalized == std::numeric_limits<int32_t>::max()) normalized = 0;
  record.partition = normalized % partitions_;
  return true;
}

}  // namespace sluice::transform
