// Pure codec for the CopyData frames of the streaming replication protocol: the server's XLogData ('w')
// and primary keepalive ('k'), and the client's standby status update ('r').
// Wire format: Postgres docs "Streaming Replication Protocol" / src/backend/replication/walsender.c.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "common/lsn.h"
#include "common/result.h"

namespace sluice::pg {

struct XLogData {                   // 'w'
  Lsn wal_start;                    // LSN of the data (for pgoutput changes: the change's record LSN)
  Lsn wal_end;                      // server's current end of WAL
  int64_t send_time;                // pg epoch microseconds
  std::span<const std::byte> data;  // view into the frame
};

struct Keepalive {  // 'k'
  Lsn wal_end;
  int64_t send_time;
  bool reply_requested = false;
};

using ServerFrame = std::variant<XLogData, Keepalive>;

Result<ServerFrame> decode_server_frame(std::span<const std::byte> frame);

struct StandbyStatus {  // 'r'
  Lsn write;
  Lsn flush;
  Lsn apply;
  int64_t client_time;  // pg epoch microseconds
  bool reply_requested = false;
};

// Appends the 34-byte 'r' message to out.
void encode_standby_status(const StandbyStatus& status, std::string& out);

}  // namespace sluice::pg
