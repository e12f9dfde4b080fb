// The expression language of Filter / ContentBasedRouter, and the two transforms.
#include "transform/expression.h"

#include <gtest/gtest.h>

#include "transform/chain.h"
#include "transform/codec.h"

namespace sluice::transform {
namespace {

using Props = std::map<std::string, std::string>;

const char* kEnvelope =
    R"({"schema":{"type":"struct","fields":[)"
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"string","optional":true,"field":"status"},)"
    R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
    R"("parameters":{"scale":"2"},"field":"price"}],"optional":true,"name":"p.s.orders.Value","field":"before"},)"
    R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
    R"({"type":"string","optional":true,"field":"status"},)"
    R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
    R"("parameters":{"scale":"2"},"field":"price"}],"optional":true,"name":"p.s.orders.Value","field":"after"},)"
    R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"table"}],"optional":false,)"
    R"("name":"io.debezium.connector.postgresql.Source","field":"source"},)"
    R"({"type":"string","optional":false,"field":"op"}],"optional":false,"name":"p.s.orders.Envelope"},)"
    R"("payload":{"before":null,"after":{"id":101,"status":"shipped","price":"AQ=="},"source":{"table":"orders"},)"
    R"("op":"u"}})";  // price: unscaled 1 -> 0.01

Record record() {
  Codec codec;
  Record r;
  r.topic = "p.s.orders";
  r.key = **codec.decode(std::string_view(R"({"id":101})"));  // schemaless
  r.value = **codec.decode(std::string_view(kEnvelope));
  r.headers = {{"tenant", "acme"}};
  return r;
}

ExprValue eval(const std::string& text) {
  auto e = Expression::compile("transforms.f.condition", text);
  EXPECT_TRUE(e.ok()) << text << ": " << (e.ok() ? "" : e.error().message);
  if (!e.ok()) return {};
  auto r = record();
  auto v = (*e)->evaluate(r);
  EXPECT_TRUE(v.ok()) << text << ": " << (v.ok() ? "" : v.error().message);
  return v.ok() ? *v : ExprValue{};
}

bool yes(const std::string& text) {
  auto v = eval(text);
  EXPECT_EQ(v.kind, ExprValue::Kind::kBool) << text;
  return v.boolean;
}

TEST(Expression, TheFormsOfDebeziumsDocumentation) {
  EXPECT_TRUE(yes("value.op == 'u' && value.after.status == 'shipped'"));
  EXPECT_TRUE(yes("value.source.table == 'orders'"));
  EXPECT_TRUE(yes("value.after.id > 100"));
  EXPECT_FALSE(yes("value.after.id > 101"));
  EXPECT_TRUE(yes("value.after.id >= 101 && value.after.id <= 101.0"));
  EXPECT_TRUE(yes("value.op === \"u\" || value.op == 'c'"));
  EXPECT_TRUE(yes("!(value.op == 'd')"));
  EXPECT_TRUE(yes("value.before == null && value.before?.id == null"));
  EXPECT_TRUE(yes("value['after']['status'] != 'new'"));
  EXPECT_TRUE(yes("topic.startsWith('p.s.') && topic.endsWith('orders') && topic.contains('.s.')"));
  EXPECT_TRUE(yes("header.tenant.value == 'acme' && header.missing == null"));
  EXPECT_TRUE(yes("key.id == 101"));
  EXPECT_TRUE(yes("value.after.price < 0.02 && value.after.price > 0.005"));
  EXPECT_TRUE(yes("value.after.status.toUpperCase() == 'SHIPPED' && value.after.status.length() == 7"));
  auto route = eval("value.source.table == 'orders' ? 'orders_topic' : null");
  EXPECT_EQ(route.kind, ExprValue::Kind::kString);
  EXPECT_EQ(route.text, "orders_topic");
  EXPECT_EQ(eval("value.source.table == 'x' ? 'x_topic' : null").kind, ExprValue::Kind::kNull);
  EXPECT_EQ(eval("'t_' + value.after.id + '_' + (value.after.id - 1)").text, "t_101_100");
  EXPECT_EQ(eval("key.missing ?: 'fallback'").text, "fallback");  // a schemaless key: a missing field is null
}

