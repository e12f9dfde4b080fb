// Streaming replication CopyData codec (Postgres docs "Streaming Replication Protocol"; walsender.c
// WalSndPrepareWrite / WalSndKeepalive / ProcessStandbyReplyMessage):
//   'w' XLogData          int64 dataStart, int64 walEnd, int64 sendTime, rest = payload
//   'k' Primary keepalive int64 walEnd, int64 sendTime, byte replyRequested          (18 bytes)
//   'r' Standby status    int64 write, int64 flush, int64 apply, int64 sendTime, byte replyRequested (34)
// All integers big-endian; times are microseconds since 2000-01-01 UTC.
#include "pg/copy_frame.h"

#include <fmt/format.h>

#include "common/byte_reader.h"

namespace sluice::pg {

namespace {
constexpr size_t kXLogDataHeader = 1 + 8 + 8 + 8;
constexpr size_t kKeepaliveSize = 1 + 8 + 8 + 1;
constexpr size_t kStandbyStatusSize = 1 + 8 + 8 + 8 + 8 + 1;
}  // namespace

Result<ServerFrame> decode_server_frame(std::span<const std::byte> frame) {
  if (frame.empty()) return Error::data("copy frame: empty CopyData message");
  ByteReader r(frame);
  const auto type = static_cast<char>(r.u8());
  if (type == 'w') {
    if (frame.size() < kXLogDataHeader) {
      return Error::data(fmt::format("copy frame: truncated XLogData: {} bytes, header needs {}",
                                     frame.size(), kXLogDataHeader));
    }
    XLogData m;
    m.wal_start = Lsn(r.u64());
    m.wal_end = Lsn(r.u64());
    m.send_time = r.i64();
    m.data = frame.subspan(r.position());
    return ServerFrame(m);
  }
  if (type == 'k') {
    if (frame.size() != kKeepaliveSize) {
      return Error::data(
          fmt::format("copy frame: keepalive must be {} bytes, got {}", kKeepaliveSize, frame.size()));
    }
    Keepalive m;
    m.wal_end = Lsn(r.u64());
    m.send_time = r.i64();
    m.reply_requested = r.u8() != 0;
    return ServerFrame(m);
  }
  const auto b = static_cast<uint8_t>(type);
  if (b >= 0x20 && b < 0x7f) {
    return Error::data(fmt::format("copy frame: unknown message type 0x{:02x} ('{}')", b, type));
  }
  return Error::data(fmt::format("copy frame: unknown message type 0x{:02x}", b));
}

void encode_standby_status(const StandbyStatus& status, std::string& out) {
  out.reserve(out.size() + kStandbyStatusSize);
  out.push_back('r');
  put_be(out, status.write.value(), 8);
  put_be(out, status.flush.value(), 8);
  put_be(out, status.apply.value(), 8);
  put_be(out, static_cast<uint64_t>(status.client_time), 8);
  out.push_back(status.reply_requested ? 1 : 0);
}

}  // namespace sluice::pg
