// tail lines: op, table, key and changed columns; filters; colours only when asked; envelope with and
// without schemas and the unwrapped row; non-events skipped.
#include "tail/tail_format.h"

#include <gtest/gtest.h>

namespace sluice::tail {
namespace {

const std::string kTopic = "inv.public.customers";
const std::string kKey = R"({"id":7})";

std::string line(std::string_view value, const Filter& f = {}, FormatOptions o = {}) {
  auto l = format_event(kTopic, std::string_view(kKey), value, f, o);
  return l ? *l : "<none>";
}

TEST(TailFormat, UpdateShowsOnlyChangedColumnsBeforeAndAfter) {
  EXPECT_EQ(
      line(
          R"({"op":"u","before":{"id":7,"email":"a@x","name":"Ann"},"after":{"id":7,"email":"b@x","name":"Ann"},
                   "source":{"schema":"public","table":"customers"}})"),
      R"(update   public.customers  id=7  email: "a@x" → "b@x")");
}

TEST(TailFormat, CreateDeleteAndSchemasEnvelope) {
  EXPECT_EQ(
      line(R"({"schema":{"type":"struct"},"payload":{"op":"c","before":null,"after":{"id":7,"n":null}}})"),
      R"(create   public.customers  id=7  id=7 n=null)");
  EXPECT_EQ(line(R"({"op":"d","before":{"id":7,"n":1},"after":null})"),
            R"(delete   public.customers  id=7  id=7 n=1)");
  EXPECT_EQ(line(R"({"op":"u","before":null,"after":{"id":7,"n":2}})"),
            R"(update   public.customers  id=7  id=7 n=2)");
  // ExtractNewRecordState's flat row
  EXPECT_EQ(line(R"({"id":7,"n":2})"), R"(row      public.customers  id=7  id=7 n=2)");
}

TEST(TailFormat, FiltersByOpAndTable) {
  Filter f;
  f.ops = {"d"};
  EXPECT_EQ(line(R"({"op":"c","after":{"id":7}})", f), "<none>");
  EXPECT_NE(line(R"({"op":"d","before":{"id":7}})", f), "<none>");
  Filter t;
  t.tables = {"orders"};
  EXPECT_EQ(line(R"({"op":"c","after":{"id":7}})", t), "<none>");
  t.tables = {"customers"};
  EXPECT_NE(line(R"({"op":"c","after":{"id":7}})", t), "<none>");
  t.tables = {"public.customers"};
  EXPECT_NE(line(R"({"op":"c","after":{"id":7}})", t), "<none>");
}

TEST(TailFormat, ColoursOnlyWhenAskedAndJsonIsRaw) {
  FormatOptions color;
  color.color = true;
  EXPECT_NE(line(R"({"op":"c","after":{"id":7}})", {}, color).find("\x1b[32m"), std::string::npos);
  EXPECT_EQ(line(R"({"op":"c","after":{"id":7}})").find('\x1b'), std::string::npos);
  FormatOptions json;
  json.json = true;
  EXPECT_EQ(line(R"({"op":"c","after":{"id":7}})", {}, json), R"({"op":"c","after":{"id":7}})");
}

TEST(TailFormat, TombstonesAndNonEventsAreSkipped) {
  EXPECT_FALSE(format_event(kTopic, std::string_view(kKey), std::nullopt, {}, {}));
  EXPECT_FALSE(format_event("sluice-offsets", std::nullopt, std::string_view(R"({"lsn":1})"), {}, {}));
  EXPECT_FALSE(
      format_event("inv.transaction", std::nullopt, std::string_view(R"({"status":"BEGIN"})"), {}, {}));
}

TEST(TailFormat, OpWords) {
  EXPECT_EQ(op_letter("insert"), "c");
  EXPECT_EQ(op_letter("snapshot"), "r");
  EXPECT_EQ(op_letter("delete"), "d");
  EXPECT_FALSE(op_letter("upsert"));
}

}  // namespace
}  // namespace sluice::tail
