#include "server/node.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside std::regex's std::function
// (GCC bug 105562); it is silenced for that header only.
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

#include "base/json.h"
#include "base/utf8.h"
#include "footprint/circularity.h"
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
#include "server/node_tables.h"
#include "server/openapi.h"
#include "server/router.h"
#include "store/changes.h"
#include "trust/document_signature.h"

namespace renkei::server {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// How often the node looks at the store's change feed.
constexpr auto kWatchInterval = std::chrono::milliseconds(100);

// The PACT events, and their CloudEvents types in v2.3 and v3.0.
enum class EventKind { kPublished, kRequestCreated, kRequestFulfilled, kRequestRejected };

const char* EventType(EventKind kind, int version) {
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
std::optional<EventKind> KindOfEventType(const std::string& type) {
  for (EventKind k : {EventKind::kPublished, EventKind::kRequestCreated,
                      EventKind::kRequestFulfilled, EventKind::kRequestRejected}) {
    if (type == EventType(k, 2) || type == EventType(k, 3)) return k;
  }
  return std::nullopt;
}

// A PACT error response.
struct ApiError {
  int status;
  std::string code;
  std::string message;
};

ApiError BadRequest(std::string m) { return {400, "BadRequest", std::move(m)}; }

// Answers are dumped with ill-formed UTF-8 replaced (U+FFFD), so that text that came
// from outside can never make printing throw.
std::string Dump(const Json& body) {
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void SendError(Response& res, const ApiError& e) {
  res.status = e.status;
  res.set_content(Dump(Json{{"code", e.code}, {"message", e.message}}), "application/json");
}

void SendJson(Response& res, const Json& body, int status = 200) {
  res.status = status;
  res.set_content(Dump(body), "application/json");
}

// The first part of a request that is not well-formed UTF-8 (its path, a query or
// form parameter), for the 400 that names it; nullopt when all are.
std::optional<std::string> IllFormedPart(const Request& req) {
  if (!IsValidUtf8(req.path)) return "the path";
  for (const auto& [name, value] : req.params) {
    if (!IsValidUtf8(name)) return "a parameter name";
    if (!IsValidUtf8(value)) return "parameter '" + name + "'";
  }
  return std::nullopt;
}

// 8-4-4-4-12 hex digits; checked on every footprint read, so not with std::regex.
bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool IsDateTime(const std::string& s) {
  static const std::regex re(
      R"(^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$)");
  return std::regex_match(s, re);
}

std::string PercentEncode(const std::string& s) {
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

std::string PercentDecode(const std::string& s) {
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
  // Analyses of the whole graph, each computed at most once (Node::Impl).
  std::unique_ptr<Analyses> analyses = std::make_unique<Analyses>();
  // What could not be used of the store (logged when the snapshot is swapped in).
  std::vector<std::string> warnings;
};

// The node's log (NodeOptions::log), written in batches by a thread of its own: a
// request costs an append under a mutex, not an fprintf and an fflush (a write(2)).
// A line reaches the file at most kFlushEvery after it was added. Thread-safe.
class RequestLog {
 public:
  explicit RequestLog(FILE* out) : out_(out) {}
  ~RequestLog() { Stop(); }
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  // Starts the writer; lines added before are kept for it.
  void Start() {
    if (out_ == nullptr || writer_.joinable()) return;
    writer_ = std::thread([this] { WriteLoop(); });
  }
  // Appends "<RFC 3339 time> <what><tail>"; `tail` ends with "\n".
  void Add(std::string_view what, std::string_view tail) {
    if (out_ == nullptr) return;
    thread_local std::time_t stamped = -1;
    thread_local std::string stamp;
    const std::time_t now = std::time(nullptr);
    if (now != stamped) {
      stamp = NowRfc3339();
      stamped = now;
    }
    std::lock_guard<std::mutex> lock(mu_);
    pending_.append(stamp).append(" ").append(what).append(tail);
    if (pending_.size() >= kFlushBytes) cv_.notify_one();
  }
  // Writes what is pending and stops the writer; later lines are written at Stop only.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    if (writer_.joinable()) writer_.join();
    std::lock_guard<std::mutex> lock(mu_);
    Write(pending_);
    pending_.clear();
    stopping_ = false;
  }

 private:
  static constexpr auto kFlushEvery = std::chrono::milliseconds(100);
  static constexpr size_t kFlushBytes = 64 * 1024;

  void WriteLoop() {
    std::string batch;
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, kFlushEvery,
                   [this] { return stopping_ || pending_.size() >= kFlushBytes; });
      batch.swap(pending_);
      lock.unlock();
      Write(batch);
      batch.clear();
      lock.lock();
    }
  }
  void Write(const std::string& text) {
    if (text.empty() || out_ == nullptr) return;
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
  }

  FILE* const out_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;    // GUARDED_BY(mu_)
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread writer_;
};

struct Criteria;

// Who may see which products (server/node_tables.h grants), swapped in whole when
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

model::Index OwnerOf(const model::Model& m, model::Index product) {
  model::Index org = m.products[product].organization;
  if (org != model::kNoIndex) return org;
  for (const model::Production& node : m.production) {
    if (node.product == product) return m.sites[node.site].organization;
  }
  return model::kNoIndex;
}

model::Index ProductOf(const model::Model& m, const pact::ProductFootprint& pf) {
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

bool MaySee(const Snapshot& s, const Caller& c, model::Index product, model::Index owner) {
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

StatusOr<std::string> SignedBody(const pact::ProductFootprint& pf, const trust::KeyPair* keys,
                                 const std::string& kid) {
  Json doc = pact::ProductFootprintToJson(pf);
  if (keys == nullptr) return doc.dump();
  RENKEI_ASSIGN_OR_RETURN(Json signed_doc, trust::SignDocument(std::move(doc), *keys, kid));
  return signed_doc.dump();
}

std::string ReferenceYear(int offset) {
  const std::string now = NowRfc3339();
  return std::to_string(std::stoi(now.substr(0, 4)) + offset);
}

// Keeps the latest version of each id: the highest `version`, then the latest update.
void KeepLatest(std::vector<Served>& list) {
  std::map<std::string, size_t> best;
  std::vector<Served> out;
  for (Served& s : list) {
    auto it = best.find(s.pf.id);
    if (it == best.end()) {
      best.emplace(s.pf.id, out.size());
      out.push_back(std::move(s));
      continue;
    }
    Served& old = out[it->second];
    const auto vo = old.pf.version_number.value_or(0), vn = s.pf.version_number.value_or(0);
    if (vn > vo || (vn == vo && std::max(s.pf.updated, s.pf.created) >
                                    std::max(old.pf.updated, old.pf.created))) {
      old = std::move(s);
    }
  }
  list = std::move(out);
}

StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(store::Store& store) {
  auto snap = std::make_shared<Snapshot>();
  // Read first: a change committed meanwhile is then seen again, never missed.
  RENKEI_ASSIGN_OR_RETURN(snap->change, store.LastChange());
  RENKEI_ASSIGN_OR_RETURN(snap->model, store.LoadModel());
  RENKEI_ASSIGN_OR_RETURN(snap->own_keys, OrganizationKeys(store));
  const model::Model& m = snap->model;
  for (const model::Organization& o : m.organizations) {
    if (!o.public_key.empty()) snap->public_keys[o.id] = o.public_key;
  }
  snap->product_owner.assign(m.products.size(), model::kNoIndex);
  for (model::Index p = 0; p < m.products.size(); ++p) {
    snap->product_owner[p] = m.products[p].organization;
  }
  for (const model::Production& node : m.production) {
    model::Index& owner = snap->product_owner[node.product];
    if (owner == model::kNoIndex) owner = m.sites[node.site].organization;
  }
  auto graph = network::Network::Build(m);
  if (graph.ok()) snap->graph = std::make_unique<network::Network>(std::move(*graph));
  for (const auto& [org, keys] : snap->own_keys) {
    snap->public_keys[org] = trust::EncodePublicKey(keys);
  }
  auto network = footprint::RollUp(m);
  if (network.ok()) {
    snap->have_network = true;
    snap->network = std::move(*network);
    footprint::PactExportOptions options;
    options.created = NowRfc3339();
    options.reference_period_start = ReferenceYear(-1) + "-01-01T00:00:00Z";
    options.reference_period_end = ReferenceYear(0) + "-01-01T00:00:00Z";
    for (auto version : {pact::SpecVersion::kV2, pact::SpecVersion::kV3}) {
      std::vector<std::string> notes;
      auto docs = footprint::ExportPact(m, snap->network, version, options, notes);
      if (!docs.ok()) return docs.status();
      for (pact::ProductFootprint& pf : *docs) {
        Served s;
        s.product = ProductOf(m, pf);
        s.owner = s.product == model::kNoIndex ? model::kNoIndex : OwnerOf(m, s.product);
        const trust::KeyPair* keys = nullptr;
        std::string kid;
        if (s.owner != model::kNoIndex) {
          kid = m.organizations[s.owner].id;
          auto k = snap->own_keys.find(kid);
          if (k != snap->own_keys.end()) keys = &k->second;
        }
        RENKEI_ASSIGN_OR_RETURN(s.body, SignedBody(pf, keys, kid));
        s.pf = std::move(pf);
        (version == pact::SpecVersion::kV2 ? snap->v2 : snap->v3).push_back(std::move(s));
      }
    }
  }
  // Received documents are served as received, with their signer's signature.
  // A stored document that no longer parses (written by an older version, or
  // changed in the file) is left out and logged: the node still starts.
  for (const model::Footprint& f : m.footprints) {
    if (f.pact_json.empty()) continue;
    const std::string where =
        "stored footprint of '" + m.products[f.product].id + "'" +
        (f.site == model::kNoIndex ? std::string() : " at '" + m.sites[f.site].id + "'");
    auto pf = pact::ParseProductFootprint(f.pact_json, where);
    if (!pf.ok()) {
      snap->warnings.push_back(pf.status().message() + "; not served");
      continue;
    }
    Served s;
    s.product = f.product;
    s.owner = OwnerOf(m, f.product);
    s.body = ParseJson<Json>(f.pact_json)->dump();
    s.pf = std::move(*pf);
    (s.pf.version == pact::SpecVersion::kV2 ? snap->v2 : snap->v3).push_back(std::move(s));
  }
  KeepLatest(snap->v2);
  KeepLatest(snap->v3);
  for (auto [list, ids] : {std::pair{&snap->v2, &snap->v2_ids}, {&snap->v3, &snap->v3_ids}}) {
    for (size_t i = 0; i < list->size(); ++i) {
      Served& s = (*list)[i];
      s.one = "{\"data\":" + s.body + "}";
      ids->emplace(s.pf.id, i);
    }
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

// One authorised /api/v1 request.
struct ApiCall {
  const Request& req;
  Response& res;
  const Caller& caller;
  const Snapshot& snap;
  const View& view;
  const std::shared_ptr<const Snapshot>& shared;  // owns snap
};

}  // namespace

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
  void ApiConcentration(ApiCall& c);
  void ApiBundles(ApiCall& c);
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
  // Reads the grants of `store` and swaps them in.
  Status ReloadAccess(store::Store& store);
  // Drops the tokens of clients that `store` no longer has active.
  Status DropRevokedTokens(store::Store& store);
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
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // GUARDED_BY(snapshot_mu_); readers keep theirs
  std::shared_ptr<const Access> access_;      // GUARDED_BY(snapshot_mu_); readers keep theirs

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool watch_stop_ = false;  // GUARDED_BY(watch_mu_)
  std::thread watcher_;

  struct IssuedToken {
    Client client;
    Clock::time_point expires;
  };
  std::mutex tokens_mu_;
  std::map<std::string, IssuedToken> tokens_;  // GUARDED_BY(tokens_mu_)

  std::mutex tts_mu_;                             // guards the two below
  std::thread tts_thread_;                        // computes tts_snapshot_'s TTS table
  std::shared_ptr<const Snapshot> tts_snapshot_;  // kept alive while it runs

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Delivery> queue_;  // GUARDED_BY(queue_mu_)
  bool stopping_ = false;       // GUARDED_BY(queue_mu_)
  std::thread worker_;

  // The dashboard's files, compressed once by static_thread_ (WarmStaticCache).
  StaticCache static_cache_;
  std::atomic<bool> static_stop_{false};
  std::thread static_thread_;
  void WarmStaticCache();
};

namespace {

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
      {"get", "/api/v1/products/{product}/concentration", nullptr, &I::ApiConcentration},
      {"post", "/api/v1/bundles", nullptr, &I::ApiBundles},
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

Status Node::Impl::Rebuild() { return Swap(*store_); }

Status Node::Impl::Swap(store::Store& store) {
  RENKEI_ASSIGN_OR_RETURN(auto snap, BuildSnapshot(store));
  RENKEI_RETURN_IF_ERROR(ReloadAccess(store));
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

Status Node::Impl::DropRevokedTokens(store::Store& store) {
  RENKEI_ASSIGN_OR_RETURN(std::vector<Client> clients, ListClients(store));
  std::map<std::string, const Client*> active;
  for (const Client& c : clients) {
    if (c.revoked.empty()) active[c.id] = &c;
  }
  std::lock_guard<std::mutex> lock(tokens_mu_);
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    auto client = active.find(it->second.client.id);
    if (client == active.end()) {
      it = tokens_.erase(it);
    } else {
      it->second.client = *client->second;  // its organization or admin flag may have changed
      ++it;
    }
  }
  return Status::Ok();
}

void Node::Impl::WatchLoop(std::unique_ptr<store::Store> store,
                           std::unique_ptr<store::ChangeFeed> feed) {
  std::unique_lock<std::mutex> lock(watch_mu_);
  while (!watch_cv_.wait_for(lock, kWatchInterval, [this] { return watch_stop_; })) {
    lock.unlock();
    StatusOr<std::vector<store::Change>> changes = feed->Poll();
    bool model = false, keys = false, grants = false, clients = false;
    if (!changes.ok()) {
      log_.Add("warning: change feed: ", changes.status().message() + "\n");
    } else {
      for (const store::Change& c : *changes) {
        model |= c.kind == "model" && c.seq > snapshot()->change;
        keys |= c.kind == "keys";
        grants |= c.kind == "grants";
        clients |= c.kind == "clients";
      }
    }
    std::vector<Status> results;
    if (clients) results.push_back(DropRevokedTokens(*store));
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
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    RENKEI_RETURN_IF_ERROR(Rebuild());
  }
  RENKEI_RETURN_IF_ERROR(CheckRoutesDocumented());
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
  callbacks.quick = [router](const Request& req) {
    std::vector<std::string> params;
    const Route* route = router->Find(req.method, req.path, params);
    return route != nullptr && route->quick;
  };
  callbacks.handle = [this, router](Request& req, Response& res) {
    if (auto part = IllFormedPart(req)) {
      return SendError(res,
                       BadRequest(*part + " is not well-formed UTF-8 (after percent-decoding)"));
    }
    const Route* route = router->Find(req.method, req.path, req.path_params);
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

void Node::Impl::Token(const Request& req, Response& res) {
  auto oauth_error = [&](int status, const std::string& error, const std::string& description) {
    res.status = status;
    if (status == 401) res.set_header("WWW-Authenticate", "Basic realm=\"renkei\"");
    res.set_content(Json{{"error", error}, {"error_description", description}}.dump(),
                    "application/json");
  };
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/x-www-form-urlencoded", 0) != 0) {
    return oauth_error(400, "invalid_request",
                       "content type must be application/x-www-form-urlencoded");
  }
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Basic ", 0) != 0) {
    return oauth_error(401, "invalid_client", "HTTP Basic authentication required");
  }
  const std::string b64 = auth.substr(6);
  std::string decoded(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return oauth_error(401, "invalid_client", "Authentication failed");
  }
  decoded.resize(len);
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos)
    return oauth_error(401, "invalid_client", "Authentication failed");
  if (!req.has_param("grant_type")) {
    return oauth_error(400, "invalid_request", "grant_type is missing");
  }
  if (req.get_param_value("grant_type") != "client_credentials") {
    return oauth_error(400, "unsupported_grant_type", "only client_credentials is supported");
  }
  StatusOr<Client> client = UnauthenticatedError("");
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    client = AuthenticateClient(*store_, PercentDecode(decoded.substr(0, colon)),
                                PercentDecode(decoded.substr(colon + 1)));
  }
  if (!client.ok()) return oauth_error(401, "invalid_client", "Authentication failed");
  const std::string token = trust::RandomHex(32);
  {
    std::lock_guard<std::mutex> lock(tokens_mu_);
    const auto now = Clock::now();
    for (auto it = tokens_.begin(); it != tokens_.end();) {
      it = now - it->second.expires > std::chrono::hours(1) ? tokens_.erase(it) : std::next(it);
    }
    tokens_[token] = {*client, now + std::chrono::seconds(options_.token_lifetime_seconds)};
  }
  res.set_header("Cache-Control", "no-store");
  SendJson(res, Json{{"access_token", token},
                     {"token_type", "bearer"},
                     {"expires_in", options_.token_lifetime_seconds},
                     {"scope", ""}});
}

void Node::Impl::OpenId(const Request&, Response& res) {
  const std::string& base = BaseUrl();
  SendJson(res, Json{{"issuer", base},
                     {"token_endpoint", base + "/auth/token"},
                     {"token_endpoint_auth_methods_supported", {"client_secret_basic"}},
                     {"grant_types_supported", {"client_credentials"}},
                     {"response_types_supported", {"token"}},
                     {"subject_types_supported", {"public"}},
                     {"id_token_signing_alg_values_supported", {"EdDSA"}},
                     {"jwks_uri", base + "/api/v1/keys"}});
}

std::optional<Caller> Node::Impl::Authorize(const Request& req, Response& res) {
  // A missing, unknown or revoked token is 401 (PACT v3: "MUST check the Access Token
  // and return a 401 when it has expired or is invalid"), with v2.3's code for it
  // (AccessDenied) on /2 and BadRequest elsewhere, as WBCSD's conformance tests expect;
  // 403 AccessDenied is for a valid token without permission.
  auto unauthorized = [&](const std::string& code, const std::string& message) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"renkei\"");
    SendError(res, {401, code, message});
    return std::nullopt;
  };
  const std::string invalid = req.path.rfind("/2/", 0) == 0 ? "AccessDenied" : "BadRequest";
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) != 0) return unauthorized(invalid, "a bearer token is required");
  Caller caller;
  {
    std::lock_guard<std::mutex> lock(tokens_mu_);
    auto it = tokens_.find(auth.substr(7));
    if (it == tokens_.end()) {
      return unauthorized(invalid, "the access token is invalid or was revoked");
    }
    if (Clock::now() >= it->second.expires) {
      return unauthorized("TokenExpired", "The specified access token has expired");
    }
    caller.client = it->second.client;
  }
  caller.organization = snapshot()->model.FindOrganization(caller.client.organization);
  caller.access = access();
  return caller;
}

