// Boost.Beast binding of a RequestHandler. One thread runs the event loop (Asio's epoll reactor): it accepts,
// does TLS and reads and writes every connection; handler_threads threads run RequestHandler::handle. A
// connection goes [TLS handshake] -> header (header_timeout) -> body (read_timeout) -> handler -> response
// (write_timeout) -> header again (keep-alive) or close. Answers the server gives itself (400, 401, 413, 431)
// carry Connect's JSON error body; refusals and timeouts are counted and logged at most once per interval.
#include "server/http_server.h"

#include <openssl/ssl.h>
#include <sys/resource.h>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <limits>
#include <thread>
#include <type_traits>

#include "common/listener_url.h"
#include "common/log.h"
#include "server/connection_limits.h"

namespace sluice::server {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kSummaryInterval = std::chrono::seconds(10);
constexpr size_t kHeaderLimit = 16 << 10;  // request line and headers, like Jetty's 8 KiB with room
constexpr size_t kDrainLimit = 64 << 20;   // bytes of a refused body read before the connection is dropped

std::shared_ptr<spdlog::logger> log() {
  static auto l = module_logger("rest");
  return l;
}

bool authorized(std::string_view header, const std::map<std::string, std::string>& users) {
  if (!header.starts_with("Basic ")) return false;
  auto decoded = base64_decode(header.substr(6));
  if (!decoded) return false;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  auto it = users.find(decoded->substr(0, colon));
  return it != users.end() && it->second == decoded->substr(colon + 1);
}

// One kind of event worth a warning (a refused or timed-out connection), summarized once per interval.
struct Complaint {
  std::string what;
  EventSummary summary{kSummaryInterval};
  std::string example;  // the last client address or error
};

// The state every connection shares; lives until the event loop and the handler pool have stopped.
class Listener {
 public:
  explicit Listener(const RequestHandler& api, HttpOptions options)
      : api_(api),
        options_(std::move(options)),
        limits_(options_.max_connections, options_.max_connections_per_address),
        pool_(static_cast<size_t>(std::max(1, options_.handler_threads))),
        acceptor_(ioc_),
        accept_retry_(ioc_),
        summary_timer_(ioc_) {
    refused_per_address_.what =
        fmt::format("connections refused: their client address already had {} open (the per-address cap)",
                    options_.max_connections_per_address);
    refused_total_.what =
        fmt::format("connections refused: {} were open (the listener's cap)", options_.max_connections);
    header_timeout_.what =
        fmt::format("connections closed: the TLS handshake or request header did not arrive within {} ms",
                    header_timeout().count());
    body_timeout_.what = fmt::format("connections closed: the request body did not arrive within {} s",
                                     options_.read_timeout_s);
    write_timeout_.what =
        fmt::format("connections closed: the response was not taken within {} s", options_.write_timeout_s);
    handshake_failed_.what = "connections closed: the TLS handshake failed";
    accept_failed_.what = "accept failures (retried after 100 ms)";
  }

  Status open();
  void run();
  // The handshake and header deadline: header_timeout_ms, or read_timeout_s when that is shorter.
  std::chrono::milliseconds header_timeout() const {
    return std::min(std::chrono::milliseconds(options_.header_timeout_ms),
                    std::chrono::milliseconds(int64_t{options_.read_timeout_s} * 1000));
  }
  void shutdown();
  int port() const { return port_; }

  // Runs the handler on a pool thread; never throws.
  HttpResponse handle(const HttpRequest& request) const;
  // Counts the event (event-loop thread only) and logs a summary when one is due.
  void complain(Complaint& c, std::string example);

  const RequestHandler& api_;
  const HttpOptions options_;
  ConnectionLimits limits_;
  std::optional<asio::ssl::context> tls_;
  asio::thread_pool pool_;
  // Destroyed before the members above: its destructor drops the sessions still waiting on it.
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  asio::steady_timer summary_timer_;
  std::thread loop_;
  int port_ = 0;
  Complaint refused_per_address_, refused_total_, header_timeout_, body_timeout_, write_timeout_,
      handshake_failed_, accept_failed_;

