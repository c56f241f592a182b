#include "federation/client.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside std::regex's std::function
// (GCC bug 105562), which httplib.h includes.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

#include <httplib.h>

#include <algorithm>
#include <chrono>

#include "base/json.h"

namespace renkei::federation {
namespace {

using Json = nlohmann::ordered_json;

// A token is used until this long before the expiry its endpoint gave.
constexpr int64_t kTokenMarginMs = 30 * 1000;

std::string CacheKey(const store::Partner& p) { return p.url + " " + p.client_id; }

// An HTTPS client for `partner` that gives up after `timeout_ms`.
std::unique_ptr<httplib::Client> Connect(const store::Partner& partner, int64_t timeout_ms) {
  auto c = std::make_unique<httplib::Client>(partner.url);
  c->enable_server_certificate_verification(true);
  if (!partner.ca_file.empty()) c->set_ca_cert_path(partner.ca_file.c_str());
  const int64_t ms = std::max<int64_t>(timeout_ms, 1);
  const auto sec = static_cast<time_t>(ms / 1000);
  const auto usec = static_cast<time_t>((ms % 1000) * 1000);
  c->set_connection_timeout(sec, usec);
  c->set_read_timeout(sec, usec);
  c->set_write_timeout(sec, usec);
  c->set_keep_alive(false);
  // The message goes out as headers, then body: without TCP_NODELAY the body waits
  // for the ACK of the headers, which the partner delays (40 ms on Linux).
  c->set_tcp_nodelay(true);
  return c;
}

// The "message" of an error answer ({"code", "message"}), else its first bytes.
std::string ErrorText(const httplib::Response& r) {
  StatusOr<Json> body = ParseJson<Json>(r.body);
  if (body.ok() && body->is_object() && body->contains("message") &&
      (*body)["message"].is_string()) {
    return (*body)["message"].get<std::string>();
  }
  return r.body.substr(0, 200);
}

// One POST with `token` that gives up after `timeout_ms`; `timed_out` says whether
// it ended waiting for the answer.
struct Sent {
  httplib::Result result;
  bool timed_out = false;
};
Sent Send(const store::Partner& partner, const std::string& token, const std::string& path,
          const std::string& body, const std::string& content_type, int64_t timeout_ms) {
  auto client = Connect(partner, timeout_ms);
  client->set_bearer_token_auth(token.c_str());
  Sent sent{client->Post(path, body, content_type)};
  sent.timed_out = !sent.result && sent.result.error() == httplib::Error::Read;
  return sent;
}

}  // namespace

const char* OutcomeName(Outcome::State state) {
  switch (state) {
    case Outcome::State::kAnswered:
      return "answered";
    case Outcome::State::kRefused:
      return "refused";
    case Outcome::State::kUnknown:
      return "unknown";
    case Outcome::State::kRejected:
      return "rejected";
  }
  return "unknown";
}

StatusOr<std::string> Client::Token(const store::Partner& partner, int64_t timeout_ms) {
  const std::string key = CacheKey(partner);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tokens_.find(key);
    if (it != tokens_.end() && it->second.expires_ms > NowMillis()) return it->second.token;
  }
  auto client = Connect(partner, timeout_ms);
  client->set_basic_auth(partner.client_id.c_str(), partner.client_secret.c_str());
  auto r = client->Post("/auth/token", "grant_type=client_credentials",
                        "application/x-www-form-urlencoded");
  if (!r) return UnavailableError(partner.url + ": " + httplib::to_string(r.error()));
  if (r->status == 401 || r->status == 403) {
    return PermissionDeniedError(partner.url + "/auth/token: HTTP " + std::to_string(r->status) +
                                 ": " + ErrorText(*r));
  }
  if (r->status != 200) {
    return UnavailableError(partner.url + "/auth/token: HTTP " + std::to_string(r->status));
  }
  StatusOr<Json> answer = ParseJson<Json>(r->body);
  if (!answer.ok() || !answer->is_object() || !answer->contains("access_token") ||
      !(*answer)["access_token"].is_string()) {
    return UnavailableError(partner.url + "/auth/token: no access_token in the answer");
  }
  std::string token = (*answer)["access_token"].get<std::string>();
  int64_t lifetime_s = 0;
  if (answer->contains("expires_in") && (*answer)["expires_in"].is_number_integer()) {
    lifetime_s = (*answer)["expires_in"].get<int64_t>();
  }
  if (lifetime_s * 1000 > kTokenMarginMs) {
    std::lock_guard<std::mutex> lock(mu_);
    tokens_[key] = {token, NowMillis() + lifetime_s * 1000 - kTokenMarginMs};
  }
  return token;
}

void Client::ForgetToken(const store::Partner& partner) {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_.erase(CacheKey(partner));
}

