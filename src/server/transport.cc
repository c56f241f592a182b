#include "server/transport.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sched.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "base/memory.h"
#include "server/http_request.h"

namespace renkei::server {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

// The CPUs this process may run on.
int AvailableCpus() {
  cpu_set_t cpus;
  const int n = sched_getaffinity(0, sizeof cpus, &cpus) == 0
                    ? CPU_COUNT(&cpus)
                    : static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, n);
}

// A write-only BIO appending whatever OpenSSL writes to it (the TLS records of an
// answer) to the std::string set as its data.
BIO_METHOD* RecordSinkMethod() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "renkei records");
    BIO_meth_set_write_ex(m, [](BIO* b, const char* data, size_t n, size_t* written) {
      static_cast<std::string*>(BIO_get_data(b))->append(data, n);
      *written = n;
      return 1;
    });
    BIO_meth_set_ctrl(
        m, [](BIO*, int cmd, long, void*) -> long { return cmd == BIO_CTRL_FLUSH ? 1 : 0; });
    return m;
  }();
  return method;
}

// Buffers of encrypted answers kept by an I/O thread between answers: a few, so that
// the connections waiting for their next request hold none.
std::vector<std::string>& SpareBuffers() {
  thread_local std::vector<std::string> spare;
  return spare;
}

}  // namespace

// One io_context per I/O thread, each run by that thread alone: a connection lives on
// one of them (assigned in turn) and its handlers never run concurrently, with no
// strand and no type-erased executor between the socket and the event loop.
struct Transport::Impl {
  using Context = net::io_context;
  using WorkGuard = net::executor_work_guard<Context::executor_type>;

  Impl(const TransportOptions& o, TransportCallbacks c)
      : options(o),
        callbacks(std::move(c)),
        contexts(MakeContexts(o.io_threads > 0 ? o.io_threads : AvailableCpus())),
        acceptor(*contexts[0]),
        workers(static_cast<size_t>(std::max(1, o.worker_threads))) {
    for (auto& ctx : contexts) work.emplace_back(ctx->get_executor());
  }

  static std::vector<std::unique_ptr<Context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<Context>> out;
    for (int i = 0; i < n; ++i) out.push_back(std::make_unique<Context>(1));
    return out;
  }

  void Accept();

  TransportOptions options;
  TransportCallbacks callbacks;
  std::vector<std::unique_ptr<Context>> contexts;
  // Keeps the I/O threads running while every connection is with a worker.
  std::vector<WorkGuard> work;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor;   // on contexts[0]
  size_t next_context = 0;  // the context the next connection goes to (acceptor's thread)
  net::thread_pool workers;
  std::vector<std::thread> threads;
  int port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<int> busy{0};  // requests read and not yet answered

  // Connections open, and the most open since memory was last given back: when many
  // have closed (a burst of clients left), the TLS buffers they freed are returned to
  // the system on a worker, so that the node does not keep its peak size.
  static constexpr int kTrimAfterClosed = 256;
  std::atomic<int> live{0};
  std::atomic<int> peak{0};
  std::atomic<bool> trim_pending{false};
  void Opened() {
    const int n = ++live;
    int p = peak.load();
    while (n > p && !peak.compare_exchange_weak(p, n)) {
    }
  }
  void Closed() {
    const int n = --live;
    const int p = peak.load();
    if (stopping || p - n < kTrimAfterClosed || n > p / 2 || trim_pending.exchange(true)) return;
    net::post(workers, [this] {
      ReturnFreeMemory();
      peak = live.load();
      trim_pending = false;
    });
  }
  std::mutex mu;  // guards the two below
  bool started = false;
  bool stopped = false;
};

namespace {

bool IsHttpError(const error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_target).category();
}

