// Transforms, converters and the output-changing properties sluice does not implement yet.
#include "config/transforms_config.h"

#include <fmt/format.h>

#include "transform/chain.h"

namespace sluice::config {

namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

constexpr std::string_view kJsonConverter = "org.apache.kafka.connect.json.JsonConverter";

}  // namespace

Status parse_transforms(const Properties& props, Config& c, std::set<std::string>& used) {
  for (std::string key : {"key.converter", "value.converter"}) {
    used.insert(key);
    auto it = props.find(key);
    if (it == props.end() || trim(it->second).empty() || trim(it->second) == kJsonConverter) continue;
    return Error::fatal(fmt::format(
        "invalid value for {}: '{}': sluice writes {} (schemas.enable true or false); other converters "
        "(Avro, Protobuf, CloudEvents, String) are not implemented",
        key, trim(it->second), kJsonConverter));
  }
  used.insert("header.converter");
  if (auto it = props.find("header.converter"); it != props.end()) {
    auto v = trim(it->second);
    if (!v.empty() && v != "org.apache.kafka.connect.storage.SimpleHeaderConverter") {
      return Error::fatal(
          fmt::format("invalid value for header.converter: '{}' (allowed: "
                      "org.apache.kafka.connect.storage.SimpleHeaderConverter)",
                      v));
    }
  }
  auto chain = transform::Chain::create(props, used);
  if (!chain) return chain.error();
  if ((*chain)->empty()) return ok_status();
  (*chain)->key_schemas_enable = c.key_schemas_enable;
  (*chain)->value_schemas_enable = c.value_schemas_enable;
  c.key_schemas_enable = c.value_schemas_enable =
      true;  // what the transforms read; the chain writes the rest
  c.transforms = std::move(*chain);
  return ok_status();
}

std::optional<Error> unimplemented_output_property(const std::string& key, const std::string& value) {
  auto refuse = [&](std::string_view why) {
    return Error::fatal(
        fmt::format("{} is set but sluice does not implement it ({}): refusing to start rather "
                    "than publish different records than Debezium would",
                    key, why));
  };
  const std::string v = trim(value);
  if (key.starts_with("column."))  // column.propagate.source.type and keys of no known shape
    return refuse("of the column properties sluice implements the filters, masks and truncation only");
  if (key == "datatype.propagate.source.type") return refuse("source type schema parameters");
  if (key.starts_with("key.converter.") || key.starts_with("value.converter.") ||
      key.starts_with("header.converter.")) {
    if (key.ends_with(".schemas.cache.size")) return std::nullopt;  // a cache size: same output
    return refuse("a converter option other than schemas.enable");
  }
  if (key == "converters" || key.starts_with("post.processors"))
    return refuse("custom converters / post processors");
  if ((key == "field.name.adjustment.mode" || key == "schema.name.adjustment.mode") && v != "none") {
    return refuse("only 'none' (Debezium's default)");
  }
  if (key == "topic.naming.strategy" && v != "io.debezium.schema.SchemaTopicNamingStrategy" &&
      v != "io.debezium.schema.DefaultTopicNamingStrategy") {
    return refuse("topic naming strategies other than Debezium's default");
  }
  if (key == "money.fraction.digits" && v != "2") return refuse("only 2 (Debezium's default)");
  if (key == "include.schema.comments" && v != "false") return refuse("column comments in schemas");
  if (key == "skip.messages.without.change" && v != "false") return refuse("dropping updates without change");
  if (key == "xmin.fetch.interval.ms" && v != "0") return refuse("source.xmin");
  if (key == "errors.tolerance" && v != "none") return refuse("only errors.tolerance=none");
  if (key == "value.converter.replace.null.with.default") return refuse("JsonConverter option");
  return std::nullopt;
}

}  // namespace sluice::config
