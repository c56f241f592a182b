// The federation client: asks a partner's node one question and checks its answer.
//
// It reaches the partner as events are delivered (store/node_records.h Partner):
// HTTPS to its URL, verifying its certificate, with an OAuth2 client-credentials
// token (cached until shortly before it expires), and POSTs the sealed question
// (federation/envelope.h) to /api/v1/federation/messages as application/jose. The
// answer is a sealed envelope too, checked against the partner's registered key and
// against the question (same id, its nonce in reply_to, from its recipient to its
// sender).
//
// Nothing waits past the question's budget: a partner that is down, or silent until
// the budget runs out, gives an `unknown` outcome.
//
// Thread-safe; one Client serves every question of a node.
#ifndef RENKEI_FEDERATION_CLIENT_H_
#define RENKEI_FEDERATION_CLIENT_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "base/status.h"
#include "federation/envelope.h"
#include "store/node_records.h"
#include "trust/document_signature.h"
#include "trust/keys.h"

namespace renkei::federation {

// The path every node takes messages at.
inline constexpr char kMessagesPath[] = "/api/v1/federation/messages";
inline constexpr char kMessageMediaType[] = "application/jose";

// How one question to one partner ended.
struct Outcome {
  enum class State {
    kAnswered,  // a verified answer came back (its own status may still be refused, ...)
    kRefused,   // the partner did not let us ask: its token endpoint or the message
                // route said 401/403
    kUnknown,   // no answer in time: the partner is down, slow past the budget, or failed
    kRejected,  // a check failed: the answer does not verify or does not answer the
                // question, or the partner found our message invalid (HTTP 400/409)
  };
  State state = State::kUnknown;
  std::string detail;  // why, for all but kAnswered
  Envelope answer;     // kAnswered only
  int64_t elapsed_ms = 0;
  size_t bytes_sent = 0, bytes_received = 0;
};
const char* OutcomeName(Outcome::State state);  // "answered", "refused", ...

class Client {
 public:
  // Sends `question`, sealed with `sender_keys` (the key of question.sender), to
  // `partner` (whose organization must be question.recipient) and waits at most
  // question.budget_ms for the answer, checked against `keys`. The message is sealed
  // once the token is at hand, carrying the budget left then.
  Outcome Ask(const store::Partner& partner, const Envelope& question,
              const trust::KeyPair& sender_keys, const trust::KeyRing& keys);

  // An access token at `partner`, from the cache or its token endpoint, waiting at
  // most `timeout_ms`. Unavailable when the partner cannot be reached or answers
  // otherwise than 200 with an access_token; PermissionDenied for 401/403.
  StatusOr<std::string> Token(const store::Partner& partner, int64_t timeout_ms);

  // Forgets the token for `partner` (after the partner said 401 to it).
  void ForgetToken(const store::Partner& partner);

  // What a partner answered a POST: its HTTP status and body.
  struct Reply {
    int status = 0;
    std::string body;
  };
  // POSTs `body` to `path` at `partner` with an access token (Token), asking for a
  // new one once when the partner says 401 to a cached one, and waiting at most
  // `timeout_ms` in all (the node's PACT event delivery). Unavailable when the
  // partner cannot be reached or does not answer in time; Token's errors.
  StatusOr<Reply> Post(const store::Partner& partner, const std::string& path,
                       const std::string& body, const std::string& content_type,
                       int64_t timeout_ms);

 private:
  struct CachedToken {
    std::string token;
    int64_t expires_ms = 0;  // this node's clock
  };
  std::mutex mu_;
  std::map<std::string, CachedToken> tokens_;  // GUARDED_BY(mu_); by URL and client id
};

}  // namespace renkei::federation

#endif  // RENKEI_FEDERATION_CLIENT_H_
