// `sluice tail`: changes on the terminal, one line per event, from Kafka or (--direct) from the database.
#include <memory>

#include "app/commands/commands.h"
#include "tail/tail.h"

namespace sluice::app {

Command add_tail(CLI::App& app) {
  auto o = std::make_shared<tail::TailOptions>();
  auto* cli = app.add_subcommand("tail",
                                 "Show changes on the terminal, one line per event: from Kafka, or with "
                                 "--direct CONFIG from the database itself (no Kafka)");
  cli->add_option("NAMES", o->names, "Topics, or tables (schema.table or table)");
  cli->add_option("--op", o->ops, "Only these ops: c/create, u/update, d/delete, r/read, t/truncate")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cli->add_option("--table", o->tables, "Only these tables (schema.table or table)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cli->add_flag("--from-beginning", o->from_beginning,
                "Kafka: from the topics' start; --direct: the tables' rows first (a snapshot). Default: "
                "from now");
  cli->add_flag("--json", o->json, "The raw event JSON, one per line");
  cli->add_option("--bootstrap-server", o->bootstrap, "Kafka brokers")->capture_default_str();
  cli->add_option("--direct", o->direct_config,
                  "Connector config: read the database through a slot of tail's own, dropped at exit");
  cli->add_option("--color", o->color, "auto (when stdout is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  return {cli, [o] { return tail::run_tail(*o, stop_on_signals()); }};
}

}  // namespace sluice::app
