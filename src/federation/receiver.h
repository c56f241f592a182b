// What a node does with a federation message it is sent: checks it, answers it once
// through the registry, and seals the answer.
//
// The checks, in order: the JWS verifies against the sender's registered key and
// its payload is an envelope (federation/envelope.h); it is a question, not an
// answer; its sender is the organization of the API client that POSTed it (so the
// TLS + OAuth2 identity and the signing key agree); its recipient is an organization
// this node holds the key of; the replay cache takes it (federation/replay_cache.h).
// A question of a kind without a handler is answered `refused`; a handler's error
// becomes an `unknown` answer naming it.
//
// Thread-safe (the registry is only read; the replay cache locks).
#ifndef RENKEI_FEDERATION_RECEIVER_H_
#define RENKEI_FEDERATION_RECEIVER_H_

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "federation/registry.h"
#include "federation/replay_cache.h"

namespace renkei::federation {

class Receiver {
 public:
  Receiver(const Registry& registry, ReplayCache& replay) : registry_(registry), replay_(replay) {}

  // The sealed answer to the message `jws` POSTed by a client of organization
  // `caller`. `own_keys` are the key pairs of the organizations this node answers
  // for; `links` what handlers ask partners with (its `keys` is set here, to the
  // recipient's). Errors, for the HTTP answer: InvalidArgument (400) for a message
  // that is not a sealed question; PermissionDenied (403) for a signature that does
  // not verify, a sender other than the caller, or a recipient this node does not
  // answer for; AlreadyExists or FailedPrecondition (409) for a replayed or stale
  // message; Unavailable (503) when the replay cache is full.
  StatusOr<std::string> Handle(std::string_view jws, const std::string& caller,
                               const std::map<std::string, trust::KeyPair>& own_keys,
                               Context::Links links) const;

 private:
  const Registry& registry_;
  ReplayCache& replay_;
};

}  // namespace renkei::federation

#endif  // RENKEI_FEDERATION_RECEIVER_H_
