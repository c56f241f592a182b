// The node's internals shared by its source files (node.cc: start, stop, the change
// feed and the route table; node_auth.cc: OAuth2 and tokens; node_pact.cc: PACT
// v2/v3 footprints and events; node_api.cc: /api/v1; node_federation.cc: messages
// from other nodes; node_snapshot.cc: what readers see; node_static.cc: the
// dashboard's files). Not for use outside server/.
#ifndef RENKEI_SERVER_INTERNAL_NODE_IMPL_H_
#define RENKEI_SERVER_INTERNAL_NODE_IMPL_H_

#include "server/node.h"
#include "server/request_log.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside std::regex's std::function
// (GCC bug 105562); it is silenced for that header, which httplib.h includes too, so it
// comes first.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

#include <httplib.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/utf8.h"
#include "federation/client.h"
#include "federation/kinds.h"
#include "federation/receiver.h"
#include "federation/registry.h"
#include "federation/replay_cache.h"
#include "footprint/circularity.h"
#include "footprint/passport.h"
#include "footprint/report.h"
#include "footprint/roll_up.h"
#include "io/bundle.h"
#include "model/builder.h"
#include "model/units.h"
#include "network/network.h"
#include "pact/footprint_row.h"
#include "pact/product_footprint.h"
#include "risk/concentration.h"
#include "risk/criticality.h"
#include "risk/events.h"
#include "risk/report.h"
#include "risk/tiers.h"
#include "risk/time_to_survive.h"
#include "server/compress.h"
#include "server/openapi.h"
#include "server/pact_criteria.h"
#include "server/router.h"
#include "store/changes.h"
#include "store/import.h"
#include "store/node_records.h"
#include "trust/access_token.h"
#include "trust/document_signature.h"

