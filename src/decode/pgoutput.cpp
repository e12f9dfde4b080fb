// pgoutput protocol version 1 decoder: one message type byte, then the fields proto.c writes for it.
// Follows postgres src/backend/replication/logical/proto.c (PG15) logicalrep_write_* field by field:
//   'B' Begin     int64 final_lsn, int64 commit_time, int32 xid
//   'C' Commit    int8 flags (0), int64 commit_lsn, int64 end_lsn, int64 commit_time
//   'O' Origin    int64 origin_lsn, cstring name
//   'R' Relation  int32 oid, cstring nspname ("" = pg_catalog), cstring relname, int8 replident,
//                 int16 natts, natts x (int8 flags, cstring name, int32 type oid, int32 typmod)
//   'Y' Type      int32 oid, cstring nspname, cstring typname
//   'I' Insert    int32 relid, 'N', TupleData
//   'U' Update    int32 relid, ['K' | 'O', TupleData], 'N', TupleData
//   'D' Delete    int32 relid, 'K' | 'O', TupleData
//   'T' Truncate  int32 nrelids, int8 options, nrelids x int32 relid
//   'M' Message   int8 flags, int64 lsn, cstring prefix, int32 len, len bytes
// TupleData: int16 ncols, ncols x (kind 'n' | 'u' | 't' int32 len, bytes | 'b' int32 len, bytes).
// Protocol v1 has no streamed-transaction xid fields; v2+/v3 message types are rejected by name.
#include "decode/pgoutput.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "common/byte_reader.h"

namespace sluice::decode {

namespace {

// Minimum wire size of one repeated element. reserve() is capped by what the remaining input could
// hold, so a forged count cannot turn a few bytes into a large allocation.
constexpr size_t kMinColumnBytes = 1 + 1 + 4 + 4;  // flags, empty name's NUL, type oid, typmod
constexpr size_t kMinTupleValueBytes = 1;          // kind byte ('n' / 'u')
constexpr size_t kMinRelidBytes = 4;

const char* message_name(uint8_t type) {
  switch (type) {
    case 'B':
      return "Begin";
    case 'C':
      return "Commit";
    case 'O':
      return "Origin";
    case 'R':
      return "Relation";
    case 'Y':
      return "Type";
    case 'I':
      return "Insert";
    case 'U':
      return "Update";
    case 'D':
      return "Delete";
    case 'T':
      return "Truncate";
    case 'M':
      return "Message";
    default:
      return nullptr;
  }
}

// Message types that only later protocol versions send (streaming: v2, two-phase: v3, v4).
const char* later_version_message(uint8_t type) {
  switch (type) {
    case 'S':
      return "Stream Start";
    case 'E':
      return "Stream Stop";
    case 'c':
      return "Stream Commit";
    case 'A':
      return "Stream Abort";
    case 'b':
      return "Begin Prepare";
    case 'P':
      return "Prepare";
    case 'K':
      return "Commit Prepared";
    case 'r':
      return "Rollback Prepared";
    case 'p':
      return "Stream Prepare";
    default:
      return nullptr;
  }
}

std::string describe_byte(uint8_t b) {
  if (b >= 0x20 && b < 0x7f) return fmt::format("0x{:02x} ('{}')", b, static_cast<char>(b));
  return fmt::format("0x{:02x}", b);
}

// ByteReader plus what an error message needs: the message being decoded and the offset of the first
// field that failed. The first error wins; the reader is sticky, so later reads return zero/empty.
class Decoder {
  // Every read goes through here; it notes where the field started, for error messages.
  template <typename F>
  auto read(const char* field, F&& f) {
    last_start_ = r_.position();
    auto v = f(r_);
    if (!r_.ok() && ok()) {
      error_ = fmt::format("pgoutput: truncated {} at offset {} (reading {})", what_, last_start_, field);
    }
    return v;
  }

 public:
  Decoder(std::span<const std::byte> data, const char* what) : r_(data), what_(what) {}

  uint8_t u8(const char* field) {
    return read(field, [](ByteReader& r) { return r.u8(); });
  }
  int16_t i16(const char* field) {
    return read(field, [](ByteReader& r) { return r.i16(); });
  }
  int32_t i32(const char* field) {
    return read(field, [](ByteReader& r) { return r.i32(); });
  }
  uint32_t u32(const char* field) {
    return read(field, [](ByteReader& r) { return r.u32(); });
  }
  int64_t i64(const char* field) {
    return read(field, [](ByteReader& r) { return r.i64(); });
  }
  Lsn lsn(const char* field) {
    return Lsn(read(field, [](ByteReader& r) { return r.u64(); }));
  }
  Oid oid(const char* field) { return Oid{u32(field)}; }
  std::string_view cstring(const char* field) {
    return read(field, [](ByteReader& r) { return r.cstring(); });
  }
  std::string_view bytes(size_t n, const char* field) {
    return read(field, [n](ByteReader& r) { return r.bytes(n); });
  }

