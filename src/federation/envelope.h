// The envelope every federation message travels in (DESIGN.md, "Federation and
// confidentiality"): a question one node asks another, or the answer to it, signed
// by the organization that sends it.
//
// On the wire a message is a compact JWS (trust/jws.h, EdDSA) whose payload is the
// RFC 8785 canonical JSON of the envelope and whose kid is the sender's
// organization id:
//   {"v": 1, "id": "...", "nonce": "...", "kind": "hello", "origin": "org:a",
//    "sender": "org:a", "recipient": "org:b", "sent_ms": 1796000000000,
//    "budget_ms": 5000, "hops": 4, "body": {...}}
// and, in an answer, "reply_to" (the question's nonce) and "status".
//
// Time: `budget_ms` is what is left of the asker's time when the message is sent,
// not an absolute deadline, since nodes' clocks differ; each hop subtracts the time
// it spent. `sent_ms` (the sender's clock) only bounds how long the replay cache
// must remember a message (federation/replay_cache.h), with a tolerance of minutes.
#ifndef RENKEI_FEDERATION_ENVELOPE_H_
#define RENKEI_FEDERATION_ENVELOPE_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "trust/document_signature.h"
#include "trust/keys.h"

namespace renkei::federation {

inline constexpr int kEnvelopeVersion = 1;
// The largest time budget and hop budget a message may carry.
inline constexpr int64_t kMaxBudgetMs = 10 * 60 * 1000;
inline constexpr int kMaxHops = 32;

// How an answer ends. A refusal is an answer: the partner says it will not answer
// (its policy, or a kind it does not know), signed like any other.
enum class AnswerStatus { kAnswered, kRefused, kUnknown, kInProgress };
const char* AnswerStatusName(AnswerStatus status);  // "answered", "refused", ...

struct Envelope {
  std::string id;         // the question's id, the same on every hop
  std::string nonce;      // this message's own random id (32 hex digits)
  std::string kind;       // a kind of the registry (federation/registry.h)
  std::string origin;     // the organization that first asked
  std::string sender;     // the organization that signs and sends this message
  std::string recipient;  // the organization it is for
  int64_t sent_ms = 0;    // milliseconds since 1970 on the sender's clock
  int64_t budget_ms = 0;  // time left for the answer when sent, 1..kMaxBudgetMs
  int hops = 0;           // forwards still allowed below the recipient, 0..kMaxHops
  // Answers only: the nonce of the question answered, and how it ended.
  std::string reply_to;
  AnswerStatus status = AnswerStatus::kAnswered;
  nlohmann::ordered_json body = nlohmann::ordered_json::object();

  bool is_answer() const { return !reply_to.empty(); }
};

// A question of `kind` from `sender` (also its origin) to `recipient`, with a new
// random id and nonce, sent now.
Envelope NewQuestion(std::string kind, std::string sender, std::string recipient, int64_t budget_ms,
                     int hops, nlohmann::ordered_json body);

// The answer to `question` from its recipient, sent now: same id, kind and origin,
// a new nonce, `reply_to` the question's nonce, the budget and hops it had.
Envelope AnswerTo(const Envelope& question, AnswerStatus status, nlohmann::ordered_json body);

// Milliseconds since 1970 now, on this node's clock.
int64_t NowMillis();

// The envelope as the JSON it is signed as. InvalidArgument when a field is out of
// its range (CheckEnvelope).
StatusOr<nlohmann::ordered_json> EnvelopeJson(const Envelope& envelope);

// The envelope of a payload, every field checked: InvalidArgument naming the field
// as a JSON path ("$.budget_ms: expected an integer from 1 to 600000, got -5").
StatusOr<Envelope> ParseEnvelope(std::string_view payload);

// OK when every field of `envelope` is in range; InvalidArgument naming the first
// that is not.
Status CheckEnvelope(const Envelope& envelope);

// The compact JWS of `envelope`, signed with `keys` (the sender's) with kid its
// sender. InvalidArgument as EnvelopeJson.
StatusOr<std::string> SealEnvelope(const Envelope& envelope, const trust::KeyPair& keys);

// Verifies a compact JWS against the sender's registered key in `keys` and returns
// its envelope. Unauthenticated when its kid has no key in `keys` ("signer 'org:x'
// has no registered public key"), the signature does not verify, or the kid is not
// the envelope's sender; InvalidArgument when it is not a JWS or its payload not an
// envelope (ParseEnvelope).
StatusOr<Envelope> OpenEnvelope(std::string_view jws, const trust::KeyRing& keys);

}  // namespace renkei::federation

#endif  // RENKEI_FEDERATION_ENVELOPE_H_
