// A Renkei node's HTTPS API (DESIGN.md, "The node's API").
//
// Serves, over TLS only:
//   POST /auth/token                      OAuth2 client credentials (HTTP Basic)
//   GET  /.well-known/openid-configuration
//   GET  /2/footprints[?$filter=..&limit=] and /2/footprints/{id}   PACT v2.3
//   GET  /3/footprints[?productId=..&companyId=..&geography=..&classification=..
//        &validOn=..&validAfter=..&validBefore=..&status=..&limit=] and /3/footprints/{id}
//   POST /2/events, /3/events             CloudEvents (structured mode)
//   POST /api/v1/federation/messages      sealed questions from partners' nodes
//        (federation/receiver.h), answered with a sealed answer
//   /api/v1/...                           Renkei's network, risk and footprint API; the
//        OpenAPI document at /api/v1/openapi.json (server/openapi.h) lists every route,
//        and the node serves exactly the routes it lists
//   GET  / and other paths                the dashboard's files from NodeOptions::web_dir
// Everything but the token endpoint, the two discovery documents and the dashboard's
// files needs a bearer token. A client sees the records of its own organization and
// those granted to it (store/node_records.h); admin clients see everything. Risk
// analyses run on the whole network; entries naming a site or product the client may
// not see are left out of their results.
//
// The risk analyses of the served snapshot (criticality, the TTS table) are computed
// on first use and kept until the snapshot is rebuilt after an import; so are the
// footprint list pages served (per query and what the caller may see; 64 MB at most).
//
// Footprints served carry a signature (trust/document_signature.h), made with the
// owning organization's key when the node holds one. Footprints received
// (RequestFulfilled events) are checked as a bundle's are
// (trust::CheckReceivedDocument) before they are stored; one that fails rejects the whole
// event.
//
// Thread-safety: Start, Stop and RequestFootprints may be called from any thread.
#ifndef RENKEI_SERVER_NODE_H_
#define RENKEI_SERVER_NODE_H_

#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "federation/registry.h"
#include "store/store.h"

namespace renkei::server {

struct NodeOptions {
  std::string host = "127.0.0.1";
  int port = 8443;  // 0: any free port
  // The node's address as partners reach it, "https://HOST[:PORT]": the base of every
  // link it gives (Link pages, the OpenID issuer and token endpoint, the JWKS and
  // OpenAPI URLs, event sources). A request's Host header never shapes a link. Empty:
  // https://host:port, allowed only when `host` is a loopback address (Start fails
  // with InvalidArgument otherwise).
  std::string public_url;
  std::string cert_file;
  std::string key_file;
  size_t max_body_bytes = 8u << 20;
  int token_lifetime_seconds = 3600;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 10;
  // I/O threads (TLS, reading and writing every connection; the PACT footprint
  // reads are answered on them); 0: one per CPU the process may run on.
  int io_threads = 0;
  // Worker threads for every other request (they may wait for the store, a solver or
  // a password hash): how many such requests run at once.
  int threads = 16;
  // Requests served on one connection before it is closed.
  int keep_alive_requests = 10000;
  // Delivery of events to partners: attempts and the first wait, doubled each time.
  int delivery_attempts = 8;
  int delivery_first_wait_ms = 500;
  // How long a request ?as_of= an earlier version waits for its snapshot to be
  // built before it is answered 202 with the progress (the build goes on).
  int as_of_wait_ms = 2000;
  // One line per request, written in batches by a thread of the node (at most 0.1 s
  // after the request, and at Stop); nullptr: silent.
  FILE* log = stderr;
  // The dashboard's built files (index.html, assets/...); empty: GET / answers 404.
  std::string web_dir;
  // Adds the kinds of federation question the node answers beyond the built-in ones
  // (federation/kinds.h); may be empty.
  std::function<Status(federation::Registry&)> add_federation_kinds;
};

class Node {
 public:
  // Loads the store, builds the served snapshot and starts listening. Unavailable
  // when the address cannot be bound; InvalidArgument for unreadable TLS files.
  static StatusOr<std::unique_ptr<Node>> Start(std::unique_ptr<store::Store> store,
                                               const NodeOptions& options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  int port() const;
  // "https://127.0.0.1:8443"
  std::string url() const;

  // Stops accepting requests, finishes those in flight and the delivery worker.
  void Stop();
  // Blocks until Stop() is called (from another thread or a signal handler thread).
  void Wait();

  // Sends a PF Request Event (ProductFootprintRequest.Created) with `criteria` (the
  // v3 filter object: productId, companyId, ...) to the partner `organization`
  // (store/node_records.h Partner) in the background; returns the event id.
  // NotFound when no partner endpoint is configured for it.
  StatusOr<std::string> RequestFootprints(const std::string& organization,
                                          const nlohmann::json& criteria);

  // The routes the node serves, "get /api/v1/sites", ...; each is an operation of
  // the OpenAPI document (Start fails with Internal otherwise).
  static std::vector<std::string> Routes();

  class Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace renkei::server

#endif  // RENKEI_SERVER_NODE_H_
