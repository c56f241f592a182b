// Access-token checking (src/trust/access_token.h) on any bytes as a bearer token,
// against a fixed token key; and the same bytes' payload re-tagged with that key, so
// that the claims parsing behind the tag is reached for any payload the fuzzer makes.
//
// Invariants: a refused token is Unauthenticated; an accepted re-tagged token's
// payload is CLIENT\nEXPIRES\nNONCE and its client is CLIENT; what IssueAccessToken
// makes is accepted with its claims.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "trust/access_token.h"
#include "trust/keys.h"

namespace renkei::fuzz {
namespace {

const trust::TokenKey& Key() {
  static const trust::TokenKey key = [] {
    trust::SealingKey sealing{};
    sealing.fill(0x2a);
    StatusOr<trust::TokenKey> k = trust::DeriveTokenKey(sealing);
    Check(k.ok(), "a token key derives", k.status().ToString());
    return *k;
  }();
  return key;
}

// `payload` as a token tagged with Key().
std::string Tagged(std::string_view payload) {
  unsigned char tag[crypto_auth_BYTES];
  crypto_auth(tag, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
              Key().data());
  return "rk1." + trust::Base64UrlEncode(payload) + "." +
         trust::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(tag), sizeof tag));
}

void FuzzOne(std::string_view text) {
  StatusOr<trust::TokenClaims> as_is = trust::CheckAccessToken(Key(), text);
  if (!as_is.ok()) {
    Check(as_is.status().code() == StatusCode::kUnauthenticated,
          "a refused token is Unauthenticated", as_is.status().ToString());
  }

  StatusOr<trust::TokenClaims> retagged = trust::CheckAccessToken(Key(), Tagged(text));
  if (retagged.ok()) {
    const size_t first = text.find('\n');
    Check(first != std::string_view::npos && text.substr(0, first) == retagged->client_id &&
              text.find('\n', first + 1) != std::string_view::npos && retagged->expires >= 0,
          "accepted claims come from the payload's first two lines", text);
  } else {
    Check(retagged.status().code() == StatusCode::kUnauthenticated,
          "a refused token is Unauthenticated", retagged.status().ToString());
  }

  // A token issued for any client id without a newline is accepted with its claims.
  const std::string client(text.substr(0, text.find('\n')));
  const trust::TokenClaims claims{client, static_cast<int64_t>(text.size()) * 1000};
  StatusOr<trust::TokenClaims> issued =
      trust::CheckAccessToken(Key(), trust::IssueAccessToken(Key(), claims));
  Check(issued.ok() && issued->client_id == claims.client_id && issued->expires == claims.expires,
        "an issued token is accepted with its claims", client);
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