// One TLS connection: handshake, then read a request, answer it, and again while kept alive.
// Every step runs on the connection's io_context, which one thread runs; between a read
// and its answer's write the request is with a handler (on that thread or the worker
// pool) and nothing else is pending.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Socket = net::basic_stream_socket<tcp, net::io_context::executor_type>;
  using Timer =
      net::basic_waitable_timer<Clock, net::wait_traits<Clock>, net::io_context::executor_type>;

  Connection(Transport::Impl& t, Socket socket)
      : t_(t), stream_(std::move(socket), t.tls), timer_(stream_.get_executor()) {
    t_.Opened();
  }
  ~Connection() { t_.Closed(); }

  net::io_context::executor_type executor() { return stream_.get_executor(); }

  void Start() {
    ExpiresAfter(std::chrono::seconds(t_.options.read_timeout_seconds));
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
      if (!ec) self->Read();  // else not TLS (plain HTTP), or the client left: dropped
    });
  }

 private:
  Socket& Lowest() { return beast::get_lowest_layer(stream_); }

  // The connection is closed unless its current step (handshake, reading a request,
  // writing an answer, closing) is done within `d`; a deadline passing while a handler
  // runs is put off. One timer per connection wakes at the deadline it was armed for and,
  // when the deadline has moved on since, waits again: moving it later costs a clock
  // read (a request costs no timer call), moving it earlier re-arms the timer. Beast's
  // timed stream armed and cancelled a timer for every socket operation instead.
  void ExpiresAfter(Clock::duration d) {
    const Clock::time_point previous = deadline_;
    deadline_ = Clock::now() + d;
    if (!timer_armed_ || deadline_ < previous) ArmTimer();
  }

  void ArmTimer() {
    timer_armed_ = true;
    timer_.expires_at(deadline_);  // a wait pending before ends as cancelled
    timer_.async_wait([weak = weak_from_this()](error_code ec) {
      auto self = weak.lock();
      if (self == nullptr || ec) return;  // gone, or waiting again
      const Clock::time_point now = Clock::now();
      if (self->handling_) {  // no deadline while a handler runs (it may take long: a solve)
        self->deadline_ = std::max(
            self->deadline_, now + std::chrono::seconds(self->t_.options.read_timeout_seconds));
      }
      if (now < self->deadline_) return self->ArmTimer();
      self->timer_armed_ = false;
      error_code ignored;
      self->Lowest().close(ignored);  // its pending operations end with an error
    });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(t_.options.max_body_bytes);
    ExpiresAfter(std::chrono::seconds(t_.options.read_timeout_seconds));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(error_code ec) {
    handling_ = true;  // until its answer is written
    req_ = Request();
    res_ = Response();
    res_.status = 200;  // unless the handler says otherwise
    if (ec) {
      // A malformed request is answered; a closed, reset or idle connection is not.
      if (ec == http::error::body_limit) return Fail(413);
      if (IsHttpError(ec) && ec != http::error::end_of_stream &&
          ec != http::error::partial_message) {
        return Fail(400);
      }
      return;
    }
    ToRequest(parser_->release(), req_);
    ++served_;
    keep_alive_ = parser_->keep_alive() && served_ < t_.options.keep_alive_requests;
    start_ = Clock::now();
    ++t_.busy;
    if (t_.callbacks.quick && t_.callbacks.quick(req_)) {
      Handle();
      Write();
      return;
    }
    net::post(t_.workers, [self = shared_from_this()] {
      self->Handle();

      net::post(self->stream_.get_executor(), [self] { self->Write(); });
    });
  }

  void Handle() {
    try {
      t_.callbacks.handle(req_, res_);
    } catch (...) {
      res_ = Response();
      t_.callbacks.error(500, res_);
    }
  }

  // Answers a request that could not be read, then closes.
  void Fail(int status) {
    req_.method = "-";
    req_.path = "-";
    keep_alive_ = false;
    draining_ = true;
    start_ = Clock::now();
    ++t_.busy;
    t_.callbacks.error(status, res_);
    Write();
  }

  void Write() {
    handling_ = false;
    if (t_.stopping) keep_alive_ = false;
    const std::string_view body =
        res_.shared_body ? std::string_view(*res_.shared_body) : std::string_view(res_.body);
    head_.clear();
    head_ += "HTTP/1.1 ";
    head_ += std::to_string(res_.status);
    head_ += ' ';
    const auto reason = http::obsolete_reason(static_cast<http::status>(res_.status));
    head_.append(reason.data(), reason.size());
    head_ += "\r\n";
    for (const auto& [name, value] : res_.headers) {
      if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Connection")) continue;
      head_ += name;
      head_ += ": ";
      head_ += value;
      head_ += "\r\n";
    }
    head_ += "Content-Length: ";
    head_ += std::to_string(body.size());
    head_ += keep_alive_ ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
    const std::string_view sent = req_.method == "HEAD" ? std::string_view() : body;
    if (BIO_wpending(SSL_get_wbio(stream_.native_handle())) != 0) {
      // TLS output of the stream's own still waits to go out (the stream sends it before
      // completing a read, so this is not expected): the answer follows it through the
      // stream, a record per socket write. One sequence of the two (Boost 1.74's
      // async_write of a std::array of two buffers through Beast's ssl_stream stops after
      // the first when they are not coalesced).
      ExpiresAfter(std::chrono::seconds(t_.options.write_timeout_seconds));
      net::async_write(stream_, beast::buffers_cat(net::buffer(head_), net::buffer(sent)),
                       [self = shared_from_this()](error_code ec, size_t) { self->OnWrite(ec); });
      return;
    }
    // The first record carries the head and the start of the body.
    const size_t first_body = std::min(sent.size(), kRecord - std::min(kRecord, head_.size()));
    head_.append(sent.data(), first_body);
    parts_[0] = head_;
    parts_[1] = sent.substr(first_body);
    part_ = 0;
    if (out_.capacity() < kRecord && !SpareBuffers().empty()) {
      out_ = std::move(SpareBuffers().back());
      SpareBuffers().pop_back();
    }
    WriteRecords();
  }

  // Encrypts up to kBatch bytes of what is left of parts_ into TLS records in out_ and
  // writes them to the socket in one go; again until all is written. Asio's TLS stream
  // would write each 16 KB record with a socket write of its own (and a wait for the
  // socket, and a timer update): a dozen for a list page.
  void WriteRecords() {
    out_.clear();
    SSL* ssl = stream_.native_handle();
    BIO* stream_bio = SSL_get_wbio(ssl);
    if (sink_ == nullptr) {
      sink_.reset(BIO_new(RecordSinkMethod()));
      BIO_set_data(sink_.get(), &out_);
      BIO_set_init(sink_.get(), 1);
    }
    // The records go to the sink, then the stream's own BIO is put back (references:
    // SSL_set0_wbio takes one of the BIO it is given and drops one of the BIO it had).
    BIO_up_ref(stream_bio);
    BIO_up_ref(sink_.get());
    SSL_set0_wbio(ssl, sink_.get());
    bool ok = true;
    size_t budget = kBatch;
    while (ok && budget > 0 && part_ < parts_.size()) {
      std::string_view& part = parts_[part_];
      if (part.empty()) {
        ++part_;
        continue;
      }
      size_t written = 0;
      ok = SSL_write_ex(ssl, part.data(), std::min(part.size(), budget), &written) == 1;
      part.remove_prefix(written);
      budget -= written;
    }
    SSL_set0_wbio(ssl, stream_bio);
    if (!ok) {
      ERR_clear_error();
      return OnWrite(net::error::make_error_code(net::error::broken_pipe));
    }
    if (out_.empty()) {
      ReleaseBuffer();
      return OnWrite({});
    }
    // The write timeout is for each batch: a slow client that keeps reading is served.
    ExpiresAfter(std::chrono::seconds(t_.options.write_timeout_seconds));
    net::async_write(Lowest(), net::buffer(out_),
                     [self = shared_from_this()](error_code ec, size_t) {
                       if (ec) {
                         self->ReleaseBuffer();
                         return self->OnWrite(ec);
                       }
                       self->WriteRecords();
                     });
  }

  // Hands the records' buffer to the I/O thread's spares (or frees it).
  void ReleaseBuffer() {
    if (SpareBuffers().size() < kSpareBuffers) {
      out_.clear();
      SpareBuffers().push_back(std::move(out_));
    }
    out_ = std::string();
  }

  void OnWrite(error_code ec) {
    if (t_.callbacks.log) {
      t_.callbacks.log(req_, res_,
                       std::chrono::duration<double, std::milli>(Clock::now() - start_).count());
    }
    --t_.busy;
    if (ec) return;
    if (keep_alive_) {
      Read();
      return;
    }
    if (draining_) {
      Drain();
      return;
    }
    ExpiresAfter(std::chrono::seconds(1));
    stream_.async_shutdown([self = shared_from_this()](error_code) {});
  }

  // After an answer sent before the request was read to its end: reads and drops what
  // the client still sends (for up to 2 s), so that closing with unread data does not
  // reset the connection before the client has read the answer.
  void Drain() {
    if (scratch_ == nullptr) {
      scratch_ = std::make_unique<char[]>(kScratch);
      ExpiresAfter(std::chrono::seconds(2));
    }
    stream_.async_read_some(net::buffer(scratch_.get(), kScratch),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (!ec) self->Drain();
                            });
  }

  static constexpr size_t kScratch = 16 * 1024;
  static constexpr size_t kRecord = 16 * 1024;  // TLS's largest record (plaintext)
  static constexpr size_t kBatch = 64 * 1024;   // plaintext encrypted per socket write
  static constexpr size_t kSpareBuffers = 4;    // per I/O thread
  struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
  };
  Transport::Impl& t_;
  beast::ssl_stream<Socket> stream_;
  Timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool timer_armed_ = false;
  bool handling_ = false;  // a handler has the request
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Request req_;
  Response res_;
  std::string head_;
  std::array<std::string_view, 2> parts_;  // what is left to encrypt: head_, then the body
  size_t part_ = 0;
  std::string out_;                     // TLS records being written
  std::unique_ptr<BIO, BioFree> sink_;  // appends to out_
  Clock::time_point start_;
  int served_ = 0;
  bool keep_alive_ = false;
  bool draining_ = false;
  std::unique_ptr<char[]> scratch_;
};

}  // namespace