namespace {

// The v3 filter criteria (also the data of a PF Request Event).
struct Criteria {
  std::vector<std::string> product_id, company_id, geography, classification;
  std::string valid_on, valid_after, valid_before, status;
  // v2 $filter clauses: (property path, operator, value) and any() tests.
  std::vector<std::array<std::string, 3>> v2;
};

bool AnyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  if (wanted.empty()) return true;
  for (const std::string& w : wanted) {
    if (std::find(have.begin(), have.end(), w) != have.end()) return true;
  }
  return false;
}

std::string ValidityStart(const pact::ProductFootprint& pf) {
  return pf.validity_period_start.empty() ? pf.pcf.reference_period_end : pf.validity_period_start;
}
std::string ValidityEnd(const pact::ProductFootprint& pf) {
  if (!pf.validity_period_end.empty()) return pf.validity_period_end;
  const std::string& e = pf.pcf.reference_period_end;
  if (e.size() < 4) return e;
  return std::to_string(std::stoi(e.substr(0, 4)) + 3) + e.substr(4);  // the spec's default
}

std::string V2Property(const pact::ProductFootprint& pf, const std::string& path) {
  if (path == "productCategoryCpc") return pf.product_category_cpc;
  if (path == "pcf/geographyCountry") return pf.pcf.geography_country;
  if (path == "pcf/geographyRegionOrSubregion") return pf.pcf.geography_region_or_subregion;
  if (path == "pcf/referencePeriodStart") return pf.pcf.reference_period_start;
  if (path == "pcf/referencePeriodEnd") return pf.pcf.reference_period_end;
  if (path == "created") return pf.created;
  if (path == "updated") return pf.updated;
  if (path == "status") return pf.status;
  if (path == "companyName") return pf.company_name;
  if (path == "productNameCompany") return pf.product_name_company;
  return {};
}