 private:
  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void tick();
  void say(const Complaint& c, uint64_t n) const;
};

// One connection. Every callback runs on the event-loop thread; the handler's result is posted back to it.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  Session(Listener& server, tcp::socket&& socket, std::string address) requires(!kTls)
      : server_(server), stream_(std::move(socket)), address_(std::move(address)) {}
  Session(Listener& server, tcp::socket&& socket, asio::ssl::context& tls, std::string address) requires(kTls)
      : server_(server), stream_(std::move(socket), tls), address_(std::move(address)) {}
  ~Session() { server_.limits_.release(address_); }

  void start() {
    if constexpr (kTls) {
      lowest().expires_after(server_.header_timeout());
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec == beast::error::timeout) {
                                  self->server_.complain(self->server_.header_timeout_, self->address_);
                                } else if (ec) {
                                  self->server_.complain(self->server_.handshake_failed_,
                                                         fmt::format("{}: {}", self->address_, ec.message()));
                                  self->lowest().close();
                                } else {
                                  self->read_header();
                                }
                              });
    } else {
      read_header();
    }
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void read_header() {
    head_ = false;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // Checked against Content-Length first, then while the body is read. (Beast 1.74 takes boost::none as 0.)
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    lowest().expires_after(server_.header_timeout());
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return failed_read(ec, true);
    const auto& req = parser_->get();
    if (auto len = parser_->content_length(); len && *len > server_.options_.max_body_bytes) {
      return refuse_body();
    }
    parser_->body_limit(server_.options_.max_body_bytes);
    if (parser_->is_done()) return dispatch();
    if (beast::iequals(req[http::field::expect], "100-continue") && req.version() >= 11) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      lowest().expires_after(std::chrono::seconds(server_.options_.write_timeout_s));
      asio::async_write(stream_, asio::buffer(kContinue),
                        [self = this->shared_from_this()](beast::error_code e, size_t) {
                          if (e) return self->lowest().close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    lowest().expires_after(std::chrono::seconds(server_.options_.read_timeout_s));
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec == http::error::body_limit) return self->refuse_body();
                       if (ec) return self->failed_read(ec, false);
                       self->dispatch();
                     });
  }

  void failed_read(beast::error_code ec, bool in_header) {
    if (ec == beast::error::timeout) {
      // A kept-alive connection that stays idle is closed quietly; a started request that stalls is counted.
      bool idle = in_header && served_ > 0 && !parser_->got_some() && buffer_.size() == 0;
      if (!idle) server_.complain(in_header ? server_.header_timeout_ : server_.body_timeout_, address_);
      return;  // the stream closed the socket
    }
    if (ec == http::error::header_limit) {
      return respond(error_response(431, "HTTP 431 Request Header Fields Too Large"), true);
    }
    if (ec.category() == beast::error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      log()->debug("{}: bad request: {}", address_, ec.message());
      return respond(error_response(400, "HTTP 400 Bad Request"), true);
    }
    close();
  }

  // A body over the limit: answer 413, then read and drop what the client still sends (so it reads the answer
  // instead of a reset) until it closes, the read deadline passes or kDrainLimit bytes have come.
  void refuse_body() {
    draining_ = true;
    respond(error_response(413,
                           fmt::format("Request body larger than {} bytes", server_.options_.max_body_bytes)),
            true);
  }

  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(64 << 10),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kDrainLimit) return self->lowest().close();
                              self->drain();
                            });
  }

  void dispatch() {
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    version_ = req.version();
    HttpRequest r;
    r.method = head_ ? std::string("GET") : std::string(req.method_string());
    auto target = parse_target(req.target());
    r.path = std::move(target.path);
    r.query = std::move(target.query);
    r.content_type = std::string(req[http::field::content_type]);
    r.accept = std::string(req[http::field::accept]);
    r.body = std::move(req.body());
    if (!server_.options_.basic_auth.empty() &&
        !authorized(req[http::field::authorization], server_.options_.basic_auth)) {
      return respond(error_response(401, "User cannot access the resource."), false);
    }
    asio::post(server_.pool_, [self = this->shared_from_this(), r = std::move(r)]() mutable {
      auto out = self->server_.handle(r);
      auto& ioc = self->server_.ioc_;
      asio::post(ioc, [self = std::move(self), out = std::move(out)]() mutable {
        self->respond(std::move(out), false);
      });
    });
  }

  void respond(HttpResponse out, bool close_after) {
    res_.emplace(static_cast<http::status>(out.status), version_);
    auto& res = *res_;
    if (!out.body.empty()) res.set(http::field::content_type, out.content_type);
    if (!out.location.empty()) res.set(http::field::location, out.location);
    if (out.status == 401) res.set(http::field::www_authenticate, "Basic realm=\"sluice\"");
    res.body() = std::move(out.body);
    res.prepare_payload();
    if (head_) res.body().clear();  // Content-Length stays that of the GET
    res.keep_alive(keep_alive_ && !close_after);
    lowest().expires_after(std::chrono::seconds(server_.options_.write_timeout_s));
    http::async_write(stream_, res, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->on_written(ec);
    });
  }

  void on_written(beast::error_code ec) {
    if (ec == beast::error::timeout) return server_.complain(server_.write_timeout_, address_);
    if (ec) return lowest().close();
    ++served_;
    if (draining_) {
      lowest().expires_after(std::chrono::seconds(server_.options_.read_timeout_s));
      return drain();
    }
    if (!res_->keep_alive()) return close();
    read_header();
  }

  void close() {
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->lowest().close(); });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      lowest().close();
    }
  }

  Listener& server_;
  Stream stream_;
  const std::string address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  bool keep_alive_ = true;
  bool head_ = false;
  bool draining_ = false;
  unsigned version_ = 11;
  uint64_t served_ = 0;
  size_t drained_ = 0;
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;

