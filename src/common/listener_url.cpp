// Listener URLs (Connect's `listeners`, sluice's metrics.listeners).
#include "common/listener_url.h"

#include <fmt/format.h>

namespace sluice {

Result<ListenerUrl> parse_listener_url(const std::string& url) {
  ListenerUrl out;
  std::string rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else {
    return Error::fatal(
        fmt::format("invalid value for listeners: '{}' (allowed: http://host:port or "
                    "https://host:port)",
                    url));
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    return Error::fatal(fmt::format("invalid value for listeners: '{}' (the port is missing)", url));
  }
  std::string host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(rest.substr(colon + 1), &used);
    if (used != rest.size() - colon - 1) port = -1;
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return Error::fatal(fmt::format("invalid value for listeners: '{}' (the port must be 0-65535)", url));
  }
  out.host = host.empty() ? "0.0.0.0" : host;
  out.port = port;
  return out;
}

}  // namespace sluice