  // Count fields (int16 natts/ncols, int32 nrelids/lengths) must not be negative.
  size_t count16(const char* field) { return non_negative(i16(field), field); }
  size_t count32(const char* field) { return non_negative(i32(field), field); }

  // Reads one marker byte that must be one of `allowed`; returns 0 after recording an error otherwise.
  char marker(std::string_view allowed, const char* field) {
    uint8_t b = u8(field);
    if (!ok()) return 0;
    if (allowed.find(static_cast<char>(b)) == std::string_view::npos) {
      fail(last_start_, fmt::format("invalid {} {}", field, describe_byte(b)));
      return 0;
    }
    return static_cast<char>(b);
  }

  // Records an error about the field that starts at `offset`.
  void fail(size_t offset, std::string_view problem) {
    if (ok()) error_ = fmt::format("pgoutput: {} in {} at offset {}", problem, what_, offset);
  }
  size_t last_start() const { return last_start_; }

  // No more elements than the remaining bytes could encode.
  size_t reserve_cap(size_t n, size_t min_bytes) const { return std::min(n, r_.remaining() / min_bytes); }

  bool ok() const { return error_.empty(); }
  bool complete() const { return ok() && r_.at_end(); }
  Error error() {
    if (ok()) {
      error_ = fmt::format("pgoutput: {} trailing byte(s) after {} at offset {}", r_.remaining(), what_,
                           r_.position());
    }
    return Error::data(std::move(error_));
  }

 private:
  size_t non_negative(int64_t n, const char* field) {
    if (n < 0) {
      fail(last_start_, fmt::format("negative {} {}", field, n));
      return 0;
    }
    return static_cast<size_t>(n);
  }

