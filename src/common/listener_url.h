// A listener URL as Kafka Connect's `listeners` writes it: http://host:port or https://host:port.
#pragma once

#include <string>

#include "common/result.h"

namespace sluice {

struct ListenerUrl {
  bool tls = false;
  std::string host;  // "0.0.0.0" when the URL names none
  int port = 0;      // 0-65535
};

// A fatal error naming `listeners` for anything else (no scheme, no port, a port out of range).
Result<ListenerUrl> parse_listener_url(const std::string& url);

}  // namespace sluice
