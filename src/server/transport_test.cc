#include "server/transport.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "server/tls.h"

namespace renkei::server {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

// A transport on 127.0.0.1 with test handlers: /quick on the I/O thread; /sleep?ms=N,
// /throw and /echo/{x} on the workers.
class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("renkei-transport-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    options_.cert_file = (dir_ / "cert.pem").string();
    options_.key_file = (dir_ / "key.pem").string();
    ASSERT_TRUE(MakeSelfSignedCertificate(options_.cert_file, options_.key_file).ok());
    options_.io_threads = 1;
    options_.worker_threads = 1;
    options_.max_body_bytes = 1024;
  }
  void TearDown() override {
    transport_.reset();
    fs::remove_all(dir_);
  }

  void Start() {
    TransportCallbacks c;
    c.quick = [](const Request& req) { return req.path.rfind("/quick", 0) == 0; };
    c.handle = [this](Request& req, Response& res) {
      ++handled_;
      if (req.path == "/sleep") {
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::stoi(req.get_param_value("ms"))));
      } else if (req.path == "/throw") {
        throw std::runtime_error("handler failed");
      } else if (req.path == "/big" || req.path == "/quick/big") {
        std::string body;
        for (int i = 0; body.size() < 300000; ++i) body += std::to_string(i) + ",";
        if (req.has_param("shared")) {
          res.shared_body = std::make_shared<const std::string>(std::move(body));
        } else {
          res.set_content(std::move(body), "text/plain");
        }
        return;
      } else if (req.path == "/quick/size") {
        const size_t n = std::stoul(req.get_param_value("n"));
        std::string body(n, ' ');
        for (size_t i = 0; i < n; ++i) body[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
        res.set_content(std::move(body), "text/plain");
        return;
      } else if (req.path.rfind("/echo/", 0) == 0) {
        std::string out =
            req.method + " " + req.path + " a=" + req.get_param_value("a") + " body=" + req.body;
        res.set_content(out, "text/plain");
        return;
      }
      res.shared_body = std::make_shared<const std::string>("ok:" + req.path);
      res.set_header("Content-Type", "text/plain");
    };
    c.log = [this](const Request&, const Response&, double) { ++logged_; };
    c.error = [](int status, Response& res) {
      res.status = status;
      res.set_content("error " + std::to_string(status), "text/plain");
    };
    auto t = Transport::Bind(options_, std::move(c));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    transport_ = std::move(*t);
    transport_->Start();
  }

  httplib::Client Client() const {
    httplib::Client c("https://127.0.0.1:" + std::to_string(transport_->port()));
    c.set_ca_cert_path(options_.cert_file.c_str());
    c.enable_server_certificate_verification(true);
    c.set_keep_alive(true);
    c.set_read_timeout(20, 0);
    return c;
  }

  // Raw bytes over one TLS connection; the responses read until the server closes or
  // `responses` have arrived.
  std::vector<http::response<http::string_body>> Raw(const std::string& bytes, int responses) {
    net::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    beast::get_lowest_layer(stream).connect(tcp::endpoint(
        net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(transport_->port())));
    stream.handshake(ssl::stream_base::client);
    net::write(stream, net::buffer(bytes));
    std::vector<http::response<http::string_body>> out;
    beast::flat_buffer buffer;
    for (int i = 0; i < responses; ++i) {
      http::response<http::string_body> res;
      beast::error_code ec;
      http::read(stream, buffer, res, ec);
      if (ec) break;
      out.push_back(std::move(res));
    }
    return out;
  }

  fs::path dir_;
  TransportOptions options_;
  std::unique_ptr<Transport> transport_;
  std::atomic<int> handled_{0};
  std::atomic<int> logged_{0};  // answers written, or given up
};

using Seconds = std::chrono::duration<double>;

