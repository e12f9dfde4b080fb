// The HTTP listener's pure parts (connection caps, rate-limited summaries, request targets) and the caps and
// timeouts as a real listener applies them.
#include "server/connection_limits.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "server/http_server.h"

namespace sluice::server {
namespace {

TEST(ConnectionLimits, CapsPerAddressAndInTotal) {
  ConnectionLimits limits(3, 2);
  EXPECT_EQ(limits.acquire("10.0.0.1"), Admission::kAdmitted);
  EXPECT_EQ(limits.acquire("10.0.0.1"), Admission::kAdmitted);
  EXPECT_EQ(limits.acquire("10.0.0.1"), Admission::kOverAddressCap);
  EXPECT_EQ(limits.acquire("10.0.0.2"), Admission::kAdmitted);
  EXPECT_EQ(limits.acquire("10.0.0.3"), Admission::kOverTotalCap);
  EXPECT_EQ(limits.open(), 3u);
  limits.release("10.0.0.1");
  EXPECT_EQ(limits.open_from("10.0.0.1"), 1u);
  EXPECT_EQ(limits.acquire("10.0.0.3"), Admission::kAdmitted);
  for (const char* a : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) limits.release(a);
  EXPECT_EQ(limits.open(), 0u);
  EXPECT_EQ(limits.open_from("10.0.0.1"), 0u);
  limits.release("10.0.0.9");  // never admitted: no underflow
  EXPECT_EQ(limits.open(), 0u);
}

TEST(EventSummary, AtMostOneLinePerInterval) {
  using namespace std::chrono_literals;
  EventSummary s(10s);
  EventSummary::Clock::time_point t0{};
  EXPECT_EQ(s.record(t0), std::optional<uint64_t>(1));  // the first event is reported at once
  for (int i = 0; i < 500; ++i) EXPECT_EQ(s.record(t0 + 1s), std::nullopt);
  EXPECT_EQ(s.flush(t0 + 9s), std::nullopt);
  EXPECT_EQ(s.flush(t0 + 10s), std::optional<uint64_t>(500));  // the burst, in one line
  EXPECT_EQ(s.flush(t0 + 30s), std::nullopt);                  // nothing pending
  EXPECT_EQ(s.record(t0 + 31s), std::optional<uint64_t>(1));
}

TEST(RequestTarget, DecodesPathAndQuery) {
  auto t = parse_target("/connectors/my%20conn/status?expand=status&expand=info&q=a+b%2Bc&flag");
  EXPECT_EQ(t.path, "/connectors/my conn/status");
  EXPECT_EQ(t.query.count("expand"), 2u);
  EXPECT_EQ(t.query.find("q")->second, "a b+c");
  EXPECT_EQ(t.query.find("flag")->second, "");
  EXPECT_EQ(parse_target("/a+b%zz%4").path, "/a+b%zz%4");  // '+' is literal in a path; bad escapes stay
  EXPECT_TRUE(parse_target("/x?").query.empty());
}

class Echo final : public RequestHandler {
 public:
  HttpResponse handle(const HttpRequest& r) const override {
    HttpResponse out;
    out.body = r.method + " " + r.path + " " + std::to_string(r.body.size());
    out.content_type = "text/plain";
    return out;
  }
};

int connect_from(int port, const char* source = nullptr) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (source != nullptr) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// Sends the request, reads until the response's header and its Content-Length of body are in (the header only
// for a HEAD or an interim response), or the connection closes.
std::string exchange(int fd, const std::string& request, bool head = false) {
  (void)!::write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) {
    out.append(buf, static_cast<size_t>(n));
    auto end = out.find("\r\n\r\n");
    if (end == std::string::npos) continue;
    auto len = out.find("Content-Length: ");
    if (head || len == std::string::npos || out.size() >= end + 4 + std::stoul(out.substr(len + 16))) break;
  }
  return out;
}

TEST(HttpServer, RefusesConnectionsOverTheAddressCapAndServesOthers) {
  Echo echo;
  HttpOptions options;
  options.port = 0;
  options.max_connections_per_address = 4;
  HttpServer server(echo, options);
  ASSERT_TRUE(server.start().ok());
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(connect_from(server.port(), "127.0.0.2"));
  // Wait until the listener has admitted the four (a served request on the last one says so).
  EXPECT_NE(exchange(idle.back(), "GET /x HTTP/1.1\r\nHost: x\r\n\r\n").find("200 OK"), std::string::npos);
  int refused = connect_from(server.port(), "127.0.0.2");
  ASSERT_GE(refused, 0);
  char c;
  EXPECT_LE(::read(refused, &c, 1), 0);  // closed without an answer
  ::close(refused);
  int other = connect_from(server.port(), "127.0.0.1");
  EXPECT_NE(exchange(other, "GET /y HTTP/1.1\r\nHost: x\r\n\r\n").find("GET /y 0"), std::string::npos);
  ::close(other);
  for (int fd : idle) ::close(fd);
  server.stop();
}

TEST(HttpServer, KeepAliveHeadContinueAndOversizedBodies) {
  Echo echo;
  HttpOptions options;
  options.port = 0;
  options.max_body_bytes = 1000;
  HttpServer server(echo, options);
  ASSERT_TRUE(server.start().ok());
  int fd = connect_from(server.port());
  for (int i = 0; i < 3; ++i) {  // one connection, several requests
    auto r = exchange(fd, "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_NE(r.find("POST /p 5"), std::string::npos) << r;
  }
  auto head = exchange(fd, "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n", true);
  EXPECT_NE(head.find("Content-Length: 8"), std::string::npos) << head;
  EXPECT_EQ(head.find("GET /h"), std::string::npos) << head;
  auto cont = exchange(fd, "PUT /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_TRUE(cont.starts_with("HTTP/1.1 100 Continue")) << cont;
  auto put = exchange(fd, "abc");
  EXPECT_NE(put.find("PUT /c 3"), std::string::npos) << put;
  ::close(fd);

  // Over the limit: 413 while the client is still sending, and the client can read it.
  fd = connect_from(server.port());
  std::string big(200000, 'x');
  std::thread sender([&] {
    auto req =
        "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" + big;
    (void)!::write(fd, req.data(), req.size());
  });
  std::string out;
  char buf[4096];
  for (ssize_t n; out.find("\r\n\r\n") == std::string::npos && (n = ::read(fd, buf, sizeof(buf))) > 0;) {
    out.append(buf, static_cast<size_t>(n));
  }
  sender.join();
  EXPECT_TRUE(out.starts_with("HTTP/1.1 413")) << out;
  ::close(fd);
  server.stop();
}

}  // namespace
}  // namespace sluice::server
