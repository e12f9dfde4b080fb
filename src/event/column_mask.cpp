// Column filters and masks; see column_mask.h. The hash follows debezium 3.7
// io.debezium.relational.mapping.MaskStrings (HashValueConverter, HashingByteArrayStrategy) and
// java.io.ObjectOutputStream.writeString / DataOutputStream.writeUTF (modified UTF-8).
#include "event/column_mask.h"
#include "common/utf16.h"

#include <openssl/evp.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include <fmt/format.h>

namespace sluice::event {
namespace {

// Java's modified UTF-8 (DataOutput.writeUTF): NUL is C0 80; a character outside the BMP is its two
// surrogates, three bytes each (CESU-8). Invalid input bytes are copied as they are.
std::string modified_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = utf8_sequence_length(c);
    if (c == 0) {
      out.append("\xC0\x80");
      ++i;
      continue;
    }
    if (len == 4 && i + 4 <= s.size()) {
      uint32_t cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
                    ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
                    (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
      cp -= 0x10000;
      for (uint32_t unit : {0xD800u + (cp >> 10), 0xDC00u + (cp & 0x3FFu)}) {
        out.push_back(static_cast<char>(0xE0 | (unit >> 12)));
        out.push_back(static_cast<char>(0x80 | ((unit >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (unit & 0x3F)));
      }
      i += 4;
      continue;
    }
    const size_t n = std::min(len, s.size() - i);
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

// Java MessageDigest names (SUN provider, case-insensitive) -> OpenSSL's.
const char* openssl_digest_name(std::string_view java) {
  std::string upper(java);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char ch) { return std::toupper(ch); });
  static constexpr std::array<std::pair<std::string_view, const char*>, 14> kNames{{
      {"MD5", "MD5"},
      {"SHA", "SHA1"},
      {"SHA1", "SHA1"},
      {"SHA-1", "SHA1"},
      {"SHA-224", "SHA224"},
      {"SHA-256", "SHA256"},
      {"SHA-384", "SHA384"},
      {"SHA-512", "SHA512"},
      {"SHA-512/224", "SHA512-224"},
      {"SHA-512/256", "SHA512-256"},
      {"SHA3-224", "SHA3-224"},
      {"SHA3-256", "SHA3-256"},
      {"SHA3-384", "SHA3-384"},
      {"SHA3-512", "SHA3-512"},
  }};
  for (const auto& [name, ossl] : kNames) {
    if (upper == name) return ossl;
  }
  return nullptr;
}

Result<std::vector<std::shared_ptr<re2::RE2>>> compile(std::string_view key,
                                                       const std::vector<std::string>& patterns) {
  std::vector<std::shared_ptr<re2::RE2>> out;
  for (const auto& p : patterns) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_case_sensitive(false);  // Predicates.includes(…, Pattern.CASE_INSENSITIVE)
    auto re = std::make_shared<re2::RE2>(p, opts);
    if (!re->ok()) {
      return Error::fatal(fmt::format(
          "invalid value for {}: pattern '{}' is not a valid regular expression ({})", key, p, re->error()));
    }
    out.push_back(std::move(re));
  }
  return out;
}

bool any_full_match(const std::vector<std::shared_ptr<re2::RE2>>& patterns, std::string_view s) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const auto& re) { return RE2::FullMatch(s, *re); });
}

}  // namespace