// Seconds until the server closes a connection after `what` has run on it (given the
// client's stream and a timer on its event loop), reading whatever the server sends;
// nothing when the connection is still open after 10 s.
std::optional<double> SecondsUntilClosed(
    int port, bool handshake,
    const std::function<void(beast::ssl_stream<beast::tcp_stream>&, net::steady_timer&)>& what) {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
  if (handshake) stream.handshake(ssl::stream_base::client);
  net::steady_timer timer(ioc);
  what(stream, timer);
  const auto start = std::chrono::steady_clock::now();
  std::optional<double> closed;
  std::vector<char> buffer(64 * 1024);
  // Reads what comes until the connection ends.
  std::function<void(beast::error_code, size_t)> on_read = [&](beast::error_code ec, size_t) {
    if (ec) {
      closed = Seconds(std::chrono::steady_clock::now() - start).count();
      timer.cancel();
    } else if (handshake) {
      stream.async_read_some(net::buffer(buffer), on_read);
    } else {
      tcp_layer.async_read_some(net::buffer(buffer), on_read);
    }
  };
  on_read({}, 0);
  ioc.run_for(std::chrono::seconds(10));
  return closed;
}

TEST_F(TransportTest, AnswersOnTheIoThreadAndOnTheWorkers) {
  Start();
  auto c = Client();
  auto quick = c.Get("/quick");
  ASSERT_TRUE(quick);
  EXPECT_EQ(quick->status, 200);
  EXPECT_EQ(quick->body, "ok:/quick");
  EXPECT_EQ(quick->get_header_value("Content-Type"), "text/plain");
  auto echo = c.Post("/echo/x%20y?a=b%20c", "payload", "text/plain");
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->body, "POST /echo/x y a=b c body=payload");
  auto form = c.Post("/echo/f", "a=x+y&b=2", "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->body, "POST /echo/f a=x y body=a=x+y&b=2");
  EXPECT_EQ(handled_, 3);
}

TEST_F(TransportTest, LargeBodiesFromEitherLane) {
  Start();
  std::string expected;
  for (int i = 0; expected.size() < 300000; ++i) expected += std::to_string(i) + ",";
  for (const char* path : {"/quick/big?shared", "/quick/big", "/big", "/big?shared"}) {
    auto r = Client().Get(path);
    EXPECT_TRUE(r) << path;
    if (!r) continue;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body, expected) << path;
  }
}

// An answer's TLS records are written in batches: bodies on either side of a record's
// and a batch's size arrive whole, one after another on one connection (and as HEAD).
TEST_F(TransportTest, BodiesAroundRecordAndBatchSizes) {
  Start();
  auto c = Client();
  for (size_t n : {size_t{0}, size_t{1}, size_t{16000}, size_t{16384}, size_t{16385}, size_t{65535},
                   size_t{65536}, size_t{65537}, size_t{131072 + 5}, size_t{1000003}}) {
    const std::string path = "/quick/size?n=" + std::to_string(n);
    auto r = c.Get(path);
    ASSERT_TRUE(r) << n;
    EXPECT_EQ(r->status, 200) << n;
    ASSERT_EQ(r->body.size(), n);
    for (size_t i = 0; i < n; ++i) {
      if (r->body[i] != static_cast<char>('a' + (i * 7 + i / 26) % 26)) {
        ADD_FAILURE() << "body of " << n << " differs at " << i;
        break;
      }
    }
    auto head = c.Head(path);
    ASSERT_TRUE(head) << n;
    EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(n));
    EXPECT_TRUE(head->body.empty());
  }
}

