// The node's HTTPS transport: an event-driven HTTP/1.1 server over TLS (Boost.Asio and
// Boost.Beast, OpenSSL).
//
// A few I/O threads (one per CPU by default) run every connection's TLS handshake,
// reads and writes; a connection holds no thread while it waits for its next request.
// Each request is handed to the node's handler either on the I/O thread that read it
// (quick handlers that never block: answers from memory) or on a worker pool (anything
// that may wait for a lock, the store, a solver or a password hash); the answer is
// written back by the connection's I/O thread. A thread-per-connection server makes
// every keep-alive connection cost a thread and a context switch per request, which is
// where its latency tail comes from under many connections (bench/README.md, "HTTP API").
//
// Requests and responses are cpp-httplib's message types (the node's outgoing calls use
// its client), extended with path parameters and a shared body sent without a copy.
// What the transport answers itself: 400 for a request it cannot parse, 413 for a body
// over the limit (both then close the connection), and 500 when a handler throws; the
// bodies come from the `error` callback. Keep-alive: up to `keep_alive_requests` per
// connection, closed after `read_timeout_seconds` without a complete request, or when
// the client takes none of the answer's next 64 KB within `write_timeout_seconds`. Stop()
// stops accepting, lets the requests being handled finish (up to the write timeout), then
// closes every connection.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace renkei::server {

struct Request : httplib::Request {
  std::vector<std::string> path_params;  // set by the node's router
  // The route the node's router found for this request (with path_params), set once
  // by the quick callback so that `handle` does not look it up again; null: none.
  const void* route = nullptr;
  bool routed = false;  // the router has looked
};

struct Response : httplib::Response {
  // When set, the body: sent as it is, without a copy, and kept alive until sent (`body`
  // is then ignored).
  std::shared_ptr<const std::string> shared_body;
};

struct TransportOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string cert_file, key_file;
  int io_threads = 0;  // 0: one per CPU the process may run on (its affinity mask)
  int worker_threads = 16;
  size_t max_body_bytes = 8u << 20;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 10;
  int keep_alive_requests = 10000;
};

struct TransportCallbacks {
  // True when `handle` answers this request quickly without blocking: it then runs on the
  // I/O thread, else on the worker pool. Called first, on the I/O thread; it may note in
  // the request what it found (Request::route).
  std::function<bool(Request&)> quick;
  std::function<void(Request&, Response&)> handle;
  // Fills `res` with the error answer for `status` (400, 413, 500).
  std::function<void(int status, Response& res)> error;
  // Called once per answered request, after it is written; `ms` from the end of reading it.
  std::function<void(const Request&, const Response&, double ms)> log;
};

class Transport {
 public:
  // Loads the certificate and key, and binds; UnavailableError when the address is taken,
  // InvalidArgumentError when the certificate or key cannot be used.
  static StatusOr<std::unique_ptr<Transport>> Bind(const TransportOptions& options,
                                                   TransportCallbacks callbacks);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  int port() const;
  // Starts accepting on the I/O threads and returns.
  void Start();
  // Graceful stop (see above); idempotent. Returns when every thread has ended.
  void Stop();

  struct Impl;  // transport.cc

 private:
  explicit Transport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace renkei::server
