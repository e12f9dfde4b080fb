// `sluice reset-offsets`: replaces the connector's stored offsets by a "follow the slot" record, so the next
// start continues from the replication slot (or snapshots when there is none).
#include <cstdio>
#include <memory>

#include "app/commands/commands.h"
#include "connector/offset_committer.h"
#include "sink/kafka_producer.h"

namespace sluice::app {

namespace {
class NullHandler final : public sink::DeliveryHandler {
 public:
  void on_delivery(uint64_t, std::string_view, const char*) override {}
};
}  // namespace

int reset_offsets(const config::Config& c) {
  NullHandler handler;
  std::unique_ptr<sink::KafkaProducer> producer;
  if (c.offset_storage == config::OffsetStorage::kKafka) {
    auto p = sink::KafkaProducer::create(c.bootstrap_servers, c.producer_properties, &handler);
    if (!p) {
      std::fprintf(stderr, "%s\n", p.error().message.c_str());
      return 2;
    }
    producer = std::move(*p);
  }
  connector::OffsetCommitter offsets(c, producer.get());
  if (auto s = offsets.reset(); !s) {
    std::fprintf(stderr, "cannot reset offsets: %s\n", s.error().message.c_str());
    return 1;
  }
  std::printf(
      "offsets of connector %s (topic.prefix %s) in %s reset: the next start follows the replication slot "
      "%s, or snapshots when it does not exist\n",
      c.name.c_str(), c.topic_prefix.c_str(), offsets.describe().c_str(), c.slot_name.c_str());
  return 0;
}

Command add_reset_offsets(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* cli = app.add_subcommand("reset-offsets",
                                 "Forget the connector's stored offsets (after a slot was "
                                 "dropped or recreated on purpose)");
  cli->add_option("CONFIG", *path, "Connector config file")->required();
  return {cli, [path] { return reset_offsets(load_config_or_exit(*path)); }};
}

}  // namespace sluice::app