// A keep-alive connection waiting for its next request holds no thread: with one I/O
// thread and one worker, 20 open connections do not stop a 21st from being answered.
TEST_F(TransportTest, IdleKeepAliveConnectionsHoldNoThread) {
  options_.read_timeout_seconds = 60;
  Start();
  std::vector<httplib::Client> idle;
  for (int i = 0; i < 20; ++i) {
    idle.push_back(Client());
    auto r = idle.back().Get("/echo/" + std::to_string(i));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  auto c = Client();
  c.set_read_timeout(5, 0);  // far below the 60 s a connection may stay idle
  auto r = c.Get("/echo/last");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /echo/last a= body=");
  for (auto& i : idle) {  // and the idle ones are still open and served
    auto again = i.Get("/quick");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
  }
}

TEST_F(TransportTest, ManyConcurrentConnections) {
  options_.io_threads = 2;
  options_.worker_threads = 4;
  Start();
  std::vector<std::future<int>> done;
  for (int i = 0; i < 32; ++i) {
    done.push_back(std::async(std::launch::async, [this, i] {
      auto c = Client();
      int ok = 0;
      for (int k = 0; k < 5; ++k) {
        auto r = (k % 2) ? c.Get("/quick") : c.Get("/echo/" + std::to_string(i));
        ok += r && r->status == 200;
      }
      return ok;
    }));
  }
  for (auto& f : done) EXPECT_EQ(f.get(), 5);
}

TEST_F(TransportTest, MalformedRequestIs400AndCloses) {
  Start();
  auto res = Raw("NOT A REQUEST\r\n\r\nGET /quick HTTP/1.1\r\nHost: x\r\n\r\n", 2);
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].result_int(), 400);
  EXPECT_EQ(res[0].body(), "error 400");
  EXPECT_FALSE(res[0].keep_alive());
  EXPECT_EQ(handled_, 0);
}

TEST_F(TransportTest, BodyOverTheLimitIs413) {
  Start();
  auto c = Client();
  auto r = c.Post("/echo/x", std::string(2048, 'a'), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, "error 413");
  EXPECT_EQ(handled_, 0);
  auto fits = Client().Post("/echo/x", std::string(1024, 'a'), "text/plain");
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
}

TEST_F(TransportTest, HandlerExceptionIs500) {
  Start();
  auto r = Client().Get("/throw");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "error 500");
}

TEST_F(TransportTest, KeepAliveEndsAfterTheLimitAndOnClose) {
  options_.keep_alive_requests = 3;
  Start();
  const std::string get = "GET /quick HTTP/1.1\r\nHost: x\r\n\r\n";
  auto res = Raw(get + get + get + get, 4);  // pipelined
  ASSERT_EQ(res.size(), 3u);
  EXPECT_TRUE(res[0].keep_alive());
  EXPECT_TRUE(res[1].keep_alive());
  EXPECT_FALSE(res[2].keep_alive());
  auto closed = Raw("GET /quick HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + get, 2);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_FALSE(closed[0].keep_alive());
}

TEST_F(TransportTest, HeadHasLengthButNoBody) {
  Start();
  auto c = Client();
  auto head = c.Head("/quick");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "9");
  EXPECT_TRUE(head->body.empty());
}

