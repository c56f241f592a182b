#include "trust/jws.h"

#include <gtest/gtest.h>

namespace renkei::trust {
namespace {

constexpr char kSeed[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr char kPublic[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
// RFC 8037 appendix A.4: "Example of Ed25519 signing" under the key above.
constexpr char kRfcJws[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

TEST(JwsTest, SignsTheRfc8037Example) {
  auto keys = KeyPairFromSeed(kSeed);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(SignJws("Example of Ed25519 signing", *keys, ""), kRfcJws);
}

TEST(JwsTest, VerifiesAndReturnsPayloadAndKid) {
  auto keys = KeyPairFromSeed(kSeed);
  const std::string jws = SignJws(R"({"a":1})", *keys, "org:hokuriku");
  auto v = VerifyJws(jws, kPublic);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->payload, R"({"a":1})");
  EXPECT_EQ(v->kid, "org:hokuriku");
  EXPECT_EQ(*JwsKeyId(jws), "org:hokuriku");
}

TEST(JwsTest, RejectsATamperedPayload) {
  auto keys = KeyPairFromSeed(kSeed);
  std::string jws = SignJws(R"({"a":1})", *keys, "k");
  const size_t a = jws.find('.'), b = jws.rfind('.');
  jws = jws.substr(0, a + 1) + Base64UrlEncode(R"({"a":2})") + jws.substr(b);
  auto v = VerifyJws(jws, kPublic);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(v.status().message(), "JWS signature does not verify with the key");
}

TEST(JwsTest, RejectsAWrongKey) {
  auto keys = KeyPairFromSeed(kSeed);
  auto other = GenerateKeyPair();
  auto v = VerifyJws(SignJws("x", *keys, ""), EncodePublicKey(*other));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnauthenticated);
}

TEST(JwsTest, RejectsAnotherAlgorithm) {
  // {"alg":"HS256"} with the RFC example's payload and signature.
  const std::string jws = Base64UrlEncode(R"({"alg":"HS256"})") +
                          std::string(kRfcJws).substr(std::string(kRfcJws).find('.'));
  auto v = VerifyJws(jws, kPublic);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.status().message(), "JWS alg 'HS256' is not accepted; expected EdDSA");
  auto none = VerifyJws(Base64UrlEncode(R"({"alg":"none"})") + ".e30.", kPublic);
  EXPECT_EQ(none.status().message(), "JWS alg 'none' is not accepted; expected EdDSA");
}

TEST(JwsTest, RejectsMalformedText) {
  auto v = VerifyJws("abc.def", kPublic);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "not a compact JWS (expected three dot-separated parts)");
  EXPECT_EQ(VerifyJws("!!.e30.AA", kPublic).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace renkei::trust
