// Ed25519 key pairs of organizations (libsodium) and base64url text.
//
// Keys travel as base64url without padding (RFC 4648 section 5), the form of the
// organizations table's public_key column and of JWK "x" values (RFC 8037).
#ifndef RENKEI_TRUST_KEYS_H_
#define RENKEI_TRUST_KEYS_H_

#include <array>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::trust {

inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSeedBytes = 32;

struct KeyPair {
  std::array<unsigned char, kPublicKeyBytes> public_key{};
  // The 32-byte seed the secret key is derived from (RFC 8032's private key).
  std::array<unsigned char, kSeedBytes> seed{};
};

// A new random key pair. Internal when libsodium cannot be initialised.
StatusOr<KeyPair> GenerateKeyPair();

// The key pair of a seed.
StatusOr<KeyPair> KeyPairFromSeed(std::string_view seed_base64url);

// Base64url without padding, and back. Decode: InvalidArgument for bad text.
std::string Base64UrlEncode(std::string_view bytes);
StatusOr<std::string> Base64UrlDecode(std::string_view text);

// A 32-byte public key from base64url; InvalidArgument for bad text or length.
StatusOr<std::array<unsigned char, kPublicKeyBytes>> DecodePublicKey(std::string_view text);

std::string EncodePublicKey(const KeyPair& keys);
std::string EncodeSeed(const KeyPair& keys);

// The public key as a JWK: {"kty":"OKP","crv":"Ed25519","x":"..."}.
std::string PublicJwk(std::string_view public_key_base64url);

// `n` random bytes as lowercase hex (ids, secrets, tokens).
std::string RandomHex(size_t n);

}  // namespace renkei::trust

#endif  // RENKEI_TRUST_KEYS_H_
