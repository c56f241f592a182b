#include "trust/keys.h"

#include <sodium.h>

#include <vector>

namespace renkei::trust {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

StatusOr<KeyPair> GenerateKeyPair() {
  if (sodium_init() < 0) return InternalError("libsodium could not be initialised");
  KeyPair keys;
  randombytes_buf(keys.seed.data(), keys.seed.size());
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(keys.public_key.data(), sk, keys.seed.data());
  sodium_memzero(sk, sizeof sk);
  return keys;
}

StatusOr<KeyPair> KeyPairFromSeed(std::string_view seed_base64url) {
  if (sodium_init() < 0) return InternalError("libsodium could not be initialised");
  RENKEI_ASSIGN_OR_RETURN(std::string seed, Base64UrlDecode(seed_base64url));
  if (seed.size() != kSeedBytes) {
    return InvalidArgumentError("an Ed25519 seed has 32 bytes, got " + std::to_string(seed.size()));
  }
  KeyPair keys;
  std::copy(seed.begin(), seed.end(), keys.seed.begin());
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(keys.public_key.data(), sk, keys.seed.data());
  sodium_memzero(sk, sizeof sk);
  return keys;
}

std::string Base64UrlEncode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), Bytes(bytes), bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

StatusOr<std::string> Base64UrlDecode(std::string_view text) {
  std::vector<unsigned char> out(text.size() * 3 / 4 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return InvalidArgumentError("not base64url: '" + std::string(text.substr(0, 40)) + "'");
  }
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

StatusOr<std::array<unsigned char, kPublicKeyBytes>> DecodePublicKey(std::string_view text) {
  RENKEI_ASSIGN_OR_RETURN(std::string raw, Base64UrlDecode(text));
  if (raw.size() != kPublicKeyBytes) {
    return InvalidArgumentError("an Ed25519 public key has 32 bytes, got " +
                                std::to_string(raw.size()));
  }
  std::array<unsigned char, kPublicKeyBytes> key{};
  std::copy(raw.begin(), raw.end(), key.begin());
  return key;
}

std::string EncodePublicKey(const KeyPair& keys) {
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(keys.public_key.data()),
                                          keys.public_key.size()));
}

std::string EncodeSeed(const KeyPair& keys) {
  return Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(keys.seed.data()), keys.seed.size()));
}

std::string PublicJwk(std::string_view public_key_base64url) {
  return std::string(R"({"kty":"OKP","crv":"Ed25519","x":")") + std::string(public_key_base64url) +
         "\"}";
}

std::string RandomHex(size_t n) {
  if (sodium_init() < 0) return std::string();
  std::vector<unsigned char> buf(n);
  randombytes_buf(buf.data(), n);
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), buf.data(), n);
  out.resize(n * 2);
  return out;
}

}  // namespace renkei::trust
