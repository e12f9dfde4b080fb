// libFuzzer target for pg::decode_server_frame; an XLogData payload is fed on to decode_pgoutput, as the
// replication stream does. encode_standby_status must always produce exactly 34 bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

#include "common/byte_reader.h"
#include "decode/pgoutput.h"
#include "pg/copy_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;  // NOLINT(google-build-using-namespace): fuzz driver, not a header
  std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
  auto r = pg::decode_server_frame(in);
  if (!r.ok()) {
    if (r.error().kind != ErrorKind::kData || r.error().message.empty()) std::abort();
  } else if (auto* w = std::get_if<pg::XLogData>(&*r)) {
    if (w->data.size() + 25 != size || (size > 25 && w->data.data() != in.data() + 25)) std::abort();
    auto m = decode::decode_pgoutput(w->data);
    (void)m;
  } else if (size != 18) {
    std::abort();
  }

  // Round trip the status encoder through ByteReader with fields taken from the input.
  if (size >= 33) {
    ByteReader fields(in);
    pg::StandbyStatus s{Lsn(fields.u64()), Lsn(fields.u64()), Lsn(fields.u64()), fields.i64(),
                        (fields.u8() & 1) != 0};
    std::string out;
    pg::encode_standby_status(s, out);
    if (out.size() != 34 || out[0] != 'r') std::abort();
    ByteReader back(as_bytes(out));
    back.u8();
    if (back.u64() != s.write.value() || back.u64() != s.flush.value() || back.u64() != s.apply.value() ||
        back.i64() != s.client_time || (back.u8() != 0) != s.reply_requested || !back.at_end()) {
      std::abort();
    }
  }
  return 0;
}