TEST(Expression, RuntimeErrorsAreGroovys) {
  auto r = record();
  auto check = [&](const std::string& text, const std::string& needle) {
    auto e = Expression::compile("transforms.f.condition", text);
    ASSERT_TRUE(e.ok()) << e.error().message;
    auto v = (*e)->evaluate(r);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_NE(v.error().message.find(needle), std::string::npos) << v.error().message;
  };
  check("value.before.id == 1", "Cannot get property 'id' on null object");
  check("value.after.nope == 1", "nope is not a valid field name");
  check("value.after.status > 1", "cannot compare");
  check("value.op.toUpperCase().length() + value.after", "cannot add");
}

TEST(Expression, RejectsWhatItDoesNotEvaluateShowingTheExpression) {
  const char* bad[] = {
      "value.op = 'u'",                // assignment
      "System.exit(0)",                // other names
      "value.after.status.execute()",  // other methods
      "value.op == 'u' &&",            // incomplete
      "value.op == 'u",                // unterminated string
      "\"${value.op}\" == 'u'",        // GString
      "[1, 2].contains(1)",            // list literals
      "value.after.id > 10L",          // suffixes
      "value.op == 'u'; true",         // statements
      "valueSchema.name() == 'x'",     // schemas
      "{ -> true }()",                 // closures
  };
  for (const char* text : bad) {
    auto e = Expression::compile("transforms.f.condition", text);
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_EQ(e.error().kind, ErrorKind::kFatal);
    EXPECT_NE(e.error().message.find("transforms.f.condition"), std::string::npos);
    EXPECT_NE(e.error().message.find(text), std::string::npos) << e.error().message;
  }
  std::string deep(200, '(');
  deep += "true" + std::string(200, ')');
  auto d = Expression::compile("k", deep);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("nested deeper"), std::string::npos);
  auto big = Expression::compile("k", std::string(Expression::kMaxLength + 1, '1'));
  ASSERT_FALSE(big.ok());
}

TEST(Expression, RandomInputsNeverCrashAndStayBounded) {
  // Token soup from the language's own alphabet (fixed seed): every input is either rejected at compile time
  // or evaluates to a value or an error.
  const char* pieces[] = {"value", "key",  "topic",   "header", ".",     "?.",        "after",
                          "op",    "id",   "status",  "'u'",    "\"x\"", "1",         "2.5",
                          "null",  "true", "==",      "!=",     "<",     ">=",        "&&",
                          "||",    "!",    "?",       ":",      "?:",    "(",         ")",
                          "[",     "]",    "'after'", "+",      "-",     ".length()", ".startsWith('a')",
                          " ",     "0",    "source",  "table"};
  uint64_t state = 42;
  auto next = [&]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(state >> 33);
  };
  auto r = record();
  int compiled = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    size_t n = 1 + next() % 12;
    for (size_t k = 0; k < n; ++k) text += pieces[next() % (sizeof(pieces) / sizeof(pieces[0]))];
    auto e = Expression::compile("k", text);
    if (!e.ok()) {
      EXPECT_NE(e.error().message.find(text), std::string::npos);
      continue;
    }
    ++compiled;
    (void)(*e)->evaluate(r);
  }
  EXPECT_GT(compiled, 100);
}

Result<std::shared_ptr<Chain>> chain_of(const std::string& type, const Props& options) {
  Props p = {{"transforms", "t"}, {"transforms.t.type", type}, {"transforms.t.language", "jsr223.groovy"}};
  for (const auto& [k, v] : options) p["transforms.t." + k] = v;
  std::set<std::string> used;
  return Chain::create(p, used);
}

