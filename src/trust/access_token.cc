#include "trust/access_token.h"

#include <sodium.h>

#include <cstdint>
#include <optional>
#include <tuple>

#include "base/numbers.h"
#include "trust/keys.h"

namespace renkei::trust {
namespace {

constexpr std::string_view kPrefix = "rk1.";
constexpr char kContext[crypto_kdf_CONTEXTBYTES + 1] = "rktoken1";
static_assert(crypto_auth_KEYBYTES == std::tuple_size_v<TokenKey>);
static_assert(crypto_kdf_KEYBYTES == kSealingKeyBytes);

std::string Base64Url(const unsigned char* bytes, size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// The bytes of base64url `text`; false when it is not base64url.
bool FromBase64Url(std::string_view text, std::string& out) {
  out.assign(text.size(), '\0');
  size_t n = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &n, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return false;
  }
  out.resize(n);
  return true;
}

std::array<unsigned char, crypto_auth_BYTES> Tag(const TokenKey& key, std::string_view payload) {
  std::array<unsigned char, crypto_auth_BYTES> tag{};
  crypto_auth(tag.data(), reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
              key.data());
  return tag;
}

}  // namespace

StatusOr<TokenKey> DeriveTokenKey(const SealingKey& key) {
  if (sodium_init() < 0) return InternalError("libsodium could not be initialised");
  TokenKey out{};
  crypto_kdf_derive_from_key(out.data(), out.size(), 1, kContext, key.data());
  return out;
}

std::string IssueAccessToken(const TokenKey& key, const TokenClaims& claims) {
  const std::string payload =
      claims.client_id + "\n" + std::to_string(claims.expires) + "\n" + RandomHex(16);
  const auto tag = Tag(key, payload);
  return std::string(kPrefix) +
         Base64Url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) + "." +
         Base64Url(tag.data(), tag.size());
}

StatusOr<TokenClaims> CheckAccessToken(const TokenKey& key, std::string_view token) {
  const Status invalid = UnauthenticatedError("the access token is invalid");
  if (token.substr(0, kPrefix.size()) != kPrefix) return invalid;
  token.remove_prefix(kPrefix.size());
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) return invalid;
  std::string payload, tag;
  if (!FromBase64Url(token.substr(0, dot), payload) || !FromBase64Url(token.substr(dot + 1), tag) ||
      tag.size() != crypto_auth_BYTES) {
    return invalid;
  }
  if (crypto_auth_verify(reinterpret_cast<const unsigned char*>(tag.data()),
                         reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                         key.data()) != 0) {
    return invalid;
  }
  const size_t first = payload.find('\n');
  const size_t second = first == std::string::npos ? first : payload.find('\n', first + 1);
  if (second == std::string::npos) return invalid;
  const std::optional<uint64_t> expires =
      ParseUnsigned(std::string_view(payload).substr(first + 1, second - first - 1));
  if (!expires || *expires > static_cast<uint64_t>(INT64_MAX)) return invalid;
  return TokenClaims{payload.substr(0, first), static_cast<int64_t>(*expires)};
}

}  // namespace renkei::trust