  ByteReader r_;
  const char* what_;
  std::string error_;
  size_t last_start_ = 0;
};

void read_tuple(Decoder& d, Tuple& out) {
  size_t ncols = d.count16("column count");
  if (!d.ok()) return;
  out.reserve(d.reserve_cap(ncols, kMinTupleValueBytes));
  for (size_t i = 0; i < ncols && d.ok(); ++i) {
    TupleValue v;
    uint8_t kind = d.u8("value kind");
    switch (kind) {
      case 'n':
        v.kind = TupleValue::Kind::kNull;
        break;
      case 'u':
        v.kind = TupleValue::Kind::kUnchangedToast;
        break;
      case 't':
      case 'b': {
        v.kind = kind == 't' ? TupleValue::Kind::kText : TupleValue::Kind::kBinary;
        size_t len = d.count32("value length");
        v.data = d.bytes(len, "value");
        break;
      }
      default:
        if (d.ok()) d.fail(d.last_start(), fmt::format("invalid tuple value kind {}", describe_byte(kind)));
        break;
    }
    if (d.ok()) out.push_back(v);
  }
}

Begin read_begin(Decoder& d) {
  Begin m;
  m.final_lsn = d.lsn("final_lsn");
  m.commit_time = d.i64("commit_time");
  m.xid = Xid{d.u32("xid")};
  return m;
}

Commit read_commit(Decoder& d) {
  Commit m;
  m.flags = d.u8("flags");
  // proto.c logicalrep_read_commit: flags are unused and must be 0.
  if (d.ok() && m.flags != 0) d.fail(d.last_start(), fmt::format("unrecognized flags {}", m.flags));
  m.commit_lsn = d.lsn("commit_lsn");
  m.end_lsn = d.lsn("end_lsn");
  m.commit_time = d.i64("commit_time");
  return m;
}

Origin read_origin(Decoder& d) {
  Origin m;
  m.commit_lsn = d.lsn("origin_lsn");
  m.name = d.cstring("origin name");
  return m;
}

Relation read_relation(Decoder& d) {
  Relation m;
  m.oid = d.oid("relation oid");
  m.nspname = d.cstring("namespace");
  m.relname = d.cstring("relation name");
  // pg_class.relreplident: REPLICA_IDENTITY_DEFAULT/NOTHING/FULL/INDEX.
  m.replica_identity = d.marker("dnfi", "replica identity");
  size_t natts = d.count16("column count");
  if (!d.ok()) return m;
  m.columns.reserve(d.reserve_cap(natts, kMinColumnBytes));
  for (size_t i = 0; i < natts && d.ok(); ++i) {
    RelationColumn c;
    c.flags = d.u8("column flags");
    c.name = d.cstring("column name");
    c.type = d.oid("column type");
    c.typmod = d.i32("column typmod");
    if (d.ok()) m.columns.push_back(c);
  }
  return m;
}

Type read_type(Decoder& d) {
  Type m;
  m.oid = d.oid("type oid");
  m.nspname = d.cstring("namespace");
  m.name = d.cstring("type name");
  return m;
}

Insert read_insert(Decoder& d) {
  Insert m;
  m.relation = d.oid("relation oid");
  if (d.marker("N", "new tuple marker") != 0) read_tuple(d, m.new_tuple);
  return m;
}

Update read_update(Decoder& d) {
  Update m;
  m.relation = d.oid("relation oid");
  char c = d.marker("KON", "tuple marker");
  if (c == 'K' || c == 'O') {
    m.old_kind = c;
    read_tuple(d, m.old_tuple);
    c = d.marker("N", "new tuple marker");
  }
  if (c == 'N') read_tuple(d, m.new_tuple);
  resolve_unchanged_toast(m);
  return m;
}

Delete read_delete(Decoder& d) {
  Delete m;
  m.relation = d.oid("relation oid");
  m.old_kind = d.marker("KO", "old tuple marker");
  if (m.old_kind != 0) read_tuple(d, m.old_tuple);
  return m;
}

Truncate read_truncate(Decoder& d) {
  Truncate m;
  size_t n = d.count32("relation count");
  m.options = d.u8("options");
  if (!d.ok()) return m;
  m.relations.reserve(d.reserve_cap(n, kMinRelidBytes));
  for (size_t i = 0; i < n && d.ok(); ++i) {
    Oid oid = d.oid("relation oid");
    if (d.ok()) m.relations.push_back(oid);
  }
  return m;
}

Message read_message(Decoder& d) {
  Message m;
  m.flags = d.u8("flags");
  m.lsn = d.lsn("lsn");
  m.prefix = d.cstring("prefix");
  size_t len = d.count32("content length");
  m.content = d.bytes(len, "content");
  return m;
}

template <typename T>
Result<PgMessage> finish(Decoder& d, T&& message) {
  if (!d.complete()) return d.error();
  return PgMessage(std::forward<T>(message));
}

}  // namespace

size_t resolve_unchanged_toast(Update& update) {
  size_t filled = 0;
  const size_t n = std::min(update.old_tuple.size(), update.new_tuple.size());
  for (size_t i = 0; i < n; ++i) {
    const TupleValue& old = update.old_tuple[i];
    TupleValue& now = update.new_tuple[i];
    if (now.kind == TupleValue::Kind::kUnchangedToast &&
        (old.kind == TupleValue::Kind::kText || old.kind == TupleValue::Kind::kBinary)) {
      now = old;
      ++filled;
    }
  }
  return filled;
}

Result<PgMessage> decode_pgoutput(std::span<const std::byte> data) {
  if (data.empty()) return Error::data("pgoutput: empty message");
  const auto type = static_cast<uint8_t>(data[0]);
  const char* name = message_name(type);
  if (name == nullptr) {
    if (const char* later = later_version_message(type)) {
      return Error::data(
          fmt::format("pgoutput: {} message ('{}') at offset 0 needs protocol version >= 2; "
                      "sluice speaks version 1",
                      later, static_cast<char>(type)));
    }
    return Error::data(fmt::format("pgoutput: unknown message type {} at offset 0", describe_byte(type)));
  }
  Decoder d(data, name);
  (void)d.u8("message type");
  switch (type) {
    case 'B':
      return finish(d, read_begin(d));
    case 'C':
      return finish(d, read_commit(d));
    case 'O':
      return finish(d, read_origin(d));
    case 'R':
      return finish(d, read_relation(d));
    case 'Y':
      return finish(d, read_type(d));
    case 'I':
      return finish(d, read_insert(d));
    case 'U':
      return finish(d, read_update(d));
    case 'D':
      return finish(d, read_delete(d));
    case 'T':
      return finish(d, read_truncate(d));
    default:
      return finish(d, read_message(d));  // 'M': message_name() admitted only the types above
  }
}

}  // namespace sluice::decode
