// The node's start and stop, the store's change feed it follows, and its route table
// (every route an operation of the OpenAPI document, looked up once per request).
#include "server/internal/node_impl.h"

namespace renkei::server {
namespace {

// How often the node looks at the store's change feed.
constexpr auto kWatchInterval = std::chrono::milliseconds(100);

using R = const Request&;
using W = Response&;

// One route the node serves; every one is an operation of the OpenAPI document.
struct Route {
  const char* method;                              // "get" or "post", as in the document
  const char* path;                                // the document's path template
  void (*handle)(Node::Impl& node, R req, W res);  // null for /api/v1 operations
  Node::Impl::ApiHandler api = nullptr;
  // Answered on the I/O thread: reads of the snapshot's caches that never wait
  // (no store, solver or password hash), which partners poll.
  bool quick = false;
};

const std::vector<Route>& RouteTable() {
  using I = Node::Impl;
  static const std::vector<Route> routes = {
      {"post", "/auth/token", [](I& n, R q, W s) { n.Token(q, s); }},
      {"get", "/.well-known/openid-configuration", [](I& n, R q, W s) { n.OpenId(q, s); }},
      {"get", "/2/footprints", [](I& n, R q, W s) { n.ListFootprints(2, q, s); }, nullptr, true},
      {"get", "/3/footprints", [](I& n, R q, W s) { n.ListFootprints(3, q, s); }, nullptr, true},
      {"get", "/2/footprints/{id}",
       [](I& n, R q, W s) { n.GetFootprint(2, q.path_params[0], q, s); }, nullptr, true},
      {"get", "/3/footprints/{id}",
       [](I& n, R q, W s) { n.GetFootprint(3, q.path_params[0], q, s); }, nullptr, true},
      {"post", "/2/events", [](I& n, R q, W s) { n.Events(2, q, s); }},
      {"post", "/3/events", [](I& n, R q, W s) { n.Events(3, q, s); }},
      {"post", "/api/v1/federation/messages", [](I& n, R q, W s) { n.FederationMessage(q, s); }},
      {"get", "/api/v1/openapi.json",
       [](I& n, R, W s) {
         s.set_content(OpenApiDocument(n.BaseUrl()).dump(2), "application/json");
       }},
      {"get", "/api/v1/network", nullptr, &I::ApiNetwork},
      {"get", "/api/v1/overview", nullptr, &I::ApiOverview},
      {"get", "/api/v1/sites", nullptr, &I::ApiSites},
      {"get", "/api/v1/sites/{site}", nullptr, &I::ApiSite},
      {"get", "/api/v1/products", nullptr, &I::ApiProducts},
      {"get", "/api/v1/tiers", nullptr, &I::ApiTiers},
      {"get", "/api/v1/spofs", nullptr, &I::ApiSpofs},
      {"get", "/api/v1/tts", nullptr, &I::ApiTts},
      {"post", "/api/v1/scenarios", nullptr, &I::ApiScenarios},
      {"get", "/api/v1/keys", nullptr, &I::ApiKeys},
      {"get", "/api/v1/events", nullptr, &I::ApiEvents},
      {"get", "/api/v1/products/{product}/footprint", nullptr, &I::ApiFootprint},
      {"get", "/api/v1/products/{product}/circularity", nullptr, &I::ApiCircularity},
      {"get", "/api/v1/products/{product}/passport", nullptr, &I::ApiPassport},
      {"get", "/api/v1/products/{product}/concentration", nullptr, &I::ApiConcentration},
      {"post", "/api/v1/bundles", nullptr, &I::ApiBundles},
      {"put", "/api/v1/bundles", nullptr, &I::ApiPutBundles},
      {"delete", "/api/v1/rows/{table}/{key}", nullptr, &I::ApiDeleteRows},
      {"get", "/api/v1/versions", nullptr, &I::ApiVersions},
      {"get", "/api/v1/diff", nullptr, &I::ApiDiff},
      {"post", "/api/v1/requests", nullptr, &I::ApiRequests},
  };
  return routes;
}

// Internal when the route table and the OpenAPI document disagree.
Status CheckRoutesDocumented() {
  std::set<std::string> documented, handled;
  for (const Operation& op : DocumentedOperations()) documented.insert(op.method + " " + op.path);
  for (const Route& r : RouteTable()) handled.insert(std::string(r.method) + " " + r.path);
  for (const std::string& h : handled) {
    if (!documented.count(h))
      return InternalError("route '" + h + "' is not in the OpenAPI document");
  }
  for (const std::string& d : documented) {
    if (!handled.count(d)) return InternalError("operation '" + d + "' has no handler");
  }
  return Status::Ok();
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

// NodeOptions::public_url checked, without a trailing "/", or https://host:port for a
// loopback host.
StatusOr<std::string> PublicUrl(const NodeOptions& options, int port) {
  if (options.public_url.empty()) {
    if (!IsLoopback(options.host)) {
      return InvalidArgumentError(
          "--public-url: required when listening on '" + options.host +
          "' (not a loopback address): the https://HOST[:PORT] partners reach the node at");
    }
    return "https://" + options.host + ":" + std::to_string(port);
  }
  std::string url = options.public_url;
  if (!url.empty() && url.back() == '/') url.pop_back();
  static const std::regex re(R"(^https://[A-Za-z0-9.\-]+(\[[0-9A-Fa-f:]+\])?(:[0-9]{1,5})?$)");
  static const std::regex v6(R"(^https://\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?$)");
  if (!std::regex_match(url, re) && !std::regex_match(url, v6)) {
    return InvalidArgumentError("--public-url: expected https://HOST[:PORT], got '" +
                                options.public_url + "'");
  }
  return url;
}

}  // namespace

// The query parameters the document gives an operation.
const std::set<std::string>& QueryParameters(const std::string& method, const std::string& path) {
  static const std::map<std::string, std::set<std::string>> params = [] {
    std::map<std::string, std::set<std::string>> out;
    for (const Operation& op : DocumentedOperations()) {
      out[op.method + " " + op.path] = {op.query.begin(), op.query.end()};
    }
    return out;
  }();
  static const std::set<std::string> none;
  auto it = params.find(method + " " + path);
  return it == params.end() ? none : it->second;
}

Status Node::Impl::Rebuild() { return Swap(*store_); }

Status Node::Impl::Swap(store::Store& store) {
  RENKEI_ASSIGN_OR_RETURN(auto snap, BuildSnapshot(store));
  RENKEI_RETURN_IF_ERROR(ReloadAccess(store));
  return SwapIn(std::move(snap));
}

Status Node::Impl::SwapIn(model::Model model, int64_t change) {
  RENKEI_ASSIGN_OR_RETURN(auto snap, BuildSnapshot(*store_, std::move(model), change));
  return SwapIn(std::move(snap));
}

Status Node::Impl::SwapIn(std::shared_ptr<const Snapshot> snap) {
  for (const std::string& w : snap->warnings) log_.Add("warning: ", w + "\n");
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  if (snapshot_ == nullptr || snapshot_->change <= snap->change) snapshot_ = std::move(snap);
  return Status::Ok();
}

Status Node::Impl::ReloadAccess(store::Store& store) {
  auto access = std::make_shared<Access>();
  RENKEI_ASSIGN_OR_RETURN(access->grants, ListGrants(store));
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  access->generation = access_ == nullptr ? 1 : access_->generation + 1;
  access_ = std::move(access);
  return Status::Ok();
}

void Node::Impl::WatchLoop(std::unique_ptr<store::Store> store,
                           std::unique_ptr<store::ChangeFeed> feed) {
  std::unique_lock<std::mutex> lock(watch_mu_);
  std::string last_warning;  // said once, not at every poll while it lasts
  while (!watch_cv_.wait_for(lock, kWatchInterval, [this] { return watch_stop_; })) {
    lock.unlock();
    StatusOr<std::vector<store::Change>> changes = feed->Poll();
    bool model = false, keys = false, grants = false, clients = false;
    if (!changes.ok()) {
      if (changes.status().message() != last_warning) {
        last_warning = changes.status().message();
        log_.Add("warning: change feed: ", last_warning + "\n");
      }
    } else {
      last_warning.clear();
      for (const store::Change& c : *changes) {
        model |= c.kind == "model" && c.seq > snapshot()->change;
        keys |= c.kind == "keys";
        grants |= c.kind == "grants";
        clients |= c.kind == "clients";
      }
    }
    std::vector<Status> results;
    if (clients) results.push_back(ReloadClients(*store));
    if (model || keys) {
      results.push_back(Swap(*store));
    } else if (grants) {
      results.push_back(ReloadAccess(*store));
    }
    for (const Status& s : results) {
      if (!s.ok()) log_.Add("warning: applying the store's changes: ", s.message() + "\n");
    }
    lock.lock();
  }
}

Status Node::Impl::Start() {
  std::string secrets_key;
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    // Tokens are signed with a key derived from the store's secrets key, so that
    // every process serving the store accepts them (trust/access_token.h).
    RENKEI_ASSIGN_OR_RETURN(secrets_key, store_->SecretsKeyPath());
    RENKEI_ASSIGN_OR_RETURN(trust::SealingKey key, trust::LoadOrCreateSealingKey(secrets_key));
    RENKEI_ASSIGN_OR_RETURN(token_key_, trust::DeriveTokenKey(key));
    RENKEI_RETURN_IF_ERROR(ReloadClients(*store_));
    RENKEI_RETURN_IF_ERROR(Rebuild());
  }
  RENKEI_RETURN_IF_ERROR(CheckRoutesDocumented());
  RENKEI_RETURN_IF_ERROR(federation::AddBuiltInKinds(kinds_));
  if (options_.add_federation_kinds) RENKEI_RETURN_IF_ERROR(options_.add_federation_kinds(kinds_));
  TransportOptions transport;
  transport.host = options_.host;
  transport.port = options_.port;
  transport.cert_file = options_.cert_file;
  transport.key_file = options_.key_file;
  transport.io_threads = options_.io_threads;
  transport.worker_threads = std::max(1, options_.threads);
  transport.max_body_bytes = options_.max_body_bytes;
  transport.read_timeout_seconds = options_.read_timeout_seconds;
  transport.write_timeout_seconds = options_.write_timeout_seconds;
  transport.keep_alive_requests = std::max(1, options_.keep_alive_requests);

