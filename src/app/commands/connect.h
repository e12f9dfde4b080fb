// Entry points of `sluice connect` (the worker) and `sluice connectors …` (a REST client of a worker).
#pragma once

#include <atomic>
#include <string>

namespace sluice::app {

// Runs a worker from worker.properties ("" for the defaults) until `stop`. Returns the exit code.
int run_connect(const std::string& properties_path, const std::atomic<bool>& stop);

// `sluice connectors list|status|pause|resume|restart|delete [NAME]` against the worker at `url`
// (http://127.0.0.1:8083 by default; user:password@ in the URL for basic auth). Returns the exit code.
int connectors_command(const std::string& url, const std::string& action, const std::string& name,
                       const std::string& ca_file = "");

}  // namespace sluice::app
