#include "trust/keys.h"

#include <gtest/gtest.h>

namespace renkei::trust {
namespace {

// RFC 8037 appendix A.1.
constexpr char kSeed[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr char kPublic[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

TEST(KeysTest, DerivesTheRfc8037PublicKeyFromItsSeed) {
  auto keys = KeyPairFromSeed(kSeed);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(EncodePublicKey(*keys), kPublic);
  EXPECT_EQ(EncodeSeed(*keys), kSeed);
}

TEST(KeysTest, GeneratedKeysRoundTripThroughTheirSeed) {
  auto keys = GenerateKeyPair();
  ASSERT_TRUE(keys.ok());
  auto again = KeyPairFromSeed(EncodeSeed(*keys));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key, keys->public_key);
}

TEST(KeysTest, Base64UrlHasNoPaddingAndRejectsOtherAlphabets) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  auto bad = Base64UrlDecode("+/8=");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(KeysTest, PublicKeyMustHave32Bytes) {
  auto key = DecodePublicKey("AAAA");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message(), "an Ed25519 public key has 32 bytes, got 3");
}

TEST(KeysTest, PublicJwk) {
  EXPECT_EQ(PublicJwk(kPublic),
            R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})");
}

}  // namespace
}  // namespace renkei::trust
