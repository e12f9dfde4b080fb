// HttpServer: serves the RestApi over HTTP or HTTPS (cpp-httplib) on the worker's listener, with optional
// HTTP basic auth, a request body limit and read/write timeouts, on a thread pool of its own.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "server/rest_api.h"

namespace httplib {
class Server;
}

namespace sluice::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8083;  // 0: any free port (port() says which)
  bool tls = false;
  std::string cert_file;       // PEM certificate chain (tls)
  std::string key_file;        // PEM private key (tls)
  std::string client_ca_file;  // clients must present a certificate signed by these (optional)
  std::map<std::string, std::string> basic_auth;  // user -> password; empty: no authentication
  size_t max_body_bytes = 4 << 20;
  int read_timeout_s = 30;  // a client that sends nothing for this long is disconnected
  int write_timeout_s = 30;
  std::string description = "REST API";  // what the listener serves, for its log line
};

// Parses a listener URL: http://host:port or https://host:port (host may be empty or 0.0.0.0).
Result<HttpOptions> parse_listener(const std::string& url, HttpOptions base = {});

class HttpServer {
 public:
  HttpServer(const RequestHandler& api, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listener (fatal error when it cannot) and serves on a thread until stop().
  Status start();
  void stop();
  int port() const { return port_; }

 private:
  const RequestHandler& api_;
  HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Decodes standard base64 (RFC 4648); nullopt for invalid input.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace sluice::server
