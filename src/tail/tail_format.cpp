// tail lines from Debezium events (nlohmann::json: a terminal view has no hot path).
#include "tail/tail_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sluice::tail {

namespace {

using json = nlohmann::ordered_json;

constexpr const char* kReset = "\x1b[0m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kRed = "\x1b[31m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kBlue = "\x1b[34m";
constexpr const char* kDim = "\x1b[2m";

std::optional<json> parse(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  auto doc = json::parse(text->begin(), text->end(), nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  // JsonConverter with schemas: {"schema":…,"payload":…}
  if (doc.is_object() && doc.contains("payload") && doc.contains("schema")) return doc["payload"];
  return doc;
}

std::string value_text(const json& v) {
  std::string s = v.dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string key_text(const std::optional<json>& key) {
  if (!key || key->is_null()) return "-";
  if (!key->is_object()) return value_text(*key);
  std::string out;
  for (const auto& [k, v] : key->items()) {
    if (!out.empty()) out += ",";
    out += k + "=" + value_text(v);
  }
  return out;
}

std::string table_of(std::string_view topic, const json& payload) {
  if (payload.contains("source") && payload["source"].is_object()) {
    const auto& s = payload["source"];
    if (s.contains("schema") && s["schema"].is_string() && s.contains("table") && s["table"].is_string()) {
      return s["schema"].get<std::string>() + "." + s["table"].get<std::string>();
    }
  }
  // <prefix>.<schema>.<table>: the last two parts.
  auto last = topic.rfind('.');
  if (last == std::string_view::npos || last == 0) return std::string(topic);
  auto prev = topic.rfind('.', last - 1);
  return std::string(prev == std::string_view::npos ? topic : topic.substr(prev + 1));
}

const char* op_word(const std::string& op) {
  if (op == "c") return "create";
  if (op == "u") return "update";
  if (op == "d") return "delete";
  if (op == "r") return "read";
  if (op == "t") return "truncate";
  if (op == "m") return "message";
  return "row";
}

const char* op_color(const std::string& op) {
  if (op == "c") return kGreen;
  if (op == "u") return kYellow;
  if (op == "d") return kRed;
  return kBlue;
}

}  // namespace

std::optional<std::string> op_letter(std::string_view word) {
  if (word == "c" || word == "create" || word == "insert") return "c";
  if (word == "u" || word == "update") return "u";
  if (word == "d" || word == "delete") return "d";
  if (word == "r" || word == "read" || word == "snapshot") return "r";
  if (word == "t" || word == "truncate") return "t";
  if (word == "m" || word == "message") return "m";
  return std::nullopt;
}

std::optional<std::string> format_event(std::string_view topic, std::optional<std::string_view> key,
                                        std::optional<std::string_view> value, const Filter& filter,
                                        const FormatOptions& options) {
  auto payload = parse(value);
  if (!payload || !payload->is_object()) {
    if (options.json && value && filter.ops.empty() && filter.tables.empty()) return std::string(*value);
    return std::nullopt;  // a tombstone, or no change event
  }
  const bool envelope = payload->contains("op") && (*payload)["op"].is_string();
  // A record that is neither an envelope nor a flat row of a table topic <prefix>.<schema>.<table>
  // (offsets, heartbeats, transaction metadata, schema changes): skipped.
  if (!envelope && std::count(topic.begin(), topic.end(), '.') < 2) return std::nullopt;
  const std::string op = envelope ? (*payload)["op"].get<std::string>() : "";
  const std::string table = table_of(topic, *payload);
  if (!filter.ops.empty() && (op.empty() ? !filter.ops.count("c") : !filter.ops.count(op)))
    return std::nullopt;
  if (!filter.tables.empty()) {
    const auto dot = table.find('.');
    const std::string bare = dot == std::string::npos ? table : table.substr(dot + 1);
    if (!filter.tables.count(table) && !filter.tables.count(bare)) return std::nullopt;
  }
  if (options.json) return std::string(*value);

  const bool c = options.color;
  auto paint = [c](const char* color, const std::string& s) { return c ? color + s + kReset : s; };
  std::string line = paint(op_color(op), fmt::format("{:<8}", op.empty() ? "row" : op_word(op)));
  line += " " + paint(kBold, table) + "  " + key_text(parse(key)) + " ";
  const json none;
  const json& before = envelope && payload->contains("before") ? (*payload)["before"] : none;
  const json& after = envelope ? (payload->contains("after") ? (*payload)["after"] : none) : *payload;
  std::string cols;
  auto add = [&](const std::string& s) { cols += " " + s; };
  if (op == "u" && before.is_object() && after.is_object()) {
    for (const auto& [k, v] : after.items()) {
      auto it = before.find(k);
      if (it != before.end() && *it == v) continue;
      add(k + ": " + paint(kRed, it == before.end() ? "?" : value_text(*it)) + " → " +
          paint(kGreen, value_text(v)));
    }
    if (cols.empty()) add(paint(kDim, "(no column changed)"));
  } else if (op == "d") {
    if (before.is_object()) {
      for (const auto& [k, v] : before.items()) add(k + "=" + paint(kRed, value_text(v)));
    }
  } else if (after.is_object()) {
    for (const auto& [k, v] : after.items()) add(k + "=" + paint(kGreen, value_text(v)));
  } else if (op == "m" && payload->contains("message")) {
    add(value_text((*payload)["message"]));
  }
  return line + cols;
}

}  // namespace sluice::tail