StatusOr<Client::Reply> Client::Post(const store::Partner& partner, const std::string& path,
                                     const std::string& body, const std::string& content_type,
                                     int64_t timeout_ms) {
  const auto start = std::chrono::steady_clock::now();
  auto left = [&] {
    return timeout_ms - std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  };
  for (int attempt = 0;; ++attempt) {
    RENKEI_ASSIGN_OR_RETURN(std::string token, Token(partner, std::max<int64_t>(left(), 1)));
    Sent sent = Send(partner, token, path, body, content_type, std::max<int64_t>(left(), 1));
    if (!sent.result) {
      return UnavailableError(partner.url + ": " + httplib::to_string(sent.result.error()));
    }
    if (sent.result->status == 401) {
      ForgetToken(partner);  // a token the partner no longer takes
      if (attempt == 0) continue;
    }
    return Reply{sent.result->status, sent.result->body};
  }
}

Outcome Client::Ask(const store::Partner& partner, const Envelope& question,
                    const trust::KeyPair& sender_keys, const trust::KeyRing& keys) {
  using State = Outcome::State;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  Outcome out;
  auto finish = [&](State state, std::string detail) {
    out.state = state;
    out.detail = std::move(detail);
    out.elapsed_ms = elapsed();
    return out;
  };
  const std::string late = "no answer within " + std::to_string(question.budget_ms) + " ms";
  if (partner.organization != question.recipient) {
    return finish(State::kRejected, "the question is for '" + question.recipient +
                                        "', not for partner '" + partner.organization + "'");
  }
  if (Status s = CheckEnvelope(question); !s.ok()) return finish(State::kRejected, s.message());

  // One retry with a new token when the partner says 401 to a cached one (it may
  // have restarted with another token key).
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (elapsed() >= question.budget_ms) return finish(State::kUnknown, late);
    StatusOr<std::string> token = Token(partner, question.budget_ms - elapsed());
    if (!token.ok()) {
      if (token.status().code() == StatusCode::kPermissionDenied) {
        return finish(State::kRefused, token.status().message());
      }
      return finish(State::kUnknown, elapsed() >= question.budget_ms
                                         ? partner.url + "/auth/token: " + late
                                         : token.status().message());
    }
    // Sealed now, with what is left of the budget after the token.
    Envelope sent = question;
    sent.budget_ms = question.budget_ms - elapsed();
    sent.sent_ms = NowMillis();
    if (sent.budget_ms <= 0) return finish(State::kUnknown, late);
    StatusOr<std::string> sealed = SealEnvelope(sent, sender_keys);
    if (!sealed.ok()) return finish(State::kRejected, sealed.status().message());
    out.bytes_sent += sealed->size();
    Sent reply = Send(partner, *token, kMessagesPath, *sealed, kMessageMediaType, sent.budget_ms);
    const httplib::Result& r = reply.result;
    if (!r) {
      const bool is_late = reply.timed_out || elapsed() >= question.budget_ms;
      return finish(State::kUnknown,
                    partner.url + ": " + (is_late ? late : httplib::to_string(r.error())));
    }
    out.bytes_received += r->body.size();
    if (r->status == 401 && attempt == 0) {
      ForgetToken(partner);
      continue;
    }
    if (r->status == 401 || r->status == 403) {
      return finish(State::kRefused, partner.url + kMessagesPath + ": HTTP " +
                                         std::to_string(r->status) + ": " + ErrorText(*r));
    }
    if (r->status == 400 || r->status == 409) {
      return finish(State::kRejected, partner.url + kMessagesPath + ": HTTP " +
                                          std::to_string(r->status) + ": " + ErrorText(*r));
    }
    if (r->status != 200) {
      return finish(State::kUnknown, partner.url + kMessagesPath + ": HTTP " +
                                         std::to_string(r->status) + ": " + ErrorText(*r));
    }
    StatusOr<Envelope> answer = OpenEnvelope(r->body, keys);
    if (!answer.ok()) {
      return finish(State::kRejected, "the answer of '" + partner.organization +
                                          "' is refused: " + answer.status().message());
    }
    if (answer->sender != partner.organization || answer->recipient != question.sender ||
        answer->id != question.id || answer->reply_to != question.nonce ||
        answer->kind != question.kind) {
      return finish(State::kRejected, "the answer of '" + partner.organization +
                                          "' does not answer the question (signed by '" +
                                          answer->sender + "', in reply to '" + answer->reply_to +
                                          "')");
    }
    out.answer = std::move(*answer);
    return finish(State::kAnswered, "");
  }
  return finish(State::kRefused, partner.url + kMessagesPath + ": HTTP 401");
}

}  // namespace renkei::federation
