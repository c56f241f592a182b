#include "trust/access_token.h"

#include <gtest/gtest.h>

#include <string>

namespace renkei::trust {
namespace {

TokenKey KeyOf(unsigned char fill) {
  SealingKey sealing;
  sealing.fill(fill);
  auto key = DeriveTokenKey(sealing);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return *key;
}

TEST(AccessTokenTest, ATokenCarriesItsClaimsAndEachIsNew) {
  const TokenKey key = KeyOf(7);
  const std::string a = IssueAccessToken(key, {"client-1a2b", 1800000000000});
  const std::string b = IssueAccessToken(key, {"client-1a2b", 1800000000000});
  EXPECT_NE(a, b);  // a random nonce in each
  EXPECT_EQ(a.rfind("rk1.", 0), 0u);
  auto claims = CheckAccessToken(key, a);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->client_id, "client-1a2b");
  EXPECT_EQ(claims->expires, 1800000000000);
}

TEST(AccessTokenTest, AnotherStoresOrAnAlteredTokenIsRefused) {
  const TokenKey key = KeyOf(7);
  const std::string token = IssueAccessToken(key, {"client-1a2b", 1800000000000});
  EXPECT_EQ(CheckAccessToken(KeyOf(8), token).status().code(), StatusCode::kUnauthenticated);

  // The same claims with another client id, under a forged tag.
  const std::string forged_payload = IssueAccessToken(KeyOf(9), {"client-admin", 1800000000000});
  const std::string mixed =
      forged_payload.substr(0, forged_payload.rfind('.')) + token.substr(token.rfind('.'));
  EXPECT_EQ(CheckAccessToken(key, mixed).status().code(), StatusCode::kUnauthenticated);

  std::string flipped = token;
  flipped[6] = flipped[6] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(CheckAccessToken(key, flipped).ok());
  for (const char* bad : {"", "rk1.", "rk1..", "rk1.abc", "bearer", "rk1.!!!.???",
                          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    EXPECT_EQ(CheckAccessToken(key, bad).status().code(), StatusCode::kUnauthenticated) << bad;
  }
}

}  // namespace
}  // namespace renkei::trust