Status Listener::open() {
  if (options_.tls) {
    tls_.emplace(asio::ssl::context::sslv23_server);
    auto& ctx = *tls_;
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    beast::error_code ec;
    ctx.use_certificate_chain_file(options_.cert_file, ec);
    if (!ec) ctx.use_private_key_file(options_.key_file, asio::ssl::context::pem, ec);
    if (ec) {
      return Error::fatal(fmt::format("cannot load the HTTPS listener's certificate '{}' and key '{}': {}",
                                      options_.cert_file, options_.key_file, ec.message()));
    }
    if (!options_.client_ca_file.empty()) {
      ctx.load_verify_file(options_.client_ca_file, ec);
      if (ec) {
        return Error::fatal(fmt::format("cannot load the HTTPS listener's client CA '{}': {}",
                                        options_.client_ca_file, ec.message()));
      }
      ctx.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
      if (auto* names = SSL_load_client_CA_file(options_.client_ca_file.c_str())) {
        SSL_CTX_set_client_CA_list(ctx.native_handle(), names);
      }
    }
  }
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  auto found = resolver.resolve(options_.host, std::to_string(options_.port), tcp::resolver::passive, ec);
  auto where = options_.port == 0 ? fmt::format("{}:any port", options_.host)
                                  : fmt::format("{}:{}", options_.host, options_.port);
  if (ec || found.empty()) {
    return Error::fatal(fmt::format("cannot listen on {} (listeners): {}", where,
                                    ec ? ec.message() : std::string("no address")));
  }
  tcp::endpoint endpoint = *found.begin();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::fatal(fmt::format(
        "cannot listen on {} (listeners): the address is in use or not local ({})", where, ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  return ok_status();
}

void Listener::run() {
  accept();
  tick();
  loop_ = std::thread([this] {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        log()->error("{} listener: {}", options_.description, e.what());
      }
    }
  });
}

void Listener::shutdown() {
  ioc_.stop();
  if (loop_.joinable()) loop_.join();
  pool_.join();  // handlers in flight finish; their answers are dropped with the event loop's queue
}