bool Matches(const Criteria& c, const pact::ProductFootprint& pf) {
  if (!AnyOf(c.product_id, pf.product_ids) || !AnyOf(c.company_id, pf.company_ids) ||
      !AnyOf(c.classification, pf.product_classifications)) {
    return false;
  }
  if (!c.geography.empty() &&
      !AnyOf(c.geography, {pf.pcf.geography_country, pf.pcf.geography_region_or_subregion,
                           pf.pcf.geography_country_subdivision})) {
    return false;
  }
  if (!c.status.empty() && pf.status != c.status) return false;
  if (!c.valid_on.empty() && !(ValidityStart(pf) <= c.valid_on && c.valid_on <= ValidityEnd(pf))) {
    return false;
  }
  if (!c.valid_after.empty() && !(c.valid_after < ValidityStart(pf))) return false;
  if (!c.valid_before.empty() && !(c.valid_before > ValidityEnd(pf))) return false;
  for (const auto& [path, op, value] : c.v2) {
    if (op == "any") {
      const auto& list = path == "productIds" ? pf.product_ids : pf.company_ids;
      if (std::find(list.begin(), list.end(), value) == list.end()) return false;
      continue;
    }
    const std::string v = V2Property(pf, path);
    const bool ok = op == "eq"   ? v == value
                    : op == "ne" ? v != value
                    : op == "lt" ? v < value
                    : op == "le" ? v <= value
                    : op == "gt" ? v > value
                                 : v >= value;
    if (!ok) return false;
  }
  return true;
}

// Reads the v3 criteria from a JSON object (PF Request Event data).
std::optional<ApiError> CriteriaFromJson(const Json& data, Criteria& c) {
  if (!data.is_object()) return BadRequest("data must be an object");
  auto list = [&](const char* name, std::vector<std::string>& out) -> std::optional<ApiError> {
    if (!data.contains(name)) return std::nullopt;
    const Json& v = data[name];
    if (v.is_string()) {
      out.push_back(v.get<std::string>());
    } else if (v.is_array() && !v.empty()) {
      for (const Json& e : v) {
        if (!e.is_string()) return BadRequest(std::string("data.") + name + ": expected strings");
        out.push_back(e.get<std::string>());
      }
    } else {
      return BadRequest(std::string("data.") + name + ": expected a non-empty array of strings");
    }
    return std::nullopt;
  };
  // v3 names the criteria in the singular; v2's plural names are read too.
  for (auto [name, out] : {std::pair{"productId", &c.product_id},
                           {"productIds", &c.product_id},
                           {"companyId", &c.company_id},
                           {"companyIds", &c.company_id},
                           {"geography", &c.geography},
                           {"classification", &c.classification}}) {
    if (auto e = list(name, *out)) return e;
  }
  // v2 requests name product ids in data.pf.productIds.
  if (data.contains("pf") && data["pf"].is_object() && data["pf"].contains("productIds") &&
      data["pf"]["productIds"].is_array()) {
    for (const Json& e : data["pf"]["productIds"]) {
      if (e.is_string()) c.product_id.push_back(e.get<std::string>());
    }
  }
  for (auto [name, out] : {std::pair{"validOn", &c.valid_on},
                           {"validAfter", &c.valid_after},
                           {"validBefore", &c.valid_before},
                           {"status", &c.status}}) {
    if (!data.contains(name)) continue;
    if (!data[name].is_string())
      return BadRequest(std::string("data.") + name + ": expected a string");
    *out = data[name].get<std::string>();
  }
  return std::nullopt;
}

std::optional<ApiError> CheckCriteria(const Criteria& c) {
  for (auto [name, v] : {std::pair{"validOn", &c.valid_on},
                         {"validAfter", &c.valid_after},
                         {"validBefore", &c.valid_before}}) {
    if (!v->empty() && !IsDateTime(*v)) {
      return BadRequest(std::string(name) + ": expected an RFC 3339 date or date-time, got '" + *v +
                        "'");
    }
  }
  // A status other than Active or Deprecated matches nothing: an empty list, not an
  // error (as WBCSD's conformance tests expect of a filter).
  return std::nullopt;
}

// Parses the supported subset of the v2 OData $filter: clauses joined by "and",
// each "<path> <eq|ne|lt|le|gt|ge> '<value>'" or "<productIds|companyIds>/any(x: x eq '<value>')".
std::optional<ApiError> ParseV2Filter(const std::string& filter, Criteria& c) {
  static const std::regex clause(
      R"(^\s*([A-Za-z]+(?:/[A-Za-z]+)?)\s+(eq|ne|lt|le|gt|ge)\s+'([^']*)'\s*$)");
  static const std::regex any(
      R"(^\s*(productIds|companyIds)/any\(\s*(\w+)\s*:\s*\(?\s*(\w+)\s+eq\s+'([^']*)'\s*\)?\s*\)\s*$)");
  size_t start = 0;
  while (start <= filter.size()) {
    size_t end = filter.find(" and ", start);
    const std::string part = filter.substr(start, end == std::string::npos ? end : end - start);
    std::smatch m;
    if (std::regex_match(part, m, any) && m[2] == m[3]) {
      c.v2.push_back({m[1], "any", m[4]});
    } else if (std::regex_match(part, m, clause) &&
               (m[1] == "productCategoryCpc" || m[1] == "pcf/geographyCountry" ||
                m[1] == "pcf/geographyRegionOrSubregion" || m[1] == "pcf/referencePeriodStart" ||
                m[1] == "pcf/referencePeriodEnd" || m[1] == "created" || m[1] == "updated" ||
                m[1] == "status" || m[1] == "companyName" || m[1] == "productNameCompany")) {
      c.v2.push_back({m[1], m[2], m[3]});
    } else {
      return ApiError{400, "NotImplemented", "$filter: unsupported expression '" + part + "'"};
    }
    if (end == std::string::npos) break;
    start = end + 5;
  }
  return std::nullopt;
}

}  // namespace

void Node::Impl::ListFootprints(int version, const Request& req, Response& res) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  Criteria c;
  size_t limit = 0, offset = 0;
  auto parse_count = [&](const std::string& name, size_t& out, bool positive) -> bool {
    const std::string v = req.get_param_value(name);
    if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), ::isdigit) ||
        (positive && std::stoul(v) == 0)) {
      SendError(res, BadRequest(name + ": expected a " + (positive ? "positive" : "non-negative") +
                                " integer, got '" + v + "'"));
      return false;
    }
    out = std::stoul(v);
    return true;
  };
  for (const auto& [name, value] : req.params) {
    if (name == "limit") {
      if (!parse_count(name, limit, true)) return;
    } else if (name == "offset") {
      if (!parse_count(name, offset, false)) return;
    } else if (version == 2 && name == "$filter") {
      if (auto e = ParseV2Filter(value, c)) return SendError(res, *e);
    } else if (version == 3 && name == "productId") {
      c.product_id.push_back(value);
    } else if (version == 3 && name == "companyId") {
      c.company_id.push_back(value);
    } else if (version == 3 && name == "geography") {
      c.geography.push_back(value);
    } else if (version == 3 && name == "classification") {
      c.classification.push_back(value);
    } else if (version == 3 && name == "validOn") {
      c.valid_on = value;
    } else if (version == 3 && name == "validAfter") {
      c.valid_after = value;
    } else if (version == 3 && name == "validBefore") {
      c.valid_before = value;
    } else if (version == 3 && name == "status") {
      c.status = value;
    } else {
      return SendError(res, BadRequest("unknown query parameter '" + name + "'"));
    }
  }
  if (auto e = CheckCriteria(c)) return SendError(res, *e);
  auto snap = snapshot();
  // What a page holds depends on what the caller may see (MaySee: admin, or its
  // organization and that organization's grants, as of their generation) and the
  // query; its bytes also on the encoding the caller accepts.
  const Encoding accepted = AcceptedEncoding(req);
  std::string key = std::to_string(version);
  key += std::to_string(static_cast<int>(accepted));
  key += caller->client.admin ? std::string_view("*") : std::string_view("o");
  key += caller->client.organization;
  key.push_back('\0');
  key += std::to_string(caller->access->generation);
  key.push_back('\0');
  key += req.path;
  for (const auto& [name, value] : req.params) {
    key.push_back('\0');
    key += name;
    key.push_back('\0');
    key += value;
  }
  std::shared_ptr<const Page> page = snap->pages.Find(key);
  if (page == nullptr) {
    // Compressed once per snapshot, not per request: a page of 100 footprints is about
    // 200 KB as JSON and a sixth of that gzipped.
    auto built = std::make_shared<Page>(BuildPage(*snap, *caller, version, c, limit, offset, req));
    if (std::optional<std::string> packed = CompressAnswer(built->body, accepted)) {
      built->body = std::move(*packed);
      built->encoding = accepted;
    }
    snap->pages.Add(key, built);
    page = std::move(built);
  }
  if (!page->link.empty()) res.set_header("Link", page->link);
  res.set_header("Vary", "Accept-Encoding");
  if (page->encoding != Encoding::kIdentity) {
    res.set_header("Content-Encoding", std::string(EncodingName(page->encoding)));
  }
  // A page can be hundreds of KB: hand it to the connection in place, not copied.
  SendBytes(res, std::shared_ptr<const std::string>(page, &page->body), "application/json");
}