  auto router = std::make_shared<const Router<Route>>(RouteTable());
  TransportCallbacks callbacks;
  // Routes marked quick (the PACT footprint reads) run on the I/O threads; everything
  // else may wait (store, solver, password hash) and runs on the workers.
  // The route is looked up once, here, and noted in the request for `handle`.
  callbacks.quick = [router](Request& req) {
    const Route* route = router->Find(req.method, req.path, req.path_params);
    req.route = route;
    req.routed = true;
    return route != nullptr && route->quick;
  };
  callbacks.handle = [this, router](Request& req, Response& res) {
    if (auto part = IllFormedPart(req)) {
      return SendError(res,
                       BadRequest(*part + " is not well-formed UTF-8 (after percent-decoding)"));
    }
    const Route* route = req.routed ? static_cast<const Route*>(req.route)
                                    : router->Find(req.method, req.path, req.path_params);
    if (route == nullptr) {
      if (req.method == "GET" || req.method == "HEAD") return Static(req, res);
      return SendError(res, {404, "NotFound", "no such endpoint"});
    }
    if (route->api != nullptr) {
      Api(req, res, route->method, route->path, route->api);
    } else {
      route->handle(*this, req, res);
    }
    CompressResponse(req, res);
  };
  callbacks.error = [](int status, Response& res) {
    if (status == 413) {
      SendError(res, {413, "BadRequest", "request body too large"});
    } else if (status >= 500) {
      SendError(res, {status, "InternalError", "An internal or unexpected error has occurred"});
    } else {
      SendError(res, {status, "BadRequest", "malformed HTTP request"});
    }
  };
  if (options_.log != nullptr) {
    callbacks.log = [this](const Request& req, const Response& res, double ms) {
      char line[96];
      const int n = std::snprintf(line, sizeof line, " %d %.2fms\n", res.status, ms);
      log_.Add(req.method + " " + req.path, std::string_view(line, static_cast<size_t>(n)));
    };
  }
  RENKEI_ASSIGN_OR_RETURN(transport_, Transport::Bind(transport, std::move(callbacks)));
  port_ = transport_->port();
  RENKEI_ASSIGN_OR_RETURN(public_url_, PublicUrl(options_, port_));
  // The watcher reads the store on a connection of its own, so that building a
  // snapshot of another process's import never holds store_mu_.
  RENKEI_ASSIGN_OR_RETURN(auto feed, store::ChangeFeed::Open(store_->path()));
  RENKEI_ASSIGN_OR_RETURN(auto watch_store, store::Store::Open(store_->path()));
  watch_store->set_secrets_key(secrets_key);
  log_.Start();
  worker_ = std::thread([this] { DeliveryLoop(); });
  watcher_ = std::thread([this, s = std::move(watch_store), f = std::move(feed)]() mutable {
    WatchLoop(std::move(s), std::move(f));
  });
  if (!options_.web_dir.empty()) static_thread_ = std::thread([this] { WarmStaticCache(); });
  transport_->Start();
  return Status::Ok();
}

void Node::Impl::Stop() {
  {
    // Background work is told first, so that it winds down while requests finish.
    std::lock_guard<std::mutex> lock(tts_mu_);
    if (tts_snapshot_ != nullptr) tts_snapshot_->analyses->tts.cancel = true;
  }
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    watch_stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  if (transport_ != nullptr) transport_->Stop();
  StopTts();
  StopVersionBuilds();
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  log_.Stop();
  static_stop_ = true;
  if (static_thread_.joinable()) static_thread_.join();
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopped_ = true;
  }
  stop_cv_.notify_all();
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { impl_->Stop(); }

StatusOr<std::unique_ptr<Node>> Node::Start(std::unique_ptr<store::Store> store,
                                            const NodeOptions& options) {
  auto impl = std::make_unique<Impl>(std::move(store), options);
  RENKEI_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

int Node::port() const { return impl_->port(); }
std::vector<std::string> Node::Routes() {
  std::vector<std::string> out;
  for (const Route& r : RouteTable()) out.push_back(std::string(r.method) + " " + r.path);
  return out;
}
std::string Node::url() const { return impl_->url(); }
void Node::Stop() { impl_->Stop(); }
void Node::Wait() { impl_->Wait(); }
StatusOr<std::string> Node::RequestFootprints(const std::string& organization,
                                              const nlohmann::json& criteria) {
  return impl_->RequestFootprints(organization, Json::parse(criteria.dump()));
}

}  // namespace renkei::server