void Listener::accept() {
  acceptor_.async_accept(
      ioc_, [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {  // EMFILE and the like: wait instead of spinning
    complain(accept_failed_, ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](beast::error_code e) {
      if (!e) accept();
    });
    return;
  }
  accept();
  auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  auto address = remote.address().to_string();
  switch (limits_.acquire(address)) {
    case Admission::kOverAddressCap:
      return complain(refused_per_address_, address);
    case Admission::kOverTotalCap:
      return complain(refused_total_, address);
    case Admission::kAdmitted:
      break;
  }
  socket.set_option(tcp::no_delay(true), ec);
  if (tls_) {
    std::make_shared<TlsSession>(*this, std::move(socket), *tls_, std::move(address))->start();
  } else {
    std::make_shared<PlainSession>(*this, std::move(socket), std::move(address))->start();
  }
}

void Listener::tick() {
  summary_timer_.expires_after(kSummaryInterval);
  summary_timer_.async_wait([this](beast::error_code ec) {
    if (ec) return;
    auto now = Clock::now();
    for (auto* c : {&refused_per_address_, &refused_total_, &header_timeout_, &body_timeout_, &write_timeout_,
                    &handshake_failed_, &accept_failed_}) {
      if (auto n = c->summary.flush(now)) say(*c, *n);
    }
    tick();
  });
}

void Listener::complain(Complaint& c, std::string example) {
  c.example = std::move(example);
  if (auto n = c.summary.record(Clock::now())) say(c, *n);
}

void Listener::say(const Complaint& c, uint64_t n) const {
  log()->warn("{} listener: {} {} (last: {}; at most one such line per {} s)", options_.description, n,
              c.what, c.example, kSummaryInterval.count());
}

HttpResponse Listener::handle(const HttpRequest& request) const {
  try {
    auto out = api_.handle(request);
    log()->debug("{} {} -> {}", request.method, request.path, out.status);
    return out;
  } catch (const std::exception& e) {
    log()->error("{} {} failed: {}", request.method, request.path, e.what());
    return error_response(500, e.what());
  } catch (...) {
    log()->error("{} {} failed", request.method, request.path);
    return error_response(500, "internal error");
  }
}

}  // namespace

class HttpServer::Impl : public Listener {
 public:
  using Listener::Listener;
};

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

uint64_t raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(lim.rlim_cur);
}

Result<HttpOptions> parse_listener(const std::string& url, HttpOptions base) {
  auto parsed = parse_listener_url(url);
  if (!parsed) return parsed.error();
  base.tls = parsed->tls;
  base.host = parsed->host;
  base.port = parsed->port;
  return base;
}

void apply_listener_limits(HttpOptions& options, std::optional<int64_t> max_connections,
                           std::optional<int64_t> max_connections_per_address,
                           std::optional<int64_t> header_timeout_ms) {
  if (max_connections) options.max_connections = static_cast<size_t>(*max_connections);
  if (max_connections_per_address)
    options.max_connections_per_address = static_cast<size_t>(*max_connections_per_address);
  if (header_timeout_ms) options.header_timeout_ms = static_cast<int>(*header_timeout_ms);
}

HttpServer::HttpServer(const RequestHandler& api, HttpOptions options)
    : api_(api), options_(std::move(options)) {}

HttpServer::~HttpServer() {
  stop();
}

Status HttpServer::start() {
  auto files = raise_open_file_limit();
  if (files < options_.max_connections + 64) {
    log()->info(
        "{}: the open-file limit ({}) is below the connection cap ({}): the kernel refuses the excess",
        options_.description, files, options_.max_connections);
  }
  impl_ = std::make_unique<Impl>(api_, options_);
  if (auto s = impl_->open(); !s) {
    impl_.reset();
    return s;
  }
  port_ = impl_->port();
  impl_->run();
  log()->info("{} listening on {}://{}:{}{} (at most {} connections, {} per client address)",
              options_.description, options_.tls ? "https" : "http", options_.host, port_,
              options_.basic_auth.empty() ? "" : " (basic auth)", options_.max_connections,
              options_.max_connections_per_address);
  return ok_status();
}

void HttpServer::stop() {
  if (!impl_) return;
  impl_->shutdown();
  impl_.reset();
}

}  // namespace sluice::server
