// The access tokens a node issues at /auth/token (OAuth2 client credentials).
//
// A token is signed, not looked up: every process serving one store holds the
// store's secrets key (Store::SecretsKeyPath) and so accepts the tokens of every
// other, and checking one reads nothing from the store. What a token cannot say
// — that its client was revoked since — the node learns from the store's change
// feed: it keeps the active clients in memory and refuses a token whose client
// is not among them (server/node.h).
//
// Form: "rk1." base64url(payload) "." base64url(tag), base64url without
// padding (RFC 4648 section 5). The payload is "CLIENT_ID\nEXPIRES\nNONCE": the
// client id, the expiry in Unix milliseconds and 16 random bytes in hex. The tag is
// HMAC-SHA-512-256 (libsodium's crypto_auth) of the payload, under a key derived
// from the sealing key for this use alone (crypto_kdf, context "rktoken1"), so
// the sealing key itself signs nothing.
#ifndef RENKEI_TRUST_ACCESS_TOKEN_H_
#define RENKEI_TRUST_ACCESS_TOKEN_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "trust/sealed.h"

namespace renkei::trust {

using TokenKey = std::array<unsigned char, 32>;

// The token key of a store with sealing key `key`. Internal when libsodium
// cannot be initialised.
StatusOr<TokenKey> DeriveTokenKey(const SealingKey& key);

struct TokenClaims {
  std::string client_id;
  int64_t expires = 0;  // Unix time in milliseconds
};

// A new token for `client_id` (which holds no newline) that expires at `expires`.
std::string IssueAccessToken(const TokenKey& key, const TokenClaims& claims);

// The claims of `token` when it was issued under `key`; Unauthenticated when it
// is not a token, or its tag does not match (another store's, or altered). Does
// not look at the expiry: the caller compares it with its clock.
StatusOr<TokenClaims> CheckAccessToken(const TokenKey& key, std::string_view token);

}  // namespace renkei::trust

#endif  // RENKEI_TRUST_ACCESS_TOKEN_H_
