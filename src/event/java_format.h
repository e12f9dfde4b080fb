// The Java text formats Debezium's JSON inherits: Double/Float.toString (how Jackson writes FLOAT64/FLOAT32),
// java.time ISO formatters (ZonedTimestamp, ZonedTime), java.util.Base64, and the minimal two's-complement
// bytes of BigInteger.toByteArray (Kafka Connect Decimal). Appends to out; no allocation beyond out's growth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::event::javafmt {

// Double.toString / Float.toString as of JDK 19+ (shortest decimal that round-trips; JDK <= 18 printed
// a few values with one more digit): "1.0", "0.001", "1.0E7", "1.0E-4", "-0.0", "NaN", "Infinity".
void append_double(std::string& out, double v);
void append_float(std::string& out, float v);

// DateTimeFormatter.ISO_LOCAL_DATE of an epoch day: "2024-05-01", "+10000-01-01", "-0043-03-15".
void append_iso_date(std::string& out, int64_t epoch_day);
// HH:mm:ss plus a fraction of the micros: fraction_digits < 0 prints the fraction with trailing zeros
// removed (ISO_LOCAL_TIME; nothing when zero), otherwise exactly that many digits (truncated).
void append_iso_time(std::string& out, int64_t micros_of_day, int fraction_digits);

// java.util.Base64 encoder (with padding); url_safe selects the URL alphabet.
void append_base64(std::string& out, std::string_view bytes, bool url_safe = false);
// Lower-case hex (Debezium's HexConverter).
void append_hex(std::string& out, std::string_view bytes);

// BigInteger(sign, decimal digits).toByteArray(): big-endian, minimal two's complement. digits holds only
// '0'-'9' (leading zeros allowed, empty means 0). Arbitrary length: base-10 to base-256 on 32-bit limbs.
void append_unscaled_bytes(std::string& out, std::string_view digits, bool negative);

// String.hashCode of a UTF-8 string (over its UTF-16 code units; malformed bytes count as U+FFFD).
int32_t string_hash(std::string_view utf8);

// The iteration order of a java.util.HashMap into which `keys` (distinct) were put in this order:
// indices into keys. HashMap orders by bucket (spread hash & (capacity - 1)), then insertion.
std::vector<size_t> hash_map_order(const std::vector<std::string_view>& keys);

// UUID.nameUUIDFromBytes(bytes).toString(): an MD5-based (version 3) UUID, lower-case.
std::string name_uuid_from_bytes(std::string_view bytes);

}  // namespace sluice::event::javafmt
