// CopyData frame codec over frames captured from a real Postgres 15 walsender (START_REPLICATION ...
// LOGICAL 0/0 (proto_version '1', publication_names 'pub', messages 'true') read with PQgetCopyData on
// the same cluster and changes as tests/unit/decode/pg15_capture.h; wal_sender_timeout = 2s so a
// keepalive with replyRequested arrives).
#include "pg/copy_frame.h"

#include <gtest/gtest.h>

#include <string>

#include "common/byte_reader.h"

namespace sluice::pg {
namespace {

// clang-format off
// Initial keepalive: wal_end = the slot's start, before any data.
constexpr std::string_view kKeepalive = "6b000000000152e1500003041075e91ded00";
// Keepalive after wal_sender_timeout / 2 of silence: replyRequested = 1.
constexpr std::string_view kKeepaliveReplyRequested = "6b00000000015313000003041075f864c501";
// XLogData carrying pgoutput Begin (xid 731): wal_start == wal_end == the first change's LSN.
constexpr std::string_view kXLogBegin = "77000000000152e188000000000152e1880003041075e91eb442000000000152e28000030410751dbbec000002db";
// XLogData carrying a Type message: not the transaction's last write, so wal_start = wal_end = 0/0.
constexpr std::string_view kXLogType = "77000000000000000000000000000000000003041075e91edc59000040017075626c6963006d6f6f6400";
// XLogData carrying Commit: wal_start = the commit's end_lsn.
constexpr std::string_view kXLogCommit = "77000000000152e2b0000000000152e2b00003041075e91f534300000000000152e280000000000152e2b000030410751dbbec";
// clang-format on

std::string unhex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

TEST(CopyFrame, DecodesKeepalive) {
  std::string buf = unhex(kKeepalive);
  auto r = decode_server_frame(as_bytes(buf));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto k = std::get<Keepalive>(*r);
  EXPECT_EQ(k.wal_end, *Lsn::parse("0/152E150"));
  EXPECT_EQ(k.send_time, 0x3041075e91dedLL);
  EXPECT_FALSE(k.reply_requested);
}

TEST(CopyFrame, DecodesKeepaliveWithReplyRequested) {
  std::string buf = unhex(kKeepaliveReplyRequested);
  auto r = decode_server_frame(as_bytes(buf));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto k = std::get<Keepalive>(*r);
  EXPECT_EQ(k.wal_end, *Lsn::parse("0/1531300"));
  EXPECT_EQ(k.send_time, 0x3041075f864c5LL);
  EXPECT_TRUE(k.reply_requested);
}

TEST(CopyFrame, DecodesXLogDataAsViewOfPayload) {
  std::string buf = unhex(kXLogBegin);
  auto r = decode_server_frame(as_bytes(buf));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto w = std::get<XLogData>(*r);
  EXPECT_EQ(w.wal_start, *Lsn::parse("0/152E188"));
  EXPECT_EQ(w.wal_end, w.wal_start);  // the walsender writes the same LSN twice for logical decoding
  EXPECT_EQ(w.send_time, 0x3041075e91eb4LL);
  ASSERT_EQ(w.data.size(), 21u);  // pgoutput Begin
  EXPECT_EQ(static_cast<const void*>(w.data.data()), static_cast<const void*>(buf.data() + 25));
  EXPECT_EQ(static_cast<char>(w.data[0]), 'B');
}

TEST(CopyFrame, XLogDataOfNonFinalWriteHasZeroLsn) {
  std::string buf = unhex(kXLogType);
  auto r = decode_server_frame(as_bytes(buf));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto w = std::get<XLogData>(*r);
  EXPECT_FALSE(w.wal_start.valid());
  EXPECT_FALSE(w.wal_end.valid());
  EXPECT_EQ(static_cast<char>(w.data[0]), 'Y');
}

TEST(CopyFrame, XLogDataOfCommitStartsAtEndLsn) {
  std::string buf = unhex(kXLogCommit);
  auto r = decode_server_frame(as_bytes(buf));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto w = std::get<XLogData>(*r);
  EXPECT_EQ(w.wal_start, *Lsn::parse("0/152E2B0"));
  EXPECT_EQ(w.data.size(), 26u);
  EXPECT_EQ(static_cast<char>(w.data[0]), 'C');
}

TEST(CopyFrame, AcceptsXLogDataWithEmptyPayload) {
  std::string buf = unhex(kXLogBegin).substr(0, 25);
  auto r = decode_server_frame(as_bytes(buf));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(std::get<XLogData>(*r).data.empty());
}

TEST(CopyFrame, RejectsEmptyFrame) {
  auto r = decode_server_frame({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kData);
  EXPECT_EQ(r.error().message, "copy frame: empty CopyData message");
}

TEST(CopyFrame, RejectsTruncatedFrames) {
  std::string w = unhex(kXLogBegin);
  for (size_t n = 1; n < 25; ++n) {
    std::string buf = w.substr(0, n);
    auto r = decode_server_frame(as_bytes(buf));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().kind, ErrorKind::kData);
  }
  std::string k = unhex(kKeepalive);
  for (size_t n = 1; n < k.size(); ++n) {
    std::string buf = k.substr(0, n);
    EXPECT_FALSE(decode_server_frame(as_bytes(buf)).ok()) << n;
  }
  std::string buf = w.substr(0, 10);
  EXPECT_EQ(decode_server_frame(as_bytes(buf)).error().message,
            "copy frame: truncated XLogData: 10 bytes, header needs 25");
}

TEST(CopyFrame, RejectsKeepaliveWithTrailingBytes) {
  std::string buf = unhex(kKeepalive) + "x";
  auto r = decode_server_frame(as_bytes(buf));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "copy frame: keepalive must be 18 bytes, got 19");
}

TEST(CopyFrame, RejectsUnknownType) {
  std::string buf = unhex(kKeepalive);
  buf[0] = 'r';  // a client message never comes from the server
  EXPECT_EQ(decode_server_frame(as_bytes(buf)).error().message,
            "copy frame: unknown message type 0x72 ('r')");
  buf[0] = '\x01';
  EXPECT_EQ(decode_server_frame(as_bytes(buf)).error().message, "copy frame: unknown message type 0x01");
}

TEST(CopyFrame, EncodesStandbyStatus) {
  StandbyStatus s;
  s.write = *Lsn::parse("0/15312C8");
  s.flush = *Lsn::parse("0/1531280");
  s.apply = *Lsn::parse("1/2");
  s.client_time = 0x3041075f864c5LL;
  s.reply_requested = true;
  std::string out;
  encode_standby_status(s, out);
  EXPECT_EQ(out, unhex("72"
                       "00000000015312c8"
                       "0000000001531280"
                       "0000000100000002"
                       "0003041075f864c5"
                       "01"));
  EXPECT_EQ(out.size(), 34u);
}

TEST(CopyFrame, EncodeAppendsToExistingBuffer) {
  std::string out = "prefix";
  encode_standby_status(StandbyStatus{}, out);
  ASSERT_EQ(out.size(), 6u + 34u);
  EXPECT_EQ(out.substr(0, 7), "prefixr");
  EXPECT_EQ(out.substr(7), std::string(33, '\0'));
}

TEST(CopyFrame, EncodesMaximumValues) {
  StandbyStatus s{Lsn(UINT64_MAX), Lsn(UINT64_MAX), Lsn(UINT64_MAX), -1, false};
  std::string out;
  encode_standby_status(s, out);
  EXPECT_EQ(out, "r" + std::string(32, '\xff') + std::string(1, '\0'));
}

}  // namespace
}  // namespace sluice::pg