Page Node::Impl::BuildPage(const Snapshot& snap, const Caller& caller, int version,
                           const Criteria& c, size_t limit, size_t offset,
                           const Request& req) const {
  const auto& all = version == 2 ? snap.v2 : snap.v3;
  std::string body = "{\"data\":[";
  body.reserve(std::min<size_t>(limit == 0 ? all.size() : limit, all.size()) *
               (all.empty() ? 0 : all.front().body.size() + 1));
  size_t seen = 0, written = 0;
  bool more = false;
  for (const Served& s : all) {
    if (!MaySee(snap, caller, s.product, s.owner) || !Matches(c, s.pf)) continue;
    if (seen++ < offset) continue;
    if (limit != 0 && written == limit) {
      more = true;
      break;
    }
    if (written++ > 0) body.push_back(',');
    body += s.body;
  }
  body += "]}";
  Page page{std::move(body), ""};
  if (more) {
    std::string query;
    for (const auto& [name, value] : req.params) {
      if (name == "offset") continue;
      query += PercentEncode(name) + "=" + PercentEncode(value) + "&";
    }
    query += "offset=" + std::to_string(offset + written);
    page.link = "<" + BaseUrl() + req.path + "?" + query + ">; rel=\"next\"";
  }
  return page;
}

void Node::Impl::GetFootprint(int version, const std::string& id, const Request& req,
                              Response& res) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  if (!IsUuid(id))
    return SendError(res, BadRequest("footprint id must be a UUID, got '" + id + "'"));
  auto snap = snapshot();
  const auto& ids = version == 2 ? snap->v2_ids : snap->v3_ids;
  auto it = ids.find(id);
  if (it == ids.end()) {
    return SendError(res, {404, version == 2 ? "NoSuchFootprint" : "NotFound",
                           "The specified footprint does not exist."});
  }
  const Served& s = (version == 2 ? snap->v2 : snap->v3)[it->second];
  if (!MaySee(*snap, *caller, s.product, s.owner)) {
    return SendError(res, {403, "AccessDenied", "Access denied"});
  }
  // Served from the snapshot, which the answer keeps alive: no copy of the body.
  SendBytes(res, std::shared_ptr<const std::string>(snap, &s.one), "application/json");
}

void Node::Impl::Events(int version, const Request& req, Response& res) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/cloudevents+json", 0) != 0 &&
      type.rfind("application/json", 0) != 0) {
    return SendError(
        res, BadRequest("content type must be application/cloudevents+json, got '" + type + "'"));
  }
  StatusOr<Json> parsed = ParseJson<Json>(req.body, "body");
  if (!parsed.ok()) return SendError(res, BadRequest(parsed.status().message()));
  const Json event = std::move(*parsed);
  if (!event.is_object()) return SendError(res, BadRequest("the event must be a JSON object"));
  for (const char* name : {"specversion", "id", "source", "type"}) {
    if (!event.contains(name) || !event[name].is_string() ||
        event[name].get<std::string>().empty()) {
      return SendError(res, BadRequest(std::string("CloudEvents attribute '") + name +
                                       "' is missing or not a string"));
    }
  }
  if (event["specversion"] != "1.0") return SendError(res, BadRequest("specversion must be 1.0"));
  const std::string event_type = event["type"];
  const std::optional<EventKind> kind = KindOfEventType(event_type);
  if (!kind) return SendError(res, BadRequest("unknown event type '" + event_type + "'"));
  const Json data = event.contains("data") ? event["data"] : Json();
  if (kind == EventKind::kPublished) {
    if (!data.is_object() || !data.contains("pfIds") || !data["pfIds"].is_array() ||
        data["pfIds"].empty()) {
      return SendError(res, BadRequest("data.pfIds must be a non-empty array"));
    }
    for (size_t i = 0; i < data["pfIds"].size(); ++i) {
      const Json& id = data["pfIds"][i];
      if (!id.is_string() || !IsUuid(id.get<std::string>())) {
        return SendError(res, BadRequest("data.pfIds[" + std::to_string(i) +
                                         "]: expected a footprint id (a UUID), got " + Dump(id)));
      }
    }
  } else if (kind == EventKind::kRequestCreated) {
    Criteria c;
    if (auto e = CriteriaFromJson(data, c)) return SendError(res, *e);
    if (auto e = CheckCriteria(c)) return SendError(res, *e);
  } else if (kind == EventKind::kRequestFulfilled) {
    if (!data.is_object() || !data.contains("requestEventId") ||
        !data["requestEventId"].is_string() || !data.contains("pfs") || !data["pfs"].is_array()) {
      return SendError(res, BadRequest("data needs requestEventId and pfs"));
    }
    std::lock_guard<std::mutex> lock(store_mu_);
    Status s = StoreFulfilled(*caller, event);
    if (!s.ok()) return SendError(res, BadRequest(s.message()));
  } else if (kind == EventKind::kRequestRejected) {
    if (!data.is_object() || !data.contains("requestEventId") ||
        !data["requestEventId"].is_string() || !data.contains("error") ||
        !data["error"].is_object()) {
      return SendError(res, BadRequest("data needs requestEventId and an error object"));
    }
    std::lock_guard<std::mutex> lock(store_mu_);
    auto sent = FindSentEvent(*store_, data["requestEventId"].get<std::string>());
    if (sent.ok() && sent->organization == caller->client.organization) {
      (void)SetEventState(*store_, sent->seq, "rejected");
    }
  }
  if (kind != EventKind::kRequestFulfilled) {
    std::lock_guard<std::mutex> lock(store_mu_);
    auto seq = RecordEvent(*store_, {0, event["id"], "in", event_type, caller->client.organization,
                                     "", "received", event.dump()});
    if (!seq.ok()) return SendError(res, {500, "InternalError", seq.status().message()});
  }
  if (kind == EventKind::kRequestCreated) AnswerRequest(*caller, version, event);
  res.status = 200;
}

Status Node::Impl::StoreFulfilled(const Caller& caller, const Json& event) {
  const std::string request_id = event["data"]["requestEventId"];
  RENKEI_ASSIGN_OR_RETURN(EventRecord sent, FindSentEvent(*store_, request_id));
  if (sent.organization != caller.client.organization) {
    return PermissionDeniedError("request '" + request_id + "' was not sent to '" +
                                 caller.client.organization + "'");
  }
  auto snap = snapshot();
  RENKEI_ASSIGN_OR_RETURN(const bool accept_unsigned, AcceptsUnsignedFootprints(*store_));
  RENKEI_ASSIGN_OR_RETURN(model::Model model, store_->LoadModel());
  const model::RowCounts before = model::CountRows(model);
  model::ModelBuilder builder(model);
  size_t i = 0;
  for (const Json& doc : event["data"]["pfs"]) {
    const std::string where = "data.pfs[" + std::to_string(i++) + "]";
    StatusOr<bool> verified =
        CheckReceivedFootprint(doc, snap->public_keys, accept_unsigned, caller.client.organization);
    if (!verified.ok()) return verified.status().WithPrefix(where);
    const std::string text = doc.dump();
    RENKEI_ASSIGN_OR_RETURN(std::vector<std::string> cells, pact::FootprintRow(text, where, model));
    std::vector<std::string_view> fields(cells.begin(), cells.end());
    struct Origin : model::RowOrigin {
      std::string where;
      std::string Where(int) const override { return where; }
    } origin;
    origin.where = where;
    RENKEI_RETURN_IF_ERROR(builder.AddRow(model::Table::kFootprints, fields, origin));
    model.footprints.back().pact_json = text;
    model.footprints.back().verified = *verified;
  }
  RENKEI_RETURN_IF_ERROR(builder.Finish());
  RENKEI_RETURN_IF_ERROR(store_->Append(model, before, "partner:" + caller.client.organization,
                                        "fulfilled " + request_id));
  RENKEI_RETURN_IF_ERROR(SetEventState(*store_, sent.seq, "fulfilled"));
  RENKEI_RETURN_IF_ERROR(
      RecordEvent(*store_, {0, event["id"], "in", event["type"], caller.client.organization, "",
                            "stored", event.dump()})
          .status());
  return Rebuild();
}

void Node::Impl::AnswerRequest(const Caller& caller, int version, const Json& event) {
  Criteria c;
  (void)CriteriaFromJson(event["data"], c);
  auto snap = snapshot();
  Json pfs = Json::array();
  for (const Served& s : version == 2 ? snap->v2 : snap->v3) {
    if (MaySee(*snap, caller, s.product, s.owner) && Matches(c, s.pf)) {
      pfs.push_back(Json::parse(s.body));
    }
  }
  // Nothing to give is answered with a RequestRejected event (PACT v3: "If there are no
  // product footprints to return, the data owner MUST send a RequestRejectedEvent").
  const EventKind kind = pfs.empty() ? EventKind::kRequestRejected : EventKind::kRequestFulfilled;
  Json data = {{"requestEventId", event["id"]}};
  if (pfs.empty()) {
    data["error"] = {{"code", "NotFound"},
                     {"message", "no footprint this node may share matches the request"}};
  } else {
    data["pfs"] = std::move(pfs);
  }
  const char* type = EventType(kind, version);
  Json answer = {{"type", type},
                 {"specversion", "1.0"},
                 {"id", trust::RandomHex(16)},
                 {"source", "//" + BaseUrl().substr(8) + "/" + std::to_string(version) + "/events"},
                 {"time", NowRfc3339()},
                 {"data", std::move(data)}};
  std::lock_guard<std::mutex> lock(store_mu_);
  auto seq = RecordEvent(*store_, {0, answer["id"], "out", type, caller.client.organization, "",
                                   "pending", answer.dump()});
  if (seq.ok()) Enqueue({caller.client.organization, version, *seq, answer});
}

