// cpp-httplib binding of the RestApi: every method and path goes to RestApi::handle (which answers 404/405
// itself); httplib's own errors (413 body too large, 400 malformed request) get Connect's JSON error body.
#include "server/http_server.h"

#include <httplib.h>

#include <fmt/format.h>

#include "common/log.h"

namespace sluice::server {

namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("rest");
  return l;
}

bool authorized(const httplib::Request& req, const std::map<std::string, std::string>& users) {
  auto h = req.get_header_value("Authorization");
  if (!h.starts_with("Basic ")) return false;
  auto decoded = base64_decode(std::string_view(h).substr(6));
  if (!decoded) return false;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  auto it = users.find(decoded->substr(0, colon));
  return it != users.end() && it->second == decoded->substr(colon + 1);
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && (in.back() == ' ' || in.back() == '\r' || in.back() == '\n')) in.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : in) {
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return std::nullopt;  // data after padding
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (pad > 2) return std::nullopt;
  return out;
}

Result<HttpOptions> parse_listener(const std::string& url, HttpOptions base) {
  std::string rest;
  if (url.starts_with("http://")) {
    base.tls = false;
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    base.tls = true;
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
  base.host = host.empty() ? "0.0.0.0" : host;
  base.port = port;
  return base;
}

HttpServer::HttpServer(const RequestHandler& api, HttpOptions options)
    : api_(api), options_(std::move(options)) {}

HttpServer::~HttpServer() {
  stop();
}

Status HttpServer::start() {
  if (options_.tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(
        options_.cert_file.c_str(), options_.key_file.c_str(),
        options_.client_ca_file.empty() ? nullptr : options_.client_ca_file.c_str());
    if (!ssl->is_valid()) {
      return Error::fatal(fmt::format("cannot load the HTTPS listener's certificate '{}' and key '{}'",
                                      options_.cert_file, options_.key_file));
    }
    server_ = std::move(ssl);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  auto& s = *server_;
  s.set_payload_max_length(options_.max_body_bytes);
  s.set_read_timeout(options_.read_timeout_s, 0);
  s.set_write_timeout(options_.write_timeout_s, 0);
  s.set_keep_alive_timeout(5);
  if (!options_.basic_auth.empty()) {
    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (authorized(req, options_.basic_auth)) return httplib::Server::HandlerResponse::Unhandled;
      auto e = error_response(401, "User cannot access the resource.");
      res.status = 401;
      res.set_header("WWW-Authenticate", "Basic realm=\"sluice\"");
      res.set_content(e.body, "application/json");
      return httplib::Server::HandlerResponse::Handled;
    });
  }
  // Bodies are read here, not by httplib: a PUT or POST without Content-Length (curl -X PUT …/pause) has an
  // empty body rather than being refused.
  auto serve = [this](const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader* reader) {
    HttpRequest r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& [k, v] : req.params) r.query.emplace(k, v);
    r.content_type = req.get_header_value("Content-Type");
    r.accept = req.get_header_value("Accept");
    bool too_large = false;
    if (reader != nullptr && (req.has_header("Content-Length") || req.has_header("Transfer-Encoding"))) {
      bool complete = (*reader)([&](const char* data, size_t len) {
        if (r.body.size() + len > options_.max_body_bytes) {
          too_large = true;
          return false;
        }
        r.body.append(data, len);
        return true;
      });
      if (!complete) {
        int status = too_large || res.status == 413 ? 413 : 400;
        auto e = error_response(
            status, status == 413 ? fmt::format("Request body larger than {} bytes", options_.max_body_bytes)
                                  : std::string("Request body could not be read"));
        res.status = status;
        res.set_header("Connection", "close");
        res.set_content(e.body, "application/json");
        return;
      }
    } else {
      r.body = req.body;
    }
    auto out = api_.handle(r);
    res.status = out.status;
    if (!out.location.empty()) res.set_header("Location", out.location);
    if (!out.body.empty()) res.set_content(out.body, out.content_type);
    log()->debug("{} {} -> {}", req.method, req.path, out.status);
  };
  auto plain = [serve](const httplib::Request& req, httplib::Response& res) { serve(req, res, nullptr); };
  auto with_body = [serve](const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& reader) { serve(req, res, &reader); };
  const std::string any = ".*";
  s.Get(any, plain);
  s.Post(any, with_body);
  s.Put(any, with_body);
  s.Patch(any, with_body);
  s.Delete(any, with_body);
  s.Options(any, plain);
  // httplib's own answers (413 body too large, 400 bad request line, 404 for a method it does not route)
  // get Connect's error body.
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* message = res.status == 413   ? "Request Entity Too Large"
                          : res.status == 400 ? "Bad Request"
                          : res.status == 404 ? "Not Found"
                          : res.status == 414 ? "URI Too Long"
                                              : "Error";
    auto e = error_response(res.status, fmt::format("HTTP {} {}", res.status, message));
    res.set_content(e.body, "application/json");
  });
  s.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log()->error("{} {} failed: {}", req.method, req.path, what);
    auto e = error_response(500, what);
    res.status = 500;
    res.set_content(e.body, "application/json");
  });
  if (options_.port == 0) {
    port_ = s.bind_to_any_port(options_.host);
    if (port_ <= 0) return Error::fatal(fmt::format("cannot listen on {}:any port", options_.host));
  } else {
    if (!s.bind_to_port(options_.host, options_.port)) {
      return Error::fatal(
          fmt::format("cannot listen on {}:{} (listeners): the address is in use or not local", options_.host,
                      options_.port));
    }
    port_ = options_.port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  log()->info("{} listening on {}://{}:{}{}", options_.description, options_.tls ? "https" : "http",
              options_.host, port_, options_.basic_auth.empty() ? "" : " (basic auth)");
  return ok_status();
}

void HttpServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::server
