// Json tree: RapidJSON's SAX reader (numbers kept as text) builds it; the event module's JsonWriter
// (Jackson's escaping) writes it.
#include "transform/json.h"

#include <fmt/format.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace sluice::transform {

const Json* Json::find(std::string_view name) const {
  if (kind != Kind::kObject) return nullptr;
  for (const auto& [k, v] : members) {
    if (k == name) return &v;
  }
  return nullptr;
}

Json* Json::find(std::string_view name) {
  return const_cast<Json*>(static_cast<const Json*>(this)->find(name));
}

void Json::set(std::string_view name, Json value) {
  if (Json* existing = find(name)) {
    *existing = std::move(value);
    return;
  }
  members.emplace_back(std::string(name), std::move(value));
}

bool Json::erase(std::string_view name) {
  for (auto it = members.begin(); it != members.end(); ++it) {
    if (it->first == name) {
      members.erase(it);
      return true;
    }
  }
  return false;
}

std::optional<std::string> Json::to_display_string() const {
  switch (kind) {
    case Kind::kNull:
      return std::nullopt;
    case Kind::kBool:
      return std::string(boolean ? "true" : "false");
    case Kind::kNumber:
    case Kind::kString:
      return text;
    default:
      return to_json_text(*this);
  }
}

bool operator==(const Json& a, const Json& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Json::Kind::kNull:
      return true;
    case Json::Kind::kBool:
      return a.boolean == b.boolean;
    case Json::Kind::kNumber:
    case Json::Kind::kString:
      return a.text == b.text;
    case Json::Kind::kArray:
      return a.items == b.items;
    case Json::Kind::kObject:
      return a.members == b.members;
  }
  return false;
}

namespace {

// Builds the tree from SAX events; a stack of the open containers.
class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
 public:
  Json root;

  bool Null() { return add(Json::null()); }
  bool Bool(bool b) { return add(Json::boolean_value(b)); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return add(Json::number(std::string(s, n))); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return add(Json::string(std::string(s, n))); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    key_.assign(s, n);
    return true;
  }
  bool StartObject() { return open(Json::object()); }
  bool EndObject(rapidjson::SizeType) {
    stack_.pop_back();
    return true;
  }
  bool StartArray() { return open(Json::array()); }
  bool EndArray(rapidjson::SizeType) {
    stack_.pop_back();
    return true;
  }

 private:
  Json* add(Json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    Json* parent = stack_.back();
    if (parent->kind == Json::Kind::kArray) {
      parent->items.push_back(std::move(v));
      return &parent->items.back();
    }
    parent->members.emplace_back(std::move(key_), std::move(v));
    return &parent->members.back().second;
  }
  bool open(Json v) {
    stack_.push_back(add(std::move(v)));
    return true;
  }
  std::vector<Json*> stack_;  // pointers stay valid: a container is appended to only while it is on top
  std::string key_;
};

}  // namespace

Result<Json> parse_json(std::string_view text) {
  Builder builder;
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(text.data(), text.size());
  auto r =
      reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseStopWhenDoneFlag>(ms, builder);
  if (r.IsError()) return Error::data(fmt::format("malformed JSON at offset {}", r.Offset()));
  return std::move(builder.root);
}

void write_json(sluice::JsonWriter& w, const Json& value) {
  switch (value.kind) {
    case Json::Kind::kNull:
      w.Null();
      break;
    case Json::Kind::kBool:
      w.Bool(value.boolean);
      break;
    case Json::Kind::kNumber:
      sluice::write_raw(w, value.text, rapidjson::kNumberType);
      break;
    case Json::Kind::kString:
      sluice::write_string(w, value.text);
      break;
    case Json::Kind::kArray:
      w.StartArray();
      for (const auto& item : value.items) write_json(w, item);
      w.EndArray();
      break;
    case Json::Kind::kObject:
      w.StartObject();
      for (const auto& [k, v] : value.members) {
        sluice::write_key(w, k);
        write_json(w, v);
      }
      w.EndObject();
      break;
  }
}

std::string to_json_text(const Json& value) {
  std::string out;
  sluice::StringSink sink{&out};
  sluice::JsonWriter w(sink);
  write_json(w, value);
  return out;
}

size_t skip_json_value(std::string_view text, size_t pos) {
  auto ws = [&] {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\t' || text[pos] == '\r'))
      ++pos;
  };
  ws();
  if (pos >= text.size()) return std::string_view::npos;
  int depth = 0;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '"') {
      ++pos;
      while (pos < text.size() && text[pos] != '"') pos += text[pos] == '\\' ? 2 : 1;
      if (pos >= text.size()) return std::string_view::npos;
      ++pos;
    } else if (c == '{' || c == '[') {
      ++depth;
      ++pos;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return pos;  // the end of an enclosing container: a scalar ended before it
      --depth;
      ++pos;
    } else if (c == ',' && depth == 0) {
      return pos;
    } else {
      ++pos;
    }
    if (depth == 0 && (c == '"' || c == '}' || c == ']')) return pos;
  }
  return depth == 0 ? pos : std::string_view::npos;
}

}  // namespace sluice::transform
