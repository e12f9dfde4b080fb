// Transforms, converters and the output-changing properties sluice does not implement yet.
#include "config/transforms_config.h"

#include <fmt/format.h>

#include "common/text.h"

namespace sluice::config {

namespace {

constexpr std::string_view kJsonConverter = "org.apache.kafka.connect.json.JsonConverter";
constexpr std::string_view kCloudEventsConverter = "io.debezium.converters.CloudEventsConverter";

// value.converter.<option> of the CloudEventsConverter (CloudEventsConverterConfig, and json.* for the data's
// JsonConverter). Options that only name the CloudEvents schema (not written in JSON) are accepted; the Avro
// serializers, OpenTelemetry attributes and metadata from headers are refused.
Result<CloudEventsOptions> parse_cloud_events(const Properties& props, std::set<std::string>& used) {
  CloudEventsOptions o;
  const std::string prefix = "value.converter.";
  auto invalid = [](const std::string& key, const std::string& v, std::string_view allowed) {
    return Error::fatal(fmt::format("invalid value for {}: '{}' (allowed: {})", key, v, allowed));
  };
  auto boolean = [&](const std::string& key, const std::string& v) -> Result<bool> {
    std::string l = v;
    for (auto& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (l == "true") return true;
    if (l == "false") return false;
    return invalid(key, v, "true, false");
  };
  for (auto it = props.lower_bound(prefix); it != props.end() && it->first.starts_with(prefix); ++it) {
    const std::string& key = it->first;
    const std::string option = key.substr(prefix.size());
    const std::string v = trim(it->second);
    used.insert(key);
    if (option == "serializer.type" || option == "data.serializer.type") {
      if (v != "json") {
        return invalid(key, v,
                       "json (sluice writes CloudEvents in structured JSON mode; Avro is not implemented)");
      }
    } else if (option == "extension.attributes.enable") {
      auto b = boolean(key, v);
      if (!b) return b.error();
      o.extension_attributes = *b;
    } else if (option == "json.schemas.enable") {
      auto b = boolean(key, v);
      if (!b) return b.error();
      o.data_schemas = *b;
    } else if (option == "opentelemetry.tracing.attributes.enable") {
      auto b = boolean(key, v);
      if (!b) return b.error();
      if (*b) return invalid(key, v, "false (the traceparent attribute is not implemented)");
    } else if (option == "schema.data.name.source.header.enable") {
      auto b = boolean(key, v);
      if (!b) return b.error();
      if (*b) return invalid(key, v, "false (the data schema name from a header is not implemented)");
    } else if (option == "schema.name.adjustment.mode") {
      if (v != "none" && v != "avro" && v != "avro_unicode")
        return invalid(key, v, "none, avro, avro_unicode");
    } else if (option == "schema.cloudevents.name" || option == "schemas.cache.size" ||
               option == "schemas.enable") {
      // The CloudEvents schema's name (not part of a JSON event), a cache size, and the JsonConverter option
      // the CloudEvents converter does not read (its data follows json.schemas.enable).
    } else if (option == "metadata.source") {
      size_t pos = 0;
      bool first = true;
      while (pos <= v.size()) {
        size_t comma = v.find(',', pos);
        if (comma == std::string::npos) comma = v.size();
        std::string entry = trim(std::string_view(v).substr(pos, comma - pos));
        pos = comma + 1;
        if (entry.empty()) continue;
        bool ok =
            first ? entry == "value"
                  : (entry == "id:generate" || entry == "type:generate" || entry == "traceparent:header" ||
                     entry == "traceparent:generate" || entry == "dataSchemaName:generate");
        if (!ok) {
          return invalid(key, v,
                         "value[,id:generate][,type:generate][,traceparent:header][,dataSchemaName:generate] "
                         "(metadata from headers is not implemented)");
        }
        first = false;
      }
    } else {
      return Error::fatal(fmt::format(
          "unknown property {}: io.debezium.converters.CloudEventsConverter has no option '{}' that sluice "
          "implements; its options: serializer.type, data.serializer.type, extension.attributes.enable, "
          "json.schemas.enable, opentelemetry.tracing.attributes.enable, schema.name.adjustment.mode, "
          "schema.cloudevents.name, schema.data.name.source.header.enable, metadata.source",
          key, option));
    }
  }
  return o;
}

// The keys transform::Chain reads: `list` (transforms or predicates) and every key under
// <list>.<alias>. for the aliases it names.
void take_list(const Properties& props, const std::string& list, TransformSpec& spec,
               std::set<std::string>& used) {
  used.insert(list);
  auto it = props.find(list);
  if (it == props.end()) return;
  spec.props.insert(*it);
  for (const auto& alias : split_list(it->second)) {
    const std::string prefix = list + "." + alias + ".";
    used.insert(prefix + "type");
    for (auto k = props.lower_bound(prefix); k != props.end() && k->first.starts_with(prefix); ++k) {
      used.insert(k->first);
      spec.props.insert(*k);
    }
  }
}

}  // namespace

Status parse_transforms(const Properties& props, Config& c, std::set<std::string>& used) {
  std::optional<CloudEventsOptions> cloud_events;
  for (std::string key : {"key.converter", "value.converter"}) {
    used.insert(key);
    auto it = props.find(key);
    if (it == props.end() || trim(it->second).empty() || trim(it->second) == kJsonConverter) continue;
    if (key == "value.converter" && trim(it->second) == kCloudEventsConverter) {
      auto o = parse_cloud_events(props, used);
      if (!o) return o.error();
      cloud_events = *o;
      continue;
    }
    return Error::fatal(fmt::format(
        "invalid value for {}: '{}': sluice writes {} (schemas.enable true or false){}; other converters "
        "(Avro, Protobuf, String) are not implemented",
        key, trim(it->second), kJsonConverter,
        key == "value.converter" ? fmt::format(" or {} (structured JSON)", kCloudEventsConverter) : ""));
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
  TransformSpec spec;
  take_list(props, "predicates", spec, used);
  take_list(props, "transforms", spec, used);
  spec.cloud_events = cloud_events;
  spec.key_schemas_enable = c.key_schemas_enable;
  spec.value_schemas_enable = c.value_schemas_enable;
  c.transforms = std::move(spec);
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
  if (key.starts_with("column."))  // a key of no known shape (the ones sluice reads never get here)
    return refuse(
        "of the column properties sluice implements the filters, masks, truncation and "
        "column.propagate.source.type only");
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