void Transport::Impl::Accept() {
  net::io_context& target = *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(target, [this](error_code ec, Connection::Socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);  // the body must not wait for an ACK
      // Started on its own context's thread.
      auto connection = std::make_shared<Connection>(*this, std::move(socket));
      net::post(connection->executor(), [connection] { connection->Start(); });
    }
    Accept();
  });
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Transport::~Transport() { Stop(); }

StatusOr<std::unique_ptr<Transport>> Transport::Bind(const TransportOptions& options,
                                                     TransportCallbacks callbacks) {
  auto impl = std::make_unique<Impl>(options, std::move(callbacks));
  error_code ec;
  impl->tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::single_dh_use);
  impl->tls.use_certificate_chain_file(options.cert_file, ec);
  if (!ec) impl->tls.use_private_key_file(options.key_file, ssl::context::pem, ec);
  if (ec) {
    return InvalidArgumentError("cannot use the TLS certificate '" + options.cert_file +
                                "' and key '" + options.key_file + "': " + ec.message());
  }
  const std::string where = options.host + ":" + std::to_string(options.port);
  tcp::resolver resolver(*impl->contexts[0]);
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) return UnavailableError("cannot listen on " + where);
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("cannot listen on " + where + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

int Transport::port() const { return impl_->port; }

void Transport::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started || impl_->stopped) return;
  impl_->started = true;
  impl_->Accept();
  for (auto& ctx : impl_->contexts) {
    impl_->threads.emplace_back([ctx = ctx.get()] {
      for (;;) {
        try {
          ctx->run();
          return;
        } catch (const std::exception&) {
          // A handler failed outside a request (e.g. out of memory): keep serving.
        }
      }
    });
  }
}

void Transport::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->stopping = true;
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    error_code ec;
    impl->acceptor.close(ec);
  });
  // The requests being handled are answered (and their answers written) before the end.
  const auto deadline =
      Clock::now() + std::chrono::seconds(impl_->options.write_timeout_seconds + 1);
  while (impl_->busy > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  impl_->work.clear();
  for (auto& ctx : impl_->contexts) ctx->stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->workers.join();
}

}  // namespace renkei::server