// A connection without a complete request within the read timeout is closed: one that
// never starts TLS, one silent after its handshake, one that sends half a request, and
// one that trickles a header a byte at a time (the timeout is for the whole request).
TEST_F(TransportTest, ReadTimeoutClosesSilentAndSlowConnections) {
  options_.read_timeout_seconds = 1;
  Start();
  const int port = transport_->port();
  auto nothing = [](auto&, auto&) {};
  auto half = [](beast::ssl_stream<beast::tcp_stream>& s, net::steady_timer&) {
    net::write(s, net::buffer(std::string("GET /quick HTTP/1.1\r\nHost: x\r\n")));
  };
  std::function<void()> trickle_next;
  auto trickle = [&](beast::ssl_stream<beast::tcp_stream>& s, net::steady_timer& t) {
    net::write(s, net::buffer(std::string("GET /quick HTTP/1.1\r\nX-Slow: ")));
    trickle_next = [&s, &t, &trickle_next] {
      t.expires_after(std::chrono::milliseconds(200));
      t.async_wait([&s, &trickle_next](beast::error_code ec) {
        if (ec) return;
        beast::error_code ignored;
        net::write(s, net::buffer("x", 1), ignored);
        if (!ignored) trickle_next();
      });
    };
    trickle_next();
  };
  struct Case {
    const char* name;
    bool handshake;
    std::function<void(beast::ssl_stream<beast::tcp_stream>&, net::steady_timer&)> what;
  };
  for (const Case& c : {Case{"no TLS", false, nothing}, Case{"silent", true, nothing},
                        Case{"half a request", true, half}, Case{"trickle", true, trickle}}) {
    auto closed = SecondsUntilClosed(port, c.handshake, c.what);
    ASSERT_TRUE(closed.has_value()) << c.name << ": still open after 10 s";
    EXPECT_GE(*closed, 0.5) << c.name << ": closed before the timeout";
  }
  EXPECT_EQ(handled_, 0);
  auto r = Client().Get("/quick");  // and the server still answers
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// A client that stops reading a long answer is dropped after the write timeout: the
// write is given up (and logged), the connection closed, and others are still served.
TEST_F(TransportTest, WriteTimeoutDropsAClientThatStopsReading) {
  options_.write_timeout_seconds = 1;
  options_.read_timeout_seconds = 30;
  Start();
  // 32 MB: more than the kernel buffers of both ends hold.
  auto closed = SecondsUntilClosed(
      transport_->port(), true, [&](beast::ssl_stream<beast::tcp_stream>& s, net::steady_timer&) {
        net::write(
            s, net::buffer(std::string("GET /quick/size?n=33554432 HTTP/1.1\r\nHost: x\r\n\r\n")));
        // Not read until the server has given up writing.
        for (int i = 0; i < 1000 && logged_ == 0; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      });
  EXPECT_EQ(logged_, 1);
  ASSERT_TRUE(closed.has_value()) << "still open after 10 s";
  auto r = Client().Get("/quick");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// The timeouts are for reading and writing: a handler may take longer than either.
TEST_F(TransportTest, AHandlerMayTakeLongerThanTheTimeouts) {
  options_.read_timeout_seconds = 1;
  options_.write_timeout_seconds = 1;
  Start();
  auto c = Client();
  auto r = c.Get("/sleep?ms=2500");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok:/sleep");
}

// The write timeout is for each batch of the answer, not for the whole: a client that
// reads steadily (a record every millisecond) gets all of a 24 MB answer over more than
// the timeout.
TEST_F(TransportTest, ASlowReaderThatKeepsReadingIsServed) {
  options_.write_timeout_seconds = 1;
  Start();
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(transport_->port())));
  stream.handshake(ssl::stream_base::client);
  const size_t n = 24 << 20;
  net::write(stream, net::buffer("GET /quick/size?n=" + std::to_string(n) +
                                 " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const auto start = std::chrono::steady_clock::now();
  std::string received;
  std::vector<char> chunk(64 * 1024);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    beast::error_code ec;
    const size_t got = stream.read_some(net::buffer(chunk), ec);
    received.append(chunk.data(), got);
    if (ec) break;
  }
  const double seconds = Seconds(std::chrono::steady_clock::now() - start).count();
  const size_t body = received.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_EQ(received.size() - body - 4, n);
  EXPECT_GT(seconds, 1.2);  // the premise: the whole took longer than the timeout
}

// Stop lets a request that is being handled finish and answers it.
TEST_F(TransportTest, StopAnswersRequestsInFlight) {
  Start();
  auto slow = std::async(std::launch::async, [this] {
    auto r = Client().Get("/sleep?ms=300");
    return r ? r->status : -1;
  });
  while (handled_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  transport_->Stop();
  EXPECT_EQ(slow.get(), 200);
  auto after = Client().Get("/quick");
  EXPECT_FALSE(after);  // no longer accepting
}

TEST_F(TransportTest, BindErrors) {
  TransportCallbacks c;
  TransportOptions bad = options_;
  bad.cert_file = (dir_ / "missing.pem").string();
  auto t = Transport::Bind(bad, c);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("missing.pem"), std::string::npos);

  auto first = Transport::Bind(options_, c);
  ASSERT_TRUE(first.ok());
  TransportOptions taken = options_;
  taken.port = (*first)->port();
  auto second = Transport::Bind(taken, c);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("cannot listen on 127.0.0.1:"), std::string::npos);
}

}  // namespace
}  // namespace renkei::server
