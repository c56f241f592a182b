// OAuth2 client credentials: /auth/token, the OpenID configuration, bearer tokens and
// the callers they stand for; the active clients, from the change feed.
#include "server/internal/node_impl.h"

namespace renkei::server {

Status Node::Impl::ReloadClients(store::Store& store) {
  RENKEI_ASSIGN_OR_RETURN(std::vector<Client> clients, ListClients(store));
  std::map<std::string, Client> active;
  for (Client& c : clients) {
    if (c.revoked.empty()) active.emplace(c.id, std::move(c));
  }
  std::lock_guard<std::mutex> lock(clients_mu_);
  active_clients_ = std::move(active);
  return Status::Ok();
}

bool Node::Impl::IsActiveClient(const std::string& id) {
  std::lock_guard<std::mutex> lock(clients_mu_);
  return active_clients_.count(id) > 0;
}

namespace {
int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

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
  // A client added since the feed last spoke (by another process) is read now,
  // so that its first token works at once.
  if (!IsActiveClient(client->id)) {
    std::lock_guard<std::mutex> lock(store_mu_);
    Status s = ReloadClients(*store_);
    if (!s.ok()) return SendError(res, {500, "InternalError", s.message()});
  }
  const std::string token = trust::IssueAccessToken(
      token_key_, {client->id, UnixMillis() + int64_t{options_.token_lifetime_seconds} * 1000});
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
  StatusOr<trust::TokenClaims> claims =
      trust::CheckAccessToken(token_key_, std::string_view(auth).substr(7));
  if (!claims.ok()) return unauthorized(invalid, "the access token is invalid or was revoked");
  Caller caller;
  {
    std::lock_guard<std::mutex> lock(clients_mu_);
    auto it = active_clients_.find(claims->client_id);
    if (it == active_clients_.end()) {
      return unauthorized(invalid, "the access token is invalid or was revoked");
    }
    // Its organization or admin flag as the store has them now.
    caller.client = it->second;
  }
  if (UnixMillis() >= claims->expires) {
    return unauthorized("TokenExpired", "The specified access token has expired");
  }
  caller.organization = snapshot()->model.FindOrganization(caller.client.organization);
  caller.access = access();
  return caller;
}

}  // namespace renkei::server
