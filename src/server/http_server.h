// HttpServer: serves a RequestHandler over HTTP or HTTPS on one listener, built for hostile clients: one
// event loop (Boost.Asio, epoll) holds every connection, a small fixed pool runs the handlers, each request's
// header and body must arrive within a deadline, and connections are capped per client address and in total.
// Optional HTTP basic auth and a request body limit.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/rest_api.h"

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
  // The TLS handshake and a request's line and headers must arrive within this, counted from when the server
  // starts waiting for the request (a new connection, or after the previous response on a kept-alive one).
  int header_timeout_ms = 10000;
  int read_timeout_s = 30;                    // a request's header and its body must each arrive within this
  int write_timeout_s = 30;                   // a response must be taken by the client within this
  size_t max_connections = 10000;             // open connections in total; more are closed at once
  size_t max_connections_per_address = 4096;  // open connections from one client address
  int handler_threads = 4;                    // threads that run handlers (the connections share one more)
  std::string description = "REST API";       // what the listener serves, for its log line
};

// Parses a listener URL: http://host:port or https://host:port (host may be empty or 0.0.0.0).
Result<HttpOptions> parse_listener(const std::string& url, HttpOptions base = {});

// Sets the caps and the header deadline that a configuration names; the others keep their defaults.
void apply_listener_limits(HttpOptions& options, std::optional<int64_t> max_connections,
                           std::optional<int64_t> max_connections_per_address,
                           std::optional<int64_t> header_timeout_ms);

class HttpServer {
 public:
  HttpServer(const RequestHandler& api, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listener (fatal error when it cannot) and serves on threads of its own until stop().
  Status start();
  void stop();
  int port() const { return port_; }

 private:
  class Impl;
  const RequestHandler& api_;
  HttpOptions options_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// Decodes standard base64 (RFC 4648); nullopt for invalid input.
std::optional<std::string> base64_decode(std::string_view in);

// Raises this process's soft open-file limit to its hard limit (each connection is a descriptor); returns the
// soft limit now in effect.
uint64_t raise_open_file_limit();

}  // namespace sluice::server