namespace renkei::server {

using Json = nlohmann::ordered_json;
using store::AcceptsUnsignedFootprints;
using store::AuthenticateClient;
using store::Client;
using store::EventRecord;
using store::FindSentEvent;
using store::GetPartner;
using store::ListClients;
using store::ListEvents;
using store::ListGrants;
using store::MarginCurrency;
using store::OrganizationKeys;
using store::Partner;
using store::RecordEvent;
using store::SetEventState;
using Clock = std::chrono::steady_clock;

// The PACT events, and their CloudEvents types in v2.3 and v3.0.
enum class EventKind { kPublished, kRequestCreated, kRequestFulfilled, kRequestRejected };

inline const char* EventType(EventKind kind, int version) {
  static constexpr const char* kV2[] = {"org.wbcsd.pathfinder.ProductFootprint.Published.v1",
                                        "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
                                        "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1",
                                        "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1"};
  static constexpr const char* kV3[] = {"org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
                                        "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
                                        "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
                                        "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"};
  return (version == 2 ? kV2 : kV3)[static_cast<int>(kind)];
}

// The kind of a received event's type, of either version (a v3 host may be sent v2
// events by an older partner, and the reverse).
inline std::optional<EventKind> KindOfEventType(const std::string& type) {
  for (EventKind k : {EventKind::kPublished, EventKind::kRequestCreated,
                      EventKind::kRequestFulfilled, EventKind::kRequestRejected}) {
    if (type == EventType(k, 2) || type == EventType(k, 3)) return k;
  }
  return std::nullopt;
}

// Answers are dumped with ill-formed UTF-8 replaced (U+FFFD), so that text that came
// from outside can never make printing throw.
inline std::string Dump(const Json& body) {
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

inline void SendError(Response& res, const ApiError& e) {
  res.status = e.status;
  res.set_content(Dump(Json{{"code", e.code}, {"message", e.message}}), "application/json");
}

inline void SendJson(Response& res, const Json& body, int status = 200) {
  res.status = status;
  res.set_content(Dump(body), "application/json");
}

// The first part of a request that is not well-formed UTF-8 (its path, a query or
// form parameter), for the 400 that names it; nullopt when all are.
inline std::optional<std::string> IllFormedPart(const Request& req) {
  if (!IsValidUtf8(req.path)) return "the path";
  for (const auto& [name, value] : req.params) {
    if (!IsValidUtf8(name)) return "a parameter name";
    if (!IsValidUtf8(value)) return "parameter '" + name + "'";
  }
  return std::nullopt;
}

// 8-4-4-4-12 hex digits; checked on every footprint read, so not with std::regex.
inline bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

inline std::string PercentEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

inline std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

// One footprint as served: its document (signed) and who may see it.
struct Served {
  pact::ProductFootprint pf;
  std::string body;  // the JSON served, with the signature extension
  std::string one;   // {"data":<body>}: the response to GET .../footprints/{id}
  model::Index owner = model::kNoIndex;
  model::Index product = model::kNoIndex;
};

// The TTS table of a snapshot (every site down for its recovery days): one LP pair
// per site, which takes minutes on a large network, so it is computed in the
// background (Node::Impl::TtsTableOf) and requests never wait for it long.
struct TtsTable {
  enum class State { kIdle, kRunning, kDone };
  mutable std::mutex mu;
  std::condition_variable cv;
  State state = State::kIdle;  // GUARDED_BY(mu)
  size_t done = 0, total = 0;  // GUARDED_BY(mu): scenarios solved, in all
  std::optional<StatusOr<std::vector<risk::ScenarioResult>>> results;  // set once kDone
  std::vector<uint8_t> exposed;                                        // per site, set once kDone
  std::atomic<bool> cancel{false};  // the snapshot was replaced or the node stops
};

// Analyses of a snapshot's whole network, computed lazily; std::call_once makes
// the first computation thread-safe and later readers wait for it.
struct Analyses {
  std::once_flag criticality_once;
  std::unique_ptr<risk::Criticality> criticality;
  TtsTable tts;
};

// A built footprint list page, its Link header ("" on the last page) and the
// encoding of its body.
struct Page {
  std::string body;
  std::string link;
  Encoding encoding = Encoding::kIdentity;
};

// List pages of one snapshot by (version, what the caller may see, query, base URL):
// a page's bytes do not change until the next import. Bounded in bytes; emptied
// when full. Thread-safe.
class PageCache {
 public:
  std::shared_ptr<const Page> Find(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pages_.find(key);
    return it == pages_.end() ? nullptr : it->second;
  }
  void Add(const std::string& key, std::shared_ptr<const Page> page) {
    const size_t size = key.size() + page->body.size() + page->link.size();
    if (size > kMaxBytes / 4) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (bytes_ + size > kMaxBytes) {
      pages_.clear();
      bytes_ = 0;
    }
    if (pages_.emplace(key, std::move(page)).second) bytes_ += size;
  }

 private:
  static constexpr size_t kMaxBytes = 64u << 20;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Page>> pages_;  // GUARDED_BY(mu_)
  size_t bytes_ = 0;                                                    // GUARDED_BY(mu_)
};

// What readers see; rebuilt after each committed change and swapped in whole.
struct Snapshot {
  model::Model model;
  std::vector<Served> v2, v3;
  // Footprint id -> position in v2 / v3 (the first one served with that id).
  std::unordered_map<std::string, size_t> v2_ids, v3_ids;
  mutable PageCache pages;
  int64_t change = 0;  // the store's last change (store/changes.h) when it was built
  std::map<std::string, std::string> public_keys;  // organization -> base64url
  std::map<std::string, trust::KeyPair> own_keys;
  bool have_network = false;
  footprint::NetworkFootprint network;
  std::vector<model::Index> product_owner;  // OwnerOf each product
  // The risk snapshot of `model` (which it borrows); null when it cannot be built.
  std::unique_ptr<network::Network> graph;
  std::string graph_error;  // why `graph` is null
  // Analyses of the whole graph, each computed at most once (Node::Impl).
  std::unique_ptr<Analyses> analyses = std::make_unique<Analyses>();
  // What could not be used of the store (logged when the snapshot is swapped in).
  std::vector<std::string> warnings;
};

// The snapshot of an earlier version being built for ?as_of= (node_edits.cc).
struct VersionBuild {
  int64_t version = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;                            // GUARDED_BY(mu)
  Status status;                                // GUARDED_BY(mu); once done
  std::shared_ptr<const Snapshot> snap;         // GUARDED_BY(mu); once done and ok
  std::string stage = "waiting for the store";  // GUARDED_BY(mu)
  uint64_t rows = 0, total = 0;                 // GUARDED_BY(mu); of the stage
};

// Who may see which products (store/node_records.h grants), swapped in whole when
// any process changes the grants; `generation` tells the versions apart.
struct Access {
  std::map<std::string, std::vector<std::string>> grants;  // organization -> product ids
  uint64_t generation = 0;
};

struct Caller {
  Client client;
  model::Index organization = model::kNoIndex;
  std::shared_ptr<const Access> access;  // as of the request's authorisation
};

inline model::Index OwnerOf(const model::Model& m, model::Index product) {
  model::Index org = m.products[product].organization;
  if (org != model::kNoIndex) return org;
  for (const model::Production& node : m.production) {
    if (node.product == product) return m.sites[node.site].organization;
  }
  return model::kNoIndex;
}

inline model::Index ProductOf(const model::Model& m, const pact::ProductFootprint& pf) {
  for (const std::string& urn : pf.product_ids) {
    if (urn.rfind("urn:renkei:", 0) == 0) {
      const model::Index p = m.FindProduct(urn.substr(11));
      if (p != model::kNoIndex) return p;
    }
    for (model::Index p = 0; p < m.products.size(); ++p) {
      const auto& ids = m.products[p].pact_product_ids;
      if (std::find(ids.begin(), ids.end(), urn) != ids.end()) return p;
    }
  }
  return model::kNoIndex;
}

inline bool MaySee(const Snapshot& s, const Caller& c, model::Index product, model::Index owner) {
  if (c.client.admin) return true;
  if (owner != model::kNoIndex && owner == c.organization) return true;
  auto g = c.access->grants.find(c.client.organization);
  if (g == c.access->grants.end() || product == model::kNoIndex) return false;
  for (const std::string& p : g->second) {
    if (p == "*" || p == s.model.products[product].id) return true;
  }
  return false;
}

// What one caller may see of a snapshot: products it may read (MaySee), sites of
// its organization or making such a product, organizations with such a site. Built
// per request in O(model); admin clients see everything.
class View {
 public:
  View(const Snapshot& s, const Caller& c) : all_(c.client.admin) {
    if (all_) return;
    const model::Model& m = s.model;
    product_.resize(m.products.size());
    site_.resize(m.sites.size());
    organization_.resize(m.organizations.size());
    for (model::Index p = 0; p < m.products.size(); ++p) {
      product_[p] = MaySee(s, c, p, s.product_owner[p]);
    }
    for (model::Index i = 0; i < m.sites.size(); ++i) {
      site_[i] = m.sites[i].organization == c.organization;
    }
    for (const model::Production& node : m.production) {
      if (product_[node.product]) site_[node.site] = 1;
    }
    for (model::Index i = 0; i < m.sites.size(); ++i) {
      if (site_[i]) organization_[m.sites[i].organization] = 1;
    }
    if (c.organization != model::kNoIndex) organization_[c.organization] = 1;
  }
  bool all() const { return all_; }
  bool product(model::Index p) const { return all_ || (p < product_.size() && product_[p]); }
  bool site(model::Index s) const { return all_ || (s < site_.size() && site_[s]); }
  bool organization(model::Index o) const {
    return all_ || (o < organization_.size() && organization_[o]);
  }
  bool vertex(const network::Network& n, network::Index v) const {
    return site(n.site(v)) && product(n.product(v));
  }

 private:
  bool all_;
  std::vector<uint8_t> product_, site_, organization_;
};

// One authorised /api/v1 request.
struct ApiCall {
  const Request& req;
  Response& res;
  const Caller& caller;
  const Snapshot& snap;
  const View& view;
  const std::shared_ptr<const Snapshot>& shared;  // owns snap
};

// What readers see of `store` now: its model, the footprints served (computed and
// received, signed), the keys; what cannot be used is left out and named in
// `warnings` (node_snapshot.cc).
StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(store::Store& store);
// The same of `model`, which `store` holds as of `change` (a commit this process just
// made: the model is not read again).
StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(store::Store& store, model::Model model,
                                                        int64_t change);

// The query parameters the OpenAPI document gives an operation (node.cc).
const std::set<std::string>& QueryParameters(const std::string& method, const std::string& path);

class Node::Impl {
 public:
  Impl(std::unique_ptr<store::Store> store, const NodeOptions& options)
      : store_(std::move(store)), options_(options) {}

  Status Start();
  void Stop();
  void Wait() {
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait(lock, [this] { return stopped_; });
  }
  int port() const { return port_; }
  std::string url() const {
    return "https://" + (options_.host == "0.0.0.0" ? std::string("127.0.0.1") : options_.host) +
           ":" + std::to_string(port_);
  }
  StatusOr<std::string> RequestFootprints(const std::string& organization, const Json& criteria);

  // Routes (RouteTable below).
  void Token(const Request& req, Response& res);
  void OpenId(const Request& req, Response& res);
  void ListFootprints(int version, const Request& req, Response& res);
  void GetFootprint(int version, const std::string& id, const Request& req, Response& res);
  // The page of `c`'s footprints `caller` may see, from `offset`, at most `limit` (0: all).
  Page BuildPage(const Snapshot& snap, const Caller& caller, int version, const Criteria& c,
                 size_t limit, size_t offset, const Request& req) const;
  void Events(int version, const Request& req, Response& res);
  // POST /api/v1/federation/messages: a sealed question from a partner's node.
  void FederationMessage(const Request& req, Response& res);
  // /api/v1: authorises, checks the query parameters against the document and runs
  // `handler`.
  using ApiHandler = void (Impl::*)(ApiCall&);
  void Api(const Request& req, Response& res, const char* method, const char* path,
           ApiHandler handler);
  void ApiNetwork(ApiCall& c);
  void ApiOverview(ApiCall& c);
  void ApiSites(ApiCall& c);
  void ApiSite(ApiCall& c);
  void ApiProducts(ApiCall& c);
  void ApiTiers(ApiCall& c);
  void ApiSpofs(ApiCall& c);
  void ApiTts(ApiCall& c);
  void ApiScenarios(ApiCall& c);
  void ApiKeys(ApiCall& c);
  void ApiEvents(ApiCall& c);
  void ApiFootprint(ApiCall& c);
  void ApiCircularity(ApiCall& c);
  void ApiPassport(ApiCall& c);
  void ApiConcentration(ApiCall& c);
  void ApiBundles(ApiCall& c);
  void ApiPutBundles(ApiCall& c);  // node_edits.cc
  void ApiDeleteRows(ApiCall& c);
  void ApiVersions(ApiCall& c);
  void ApiDiff(ApiCall& c);
  // The snapshot of the version `as_of` names (store::Store::VersionAt), from a
  // small cache of earlier versions, or built in the background: when that takes
  // longer than options_.as_of_wait_ms, nullptr, and `progress` says how far it
  // is ({"state": "building", "version", "stage", "done", "total"}; answered with
  // 202). InvalidArgument for a bad `as_of`; Unavailable while as many versions
  // as the cache holds are being built.
  StatusOr<std::shared_ptr<const Snapshot>> SnapshotAsOf(const std::string& as_of, Json* progress);
  // Sends what SnapshotAsOf said for parameter `name` unless it gave a snapshot:
  // 202 with the progress, or the error. True when it sent an answer.
  bool SentVersionAnswer(Response& res, const char* name,
                         const StatusOr<std::shared_ptr<const Snapshot>>& snap,
                         const Json& progress);
  void StopVersionBuilds();
  void ApiRequests(ApiCall& c);
  // The dashboard's files from options_.web_dir.
  void Static(const Request& req, Response& res);

  // The analyses of a snapshot whose graph is built, computed on first use.
  const risk::Criticality& CriticalityOf(const Snapshot& s);
  // The snapshot's TTS table once computed, else nullptr after waiting up to
  // `wait`; the first call starts the computation in the background.
  const TtsTable* TtsTableOf(const std::shared_ptr<const Snapshot>& s,
                             std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  void StopTts();

  // The caller of a request with a valid bearer token, or the error sent.
  std::optional<Caller> Authorize(const Request& req, Response& res);
  std::shared_ptr<const Snapshot> snapshot() const {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    return snapshot_;
  }
  std::shared_ptr<const Access> access() const {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    return access_;
  }
  Status Rebuild();  // requires store_mu_ held
  // Builds a snapshot of `store` and swaps it in (unless a newer one was meanwhile).
  Status Swap(store::Store& store);
  // Swaps in a snapshot of `model`, which store_ holds as of `change` (a commit just
  // made through store_); requires store_mu_ held.
  Status SwapIn(model::Model model, int64_t change);
  Status SwapIn(std::shared_ptr<const Snapshot> snap);
  // Reads the grants of `store` and swaps them in.
  Status ReloadAccess(store::Store& store);
  // Reads the active clients of `store` and swaps them in: a token is honoured
  // only while its client is among them.
  Status ReloadClients(store::Store& store);
  // Whether client `id` is among the active clients.
  bool IsActiveClient(const std::string& id);
  // Follows the store's change feed (store/changes.h) until Stop: what any process
  // commits is applied here within kWatchInterval.
  void WatchLoop(std::unique_ptr<store::Store> store, std::unique_ptr<store::ChangeFeed> feed);
  // The base of every link the node gives (NodeOptions::public_url), set by Start.
  const std::string& BaseUrl() const { return public_url_; }

  // Event delivery to partners, in the worker thread.
  struct Delivery {
    std::string organization;
    int version = 3;
    int64_t seq = 0;  // of the events row
    Json event;
  };
  void Enqueue(Delivery d);
  void DeliveryLoop();
  Status Deliver(const Delivery& d);
  void AnswerRequest(const Caller& caller, int version, const Json& event);
  Status StoreFulfilled(const Caller& caller, const Json& event);

  std::unique_ptr<store::Store> store_;
  NodeOptions options_;
  RequestLog log_{options_.log};
  std::unique_ptr<Transport> transport_;
  int port_ = 0;
  std::string public_url_;  // set by Start, then read only
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopped_ = false;  // GUARDED_BY(stop_mu_)

  std::mutex lp_mu_;     // serialises the LP solves (Clp)
  std::mutex store_mu_;  // serialises every use of store_
  std::mutex versions_mu_;
  // Snapshots of earlier versions (?as_of=), oldest used first out.
  std::deque<std::pair<int64_t, std::shared_ptr<const Snapshot>>>
      versions_;  // GUARDED_BY(versions_mu_)
  // Those being built, by version, each by its own thread (joined once done).
  std::map<int64_t, std::shared_ptr<VersionBuild>> version_builds_;  // GUARDED_BY(versions_mu_)
  std::vector<std::pair<std::shared_ptr<VersionBuild>, std::thread>>
      version_threads_;  // GUARDED_BY(versions_mu_)
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // GUARDED_BY(snapshot_mu_); readers keep theirs
  std::shared_ptr<const Access> access_;      // GUARDED_BY(snapshot_mu_); readers keep theirs

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool watch_stop_ = false;  // GUARDED_BY(watch_mu_)
  std::thread watcher_;

  // Access tokens (trust/access_token.h): signed with token_key_, set by Start
  // from the store's secrets key, then read only; honoured for the clients here.
  trust::TokenKey token_key_{};
  std::mutex clients_mu_;
  std::map<std::string, Client> active_clients_;  // GUARDED_BY(clients_mu_); by id

  std::mutex tts_mu_;                             // guards the two below
  std::thread tts_thread_;                        // computes tts_snapshot_'s TTS table
  std::shared_ptr<const Snapshot> tts_snapshot_;  // kept alive while it runs

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Delivery> queue_;  // GUARDED_BY(queue_mu_)
  bool stopping_ = false;       // GUARDED_BY(queue_mu_)
  std::thread worker_;

  // Federation (federation/): the kinds of question answered (filled by Start), the
  // messages taken, and the client this node asks partners with.
  federation::Registry kinds_;
  federation::ReplayCache replay_;
  federation::Receiver receiver_{kinds_, replay_};
  federation::Client federation_client_;

  // The dashboard's files, compressed once by static_thread_ (WarmStaticCache).
  StaticCache static_cache_;
  std::atomic<bool> static_stop_{false};
  std::thread static_thread_;
  void WarmStaticCache();
};

}  // namespace renkei::server

#endif  // RENKEI_SERVER_INTERNAL_NODE_IMPL_H_
