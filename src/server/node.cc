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
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "footprint/circularity.h"
#include "footprint/report.h"
#include "footprint/roll_up.h"
#include "io/bundle.h"
#include "model/builder.h"
#include "pact/footprint_row.h"
#include "pact/product_footprint.h"
#include "server/node_tables.h"
#include "server/openapi.h"
#include "trust/canonical_json.h"
#include "trust/jws.h"

namespace renkei::server {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr char kPublished[] = "org.wbcsd.pathfinder.ProductFootprint.Published.v1";
constexpr char kRequestCreated[] = "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1";
constexpr char kRequestFulfilled[] = "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1";
constexpr char kRequestRejected[] = "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1";

// A PACT error response.
struct ApiError {
  int status;
  std::string code;
  std::string message;
};

ApiError BadRequest(std::string m) { return {400, "BadRequest", std::move(m)}; }

void SendError(httplib::Response& res, const ApiError& e) {
  res.status = e.status;
  res.set_content(Json{{"code", e.code}, {"message", e.message}}.dump(), "application/json");
}

void SendJson(httplib::Response& res, const Json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

bool IsUuid(const std::string& s) {
  static const std::regex re(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  return std::regex_match(s, re);
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
  model::Index owner = model::kNoIndex;
  model::Index product = model::kNoIndex;
};

// What readers see; rebuilt after each committed change and swapped in whole.
struct Snapshot {
  model::Model model;
  std::vector<Served> v2, v3;
  std::map<std::string, std::vector<std::string>> grants;
  std::map<std::string, std::string> public_keys;  // organization -> base64url
  std::map<std::string, trust::KeyPair> own_keys;
  bool have_network = false;
  footprint::NetworkFootprint network;
};

struct Caller {
  Client client;
  model::Index organization = model::kNoIndex;
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
  auto g = s.grants.find(c.client.organization);
  if (g == s.grants.end() || product == model::kNoIndex) return false;
  for (const std::string& p : g->second) {
    if (p == "*" || p == s.model.products[product].id) return true;
  }
  return false;
}

// The document without Renkei's signature extension, canonical.
StatusOr<std::string> CanonicalWithoutSignature(Json doc, std::string* jws) {
  auto ext = doc.find("extensions");
  if (ext != doc.end() && ext->is_array()) {
    Json kept = Json::array();
    for (const Json& e : *ext) {
      if (e.is_object() && e.value("dataSchema", "") == kSignatureSchema) {
        if (jws != nullptr && e.contains("data") && e["data"].is_object()) {
          *jws = e["data"].value("jws", "");
        }
      } else {
        kept.push_back(e);
      }
    }
    if (kept.empty()) {
      doc.erase("extensions");
    } else {
      *ext = kept;
    }
  }
  return trust::CanonicalJson(doc);
}

StatusOr<std::string> SignedBody(const pact::ProductFootprint& pf, const trust::KeyPair* keys,
                                 const std::string& kid) {
  Json doc = pact::ProductFootprintToJson(pf);
  if (keys == nullptr) return doc.dump();
  RENKEI_ASSIGN_OR_RETURN(std::string canonical, CanonicalWithoutSignature(doc, nullptr));
  Json ext = {{"specVersion", "2.0.0"},
              {"dataSchema", kSignatureSchema},
              {"data", {{"jws", trust::SignJws(canonical, *keys, kid)}}}};
  if (!doc.contains("extensions") || !doc["extensions"].is_array()) {
    doc["extensions"] = Json::array();
  }
  doc["extensions"].push_back(ext);
  return doc.dump();
}

// Verifies the signature a received document carries, if any. Unauthenticated when
// it does not verify or its signer is unknown.
Status VerifyReceived(const Snapshot& s, const Json& doc) {
  std::string jws;
  RENKEI_ASSIGN_OR_RETURN(std::string canonical, CanonicalWithoutSignature(doc, &jws));
  if (jws.empty()) return Status::Ok();
  RENKEI_ASSIGN_OR_RETURN(std::string kid, trust::JwsKeyId(jws));
  auto key = s.public_keys.find(kid);
  if (key == s.public_keys.end()) {
    return UnauthenticatedError("signer '" + kid + "' has no registered public key");
  }
  RENKEI_ASSIGN_OR_RETURN(trust::VerifiedJws v, trust::VerifyJws(jws, key->second));
  if (v.payload != canonical) {
    return UnauthenticatedError("signature of '" + kid + "' does not cover this document");
  }
  return Status::Ok();
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
  RENKEI_ASSIGN_OR_RETURN(snap->model, store.LoadModel());
  RENKEI_ASSIGN_OR_RETURN(snap->grants, ListGrants(store));
  RENKEI_ASSIGN_OR_RETURN(snap->own_keys, OrganizationKeys(store));
  const model::Model& m = snap->model;
  for (const model::Organization& o : m.organizations) {
    if (!o.public_key.empty()) snap->public_keys[o.id] = o.public_key;
  }
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
  for (const model::Footprint& f : m.footprints) {
    if (f.pact_json.empty()) continue;
    auto pf = pact::ParseProductFootprint(f.pact_json);
    if (!pf.ok()) continue;
    Served s;
    s.product = f.product;
    s.owner = OwnerOf(m, f.product);
    s.body = Json::parse(f.pact_json).dump();
    s.pf = std::move(*pf);
    (s.pf.version == pact::SpecVersion::kV2 ? snap->v2 : snap->v3).push_back(std::move(s));
  }
  KeepLatest(snap->v2);
  KeepLatest(snap->v3);
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

}  // namespace

class Node::Impl {
 public:
  Impl(std::unique_ptr<store::Store> store, const NodeOptions& options)
      : store_(std::move(store)),
        options_(options),
        server_(options.cert_file.c_str(), options.key_file.c_str()) {}

  Status Start();
  void Stop();
  void Wait() {
    if (listener_.joinable()) listener_.join();
  }
  int port() const { return port_; }
  std::string url() const {
    return "https://" + (options_.host == "0.0.0.0" ? std::string("127.0.0.1") : options_.host) +
           ":" + std::to_string(port_);
  }
  StatusOr<std::string> RequestFootprints(const std::string& organization, const Json& criteria);

 private:
  // Routes.
  void Token(const httplib::Request& req, httplib::Response& res);
  void OpenId(const httplib::Request& req, httplib::Response& res);
  void ListFootprints(int version, const httplib::Request& req, httplib::Response& res);
  void GetFootprint(int version, const httplib::Request& req, httplib::Response& res);
  void Events(int version, const httplib::Request& req, httplib::Response& res);
  void Api(const httplib::Request& req, httplib::Response& res);

  // The caller of a request with a valid bearer token, or the error sent.
  std::optional<Caller> Authorize(const httplib::Request& req, httplib::Response& res);
  std::shared_ptr<const Snapshot> snapshot() const {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    return snapshot_;
  }
  Status Rebuild();  // requires store_mu_ held
  std::string BaseUrl(const httplib::Request& req) const {
    return "https://" + (req.has_header("Host") ? req.get_header_value("Host") : url().substr(8));
  }

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
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread listener_;

  std::mutex store_mu_;  // serialises every use of store_
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // GUARDED_BY(snapshot_mu_); readers keep theirs

  struct IssuedToken {
    Client client;
    Clock::time_point expires;
  };
  std::mutex tokens_mu_;
  std::map<std::string, IssuedToken> tokens_;  // GUARDED_BY(tokens_mu_)

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Delivery> queue_;  // GUARDED_BY(queue_mu_)
  bool stopping_ = false;       // GUARDED_BY(queue_mu_)
  std::thread worker_;
};

namespace {
thread_local Clock::time_point request_start;
}

Status Node::Impl::Rebuild() {
  RENKEI_ASSIGN_OR_RETURN(auto snap, BuildSnapshot(*store_));
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = std::move(snap);
  return Status::Ok();
}

Status Node::Impl::Start() {
  if (!server_.is_valid()) {
    return InvalidArgumentError("cannot use the TLS certificate '" + options_.cert_file +
                                "' and key '" + options_.key_file + "'");
  }
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    RENKEI_RETURN_IF_ERROR(Rebuild());
  }
  server_.set_payload_max_length(options_.max_body_bytes);
  server_.set_read_timeout(options_.read_timeout_seconds, 0);
  server_.set_write_timeout(options_.write_timeout_seconds, 0);
  server_.set_keep_alive_timeout(5);
  server_.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    request_start = Clock::now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    if (options_.log == nullptr) return;
    const double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - request_start).count();
    std::fprintf(options_.log, "%s %s %s %d %.2fms\n", NowRfc3339().c_str(), req.method.c_str(),
                 req.path.c_str(), res.status, ms);
    std::fflush(options_.log);
  });
  server_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      SendError(res, {413, "BadRequest", "request body too large"});
    } else if (res.status == 404) {
      SendError(res, {404, "NotFound", "no such endpoint"});
    } else if (res.status >= 400) {
      SendError(res,
                {res.status, res.status >= 500 ? "InternalError" : "BadRequest", "request failed"});
    }
  });
  server_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, {500, "InternalError", "An internal or unexpected error has occurred"});
      });
  using R = const httplib::Request&;
  using W = httplib::Response&;
  server_.Post("/auth/token", [this](R req, W res) { Token(req, res); });
  server_.Get("/.well-known/openid-configuration", [this](R req, W res) { OpenId(req, res); });
  server_.Get("/2/footprints", [this](R req, W res) { ListFootprints(2, req, res); });
  server_.Get("/3/footprints", [this](R req, W res) { ListFootprints(3, req, res); });
  server_.Get(R"(/2/footprints/([^/]+))", [this](R req, W res) { GetFootprint(2, req, res); });
  server_.Get(R"(/3/footprints/([^/]+))", [this](R req, W res) { GetFootprint(3, req, res); });
  server_.Post("/2/events", [this](R req, W res) { Events(2, req, res); });
  server_.Post("/3/events", [this](R req, W res) { Events(3, req, res); });
  server_.Get(R"(/api/v1/.*)", [this](R req, W res) { Api(req, res); });
  server_.Post(R"(/api/v1/.*)", [this](R req, W res) { Api(req, res); });

  port_ = options_.port == 0
              ? server_.bind_to_any_port(options_.host)
              : (server_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ <= 0) {
    return UnavailableError("cannot listen on " + options_.host + ":" +
                            std::to_string(options_.port));
  }
  worker_ = std::thread([this] { DeliveryLoop(); });
  listener_ = std::thread([this] { server_.listen_after_bind(); });
  for (int i = 0; i < 500 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status::Ok();
}

