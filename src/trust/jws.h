// JSON Web Signatures (RFC 7515) in compact serialisation with alg "EdDSA" over
// Ed25519 (RFC 8037), readable by any standard JOSE library.
//
// The protected header is {"alg":"EdDSA","kid":<kid>}; the payload is the bytes
// given (Renkei signs RFC 8785 canonical JSON, trust/canonical_json.h).
#ifndef RENKEI_TRUST_JWS_H_
#define RENKEI_TRUST_JWS_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "trust/keys.h"

namespace renkei::trust {

// "<header>.<payload>.<signature>", each base64url.
std::string SignJws(std::string_view payload, const KeyPair& keys, std::string_view kid);

struct VerifiedJws {
  std::string kid;      // from the protected header; may be empty
  std::string payload;  // the signed bytes
};

// Reads the kid of `jws` without verifying anything; InvalidArgument when malformed.
StatusOr<std::string> JwsKeyId(std::string_view jws);

// Verifies `jws` against `public_key_base64url`. InvalidArgument when it is not a
// compact JWS, its header is not JSON, has no alg or an alg other than "EdDSA"
// ("JWS alg 'HS256' is not accepted; expected EdDSA"), carries a crit parameter (no
// extension, e.g. RFC 7797's b64, is understood: "JWS critical header parameter 'b64'
// is not understood"), or its signature is not 64 bytes; Unauthenticated when the
// signature does not match the header and payload under that key.
StatusOr<VerifiedJws> VerifyJws(std::string_view jws, std::string_view public_key_base64url);

}  // namespace renkei::trust

#endif  // RENKEI_TRUST_JWS_H_
