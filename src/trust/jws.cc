#include "trust/jws.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "base/json.h"

namespace renkei::trust {
namespace {

struct Parts {
  std::string_view header, payload, signature;
};

StatusOr<Parts> Split(std::string_view jws) {
  const size_t a = jws.find('.');
  const size_t b = a == std::string_view::npos ? a : jws.find('.', a + 1);
  if (b == std::string_view::npos || jws.find('.', b + 1) != std::string_view::npos) {
    return InvalidArgumentError("not a compact JWS (expected three dot-separated parts)");
  }
  return Parts{jws.substr(0, a), jws.substr(a + 1, b - a - 1), jws.substr(b + 1)};
}

StatusOr<nlohmann::json> Header(std::string_view encoded) {
  RENKEI_ASSIGN_OR_RETURN(std::string text, Base64UrlDecode(encoded));
  StatusOr<nlohmann::json> h = ParseJson<nlohmann::json>(text);
  if (!h.ok()) return InvalidArgumentError("JWS header is not JSON");
  if (!h->is_object()) return InvalidArgumentError("JWS header is not a JSON object");
  return h;
}

}  // namespace

std::string SignJws(std::string_view payload, const KeyPair& keys, std::string_view kid) {
  nlohmann::ordered_json header = {{"alg", "EdDSA"}};
  if (!kid.empty()) header["kid"] = std::string(kid);
  const std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, keys.seed.data());
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size(), sk);
  sodium_memzero(sk, sizeof sk);
  return input + "." +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(sig), sizeof sig));
}

StatusOr<std::string> JwsKeyId(std::string_view jws) {
  RENKEI_ASSIGN_OR_RETURN(Parts parts, Split(jws));
  RENKEI_ASSIGN_OR_RETURN(nlohmann::json header, Header(parts.header));
  auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string()) return std::string();
  return kid->get<std::string>();
}

StatusOr<VerifiedJws> VerifyJws(std::string_view jws, std::string_view public_key_base64url) {
  if (sodium_init() < 0) return InternalError("libsodium could not be initialised");
  RENKEI_ASSIGN_OR_RETURN(Parts parts, Split(jws));
  RENKEI_ASSIGN_OR_RETURN(nlohmann::json header, Header(parts.header));
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) {
    return InvalidArgumentError("JWS header has no alg");
  }
  if (*alg != "EdDSA") {
    return InvalidArgumentError("JWS alg '" + alg->get<std::string>() +
                                "' is not accepted; expected EdDSA");
  }
  // RFC 7515 4.1.11: a verifier must reject extensions listed in crit that it does not
  // understand. This one understands none (not even RFC 7797's b64), so any crit fails.
  if (auto crit = header.find("crit"); crit != header.end()) {
    if (!crit->is_array() || crit->empty() || !(*crit)[0].is_string()) {
      return InvalidArgumentError("JWS crit is not a non-empty list of header names");
    }
    return InvalidArgumentError("JWS critical header parameter '" + (*crit)[0].get<std::string>() +
                                "' is not understood");
  }
  RENKEI_ASSIGN_OR_RETURN(auto key, DecodePublicKey(public_key_base64url));
  RENKEI_ASSIGN_OR_RETURN(std::string signature, Base64UrlDecode(parts.signature));
  RENKEI_ASSIGN_OR_RETURN(std::string payload, Base64UrlDecode(parts.payload));
  if (signature.size() != crypto_sign_BYTES) {
    return InvalidArgumentError("JWS signature has " + std::to_string(signature.size()) +
                                " bytes; Ed25519 signatures have " +
                                std::to_string(crypto_sign_BYTES));
  }
  const std::string_view input = jws.substr(0, parts.header.size() + 1 + parts.payload.size());
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                  reinterpret_cast<const unsigned char*>(input.data()),
                                  input.size(), key.data()) != 0) {
    return UnauthenticatedError("JWS signature does not verify with the key");
  }
  VerifiedJws out;
  auto kid = header.find("kid");
  if (kid != header.end() && kid->is_string()) out.kid = kid->get<std::string>();
  out.payload = std::move(payload);
  return out;
}

}  // namespace renkei::trust