StatusOr<std::string> Node::Impl::RequestFootprints(const std::string& organization,
                                                    const Json& criteria) {
  Criteria c;
  if (auto e = CriteriaFromJson(criteria, c)) return InvalidArgumentError(e->message);
  std::lock_guard<std::mutex> lock(store_mu_);
  RENKEI_RETURN_IF_ERROR(GetPartner(*store_, organization).status());
  const std::string id = trust::RandomHex(16);
  const char* type = EventType(EventKind::kRequestCreated, 3);
  Json event = {{"type", type},
                {"specversion", "1.0"},
                {"id", id},
                {"source", "//" + BaseUrl().substr(8) + "/3/events"},
                {"time", NowRfc3339()},
                {"data", criteria}};
  RENKEI_ASSIGN_OR_RETURN(int64_t seq, RecordEvent(*store_, {0, id, "out", type, organization, "",
                                                             "pending", event.dump()}));
  Enqueue({organization, 3, seq, event});
  return id;
}

void Node::Impl::Enqueue(Delivery d) {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    queue_.push_back(std::move(d));
  }
  queue_cv_.notify_all();
}

void Node::Impl::DeliveryLoop() {
  while (true) {
    Delivery d;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      d = std::move(queue_.front());
      queue_.pop_front();
    }
    int wait_ms = options_.delivery_first_wait_ms;
    Status s;
    for (int attempt = 1; attempt <= options_.delivery_attempts; ++attempt) {
      s = Deliver(d);
      if (s.ok()) break;
      if (options_.log != nullptr) {
        log_.Add("event " + d.event["id"].get<std::string>() + " to " + d.organization,
                 ": attempt " + std::to_string(attempt) + ": " + s.ToString() + "\n");
      }
      std::unique_lock<std::mutex> lock(queue_mu_);
      if (queue_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                             [this] { return stopping_; })) {
        return;
      }
      wait_ms *= 2;
    }
    std::lock_guard<std::mutex> lock(store_mu_);
    const std::string type = d.event["type"];
    (void)SetEventState(
        *store_, d.seq,
        s.ok() ? (KindOfEventType(type) == EventKind::kRequestCreated ? "sent" : "delivered")
               : "failed");
  }
}

Status Node::Impl::Deliver(const Delivery& d) {
  Partner partner;
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    RENKEI_ASSIGN_OR_RETURN(partner, GetPartner(*store_, d.organization));
  }
  httplib::Client client(partner.url);
  client.enable_server_certificate_verification(true);
  if (!partner.ca_file.empty()) client.set_ca_cert_path(partner.ca_file.c_str());
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  client.set_basic_auth(partner.client_id.c_str(), partner.client_secret.c_str());
  auto token = client.Post("/auth/token", "grant_type=client_credentials",
                           "application/x-www-form-urlencoded");
  if (!token) return UnavailableError(partner.url + ": " + httplib::to_string(token.error()));
  if (token->status != 200) {
    return UnavailableError(partner.url + "/auth/token: HTTP " + std::to_string(token->status));
  }
  std::string access;
  StatusOr<Json> answer = ParseJson<Json>(token->body);
  if (!answer.ok() || !answer->is_object() || !answer->contains("access_token") ||
      !(*answer)["access_token"].is_string()) {
    return UnavailableError(partner.url + "/auth/token: no access_token in the answer");
  }
  access = (*answer)["access_token"].get<std::string>();
  httplib::Client events(partner.url);
  events.enable_server_certificate_verification(true);
  if (!partner.ca_file.empty()) events.set_ca_cert_path(partner.ca_file.c_str());
  events.set_bearer_token_auth(access.c_str());
  const std::string path = "/" + std::to_string(d.version) + "/events";
  auto r = events.Post(path.c_str(), d.event.dump(), "application/cloudevents+json; charset=UTF-8");
  if (!r) return UnavailableError(partner.url + ": " + httplib::to_string(r.error()));
  if (r->status != 200) {
    return UnavailableError(partner.url + path + ": HTTP " + std::to_string(r->status) + " " +
                            r->body);
  }
  return Status::Ok();
}

namespace {

using Plain = nlohmann::json;  // the documents of risk/report.h (keys sorted)

void SendJson(Response& res, const Plain& body) {
  res.status = 200;
  res.set_content(body.dump(-1, ' ', false, Plain::error_handler_t::replace), "application/json");
}

// The API error for a failed analysis or lookup.
ApiError FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return {404, "NotFound", s.message()};
    case StatusCode::kPermissionDenied:
      return {403, "AccessDenied", s.message()};
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return BadRequest(s.message());
    default:
      return {500, "InternalError", s.message()};
  }
}

// A non-negative integer query parameter; `fallback` when absent.
std::optional<ApiError> IntParam(const Request& req, const std::string& name, size_t minimum,
                                 size_t& out) {
  if (!req.has_param(name.c_str())) return std::nullopt;
  const std::string v = req.get_param_value(name.c_str());
  if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), ::isdigit) ||
      std::stoul(v) < minimum) {
    return BadRequest(name + ": expected an integer of at least " + std::to_string(minimum) +
                      ", got '" + v + "'");
  }
  out = std::stoul(v);
  return std::nullopt;
}

std::optional<ApiError> NumberParam(const Request& req, const std::string& name, double& out) {
  if (!req.has_param(name.c_str())) return std::nullopt;
  const std::string v = req.get_param_value(name.c_str());
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(x) || x < 0) {
    return BadRequest(name + ": expected a non-negative number, got '" + v + "'");
  }
  out = x;
  return std::nullopt;
}

// Resolves a NODE parameter (network::Resolve) the caller may see: NotFound for
// unknown ids, PermissionDenied when the site or product it names is not visible.
StatusOr<network::Selection> ResolveVisible(const network::Network& n, const View& view,
                                            const std::string& param, const std::string& ref) {
  auto sel = network::Resolve(n, ref);
  if (!sel.ok()) return sel.status().WithPrefix(param);
  const network::Index v = sel->vertices.front();
  const bool visible = sel->kind == network::SelectionKind::kSite      ? view.site(n.site(v))
                       : sel->kind == network::SelectionKind::kProduct ? view.product(n.product(v))
                                                                       : view.vertex(n, v);
  if (!visible) return PermissionDeniedError("Access denied");
  return sel;
}

// Whether the {"site", "product"} an entry names are visible.
bool SeesEntry(const model::Model& m, const View& view, const Plain& entry) {
  return view.site(m.FindSite(entry["site"].get<std::string>())) &&
         view.product(m.FindProduct(entry["product"].get<std::string>()));
}

// Drops the elements of `list` for which `sees` is false (nothing for admins).
template <typename Sees>
void Keep(const View& view, Plain& list, Sees sees) {
  if (view.all()) return;
  Plain kept = Plain::array();
  for (Plain& e : list) {
    if (sees(e)) kept.push_back(std::move(e));
  }
  list = std::move(kept);
}

void KeepEntries(const model::Model& m, const View& view, Plain& list) {
  Keep(view, list, [&](const Plain& e) { return SeesEntry(m, view, e); });
}

void KeepSites(const model::Model& m, const View& view, Plain& ids) {
  Keep(view, ids, [&](const Plain& id) { return view.site(m.FindSite(id.get<std::string>())); });
}

void KeepProducts(const model::Model& m, const View& view, Plain& ids) {
  Keep(view, ids,
       [&](const Plain& id) { return view.product(m.FindProduct(id.get<std::string>())); });
}

// A ScenarioJson without the sites and products the caller may not see.
void FilterScenario(const model::Model& m, const View& view, Plain& scenario) {
  if (view.all()) return;
  KeepSites(m, view, scenario["sites"]);
  Plain lost = Plain::object();
  for (const auto& [id, units] : scenario["lost_units"].items()) {
    if (view.product(m.FindProduct(id))) lost[id] = units;
  }
  scenario["lost_units"] = lost;
}

Json SiteProducts(const model::Model& m, const View& view, model::Index site) {
  Json out = Json::array();
  for (const model::Production& node : m.production) {
    if (node.site != site || !view.product(node.product)) continue;
    out.push_back(
        {{"id", m.products[node.product].id},
         {"capacity_per_day", node.capacity_per_day ? Json(*node.capacity_per_day) : Json(nullptr)},
         {"inventory_units", node.inventory_units ? Json(*node.inventory_units) : Json(nullptr)}});
  }
  return out;
}

Json NodeRef(const model::Model& m, model::Index site, model::Index product) {
  return {{"site", m.sites[site].id}, {"product", m.products[product].id}};
}

double Round6(double x) { return std::round(x * 1e6) / 1e6; }

}  // namespace

const risk::Criticality& Node::Impl::CriticalityOf(const Snapshot& s) {
  std::call_once(s.analyses->criticality_once, [&s] {
    s.analyses->criticality =
        std::make_unique<risk::Criticality>(risk::Criticality::Analyse(*s.graph));
  });
  return *s.analyses->criticality;
}