std::string java_serialized_string(std::string_view utf8) {
  const std::string m = modified_utf8(utf8);
  std::string out{'\xAC', '\xED', '\x00', '\x05'};  // STREAM_MAGIC, STREAM_VERSION
  if (m.size() <= 0xFFFF) {
    out.push_back('\x74');  // TC_STRING, writeUTF: u16 length
    out.push_back(static_cast<char>(m.size() >> 8));
    out.push_back(static_cast<char>(m.size() & 0xFF));
  } else {
    out.push_back('\x7C');  // TC_LONGSTRING, writeLongUTF: u64 length
    const auto n = static_cast<uint64_t>(m.size());
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
  out.append(m);
  return out;
}

std::string_view truncate_utf16(std::string_view utf8, size_t n) {
  return ::sluice::truncate_utf16(utf8, n);
}

Result<std::shared_ptr<const StringHasher>> StringHasher::create(std::string_view key,
                                                                 std::string_view algorithm, std::string salt,
                                                                 int version) {
  const char* name = openssl_digest_name(algorithm);
  const EVP_MD* md = name != nullptr ? EVP_get_digestbyname(name) : nullptr;
  if (md == nullptr) {
    return Error::fatal(fmt::format(
        "invalid {}: '{}' is not a hash algorithm sluice provides (Java MessageDigest names: MD5, SHA-1, "
        "SHA-224, SHA-256, SHA-384, SHA-512, SHA-512/224, SHA-512/256, SHA3-224, SHA3-256, SHA3-384, "
        "SHA3-512)",
        key, algorithm));
  }
  std::shared_ptr<StringHasher> h(new StringHasher());
  h->md_ = md;
  h->salt_ = std::move(salt);
  h->version_ = version;
  return std::shared_ptr<const StringHasher>(std::move(h));
}

StringHasher::~StringHasher() = default;

std::string StringHasher::hex(std::string_view utf8) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const std::string v1 = version_ == 1 ? java_serialized_string(utf8) : std::string();
  const std::string_view bytes = version_ == 1 ? std::string_view(v1) : utf8;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), static_cast<const EVP_MD*>(md_), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), salt_.data(), salt_.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) {
    return std::string();  // not reached with a digest EVP_get_digestbyname gave; never the clear value
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0F]);
  }
  return out;
}

Result<std::shared_ptr<const ColumnRules>> ColumnRules::create(
    const std::vector<std::string>& include, const std::vector<std::string>& exclude,
    std::vector<std::pair<MaskSpec, std::vector<std::string>>> masks) {
  if (!include.empty() && !exclude.empty()) {
    return Error::fatal(
        "column.include.list and column.exclude.list are both set: set only one (as Debezium requires)");
  }
  std::shared_ptr<ColumnRules> r(new ColumnRules());
  auto inc = compile("column.include.list", include);
  if (!inc) return inc.error();
  r->include_ = std::move(*inc);
  auto exc = compile("column.exclude.list", exclude);
  if (!exc) return exc.error();
  r->exclude_ = std::move(*exc);
  for (auto& [spec, patterns] : masks) {
    Rule rule;
    auto compiled = compile(spec.key, patterns);
    if (!compiled) return compiled.error();
    rule.patterns = std::move(*compiled);
    if (spec.kind == MaskSpec::Kind::kHash) {
      auto h = StringHasher::create(spec.key, spec.algorithm, spec.salt, spec.version);
      if (!h) return h.error();
      rule.hasher = std::move(*h);
    }
    rule.spec = std::move(spec);
    r->rules_.push_back(std::move(rule));
  }
  return std::shared_ptr<const ColumnRules>(std::move(r));
}

bool ColumnRules::included(std::string_view column_id) const {
  if (!include_.empty()) return any_full_match(include_, column_id);
  return exclude_.empty() || !any_full_match(exclude_, column_id);
}

const ColumnRules::Rule* ColumnRules::mask_for(std::string_view column_id) const {
  for (const Rule& rule : rules_) {
    if (!rule.spec.by_datatype && any_full_match(rule.patterns, column_id)) return &rule;
  }
  return nullptr;
}

std::vector<const ColumnRules::Rule*> ColumnRules::rules_for(std::string_view column_id,
                                                             std::string_view datatype_id) const {
  std::vector<const Rule*> out;
  for (const Rule& rule : rules_) {
    if (any_full_match(rule.patterns, rule.spec.by_datatype ? datatype_id : column_id)) out.push_back(&rule);
  }
  return out;
}

}  // namespace sluice::event
