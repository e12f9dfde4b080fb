// Chain: Kafka Connect's transforms/predicates configuration, compiled once.
#include "transform/chain.h"

#include <fmt/format.h>

#include <functional>

#include "common/text.h"
#include "transform/basic.h"
#include "transform/connect/cast.h"
#include "transform/connect/drop_headers.h"
#include "transform/connect/extract_field.h"
#include "transform/connect/flatten.h"
#include "transform/connect/header_from.h"
#include "transform/connect/hoist_field.h"
#include "transform/connect/insert_field.h"
#include "transform/connect/insert_header.h"
#include "transform/connect/mask_field.h"
#include "transform/connect/replace_field.h"
#include "transform/connect/set_schema_metadata.h"
#include "transform/connect/timestamp_converter.h"
#include "transform/connect/timestamp_router.h"
#include "transform/connect/value_to_key.h"
#include "transform/debezium/extract_new_record_state.h"
#include "transform/debezium/header_to_value.h"
#include "transform/debezium/logical_table_router.h"
#include "transform/debezium/outbox_event_router.h"
#include "transform/debezium/partition_routing.h"
#include "transform/debezium/scripting_transforms.h"

namespace sluice::transform {

namespace {

using TransformFactory = std::function<Result<std::unique_ptr<Transform>>(Options&)>;
using PredicateFactory = std::function<Result<std::unique_ptr<Predicate>>(Options&)>;

using Factories = std::vector<std::pair<std::string, TransformFactory>>;

// T::create(options, arg): one class for several SMT names.
template <class T, class Arg>
TransformFactory with(Arg arg) {
  return [arg](Options& o) { return T::create(o, arg); };
}

// An SMT without options.
template <class T>
TransformFactory plain() {
  return [](Options&) -> Result<std::unique_ptr<Transform>> { return std::unique_ptr<Transform>(new T()); };
}

void add(Factories& v, std::string name, TransformFactory f) {
  v.emplace_back(std::move(name), std::move(f));
}

// Connect's <name>$Key and <name>$Value.
template <class T>
void add_key_value(Factories& v, const std::string& name) {
  add(v, name + "$Key", with<T>(Part::kKey));
  add(v, name + "$Value", with<T>(Part::kValue));
}

// One line per SMT (transform/connect/, transform/debezium/), in the order errors list them as supported.
const Factories& transform_factories() {
  static const Factories kFactories = [] {
    using Kind = ScriptingTransform::Kind;
    const std::string connect = "org.apache.kafka.connect.transforms.";
    Factories v;
    add(v, "io.debezium.transforms.ExtractNewRecordState", ExtractNewRecordState::create);
    add(v, "io.debezium.transforms.outbox.EventRouter", EventRouter::create);
    add(v, "io.debezium.transforms.ByLogicalTableRouter", with<LogicalTableRouter>(true));
    add(v, "io.debezium.transforms.ToLogicalTopicRouter", with<LogicalTableRouter>(false));
    add(v, "io.debezium.transforms.HeaderToValue", HeaderToValue::create);
    add(v, "io.debezium.transforms.partitions.PartitionRouting", PartitionRouting::create);
    add(v, "io.debezium.transforms.Filter", with<ScriptingTransform>(Kind::kFilter));
    add(v, "io.debezium.transforms.ContentBasedRouter", with<ScriptingTransform>(Kind::kRouter));
    add(v, connect + "RegexRouter", RegexRouter::create);
    add_key_value<ReplaceField>(v, connect + "ReplaceField");
    add_key_value<ExtractField>(v, connect + "ExtractField");
    add_key_value<HoistField>(v, connect + "HoistField");
    add_key_value<SetSchemaMetadata>(v, connect + "SetSchemaMetadata");
    add_key_value<InsertField>(v, connect + "InsertField");
    add(v, connect + "ValueToKey", ValueToKey::create);
    add_key_value<MaskField>(v, connect + "MaskField");
    add(v, connect + "TimestampRouter", TimestampRouter::create);
    add_key_value<TimestampConverter>(v, connect + "TimestampConverter");
    add_key_value<Flatten>(v, connect + "Flatten");
    add_key_value<Cast>(v, connect + "Cast");
    add_key_value<HeaderFrom>(v, connect + "HeaderFrom");
    add(v, connect + "InsertHeader", InsertHeader::create);
    add(v, connect + "DropHeaders", DropHeaders::create);
    add(v, connect + "Filter", plain<DropAll>());
    return v;
  }();
  return kFactories;
}

const std::vector<std::pair<std::string, PredicateFactory>>& predicate_factories() {
  static const std::vector<std::pair<std::string, PredicateFactory>> kFactories = {
      {"org.apache.kafka.connect.transforms.predicates.TopicNameMatches", TopicNameMatches::create},
      {"org.apache.kafka.connect.transforms.predicates.HasHeaderKey", HasHeaderKey::create},
      {"org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
       [](Options&) -> Result<std::unique_ptr<Predicate>> {
         return std::unique_ptr<Predicate>(new RecordIsTombstone());
       }},
  };
  return kFactories;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The options under `prefix` (transforms.<alias>.), minus the `reserved` ones the chain reads itself.
std::map<std::string, std::string> options_under(const std::map<std::string, std::string>& props,
                                                 const std::string& prefix, std::set<std::string>& used,
                                                 const std::set<std::string>& reserved) {
  std::map<std::string, std::string> out;
  for (auto it = props.lower_bound(prefix); it != props.end() && it->first.starts_with(prefix); ++it) {
    used.insert(it->first);
    std::string option = it->first.substr(prefix.size());
    if (!reserved.count(option)) out[option] = it->second;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& Chain::supported_transforms() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (const auto& [name, f] : transform_factories()) v.push_back(name);
    return v;
  }();
  return kNames;
}

const std::vector<std::string>& Chain::supported_predicates() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (const auto& [name, f] : predicate_factories()) v.push_back(name);
    return v;
  }();
  return kNames;
}

Result<std::shared_ptr<Chain>> Chain::create(const std::map<std::string, std::string>& props,
                                             std::set<std::string>& used) {
  auto chain = std::make_shared<Chain>();
  auto get = [&](const std::string& key) -> std::string {
    used.insert(key);
    auto it = props.find(key);
    return it == props.end() ? std::string() : trim(it->second);
  };

  for (const auto& alias : split_list(get("predicates"))) {
    const std::string prefix = "predicates." + alias + ".";
    auto type = get(prefix + "type");
    if (type.empty()) {
      return Error::fatal(
          fmt::format("missing required property {}type (predicates lists '{}'); supported: {}", prefix,
                      alias, join(supported_predicates())));
    }
    Options options(prefix, options_under(props, prefix, used, {"type"}));
    const PredicateFactory* factory = nullptr;
    for (const auto& [name, f] : predicate_factories()) {
      if (name == type) factory = &f;
    }
    if (factory == nullptr) {
      return Error::fatal(
          fmt::format("invalid value for {}type: '{}' is not a predicate sluice implements "
                      "(supported: {})",
                      prefix, type, join(supported_predicates())));
    }
    auto p = (*factory)(options);
    if (!p) return p.error();
    if (auto s = options.check_unknown(type); !s) return s.error();
    chain->predicates_[alias] = std::move(*p);
  }

  std::set<std::string> seen;
  for (const auto& alias : split_list(get("transforms"))) {
    if (!seen.insert(alias).second) {
      return Error::fatal(fmt::format("invalid value for transforms: '{}' is listed twice", alias));
    }
    const std::string prefix = "transforms." + alias + ".";
    auto type = get(prefix + "type");
    if (type.empty()) {
      return Error::fatal(
          fmt::format("missing required property {}type (transforms lists '{}'); supported: {}", prefix,
                      alias, join(supported_transforms())));
    }
    Step step;
    step.alias = alias;
    auto predicate = get(prefix + "predicate");
    if (!predicate.empty()) {
      auto it = chain->predicates_.find(predicate);
      if (it == chain->predicates_.end()) {
        return Error::fatal(fmt::format("invalid value for {}predicate: '{}' is not listed in predicates",
                                        prefix, predicate));
      }
      step.predicate = it->second.get();
    }
    auto negate = get(prefix + "negate");
    if (!negate.empty()) {
      if (negate != "true" && negate != "false") {
        return Error::fatal(
            fmt::format("invalid value for {}negate: '{}' (allowed: true, false)", prefix, negate));
      }
      step.negate = negate == "true";
    }
    Options options(prefix, options_under(props, prefix, used, {"type", "predicate", "negate"}));
    const TransformFactory* factory = nullptr;
    for (const auto& [name, f] : transform_factories()) {
      if (name == type) factory = &f;
    }
    if (factory == nullptr) {
      return Error::fatal(
          fmt::format("invalid value for {}type: '{}' is not a transform sluice implements "
                      "(supported: {})",
                      prefix, type, join(supported_transforms())));
    }
    auto t = (*factory)(options);
    if (!t) return t.error();
    if (auto s = options.check_unknown(type); !s) return s.error();
    step.transform = std::move(*t);
    chain->steps_.push_back(std::move(step));
  }
  return chain;
}

Result<std::shared_ptr<Chain>> build_chain(config::Config& c) {
  std::set<std::string> used;
  auto chain = Chain::create(c.transforms.props, used);
  if (!chain) return chain.error();
  if ((*chain)->empty() && !c.transforms.cloud_events) return std::shared_ptr<Chain>();
  (*chain)->cloud_events = c.transforms.cloud_events;
  (*chain)->key_schemas_enable = c.transforms.key_schemas_enable;
  (*chain)->value_schemas_enable = c.transforms.value_schemas_enable;
  // The fast paths: a leading unwrap is written by the serializer; a chain that then reads no data gets
  // records already in the converters' form and passes their bytes through.
  (*chain)->take_serialized_unwrap();
  if ((*chain)->reads_data()) {
    c.key_schemas_enable = c.value_schemas_enable =
        true;  // what the transforms read; the chain writes the rest
  }
  return chain;
}

Status validate_chain(config::Config& c) {
  auto chain = build_chain(c);
  if (!chain) return chain.error();
  return ok_status();
}

bool Chain::reads_data() const {
  if (cloud_events) return true;  // every value is rewritten as a CloudEvent
  for (const auto& step : steps_) {
    if (step.transform->reads_data()) return true;
  }
  return false;
}

std::optional<ExtractNewRecordState::Mode> Chain::take_serialized_unwrap() {
  if (steps_.empty() || steps_.front().predicate != nullptr || cloud_events || serialized_unwrap_) return {};
  const auto* unwrap = dynamic_cast<const ExtractNewRecordState*>(steps_.front().transform.get());
  if (unwrap == nullptr) return {};
  auto mode = unwrap->plain_mode();
  if (!mode) return {};
  for (size_t i = 1; i < steps_.size(); ++i) {
    if (steps_[i].transform->reads_data()) return {};
  }
  steps_.erase(steps_.begin());
  serialized_unwrap_ = mode;
  return mode;
}

Result<bool> Chain::apply(Record& record) {
  for (auto& step : steps_) {
    if (step.predicate != nullptr && step.predicate->test(record) == step.negate) continue;
    auto kept = step.transform->apply(record);
    if (!kept) {
      return Error::data(fmt::format("transform {} failed on a record for topic {}: {}", step.alias,
                                     record.topic, kept.error().message));
    }
    if (!*kept) return false;
  }
  return true;
}

}  // namespace sluice::transform
