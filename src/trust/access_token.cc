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
  return std::string(kPrefix) + Base64UrlEncode(payload) + "." +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(tag.data()), tag.size()));
}

StatusOr<TokenClaims> CheckAccessToken(const TokenKey& key, std::string_view token) {
  const Status invalid = UnauthenticatedError("the access token is invalid");
  if (token.substr(0, kPrefix.size()) != kPrefix) return invalid;
  token.remove_prefix(kPrefix.size());
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) return invalid;
  StatusOr<std::string> decoded_payload = Base64UrlDecode(token.substr(0, dot));
  StatusOr<std::string> decoded_tag = Base64UrlDecode(token.substr(dot + 1));
  if (!decoded_payload.ok() || !decoded_tag.ok() || decoded_tag->size() != crypto_auth_BYTES) {
    return invalid;
  }
  const std::string& payload = *decoded_payload;
  const std::string& tag = *decoded_tag;
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