void Node::Impl::Stop() {
  server_.stop();
  if (listener_.joinable()) listener_.join();
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Node::Impl::Token(const httplib::Request& req, httplib::Response& res) {
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

void Node::Impl::OpenId(const httplib::Request& req, httplib::Response& res) {
  const std::string base = BaseUrl(req);
  SendJson(res, Json{{"issuer", base},
                     {"token_endpoint", base + "/auth/token"},
                     {"token_endpoint_auth_methods_supported", {"client_secret_basic"}},
                     {"grant_types_supported", {"client_credentials"}},
                     {"response_types_supported", {"token"}},
                     {"subject_types_supported", {"public"}},
                     {"id_token_signing_alg_values_supported", {"EdDSA"}},
                     {"jwks_uri", base + "/api/v1/keys"}});
}

std::optional<Caller> Node::Impl::Authorize(const httplib::Request& req, httplib::Response& res) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) != 0) {
    SendError(res, {403, "AccessDenied", "a bearer token is required"});
    return std::nullopt;
  }
  Caller caller;
  {
    std::lock_guard<std::mutex> lock(tokens_mu_);
    auto it = tokens_.find(auth.substr(7));
    if (it == tokens_.end()) {
      SendError(res, {403, "AccessDenied", "Access denied"});
      return std::nullopt;
    }
    if (Clock::now() >= it->second.expires) {
      SendError(res, {401, "TokenExpired", "The specified access token has expired"});
      return std::nullopt;
    }
    caller.client = it->second.client;
  }
  caller.organization = snapshot()->model.FindOrganization(caller.client.organization);
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
  for (auto [name, out] : {std::pair{"productId", &c.product_id},
                           {"companyId", &c.company_id},
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
  if (!c.status.empty() && c.status != "Active" && c.status != "Deprecated") {
    return BadRequest("status: expected Active or Deprecated, got '" + c.status + "'");
  }
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

void Node::Impl::ListFootprints(int version, const httplib::Request& req, httplib::Response& res) {
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
  const auto& all = version == 2 ? snap->v2 : snap->v3;
  std::string body = "{\"data\":[";
  size_t seen = 0, written = 0;
  bool more = false;
  for (const Served& s : all) {
    if (!MaySee(*snap, *caller, s.product, s.owner) || !Matches(c, s.pf)) continue;
    if (seen++ < offset) continue;
    if (limit != 0 && written == limit) {
      more = true;
      break;
    }
    if (written++ > 0) body.push_back(',');
    body += s.body;
  }
  body += "]}";
  if (more) {
    std::string query;
    for (const auto& [name, value] : req.params) {
      if (name == "offset") continue;
      query += PercentEncode(name) + "=" + PercentEncode(value) + "&";
    }
    query += "offset=" + std::to_string(offset + written);
    res.set_header("Link", "<" + BaseUrl(req) + req.path + "?" + query + ">; rel=\"next\"");
  }
  res.set_content(body, "application/json");
}

void Node::Impl::GetFootprint(int version, const httplib::Request& req, httplib::Response& res) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  const std::string id = req.matches[1];
  if (!IsUuid(id))
    return SendError(res, BadRequest("footprint id must be a UUID, got '" + id + "'"));
  auto snap = snapshot();
  for (const Served& s : version == 2 ? snap->v2 : snap->v3) {
    if (s.pf.id != id) continue;
    if (!MaySee(*snap, *caller, s.product, s.owner)) {
      return SendError(res, {403, "AccessDenied", "Access denied"});
    }
    return res.set_content("{\"data\":" + s.body + "}", "application/json");
  }
  SendError(res, {404, "NoSuchFootprint", "The specified footprint does not exist."});
}

void Node::Impl::Events(int version, const httplib::Request& req, httplib::Response& res) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/cloudevents+json", 0) != 0 &&
      type.rfind("application/json", 0) != 0) {
    return SendError(
        res, BadRequest("content type must be application/cloudevents+json, got '" + type + "'"));
  }
  Json event;
  try {
    event = Json::parse(req.body);
  } catch (const nlohmann::json::exception&) {
    return SendError(res, BadRequest("the body is not JSON"));
  }
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
  const Json data = event.contains("data") ? event["data"] : Json();
  if (event_type == kPublished) {
    if (!data.is_object() || !data.contains("pfIds") || !data["pfIds"].is_array() ||
        data["pfIds"].empty()) {
      return SendError(res, BadRequest("data.pfIds must be a non-empty array"));
    }
  } else if (event_type == kRequestCreated) {
    Criteria c;
    if (auto e = CriteriaFromJson(data, c)) return SendError(res, *e);
    if (auto e = CheckCriteria(c)) return SendError(res, *e);
  } else if (event_type == kRequestFulfilled) {
    if (!data.is_object() || !data.contains("requestEventId") ||
        !data["requestEventId"].is_string() || !data.contains("pfs") || !data["pfs"].is_array()) {
      return SendError(res, BadRequest("data needs requestEventId and pfs"));
    }
    std::lock_guard<std::mutex> lock(store_mu_);
    Status s = StoreFulfilled(*caller, event);
    if (!s.ok()) return SendError(res, BadRequest(s.message()));
  } else if (event_type == kRequestRejected) {
    if (!data.is_object() || !data.contains("requestEventId") || !data.contains("error")) {
      return SendError(res, BadRequest("data needs requestEventId and error"));
    }
  } else {
    return SendError(res, BadRequest("unknown event type '" + event_type + "'"));
  }
  if (event_type != kRequestFulfilled) {
    std::lock_guard<std::mutex> lock(store_mu_);
    auto seq = RecordEvent(*store_, {0, event["id"], "in", event_type, caller->client.organization,
                                     "", "received", event.dump()});
    if (!seq.ok()) return SendError(res, {500, "InternalError", seq.status().message()});
  }
  if (event_type == kRequestCreated) AnswerRequest(*caller, version, event);
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
  RENKEI_ASSIGN_OR_RETURN(model::Model model, store_->LoadModel());
  const model::RowCounts before = model::CountRows(model);
  model::ModelBuilder builder(model);
  size_t i = 0;
  for (const Json& doc : event["data"]["pfs"]) {
    const std::string where = "data.pfs[" + std::to_string(i++) + "]";
    Status verified = VerifyReceived(*snap, doc);
    if (!verified.ok()) return verified.WithPrefix(where);
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
  }
  RENKEI_RETURN_IF_ERROR(builder.Finish());
  RENKEI_RETURN_IF_ERROR(store_->Append(model, before, "partner:" + caller.client.organization,
                                        "fulfilled " + request_id));
  RENKEI_RETURN_IF_ERROR(SetEventState(*store_, sent.seq, "fulfilled"));
  RENKEI_RETURN_IF_ERROR(
      RecordEvent(*store_, {0, event["id"], "in", kRequestFulfilled, caller.client.organization, "",
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
  Json answer = {{"type", kRequestFulfilled},
                 {"specversion", "1.0"},
                 {"id", trust::RandomHex(16)},
                 {"source", "//" + url().substr(8) + "/" + std::to_string(version) + "/events"},
                 {"time", NowRfc3339()},
                 {"data", {{"requestEventId", event["id"]}, {"pfs", pfs}}}};
  std::lock_guard<std::mutex> lock(store_mu_);
  auto seq = RecordEvent(*store_, {0, answer["id"], "out", kRequestFulfilled,
                                   caller.client.organization, "", "pending", answer.dump()});
  if (seq.ok()) Enqueue({caller.client.organization, version, *seq, answer});
}

StatusOr<std::string> Node::Impl::RequestFootprints(const std::string& organization,
                                                    const Json& criteria) {
  Criteria c;
  if (auto e = CriteriaFromJson(criteria, c)) return InvalidArgumentError(e->message);
  std::lock_guard<std::mutex> lock(store_mu_);
  RENKEI_RETURN_IF_ERROR(GetPartner(*store_, organization).status());
  const std::string id = trust::RandomHex(16);
  Json event = {{"type", kRequestCreated},
                {"specversion", "1.0"},
                {"id", id},
                {"source", "//" + url().substr(8) + "/3/events"},
                {"time", NowRfc3339()},
                {"data", criteria}};
  RENKEI_ASSIGN_OR_RETURN(
      int64_t seq, RecordEvent(*store_, {0, id, "out", kRequestCreated, organization, "", "pending",
                                         event.dump()}));
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
        std::fprintf(options_.log, "%s event %s to %s: attempt %d: %s\n", NowRfc3339().c_str(),
                     d.event["id"].get<std::string>().c_str(), d.organization.c_str(), attempt,
                     s.ToString().c_str());
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
    (void)SetEventState(*store_, d.seq,
                        s.ok() ? (type == kRequestCreated ? "sent" : "delivered") : "failed");
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
  try {
    access = Json::parse(token->body).at("access_token").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return UnavailableError(partner.url + "/auth/token: no access_token in the answer");
  }
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

void Node::Impl::Api(const httplib::Request& req, httplib::Response& res) {
  const std::string& path = req.path;
  if (path == "/api/v1/openapi.json" && req.method == "GET") {
    return res.set_content(OpenApiDocument(BaseUrl(req)).dump(2), "application/json");
  }
  auto caller = Authorize(req, res);
  if (!caller) return;
  auto snap = snapshot();
  const model::Model& m = snap->model;
  auto visible_product = [&](model::Index p) { return MaySee(*snap, *caller, p, OwnerOf(m, p)); };
  auto visible_site = [&](model::Index s) {
    if (caller->client.admin || m.sites[s].organization == caller->organization) return true;
    for (const model::Production& node : m.production) {
      if (node.site == s && visible_product(node.product)) return true;
    }
    return false;
  };
  static const std::regex product_route("^/api/v1/products/([^/]+)/(footprint|circularity)$");
  std::smatch match;
  if (req.method == "GET" && path == "/api/v1/network") {
    std::set<std::string> countries, organizations;
    size_t sites = 0, products = 0;
    for (model::Index s = 0; s < m.sites.size(); ++s) {
      if (!visible_site(s)) continue;
      ++sites;
      countries.insert(m.sites[s].country);
      organizations.insert(m.organizations[m.sites[s].organization].id);
    }
    for (model::Index p = 0; p < m.products.size(); ++p) products += visible_product(p) ? 1 : 0;
    return SendJson(res, Json{{"organization", caller->client.organization},
                              {"organizations", organizations.size()},
                              {"sites", sites},
                              {"products", products},
                              {"countries", countries}});
  }
  if (req.method == "GET" && path == "/api/v1/sites") {
    Json features = Json::array();
    for (model::Index s = 0; s < m.sites.size(); ++s) {
      if (!visible_site(s)) continue;
      const model::Site& site = m.sites[s];
      features.push_back({{"type", "Feature"},
                          {"geometry", {{"type", "Point"}, {"coordinates", {site.lon, site.lat}}}},
                          {"properties",
                           {{"id", site.id},
                            {"name", site.name},
                            {"organization", m.organizations[site.organization].id},
                            {"country", site.country},
                            {"region", site.region},
                            {"cluster", site.cluster}}}});
    }
    return SendJson(res, Json{{"type", "FeatureCollection"}, {"features", features}});
  }
  if (req.method == "GET" && path == "/api/v1/keys") {
    Json keys = Json::array();
    for (const auto& [org, key] : snap->public_keys) {
      Json jwk = Json::parse(trust::PublicJwk(key));
      jwk["kid"] = org;
      jwk["alg"] = "EdDSA";
      keys.push_back(jwk);
    }
    return SendJson(res, Json{{"keys", keys}});
  }
  if (req.method == "GET" && std::regex_match(path, match, product_route)) {
    const std::string id = PercentDecode(match[1]);
    const model::Index p = m.FindProduct(id);
    if (p == model::kNoIndex)
      return SendError(res, {404, "NotFound", "unknown product '" + id + "'"});
    if (!visible_product(p)) return SendError(res, {403, "AccessDenied", "Access denied"});
    if (match[2] == "footprint") {
      if (!snap->have_network) {
        return SendError(res, {500, "InternalError", "the footprints could not be computed"});
      }
      auto fp = footprint::FootprintOfProduct(m, snap->network, id);
      if (!fp.ok()) return SendError(res, {404, "NotFound", fp.status().message()});
      return SendJson(res, footprint::FootprintJson(m, *fp, footprint::SplitBy::kCountry));
    }
    auto c = footprint::RecycledContent(m, id);
    if (!c.ok()) return SendError(res, {404, "NotFound", c.status().message()});
    return SendJson(res, footprint::CircularityJson(m, *c));
  }
  if (req.method == "GET" && path == "/api/v1/events") {
    if (!caller->client.admin) return SendError(res, {403, "AccessDenied", "admin clients only"});
    std::lock_guard<std::mutex> lock(store_mu_);
    auto events = ListEvents(*store_);
    if (!events.ok()) return SendError(res, {500, "InternalError", events.status().message()});
    Json out = Json::array();
    for (const EventRecord& e : *events) {
      out.push_back({{"id", e.id},
                     {"direction", e.direction},
                     {"type", e.type},
                     {"organization", e.organization},
                     {"time", e.time},
                     {"state", e.state}});
    }
    return SendJson(res, Json{{"events", out}});
  }
  if (req.method == "POST" && (path == "/api/v1/bundles" || path == "/api/v1/requests")) {
    if (!caller->client.admin) return SendError(res, {403, "AccessDenied", "admin clients only"});
    if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      return SendError(res, BadRequest("content type must be application/json"));
    }
    Json body;
    try {
      body = Json::parse(req.body);
    } catch (const nlohmann::json::exception&) {
      return SendError(res, BadRequest("the body is not JSON"));
    }
    if (path == "/api/v1/requests") {
      if (!body.is_object() || !body.contains("organization") ||
          !body["organization"].is_string()) {
        return SendError(res, BadRequest("organization is required"));
      }
      auto id = RequestFootprints(body["organization"], body.value("criteria", Json::object()));
      if (!id.ok()) {
        return SendError(res, id.status().code() == StatusCode::kNotFound
                                  ? ApiError{404, "NotFound", id.status().message()}
                                  : BadRequest(id.status().message()));
      }
      return SendJson(res, Json{{"id", *id}}, 202);
    }
    // The bundle as one JSON document, read by the same code as `renkei import`.
    char dir_template[] = "/tmp/renkei-bundle-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      return SendError(res, {500, "InternalError", "cannot make a temporary folder"});
    }
    const std::string dir = dir_template;
    const std::string file = dir + "/bundle.json";
    Status s;
    {
      FILE* f = std::fopen(file.c_str(), "wb");
      if (f == nullptr || std::fwrite(req.body.data(), 1, req.body.size(), f) != req.body.size()) {
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
          s = store_->Append(model, before, "client:" + caller->client.id, "import via API");
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
      return SendError(res, BadRequest(at == std::string::npos ? msg
                                                               : msg.substr(0, at) + "bundle.json" +
                                                                     msg.substr(at + file.size())));
    }
    Json added = Json::object();
    for (const model::TableSchema& t : model::AllTables()) {
      added[std::string(t.name)] =
          after[static_cast<size_t>(t.table)] - before[static_cast<size_t>(t.table)];
    }
    return SendJson(res, Json{{"imported", added}});
  }
  SendError(res, {404, "NotFound", "no such endpoint"});
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
std::string Node::url() const { return impl_->url(); }
void Node::Stop() { impl_->Stop(); }
void Node::Wait() { impl_->Wait(); }
StatusOr<std::string> Node::RequestFootprints(const std::string& organization,
                                              const nlohmann::json& criteria) {
  return impl_->RequestFootprints(organization, Json::parse(criteria.dump()));
}

}  // namespace renkei::server