namespace {

// Solves the site scenarios of `s` one by one (so that a cancel takes effect
// between two), as risk::RunScenarios does, then publishes the table.
void ComputeTtsTable(const Snapshot& s) {
  TtsTable& t = s.analyses->tts;
  const std::vector<risk::Scenario> scenarios = risk::SiteScenarios(*s.graph);
  {
    std::lock_guard<std::mutex> lock(t.mu);
    t.total = scenarios.size();
  }
  StatusOr<std::vector<risk::ScenarioResult>> results =
      [&]() -> StatusOr<std::vector<risk::ScenarioResult>> {
    risk::SolverOptions options;
    options.cancel = &t.cancel;  // a large network's first solve can take minutes
    RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<risk::ScenarioSolver> solver,
                            risk::ScenarioSolver::Create(*s.graph, options));
    std::vector<risk::ScenarioResult> out;
    out.reserve(scenarios.size());
    double worst = 0;
    for (const risk::Scenario& scenario : scenarios) {
      if (t.cancel) return UnavailableError("the TTS table was abandoned");
      RENKEI_ASSIGN_OR_RETURN(risk::ScenarioResult r, solver->Solve(scenario));
      worst = std::max(worst, r.impact);
      out.push_back(std::move(r));
      std::lock_guard<std::mutex> lock(t.mu);
      ++t.done;
    }
    for (risk::ScenarioResult& r : out) r.rei = worst > 0 ? r.impact / worst : 0;
    return out;
  }();
  std::vector<uint8_t> exposed(s.model.sites.size(), 0);
  if (results.ok()) {
    for (const risk::ScenarioResult& r : *results) {
      if (r.sites.size() == 1 && r.exposed) exposed[r.sites[0]] = 1;
    }
  }
  {
    std::lock_guard<std::mutex> lock(t.mu);
    t.results = std::move(results);
    t.exposed = std::move(exposed);
    t.state = TtsTable::State::kDone;
  }
  t.cv.notify_all();
}

}  // namespace

const TtsTable* Node::Impl::TtsTableOf(const std::shared_ptr<const Snapshot>& s,
                                       std::chrono::milliseconds wait) {
  TtsTable& t = s->analyses->tts;
  {
    std::unique_lock<std::mutex> lock(t.mu);
    if (t.state == TtsTable::State::kDone) return &t;
    if (t.state == TtsTable::State::kIdle) {
      t.state = TtsTable::State::kRunning;
      lock.unlock();
      std::lock_guard<std::mutex> threads(tts_mu_);
      if (tts_thread_.joinable()) {  // an older snapshot's table: abandon it
        tts_snapshot_->analyses->tts.cancel = true;
        tts_thread_.join();
      }
      tts_snapshot_ = s;
      tts_thread_ = std::thread([s] { ComputeTtsTable(*s); });
    }
  }
  std::unique_lock<std::mutex> lock(t.mu);
  t.cv.wait_for(lock, wait, [&t] { return t.state == TtsTable::State::kDone; });
  return t.state == TtsTable::State::kDone ? &t : nullptr;
}

void Node::Impl::StopTts() {
  std::lock_guard<std::mutex> lock(tts_mu_);
  if (!tts_thread_.joinable()) return;
  tts_snapshot_->analyses->tts.cancel = true;
  tts_thread_.join();
  tts_snapshot_.reset();
}

namespace {

// {"state": "computing" | "done", "done": N, "total": M}: where the TTS table is.
Json TtsProgress(const TtsTable& t) {
  std::lock_guard<std::mutex> lock(t.mu);
  return {{"state", t.state == TtsTable::State::kDone ? "done" : "computing"},
          {"done", t.done},
          {"total", t.total}};
}

}  // namespace

void Node::Impl::Api(const Request& req, Response& res, const char* method, const char* path,
                     ApiHandler handler) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  const std::set<std::string>& known = QueryParameters(method, path);
  for (const auto& [name, value] : req.params) {
    if (!known.count(name)) {
      return SendError(res, BadRequest("unknown query parameter '" + name + "'"));
    }
  }
  auto snap = snapshot();
  const View view(*snap, *caller);
  ApiCall call{req, res, *caller, *snap, view, snap};
  const bool analysis = handler == &Impl::ApiTiers || handler == &Impl::ApiSpofs ||
                        handler == &Impl::ApiTts || handler == &Impl::ApiScenarios ||
                        handler == &Impl::ApiConcentration;
  if (analysis && snap->graph == nullptr) {
    return SendError(res, {500, "InternalError", "the network snapshot could not be built"});
  }
  (this->*handler)(call);
}

void Node::Impl::ApiNetwork(ApiCall& c) {
  const model::Model& m = c.snap.model;
  std::set<std::string> countries, organizations;
  size_t sites = 0, products = 0;
  for (model::Index s = 0; s < m.sites.size(); ++s) {
    if (!c.view.site(s)) continue;
    ++sites;
    countries.insert(m.sites[s].country);
    organizations.insert(m.organizations[m.sites[s].organization].id);
  }
  for (model::Index p = 0; p < m.products.size(); ++p) products += c.view.product(p) ? 1 : 0;
  SendJson(c.res, Json{{"organization", c.caller.client.organization},
                       {"organizations", organizations.size()},
                       {"sites", sites},
                       {"products", products},
                       {"countries", countries}});
}

void Node::Impl::ApiOverview(ApiCall& c) {
  const model::Model& m = c.snap.model;
  struct Cluster {
    size_t sites = 0;
    std::set<model::Index> organizations, products;
  };
  std::map<std::string, Cluster> clusters;
  for (model::Index s = 0; s < m.sites.size(); ++s) {
    if (!c.view.site(s) || m.sites[s].cluster.empty()) continue;
    Cluster& cl = clusters[m.sites[s].cluster];
    ++cl.sites;
    cl.organizations.insert(m.sites[s].organization);
  }
  double japan = 0, makers = 0, world = 0;
  for (const model::Production& node : m.production) {
    const model::Site& site = m.sites[node.site];
    if (!c.view.site(node.site) || !c.view.product(node.product)) continue;
    if (!site.cluster.empty()) clusters[site.cluster].products.insert(node.product);
    if (m.products[node.product].unit != model::Unit::kKilowattHour) continue;
    const double per_day = node.capacity_per_day.value_or(site.capacity_per_day.value_or(0));
    const double gwh = per_day * 365 / 1e6;
    world += gwh;
    if (site.country == "JP") japan += gwh;
    if (m.organizations[site.organization].country == "JP") makers += gwh;
  }
  Json list = Json::array();
  for (const auto& [id, cl] : clusters) {
    list.push_back({{"id", id},
                    {"sites", cl.sites},
                    {"organizations", cl.organizations.size()},
                    {"products", cl.products.size()}});
  }
  SendJson(c.res, Json{{"clusters", list},
                       {"battery",
                        {{"japan_gwh_per_year", Round6(japan)},
                         {"japanese_makers_gwh_per_year", Round6(makers)},
                         {"world_gwh_per_year", Round6(world)},
                         {"target_japan_gwh_per_year", 150},
                         {"target_japanese_makers_gwh_per_year", 600},
                         {"target_year", 2030}}}});
}

void Node::Impl::ApiSites(ApiCall& c) {
  const model::Model& m = c.snap.model;
  const risk::Criticality* crit = c.snap.graph ? &CriticalityOf(c.snap) : nullptr;
  const TtsTable* tts = c.snap.graph ? TtsTableOf(c.shared) : nullptr;
  const bool tts_ok = tts != nullptr && tts->results->ok();
  Json features = Json::array();
  for (model::Index s = 0; s < m.sites.size(); ++s) {
    if (!c.view.site(s)) continue;
    const model::Site& site = m.sites[s];
    features.push_back(
        {{"type", "Feature"},
         {"geometry", {{"type", "Point"}, {"coordinates", {site.lon, site.lat}}}},
         {"properties",
          {{"id", site.id},
           {"name", site.name},
           {"organization", m.organizations[site.organization].id},
           {"country", site.country},
           {"region", site.region},
           {"cluster", site.cluster},
           {"recovery_days", site.recovery_days ? Json(*site.recovery_days) : Json(nullptr)},
           {"products", SiteProducts(m, c.view, s)},
           {"demand_stopped", crit ? crit->site_stops()[s] : 0},
           {"exposed", tts_ok ? Json(tts->exposed[s] != 0) : Json(nullptr)}}}});
  }
  Json doc{{"type", "FeatureCollection"}, {"features", features}};
  if (c.snap.graph) doc["tts"] = TtsProgress(c.snap.analyses->tts);
  SendJson(c.res, doc);
}

void Node::Impl::ApiSite(ApiCall& c) {
  const model::Model& m = c.snap.model;
  const std::string id = c.req.path_params[0];
  const model::Index s = m.FindSite(id);
  if (s == model::kNoIndex) return SendError(c.res, {404, "NotFound", "unknown site '" + id + "'"});
  if (!c.view.site(s)) return SendError(c.res, {403, "AccessDenied", "Access denied"});
  const model::Site& site = m.sites[s];
  const model::Organization& org = m.organizations[site.organization];
  Json customers = Json::array(), suppliers = Json::array(), dependent = Json::array();
  for (const model::SupplyLink& link : m.supply) {
    if (!c.view.product(link.product)) continue;
    if (link.supplier_site == s && c.view.site(link.customer_site)) {
      customers.push_back(NodeRef(m, link.customer_site, link.product));
    }
    if (link.customer_site == s && c.view.site(link.supplier_site)) {
      suppliers.push_back(NodeRef(m, link.supplier_site, link.product));
    }
  }
  Json exposed = nullptr;
  uint32_t stopped = 0;
  if (c.snap.graph) {
    const network::Network& n = *c.snap.graph;
    auto nodes = n.nodes_at_site(s);
    for (const risk::TierEntry& e : risk::Closure(n, nodes, risk::Direction::kDownstream)) {
      if (n.IsDemand(e.vertex) && c.view.vertex(n, e.vertex)) {
        dependent.push_back(NodeRef(m, n.site(e.vertex), n.product(e.vertex)));
      }
    }
    stopped = CriticalityOf(c.snap).site_stops()[s];
    const TtsTable* tts = TtsTableOf(c.shared);
    if (tts != nullptr && tts->results->ok()) exposed = tts->exposed[s] != 0;
  }
  SendJson(c.res,
           Json{{"id", site.id},
                {"name", site.name},
                {"organization", {{"id", org.id}, {"name", org.name}}},
                {"country", site.country},
                {"region", site.region},
                {"cluster", site.cluster},
                {"lat", site.lat},
                {"lon", site.lon},
                {"recovery_days", site.recovery_days ? Json(*site.recovery_days) : Json(nullptr)},
                {"products", SiteProducts(m, c.view, s)},
                {"demand_stopped", stopped},
                {"exposed", exposed},
                {"customers", customers},
                {"suppliers", suppliers},
                {"dependent_demand", dependent}});
}

