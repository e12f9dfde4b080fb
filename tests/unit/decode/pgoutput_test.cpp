// decode_pgoutput over pgoutput v1 bytes captured from a real Postgres 15 (see pg15_capture.h), plus
// malformed inputs: every error is kData and names the message type and offset.
#include "decode/pgoutput.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "common/byte_reader.h"
#include "pg15_capture.h"

namespace sluice::decode {
namespace {

using ::testing::HasSubstr;
using Kind = TupleValue::Kind;

// Decoded messages are views: keep every input buffer alive for the whole test.
class PgoutputTest : public ::testing::Test {
 protected:
  Result<PgMessage> decode_raw(std::string bytes) {
    buffers_.push_back(std::move(bytes));
    return decode_pgoutput(as_bytes(buffers_.back()));
  }
  Result<PgMessage> decode_hex(std::string_view hex) { return decode_raw(pg15::unhex(hex)); }

  template <typename T>
  T decode_as(std::string_view hex) {
    auto r = decode_hex(hex);
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (!r.ok()) return T{};
    EXPECT_TRUE(std::holds_alternative<T>(*r)) << "variant index " << r->index();
    if (!std::holds_alternative<T>(*r)) return T{};
    return std::get<T>(*r);
  }

  std::string decode_error(std::string bytes) {
    auto r = decode_raw(std::move(bytes));
    EXPECT_FALSE(r.ok());
    if (r.ok()) return {};
    EXPECT_EQ(r.error().kind, ErrorKind::kData);
    return r.error().message;
  }