TEST(DebeziumFilter, KeepsTheRecordsTheConditionIsTrueFor) {
  auto chain = chain_of("io.debezium.transforms.Filter", {{"condition", "value.op == 'u'"}});
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  auto r = record();
  auto kept = (*chain)->apply(r);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(*kept);
  auto drop = chain_of("io.debezium.transforms.Filter", {{"condition", "value.op == 'c'"}});
  auto d = record();
  EXPECT_FALSE(*(*drop)->apply(d));
  // Only topics topic.regex matches are evaluated.
  auto other =
      chain_of("io.debezium.transforms.Filter", {{"condition", "value.op == 'c'"}, {"topic.regex", "x.*"}});
  auto o = record();
  EXPECT_TRUE(*(*other)->apply(o));
  // A result that is not a boolean fails the record, as Debezium's.
  auto text = chain_of("io.debezium.transforms.Filter", {{"condition", "value.op"}});
  auto t = record();
  auto failed = (*text)->apply(t);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("is not a Boolean"), std::string::npos) << failed.error().message;
}

TEST(DebeziumFilter, NullHandlingMode) {
  Record tombstone;
  tombstone.topic = "p.s.orders";
  for (auto [mode, expect_kept, expect_error] :
       {std::tuple{"keep", true, false}, std::tuple{"drop", false, false},
        std::tuple{"evaluate", false, true}}) {
    auto chain = chain_of("io.debezium.transforms.Filter",
                          {{"condition", "value.op == 'u'"}, {"null.handling.mode", mode}});
    ASSERT_TRUE(chain.ok());
    auto t = tombstone;
    auto kept = (*chain)->apply(t);
    ASSERT_EQ(kept.ok(), !expect_error) << mode;
    if (kept.ok()) {
      EXPECT_EQ(*kept, expect_kept) << mode;
    }
  }
  auto safe = chain_of("io.debezium.transforms.Filter", {{"condition", "value == null || value.op == 'u'"},
                                                         {"null.handling.mode", "evaluate"}});
  auto t = tombstone;
  EXPECT_TRUE(*(*safe)->apply(t));
}

TEST(ContentBasedRouter, MovesToTheTopicTheExpressionGives) {
  auto chain = chain_of("io.debezium.transforms.ContentBasedRouter",
                        {{"topic.expression", "value.after.status == 'shipped' ? 'shipped_orders' : null"}});
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  auto r = record();
  ASSERT_TRUE(*(*chain)->apply(r));
  EXPECT_EQ(r.topic, "shipped_orders");
  auto stay = chain_of("io.debezium.transforms.ContentBasedRouter",
                       {{"topic.expression", "value.after.status == 'new' ? 'new_orders' : null"}});
  auto s = record();
  ASSERT_TRUE(*(*stay)->apply(s));
  EXPECT_EQ(s.topic, "p.s.orders");
  auto number =
      chain_of("io.debezium.transforms.ContentBasedRouter", {{"topic.expression", "value.after.id"}});
  auto n = record();
  EXPECT_FALSE((*number)->apply(n).ok());
}

TEST(ScriptingTransforms, BadOptionsExitNamingTheKey) {
  struct Case {
    std::string type;
    Props props;
    const char* needle;
  };
  const Case cases[] = {
      {"io.debezium.transforms.Filter", {}, "transforms.t.condition"},
      {"io.debezium.transforms.ContentBasedRouter", {}, "transforms.t.topic.expression"},
      {"io.debezium.transforms.Filter",
       {{"condition", "true"}, {"language", "wasm.chicory"}},
       "transforms.t.language"},
      {"io.debezium.transforms.Filter",
       {{"condition", "true"}, {"language", "python"}},
       "transforms.t.language"},
      {"io.debezium.transforms.Filter",
       {{"condition", "true"}, {"null.handling.mode", "skip"}},
       "transforms.t.null.handling.mode"},
      {"io.debezium.transforms.Filter",
       {{"condition", "true"}, {"topic.regex", "("}},
       "transforms.t.topic.regex"},
      {"io.debezium.transforms.Filter", {{"condition", "new File('/etc/passwd').exists()"}}, "new File"},
      {"io.debezium.transforms.Filter", {{"condition", "true"}, {"conditon", "x"}}, "transforms.t.conditon"},
  };
  for (const auto& c : cases) {
    auto chain = chain_of(c.type, c.props);
    ASSERT_FALSE(chain.ok()) << c.needle;
    EXPECT_NE(chain.error().message.find(c.needle), std::string::npos) << chain.error().message;
  }
}

}  // namespace
}  // namespace sluice::transform