void Node::Impl::ApiProducts(ApiCall& c) {
  const model::Model& m = c.snap.model;
  std::vector<std::set<model::Index>> sites(m.products.size());
  for (const model::Production& node : m.production) {
    if (c.view.site(node.site)) sites[node.product].insert(node.site);
  }
  std::vector<model::Index> order;
  for (model::Index p = 0; p < m.products.size(); ++p) {
    if (c.view.product(p)) order.push_back(p);
  }
  std::sort(order.begin(), order.end(),
            [&m](model::Index a, model::Index b) { return m.products[a].id < m.products[b].id; });
  Json out = Json::array();
  for (model::Index p : order) {
    out.push_back({{"id", m.products[p].id},
                   {"name", m.products[p].name},
                   {"category", m.products[p].category},
                   {"unit", std::string(model::UnitSymbol(m.products[p].unit))},
                   {"sites", sites[p].size()}});
  }
  SendJson(c.res, Json{{"products", out}});
}

void Node::Impl::ApiTiers(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  const std::string node = c.req.get_param_value("node");
  if (node.empty()) return SendError(c.res, BadRequest("node: a node is required"));
  const std::string direction =
      c.req.has_param("direction") ? c.req.get_param_value("direction") : "up";
  if (direction != "up" && direction != "down") {
    return SendError(c.res, BadRequest("direction: expected up or down, got '" + direction + "'"));
  }
  size_t depth = risk::kUnlimitedDepth;
  if (auto e = IntParam(c.req, "depth", 0, depth)) return SendError(c.res, *e);
  auto sel = ResolveVisible(n, c.view, "node", node);
  if (!sel.ok()) return SendError(c.res, FromStatus(sel.status()));
  const bool up = direction == "up";
  const risk::Direction dir = up ? risk::Direction::kUpstream : risk::Direction::kDownstream;
  const std::vector<risk::TierEntry> tiers =
      risk::Closure(n, sel->vertices, dir, static_cast<uint32_t>(depth));
  Plain doc = risk::TiersJson(n, tiers, dir);
  std::vector<uint8_t> spof(n.vertex_count()), in_closure(n.vertex_count());
  if (up) {
    const risk::Criticality& crit = CriticalityOf(c.snap);
    for (network::Index t : sel->vertices) {
      for (network::Index v : crit.NodeSpofs(t)) spof[v] = 1;
    }
  }
  Plain entries = Plain::array();
  for (size_t i = 0; i < tiers.size(); ++i) {
    const network::Index v = tiers[i].vertex;
    in_closure[v] = 1;
    if (!c.view.vertex(n, v)) continue;
    Plain e = doc["tiers"][i];
    e["spof"] = spof[v] != 0;
    entries.push_back(std::move(e));
  }
  Plain links = Plain::array();
  for (const risk::TierEntry& t : tiers) {
    if (!c.view.vertex(n, t.vertex)) continue;
    for (const network::InputGroup& g : n.groups(t.vertex)) {
      for (const network::InEdge& e : n.edges(g)) {
        if (!in_closure[e.from] || !c.view.vertex(n, e.from)) continue;
        std::optional<double> share;
        if (e.link != network::kNone) share = m.supply[e.link].share;
        links.push_back({{"from", NodeRef(m, n.site(e.from), n.product(e.from))},
                         {"to", NodeRef(m, n.site(t.vertex), n.product(t.vertex))},
                         {"share", share ? Plain(*share) : Plain(nullptr)}});
      }
    }
  }
  doc["tiers"] = std::move(entries);
  doc["links"] = std::move(links);
  SendJson(c.res, doc);
}

void Node::Impl::ApiConcentration(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  const std::string id = c.req.path_params[0];
  const model::Index p = m.FindProduct(id);
  if (p == model::kNoIndex) {
    return SendError(c.res, {404, "NotFound", "unknown product '" + id + "'"});
  }
  if (!c.view.product(p)) return SendError(c.res, {403, "AccessDenied", "Access denied"});
  const std::string target = c.req.get_param_value("target");
  if (c.req.has_param("target") && target.empty()) {
    return SendError(c.res, BadRequest("target: a node is required"));
  }
  StatusOr<risk::Concentration> conc = [&]() -> StatusOr<risk::Concentration> {
    if (target.empty()) return risk::ProductConcentration(n, p);
    RENKEI_ASSIGN_OR_RETURN(network::Selection sel, ResolveVisible(n, c.view, "target", target));
    return risk::ProductConcentrationFor(n, p, sel.vertices);
  }();
  if (!conc.ok()) return SendError(c.res, FromStatus(conc.status()));
  Plain doc = risk::ConcentrationJson(
      id, target.empty() ? std::nullopt : std::optional<std::string>(target), *conc);
  if (!c.view.all()) {
    Plain kept = Plain::array();
    for (Plain& share : doc["by_company"]) {
      if (c.view.organization(m.FindOrganization(share["key"].get<std::string>()))) {
        kept.push_back(std::move(share));
      }
    }
    doc["by_company"] = std::move(kept);
  }
  SendJson(c.res, doc);
}

void Node::Impl::ApiSpofs(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  size_t top = 20;
  if (auto e = IntParam(c.req, "top", 1, top)) return SendError(c.res, *e);
  const std::string target = c.req.get_param_value("target");
  if (c.req.has_param("target") && target.empty()) {
    return SendError(c.res, BadRequest("target: a node is required"));
  }
  if (!target.empty()) {
    auto sel = ResolveVisible(n, c.view, "target", target);
    if (!sel.ok()) return SendError(c.res, FromStatus(sel.status()));
    Plain out = risk::SpofTargetsJson(n, CriticalityOf(c.snap), sel->vertices);
    KeepEntries(m, c.view, out);
    for (Plain& t : out) {
      KeepEntries(m, c.view, t["node_spofs"]);
      KeepSites(m, c.view, t["site_spofs"]);
    }
    return SendJson(c.res, out);
  }
  if (n.demand_count() == 0) {
    return SendError(c.res, BadRequest("the network has no demand: single points of failure are "
                                       "counted against demand rows"));
  }
  if (c.view.all()) return SendJson(c.res, risk::SpofRankingJson(n, CriticalityOf(c.snap), top));
  Plain doc = risk::SpofRankingJson(n, CriticalityOf(c.snap), std::numeric_limits<size_t>::max());
  KeepEntries(m, c.view, doc["nodes"]);
  Plain sites = Plain::array();
  for (Plain& row : doc["sites"]) {
    if (c.view.site(m.FindSite(row["site"].get<std::string>()))) sites.push_back(std::move(row));
  }
  doc["sites"] = std::move(sites);
  for (const char* list : {"nodes", "sites"}) {
    if (doc[list].size() > top)
      doc[list].erase(doc[list].begin() + static_cast<long>(top), doc[list].end());
  }
  SendJson(c.res, doc);
}

void Node::Impl::ApiTts(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  double days = risk::kDefaultRecoveryDays;
  if (auto e = NumberParam(c.req, "default_days", days)) return SendError(c.res, *e);
  StatusOr<std::vector<risk::ScenarioResult>> computed = std::vector<risk::ScenarioResult>{};
  const StatusOr<std::vector<risk::ScenarioResult>>* results = &computed;
  if (days == risk::kDefaultRecoveryDays) {
    const TtsTable* table = TtsTableOf(c.shared, std::chrono::seconds(5));
    if (table == nullptr) {
      c.res.set_header("Retry-After", "5");
      return SendJson(c.res, TtsProgress(c.snap.analyses->tts), 202);
    }
    results = &*table->results;
  } else {
    std::lock_guard<std::mutex> lock(lp_mu_);
    computed = risk::RunScenarios(n, risk::SiteScenarios(n, days));
  }
  if (!results->ok()) return SendError(c.res, FromStatus(results->status()));
  Plain out = risk::TtsJson(m, **results);
  if (!c.view.all()) {
    Plain kept = Plain::array();
    for (size_t i = 0; i < out.size(); ++i) {
      const auto& sites = (**results)[i].sites;
      if (!std::all_of(sites.begin(), sites.end(),
                       [&](network::Index s) { return c.view.site(s); })) {
        continue;
      }
      FilterScenario(m, c.view, out[i]);
      kept.push_back(std::move(out[i]));
    }
    out = std::move(kept);
  }
  SendJson(c.res, out);
}

void Node::Impl::ApiScenarios(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  if (c.req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    return SendError(c.res, BadRequest("content type must be application/json"));
  }
  StatusOr<risk::Event> event = risk::ParseEvent(c.req.body);
  if (!event.ok()) return SendError(c.res, BadRequest(event.status().message()));
  // The sites or company an event names must be visible; unknown ones are NotFound below.
  if (event->kind == risk::Event::Kind::kSites) {
    for (const std::string& id : event->sites) {
      const model::Index s = m.FindSite(id);
      if (s != model::kNoIndex && !c.view.site(s)) {
        return SendError(c.res, {403, "AccessDenied", "Access denied"});
      }
    }
  }
  if (event->kind == risk::Event::Kind::kCompany) {
    const model::Index o = m.FindOrganization(event->company);
    if (o != model::kNoIndex && !c.view.organization(o)) {
      return SendError(c.res, {403, "AccessDenied", "Access denied"});
    }
  }
  StatusOr<risk::EventImpact> impact = [&] {
    std::lock_guard<std::mutex> lock(lp_mu_);
    return risk::AnalyseEvent(n, *event);
  }();
  if (!impact.ok()) return SendError(c.res, FromStatus(impact.status()));
  Plain doc = risk::EventJson(n, *event, *impact);
  if (!c.view.all()) {
    KeepSites(m, c.view, doc["sites"]);
    KeepProducts(m, c.view, doc["affected_products"]);
    KeepEntries(m, c.view, doc["affected_demand"]);
    KeepEntries(m, c.view, doc["stopped_demand"]);
    FilterScenario(m, c.view, doc["result"]);
  }
  SendJson(c.res, doc);
}