 private:
  std::deque<std::string> buffers_;
};

void expect_text(const TupleValue& v, std::string_view text) {
  EXPECT_EQ(v.kind, Kind::kText);
  EXPECT_EQ(v.data, text);
}
void expect_null(const TupleValue& v) {
  EXPECT_EQ(v.kind, Kind::kNull);
  EXPECT_TRUE(v.data.empty());
}
void expect_nulls(const Tuple& t, size_t from) {
  for (size_t i = from; i < t.size(); ++i) expect_null(t[i]);
}

constexpr Oid kItems{16390};
constexpr Oid kAudit{16397};
constexpr Oid kMood{16385};
constexpr int64_t kTx1Time = 848893661002732;  // 2026-11-25 03:47:41.002732 UTC, pg epoch us

TEST_F(PgoutputTest, DecodesBegin) {
  auto m = decode_as<Begin>(pg15::kBeginTx1);
  EXPECT_EQ(m.final_lsn, *Lsn::parse("0/152E280"));
  EXPECT_EQ(m.commit_time, kTx1Time);
  EXPECT_EQ(m.xid.value, 731u);
}

TEST_F(PgoutputTest, DecodesCommit) {
  auto m = decode_as<Commit>(pg15::kCommitTx1);
  EXPECT_EQ(m.flags, 0);
  EXPECT_EQ(m.commit_lsn, *Lsn::parse("0/152E280"));  // == Begin.final_lsn
  EXPECT_EQ(m.end_lsn, *Lsn::parse("0/152E2B0"));
  EXPECT_EQ(m.commit_time, kTx1Time);
}

TEST_F(PgoutputTest, BeginAndCommitOfOneTransactionAgree) {
  auto b = decode_as<Begin>(pg15::kBeginTx2);
  auto c = decode_as<Commit>(pg15::kCommitTx2);
  EXPECT_EQ(b.xid.value, 732u);
  EXPECT_EQ(b.final_lsn, c.commit_lsn);
  EXPECT_EQ(b.commit_time, c.commit_time);
  EXPECT_EQ(c.end_lsn, *Lsn::parse("0/152E490"));
}

TEST_F(PgoutputTest, DecodesType) {
  auto m = decode_as<Type>(pg15::kTypeMood);
  EXPECT_EQ(m.oid, kMood);
  EXPECT_EQ(m.nspname, "public");
  EXPECT_EQ(m.name, "mood");
}

TEST_F(PgoutputTest, DecodesRelationWithTypmodsAndKeyFlags) {
  auto m = decode_as<Relation>(pg15::kRelationItems);
  EXPECT_EQ(m.oid, kItems);
  EXPECT_EQ(m.nspname, "inv");
  EXPECT_EQ(m.relname, "items");
  EXPECT_EQ(m.replica_identity, 'd');
  ASSERT_EQ(m.columns.size(), 6u);
  struct Want {
    std::string_view name;
    uint8_t flags;
    uint32_t type;
    int32_t typmod;
  };
  const Want want[] = {
      {"id", 1, 23, -1},                       // int4, primary key
      {"name", 0, 25, -1},                     // text
      {"price", 0, 1700, (10 << 16 | 2) + 4},  // numeric(10,2): VARHDRSZ + (precision << 16 | scale)
      {"code", 0, 1043, 20 + 4},               // varchar(20): VARHDRSZ + length
      {"m", 0, kMood.value, -1},               // enum, announced by the Type message
      {"note", 0, 25, -1},
  };
  for (size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(m.columns[i].name, want[i].name);
    EXPECT_EQ(m.columns[i].flags, want[i].flags);
    EXPECT_EQ(m.columns[i].is_key(), want[i].flags == 1);
    EXPECT_EQ(m.columns[i].type.value, want[i].type);
    EXPECT_EQ(m.columns[i].typmod, want[i].typmod);
  }
}

TEST_F(PgoutputTest, DecodesReplicaIdentityFullRelationWithUtf8ColumnName) {
  auto m = decode_as<Relation>(pg15::kRelationAudit);
  EXPECT_EQ(m.oid, kAudit);
  EXPECT_EQ(m.nspname, "public");
  EXPECT_EQ(m.relname, "audit");
  EXPECT_EQ(m.replica_identity, 'f');
  ASSERT_EQ(m.columns.size(), 3u);
  EXPECT_EQ(m.columns[0].name, "k");
  EXPECT_EQ(m.columns[0].type.value, 20u);  // int8
  EXPECT_EQ(m.columns[1].name, "v");
  EXPECT_EQ(m.columns[1].type.value, 25u);
  EXPECT_EQ(m.columns[2].name,
            "Stra\xc3\x9f"
            "e");
  EXPECT_EQ(m.columns[2].type.value, 23u);
  for (const auto& c : m.columns) {
    EXPECT_EQ(c.flags, 1) << c.name;  // FULL: every column is part of the identity
    EXPECT_EQ(c.typmod, -1) << c.name;
  }
}

TEST_F(PgoutputTest, DecodesRelationAfterAddColumn) {
  auto m = decode_as<Relation>(pg15::kRelationAuditAltered);
  EXPECT_EQ(m.oid, kAudit);
  ASSERT_EQ(m.columns.size(), 4u);
  EXPECT_EQ(m.columns[3].name, "extra");
  EXPECT_EQ(m.columns[3].type.value, 23u);
  EXPECT_EQ(m.columns[3].flags, 1);
}

TEST_F(PgoutputTest, DecodesInsert) {
  auto m = decode_as<Insert>(pg15::kInsertWidget);
  EXPECT_EQ(m.relation, kItems);
  ASSERT_EQ(m.new_tuple.size(), 6u);
  expect_text(m.new_tuple[0], "1");
  expect_text(m.new_tuple[1], "widget");
  expect_text(m.new_tuple[2], "9.99");
  expect_text(m.new_tuple[3], "W-1");
  expect_text(m.new_tuple[4], "happy");
  expect_null(m.new_tuple[5]);
}

TEST_F(PgoutputTest, DecodesInsertOfNulls) {
  auto m = decode_as<Insert>(pg15::kInsertNulls);
  ASSERT_EQ(m.new_tuple.size(), 6u);
  expect_text(m.new_tuple[0], "2");
  expect_nulls(m.new_tuple, 1);
}

TEST_F(PgoutputTest, DecodesBinaryInsert) {
  auto m = decode_as<Insert>(pg15::kInsertWidgetBinary);
  ASSERT_EQ(m.new_tuple.size(), 6u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(m.new_tuple[i].kind, Kind::kBinary) << i;
  EXPECT_EQ(m.new_tuple[0].data, std::string_view("\0\0\0\1", 4));  // int4send
  EXPECT_EQ(m.new_tuple[1].data, "widget");
  // numeric_send of 9.99: ndigits 2, weight 0, sign +, dscale 2, digits 9 and 9900 (base 10000)
  EXPECT_EQ(m.new_tuple[2].data, std::string_view("\0\2\0\0\0\0\0\2\0\x09\x26\xac", 12));
  EXPECT_EQ(m.new_tuple[3].data, "W-1");
  EXPECT_EQ(m.new_tuple[4].data, "happy");
  expect_null(m.new_tuple[5]);
}

TEST_F(PgoutputTest, DecodesUpdateWithoutOldTuple) {
  auto m = decode_as<Update>(pg15::kUpdateName);
  EXPECT_EQ(m.relation, kItems);
  EXPECT_EQ(m.old_kind, 0);
  EXPECT_TRUE(m.old_tuple.empty());
  ASSERT_EQ(m.new_tuple.size(), 6u);
  expect_text(m.new_tuple[0], "1");
  expect_text(m.new_tuple[1], "gadget");
  expect_text(m.new_tuple[2], "9.99");
  expect_text(m.new_tuple[3], "W-1");
  expect_text(m.new_tuple[4], "happy");
  expect_null(m.new_tuple[5]);
}

TEST_F(PgoutputTest, DecodesUpdateOfKeyWithOldKeyTuple) {
  auto m = decode_as<Update>(pg15::kUpdateKey);
  EXPECT_EQ(m.old_kind, 'K');
  // The 'K' tuple has every column; the non-key ones are sent as 'n'.
  ASSERT_EQ(m.old_tuple.size(), 6u);
  expect_text(m.old_tuple[0], "2");
  expect_nulls(m.old_tuple, 1);
  ASSERT_EQ(m.new_tuple.size(), 6u);
  expect_text(m.new_tuple[0], "3");
  expect_nulls(m.new_tuple, 1);
}

TEST_F(PgoutputTest, DecodesUpdateWithUnchangedToastedValue) {
  auto m = decode_as<Update>(pg15::kUpdateUnchangedToast);
  EXPECT_EQ(m.old_kind, 0);
  ASSERT_EQ(m.new_tuple.size(), 6u);
  expect_text(m.new_tuple[0], "4");
  expect_text(m.new_tuple[1], "bigger");
  expect_text(m.new_tuple[2], "1.00");
  expect_text(m.new_tuple[3], "B");
  expect_text(m.new_tuple[4], "sad");
  EXPECT_EQ(m.new_tuple[5].kind, Kind::kUnchangedToast);
  EXPECT_TRUE(m.new_tuple[5].data.empty());
}

// TupleData of (kind, text) columns: 'n' and 'u' carry no bytes.
std::string tuple_data(std::initializer_list<std::pair<char, std::string_view>> cols) {
  std::string out{'\0', static_cast<char>(cols.size())};
  for (const auto& [kind, text] : cols) {
    out += kind;
    if (kind != 't' && kind != 'b') continue;
    const auto n = static_cast<uint32_t>(text.size());
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFF);
    out += text;
  }
  return out;
}

// Regression (issue 15): under REPLICA IDENTITY FULL an update that leaves a TOASTed column unchanged sends
// it as 'u' in the new tuple, but the old tuple holds the value: the new row takes it (as Debezium), so
// `after` is not the placeholder.
TEST_F(PgoutputTest, UnchangedToastTakesTheFullOldRowsValue) {
  const std::string big(5000, 'x');
  auto r = decode_raw(std::string("U\0\0\0\7O", 6) + tuple_data({{'t', "1"}, {'t', big}, {'t', "5"}}) + "N" +
                      tuple_data({{'t', "1"}, {'u', ""}, {'t', "6"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& m = std::get<Update>(*r);
  EXPECT_EQ(m.old_kind, 'O');
  ASSERT_EQ(m.new_tuple.size(), 3u);
  expect_text(m.new_tuple[1], big);
  expect_text(m.new_tuple[2], "6");
  expect_text(m.old_tuple[1], big);
}

// A key-only old tuple ('K': sent when a replica-identity column changed or is stored out of line) fills
// the unchanged identity column; a column it does not carry ('n') stays unchanged-TOAST (placeholder).
TEST_F(PgoutputTest, UnchangedToastTakesAKeyOnlyOldTuplesIdentityColumns) {
  const std::string key(2500, 'k');
  auto r = decode_raw(std::string("U\0\0\0\7K", 6) + tuple_data({{'t', key}, {'n', ""}, {'n', ""}}) + "N" +
                      tuple_data({{'u', ""}, {'u', ""}, {'t', "2"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& m = std::get<Update>(*r);
  ASSERT_EQ(m.new_tuple.size(), 3u);
  expect_text(m.new_tuple[0], key);
  EXPECT_EQ(m.new_tuple[1].kind, Kind::kUnchangedToast);
  expect_text(m.new_tuple[2], "2");
}

TEST(ResolveUnchangedToast, FillsBinaryValuesAndCountsThem) {
  Update u;
  u.old_kind = 'O';
  u.old_tuple = {{Kind::kBinary, "\x01\x02"}, {Kind::kNull, {}}, {Kind::kText, "t"}};
  u.new_tuple = {{Kind::kUnchangedToast, {}}, {Kind::kUnchangedToast, {}}, {Kind::kText, "n"}};
  EXPECT_EQ(resolve_unchanged_toast(u), 1u);
  EXPECT_EQ(u.new_tuple[0].kind, Kind::kBinary);
  EXPECT_EQ(u.new_tuple[0].data, "\x01\x02");
  EXPECT_EQ(u.new_tuple[1].kind, Kind::kUnchangedToast);  // the old value is NULL: nothing to fill
  EXPECT_EQ(u.new_tuple[2].data, "n");
  Update none;  // no old tuple: unchanged
  none.new_tuple = {{Kind::kUnchangedToast, {}}};
  EXPECT_EQ(resolve_unchanged_toast(none), 0u);
  EXPECT_EQ(none.new_tuple[0].kind, Kind::kUnchangedToast);
}

TEST_F(PgoutputTest, DecodesUpdateWithFullOldRow) {
  auto m = decode_as<Update>(pg15::kUpdateFull);
  EXPECT_EQ(m.relation, kAudit);
  EXPECT_EQ(m.old_kind, 'O');
  ASSERT_EQ(m.old_tuple.size(), 3u);
  expect_text(m.old_tuple[0], "1");
  expect_text(m.old_tuple[1], "a");
  expect_text(m.old_tuple[2], "7");
  ASSERT_EQ(m.new_tuple.size(), 3u);
  expect_text(m.new_tuple[0], "1");
  expect_text(m.new_tuple[1], "b");
  expect_text(m.new_tuple[2], "7");
}

TEST_F(PgoutputTest, DecodesDeleteWithKey) {
  auto m = decode_as<Delete>(pg15::kDeleteKey);
  EXPECT_EQ(m.relation, kItems);
  EXPECT_EQ(m.old_kind, 'K');
  ASSERT_EQ(m.old_tuple.size(), 6u);
  expect_text(m.old_tuple[0], "3");
  expect_nulls(m.old_tuple, 1);
}

TEST_F(PgoutputTest, DecodesDeleteWithFullOldRow) {
  auto m = decode_as<Delete>(pg15::kDeleteFull);
  EXPECT_EQ(m.relation, kAudit);
  EXPECT_EQ(m.old_kind, 'O');
  ASSERT_EQ(m.old_tuple.size(), 3u);
  expect_text(m.old_tuple[0], "2");
  expect_null(m.old_tuple[1]);
  expect_null(m.old_tuple[2]);
}

TEST_F(PgoutputTest, DecodesTruncateOfTwoTablesWithOptions) {
  auto m = decode_as<Truncate>(pg15::kTruncate);
  EXPECT_EQ(m.options, 3);  // CASCADE (1) | RESTART IDENTITY (2)
  ASSERT_EQ(m.relations.size(), 2u);
  EXPECT_EQ(m.relations[0], kItems);
  EXPECT_EQ(m.relations[1], kAudit);
}

TEST_F(PgoutputTest, DecodesNonTransactionalMessage) {
  auto m = decode_as<Message>(pg15::kMessageNonTransactional);
  EXPECT_FALSE(m.transactional());
  EXPECT_EQ(m.flags, 0);
  EXPECT_EQ(m.lsn, *Lsn::parse("0/152F500"));
  EXPECT_EQ(m.prefix, "sluice");
  EXPECT_EQ(m.content, "hello");
}

TEST_F(PgoutputTest, DecodesTransactionalMessageWithBinaryContent) {
  auto m = decode_as<Message>(pg15::kMessageTransactional);
  EXPECT_TRUE(m.transactional());
  EXPECT_EQ(m.lsn, *Lsn::parse("0/152F540"));
  EXPECT_EQ(m.prefix, "sluice");
  EXPECT_EQ(m.content, std::string_view("\x00\xff\x01", 3));
}

TEST_F(PgoutputTest, DecodesOriginTransaction) {
  auto b = decode_as<Begin>(pg15::kBeginWithOrigin);
  EXPECT_EQ(b.xid.value, 741u);
  EXPECT_EQ(b.final_lsn, *Lsn::parse("0/1531280"));
  // The origin's commit timestamp (pg_replication_origin_xact_setup) replaces the local one.
  EXPECT_EQ(pg_time_to_unix_us(b.commit_time), 1704164645LL * 1000000);  // 2024-01-02 03:04:05 UTC
  auto o = decode_as<Origin>(pg15::kOrigin);
  EXPECT_EQ(o.commit_lsn, *Lsn::parse("0/AB12CD"));
  EXPECT_EQ(o.name, "sluice_origin");
  auto c = decode_as<Commit>(pg15::kCommitWithOrigin);
  EXPECT_EQ(c.commit_lsn, b.final_lsn);
  EXPECT_EQ(c.end_lsn, *Lsn::parse("0/15312C8"));
  EXPECT_EQ(c.commit_time, b.commit_time);
}

TEST_F(PgoutputTest, DecodesWholeCapturedStreamInOrder) {
  // Variant indexes: Begin 0, Commit 1, Origin 2, Relation 3, Type 4, Insert 5, Update 6, Delete 7,
  // Truncate 8, Message 9.
  const size_t want[] = {0, 4, 3, 5, 1,        // tx 731
                         0, 5, 6, 6, 7, 1,     // tx 732
                         0, 5, 1, 0, 6, 1,     // tx 733, 734 (toast)
                         0, 3, 5, 5, 6, 7, 1,  // tx 735 (audit, FULL)
                         9,                    // non-transactional message
                         0, 9, 5, 1,           // tx 736
                         0, 4, 3, 3, 8, 1,     // tx 737: truncate re-sends schema first
                         0, 3, 5, 1,           // tx 739: after ALTER TABLE
                         0, 2, 5, 1};          // tx 741: with origin
  ASSERT_EQ(std::size(pg15::kStream), std::size(want));
  Lsn last_end;
  for (size_t i = 0; i < std::size(want); ++i) {
    SCOPED_TRACE(i + 1);
    auto r = decode_hex(pg15::kStream[i]);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->index(), want[i]);
    if (auto* c = std::get_if<Commit>(&*r)) {
      EXPECT_GT(c->end_lsn, c->commit_lsn);
      EXPECT_GT(c->commit_lsn, last_end);  // commit order
      last_end = c->end_lsn;
    }
  }
}

TEST_F(PgoutputTest, LargeTextValueIsAViewIntoTheInput) {
  auto m = decode_as<Insert>(pg15::kStream[12]);  // INSERT ... repeat('x', 3000)
  ASSERT_EQ(m.new_tuple.size(), 6u);
  EXPECT_EQ(m.new_tuple[5].data, std::string(3000, 'x'));
}

// --- malformed input -------------------------------------------------------------------------------

TEST_F(PgoutputTest, RejectsEmptyInput) {
  EXPECT_EQ(decode_error(""), "pgoutput: empty message");
}

TEST_F(PgoutputTest, RejectsUnknownMessageType) {
  EXPECT_EQ(decode_error("Z"), "pgoutput: unknown message type 0x5a ('Z') at offset 0");
  EXPECT_EQ(decode_error(std::string("\0", 1)), "pgoutput: unknown message type 0x00 at offset 0");
}

TEST_F(PgoutputTest, RejectsLaterProtocolMessagesByName) {
  EXPECT_THAT(decode_error("S"), HasSubstr("Stream Start"));
  EXPECT_THAT(decode_error("P"), HasSubstr("needs protocol version >= 2"));
}

TEST_F(PgoutputTest, ReportsTruncationWithTypeAndOffset) {
  std::string insert = pg15::unhex(pg15::kInsertWidget);
  // 'I', relid (1..4), 'N' (5), ncols (6..7), 't' (8), len (9..12): cut inside the first length.
  EXPECT_EQ(decode_error(insert.substr(0, 11)),
            "pgoutput: truncated Insert at offset 9 (reading value length)");
  EXPECT_EQ(decode_error(insert.substr(0, 3)),
            "pgoutput: truncated Insert at offset 1 (reading relation oid)");
  std::string rel = pg15::unhex(pg15::kRelationItems);
  EXPECT_EQ(decode_error(rel.substr(0, 7)), "pgoutput: truncated Relation at offset 5 (reading namespace)");
}

TEST_F(PgoutputTest, RejectsEveryStrictPrefixOfEveryCapturedMessage) {
  for (size_t i = 0; i < std::size(pg15::kStream); ++i) {
    std::string full = pg15::unhex(pg15::kStream[i]);
    for (size_t n = 0; n < full.size(); ++n) {
      auto r = decode_raw(full.substr(0, n));
      ASSERT_FALSE(r.ok()) << "message " << i + 1 << " prefix " << n;
      EXPECT_EQ(r.error().kind, ErrorKind::kData);
      if (n > 0) {
        EXPECT_THAT(r.error().message, HasSubstr("truncated")) << i + 1 << " " << n;
      }
    }
  }
}

TEST_F(PgoutputTest, RejectsTrailingBytes) {
  EXPECT_EQ(decode_error(pg15::unhex(pg15::kBeginTx1) + "x"),
            "pgoutput: 1 trailing byte(s) after Begin at offset 21");
  EXPECT_THAT(decode_error(pg15::unhex(pg15::kInsertWidget) + "nn"),
              HasSubstr("2 trailing byte(s) after Insert"));
}

TEST_F(PgoutputTest, RejectsNegativeValueLength) {
  std::string insert = pg15::unhex(pg15::kInsertWidget);
  insert.replace(9, 4, "\xff\xff\xff\xfe");
  EXPECT_EQ(decode_error(insert), "pgoutput: negative value length -2 in Insert at offset 9");
}

TEST_F(PgoutputTest, RejectsNegativeCounts) {
  std::string insert = pg15::unhex(pg15::kInsertWidget);
  insert.replace(6, 2, "\x80\x00", 2);
  EXPECT_EQ(decode_error(insert), "pgoutput: negative column count -32768 in Insert at offset 6");

  std::string rel = pg15::unhex(pg15::kRelationAudit);
  rel.replace(19, 2, "\xff\xff");  // natts: after type(1) oid(4) "public\0"(7) "audit\0"(6) replident(1)
  EXPECT_EQ(decode_error(rel), "pgoutput: negative column count -1 in Relation at offset 19");

  EXPECT_EQ(decode_error(std::string("T\xff\xff\xff\xff\0", 6)),
            "pgoutput: negative relation count -1 in Truncate at offset 1");
  std::string msg = pg15::unhex(pg15::kMessageNonTransactional);
  msg.replace(17, 4, "\x80\0\0\0", 4);  // 'M' flags lsn(8) "sluice\0" len
  EXPECT_EQ(decode_error(msg), "pgoutput: negative content length -2147483648 in Message at offset 17");
}

TEST_F(PgoutputTest, RejectsInvalidTupleKind) {
  std::string insert = pg15::unhex(pg15::kInsertNulls);
  insert[14] = 'x';  // second column: 'n' -> 'x'
  EXPECT_EQ(decode_error(insert), "pgoutput: invalid tuple value kind 0x78 ('x') in Insert at offset 14");
}

TEST_F(PgoutputTest, RejectsMissingOrWrongTupleMarkers) {
  std::string insert = pg15::unhex(pg15::kInsertNulls);
  insert[5] = 'K';
  EXPECT_EQ(decode_error(insert), "pgoutput: invalid new tuple marker 0x4b ('K') in Insert at offset 5");

  std::string update = pg15::unhex(pg15::kUpdateKey);
  update[5] = 'X';
  EXPECT_THAT(decode_error(update), HasSubstr("invalid tuple marker 0x58 ('X') in Update at offset 5"));
  update = pg15::unhex(pg15::kUpdateKey);
  update[19] = 'K';  // the 'N' after the old key tuple
  EXPECT_THAT(decode_error(update), HasSubstr("invalid new tuple marker 0x4b ('K') in Update at offset 19"));

  std::string del = pg15::unhex(pg15::kDeleteKey);
  del[5] = 'N';
  EXPECT_THAT(decode_error(del), HasSubstr("invalid old tuple marker 0x4e ('N') in Delete at offset 5"));
}

TEST_F(PgoutputTest, RejectsInvalidReplicaIdentity) {
  std::string rel = pg15::unhex(pg15::kRelationAudit);
  rel[18] = 'z';
  EXPECT_EQ(decode_error(rel), "pgoutput: invalid replica identity 0x7a ('z') in Relation at offset 18");
}

TEST_F(PgoutputTest, RejectsCommitFlags) {
  std::string commit = pg15::unhex(pg15::kCommitTx1);
  commit[1] = 1;
  EXPECT_EQ(decode_error(commit), "pgoutput: unrecognized flags 1 in Commit at offset 1");
}

TEST_F(PgoutputTest, ForgedCountsDoNotOverAllocate) {
  // 2^31-1 relids announced, 4 present: fails as truncated; reserve() is capped by the input size.
  EXPECT_THAT(decode_error(std::string("T\x7f\xff\xff\xff\0\0\0\0\1", 10)), HasSubstr("truncated Truncate"));
  std::string rel("R\0\0\0\1\0r\0d\x7f\xff", 11);
  EXPECT_THAT(decode_error(rel), HasSubstr("truncated Relation at offset 11"));
}

TEST_F(PgoutputTest, AcceptsEmptyTupleAndEmptyStrings) {
  auto r = decode_raw(std::string("I\0\0\0\1N\0\0", 8));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(std::get<Insert>(*r).new_tuple.empty());
  // Relation in pg_catalog: the namespace is sent as "".
  auto rel = decode_raw(std::string("R\0\0\0\1\0t\0n\0\0", 11));
  ASSERT_TRUE(rel.ok()) << rel.error().message;
  EXPECT_EQ(std::get<Relation>(*rel).nspname, "");
  EXPECT_EQ(std::get<Relation>(*rel).replica_identity, 'n');
  auto text = decode_raw(std::string("I\0\0\0\1N\0\1t\0\0\0\0", 13));
  ASSERT_TRUE(text.ok()) << text.error().message;
  expect_text(std::get<Insert>(*text).new_tuple[0], "");
}

}  // namespace
}  // namespace sluice::decode