void Node::Impl::ApiKeys(ApiCall& c) {
  Json keys = Json::array();
  for (const auto& [org, key] : c.snap.public_keys) {
    Json jwk = Json::parse(trust::PublicJwk(key));
    jwk["kid"] = org;
    jwk["alg"] = "EdDSA";
    keys.push_back(jwk);
  }
  SendJson(c.res, Json{{"keys", keys}});
}

void Node::Impl::ApiFootprint(ApiCall& c) {
  const model::Model& m = c.snap.model;
  const std::string id = c.req.path_params[0];
  const model::Index p = m.FindProduct(id);
  if (p == model::kNoIndex) {
    return SendError(c.res, {404, "NotFound", "unknown product '" + id + "'"});
  }
  if (!c.view.product(p)) return SendError(c.res, {403, "AccessDenied", "Access denied"});
  const std::string split = c.req.has_param("split") ? c.req.get_param_value("split") : "country";
  footprint::SplitBy by;
  if (split == "tier") {
    by = footprint::SplitBy::kTier;
  } else if (split == "country") {
    by = footprint::SplitBy::kCountry;
  } else if (split == "supplier") {
    by = footprint::SplitBy::kSupplier;
  } else if (split == "stage") {
    by = footprint::SplitBy::kStage;
  } else {
    return SendError(
        c.res, BadRequest("split: expected tier, country, supplier or stage, got '" + split + "'"));
  }
  if (!c.snap.have_network) {
    return SendError(c.res, {500, "InternalError", "the footprints could not be computed"});
  }
  auto fp = footprint::FootprintOfProduct(m, c.snap.network, id);
  if (!fp.ok()) return SendError(c.res, {404, "NotFound", fp.status().message()});
  Json doc = footprint::FootprintJson(m, *fp, by);
  if (by == footprint::SplitBy::kSupplier && !c.view.all()) {
    Json kept = Json::array();
    for (Json& e : doc["by_supplier"]) {
      const model::Index o = m.FindOrganization(e["key"].get<std::string>());
      if (o == model::kNoIndex || c.view.organization(o)) kept.push_back(std::move(e));
    }
    doc["by_supplier"] = std::move(kept);
  }
  SendJson(c.res, doc);
}

void Node::Impl::ApiCircularity(ApiCall& c) {
  const model::Model& m = c.snap.model;
  const std::string id = c.req.path_params[0];
  const model::Index p = m.FindProduct(id);
  if (p == model::kNoIndex) {
    return SendError(c.res, {404, "NotFound", "unknown product '" + id + "'"});
  }
  if (!c.view.product(p)) return SendError(c.res, {403, "AccessDenied", "Access denied"});
  auto circ = footprint::RecycledContent(m, id);
  if (!circ.ok()) return SendError(c.res, {404, "NotFound", circ.status().message()});
  SendJson(c.res, footprint::CircularityJson(m, *circ));
}

void Node::Impl::ApiEvents(ApiCall& c) {
  if (!c.caller.client.admin) {
    return SendError(c.res, {403, "AccessDenied", "admin clients only"});
  }
  std::lock_guard<std::mutex> lock(store_mu_);
  auto events = ListEvents(*store_);
  if (!events.ok()) return SendError(c.res, {500, "InternalError", events.status().message()});
  Json out = Json::array();
  for (const EventRecord& e : *events) {
    out.push_back({{"id", e.id},
                   {"direction", e.direction},
                   {"type", e.type},
                   {"organization", e.organization},
                   {"time", e.time},
                   {"state", e.state}});
  }
  SendJson(c.res, Json{{"events", out}});
}

namespace {

// The JSON body of an admin POST, or the error sent.
std::optional<Json> AdminJsonBody(ApiCall& c) {
  if (!c.caller.client.admin) {
    SendError(c.res, {403, "AccessDenied", "admin clients only"});
    return std::nullopt;
  }
  if (c.req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    SendError(c.res, BadRequest("content type must be application/json"));
    return std::nullopt;
  }
  StatusOr<Json> body = ParseJson<Json>(c.req.body, "body");
  if (!body.ok()) {
    SendError(c.res, BadRequest(body.status().message()));
    return std::nullopt;
  }
  return std::move(*body);
}

}  // namespace

void Node::Impl::ApiRequests(ApiCall& c) {
  auto body = AdminJsonBody(c);
  if (!body) return;
  if (!body->is_object() || !body->contains("organization") ||
      !(*body)["organization"].is_string()) {
    return SendError(c.res, BadRequest("organization is required"));
  }
  auto id = RequestFootprints((*body)["organization"], body->value("criteria", Json::object()));
  if (!id.ok()) {
    return SendError(c.res, id.status().code() == StatusCode::kNotFound
                                ? ApiError{404, "NotFound", id.status().message()}
                                : BadRequest(id.status().message()));
  }
  SendJson(c.res, Json{{"id", *id}}, 202);
}

void Node::Impl::ApiBundles(ApiCall& c) {
  if (!AdminJsonBody(c)) return;
  // The bundle as one JSON document, read by the same code as `renkei import`.
  char dir_template[] = "/tmp/renkei-bundle-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    return SendError(c.res, {500, "InternalError", "cannot make a temporary folder"});
  }
  const std::string dir = dir_template;
  const std::string file = dir + "/bundle.json";
  Status s;
  {
    FILE* f = std::fopen(file.c_str(), "wb");
    if (f == nullptr ||
        std::fwrite(c.req.body.data(), 1, c.req.body.size(), f) != c.req.body.size()) {
      s = InternalError("cannot write the bundle");
    }
    if (f != nullptr) std::fclose(f);
  }
  model::RowCounts before{}, after{};
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(store_mu_);
    auto loaded = store_->LoadModel();
    s = loaded.status();
    if (s.ok()) {
      model::Model model = std::move(*loaded);
      before = model::CountRows(model);
      s = io::ReadBundle(file, model);
      if (s.ok()) {
        s = store_->Append(model, before, "client:" + c.caller.client.id, "import via API");
      }
      if (s.ok()) {
        after = model::CountRows(model);
        s = Rebuild();
      }
    }
  }
  std::remove(file.c_str());
  rmdir(dir.c_str());
  if (!s.ok()) {
    const std::string msg = s.message();
    const size_t at = msg.find(file);
    return SendError(c.res, BadRequest(at == std::string::npos ? msg
                                                               : msg.substr(0, at) + "bundle.json" +
                                                                     msg.substr(at + file.size())));
  }
  Json added = Json::object();
  for (const model::TableSchema& t : model::AllTables()) {
    added[std::string(t.name)] =
        after[static_cast<size_t>(t.table)] - before[static_cast<size_t>(t.table)];
  }
  SendJson(c.res, Json{{"imported", added}});
}

namespace {

std::string ContentType(const std::string& path) {
  const size_t dot = path.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  static const std::map<std::string, std::string> types = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"json", "application/json"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"txt", "text/plain; charset=utf-8"},
      {"paths", "text/plain; charset=utf-8"},  // the dashboard's basemap (SVG path data)
  };
  auto it = types.find(ext);
  return it == types.end() ? "application/octet-stream" : it->second;
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

void Node::Impl::Static(const Request& req, Response& res) {
  namespace fs = std::filesystem;
  const std::string& path = req.path;  // percent-decoded by the transport
  for (const char* api : {"/api/", "/2/", "/3/", "/auth/", "/.well-known/"}) {
    if (StartsWith(path, api)) return SendError(res, {404, "NotFound", "no such endpoint"});
  }
  if (options_.web_dir.empty()) {
    return SendError(res, {404, "NotFound", "the dashboard is not installed on this node"});
  }
  const ApiError missing{404, "NotFound", "no such file"};
  // No "..", no hidden files, no encoded characters left, no backslashes.
  if (path.empty() || path[0] != '/' || path.find('%') != std::string::npos ||
      path.find('\\') != std::string::npos || path.find('\0') != std::string::npos ||
      path.find("/.") != std::string::npos) {
    return SendError(res, missing);
  }
  std::string relative = path.substr(1);
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  std::error_code ec;
  const fs::path root = fs::canonical(options_.web_dir, ec);
  if (ec) return SendError(res, missing);
  const fs::path file = fs::weakly_canonical(root / relative, ec);
  const std::string root_prefix = root.string() + "/";
  if (ec || file.string().rfind(root_prefix, 0) != 0 || !fs::is_regular_file(file, ec)) {
    return SendError(res, missing);
  }
  const std::string type = ContentType(file.string());
  const uint64_t size = fs::file_size(file, ec);
  const int64_t mtime = fs::last_write_time(file, ec).time_since_epoch().count();
  auto cached = ec ? nullptr : static_cache_.Find(file.string(), size, mtime);
  std::string body;
  if (cached == nullptr) {
    std::ifstream in(file, std::ios::binary);
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return SendError(res, {500, "InternalError", "cannot read file"});
  }
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Cache-Control",
                 StartsWith(path, "/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
  if (StartsWith(type, "text/html")) {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
  }
  res.status = 200;
  if (cached != nullptr) return SendFile(req, res, std::move(cached), type);
  SendBody(req, res, std::move(body), type);
}

void Node::Impl::WarmStaticCache() {
  namespace fs = std::filesystem;
  constexpr uint64_t kMaxBytes = 64 << 20;  // a dashboard is a few MB; bigger files stay uncached
  std::error_code ec;
  const fs::path root = fs::canonical(options_.web_dir, ec);
  if (ec) return;
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (static_stop_) return;
    if (it->path().filename().string().rfind('.', 0) == 0) {  // hidden: never served
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;  // links are not served
    const uint64_t size = it->file_size(ec);
    if (ec || (total += size) > kMaxBytes) return;
    const int64_t mtime = it->last_write_time(ec).time_since_epoch().count();
    if (!ec) static_cache_.Add(it->path().string(), size, mtime, ContentType(it->path().string()));
  }
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
