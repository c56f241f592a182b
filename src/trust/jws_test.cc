#include "trust/jws.h"

#include <gtest/gtest.h>
#include <sodium.h>

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

// The parts of a compact JWS.
struct Split3 {
  std::string header, payload, signature;
};

Split3 SplitJws(const std::string& jws) {
  const size_t a = jws.find('.'), b = jws.rfind('.');
  return {jws.substr(0, a), jws.substr(a + 1, b - a - 1), jws.substr(b + 1)};
}

// A JWS with any protected header, validly signed with the RFC key, so that only the
// header decides whether it is accepted.
std::string SignWithHeader(const std::string& header_json, const std::string& payload) {
  auto keys = KeyPairFromSeed(kSeed);
  const std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, keys->seed.data());
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size(), sk);
  return input + "." +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(sig), sizeof sig));
}

TEST(JwsTest, RejectsAChangedSignatureOverTheOriginalPayload) {
  Split3 p = SplitJws(kRfcJws);
  // Flip one bit of the first signature byte; the header and payload are unchanged.
  p.signature[0] = p.signature[0] == 'h' ? 'i' : 'h';
  auto v = VerifyJws(p.header + "." + p.payload + "." + p.signature, kPublic);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(v.status().message(), "JWS signature does not verify with the key");
}

TEST(JwsTest, RejectsASignatureOfTheWrongLength) {
  Split3 p = SplitJws(kRfcJws);
  auto signature = Base64UrlDecode(p.signature);
  ASSERT_TRUE(signature.ok());
  auto v = VerifyJws(p.header + "." + p.payload + "." + Base64UrlEncode(signature->substr(0, 63)),
                     kPublic);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.status().message(), "JWS signature has 63 bytes; Ed25519 signatures have 64");
  auto longer =
      VerifyJws(p.header + "." + p.payload + "." + Base64UrlEncode(*signature + "x"), kPublic);
  EXPECT_EQ(longer.status().message(), "JWS signature has 65 bytes; Ed25519 signatures have 64");
  auto empty = VerifyJws(p.header + "." + p.payload + ".", kPublic);
  EXPECT_EQ(empty.status().message(), "JWS signature has 0 bytes; Ed25519 signatures have 64");
}

TEST(JwsTest, RejectsAKidChangedUnderTheSignature) {
  auto keys = KeyPairFromSeed(kSeed);
  Split3 p = SplitJws(SignJws(R"({"a":1})", *keys, "org:hokuriku"));
  const std::string header = Base64UrlEncode(R"({"alg":"EdDSA","kid":"org:kyushu"})");
  const std::string jws = header + "." + p.payload + "." + p.signature;
  EXPECT_EQ(*JwsKeyId(jws), "org:kyushu");  // readable, but not signed that way
  auto v = VerifyJws(jws, kPublic);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(v.status().message(), "JWS signature does not verify with the key");
}

TEST(JwsTest, RejectsAHeaderWithoutAlg) {
  for (const char* header : {R"({"kid":"k"})", R"({})", R"({"alg":null})", R"({"alg":7})"}) {
    auto v = VerifyJws(SignWithHeader(header, "x"), kPublic);
    ASSERT_FALSE(v.ok()) << header;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument) << header;
    EXPECT_EQ(v.status().message(), "JWS header has no alg") << header;
  }
}

TEST(JwsTest, RejectsAlgorithmsOtherThanEdDsa) {
  // Signed with Ed25519 all the same: the header's alg alone decides.
  for (const char* alg : {"ES256", "RS256", "Ed25519", "eddsa", ""}) {
    auto v = VerifyJws(SignWithHeader(std::string(R"({"alg":")") + alg + R"("})", "x"), kPublic);
    ASSERT_FALSE(v.ok()) << alg;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument) << alg;
    EXPECT_EQ(v.status().message(),
              std::string("JWS alg '") + alg + "' is not accepted; expected EdDSA");
  }
}

TEST(JwsTest, RejectsCriticalExtensions) {
  // RFC 7797's unencoded payload option, marked critical as that RFC requires, under a
  // signature that verifies: only crit rejects it.
  auto v =
      VerifyJws(SignWithHeader(R"({"alg":"EdDSA","b64":false,"crit":["b64"]})", "$.02"), kPublic);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.status().message(), "JWS critical header parameter 'b64' is not understood");
  auto other = VerifyJws(SignWithHeader(R"({"alg":"EdDSA","kid":"k","exp":1,"crit":["exp"]})", "x"),
                         kPublic);
  EXPECT_EQ(other.status().message(), "JWS critical header parameter 'exp' is not understood");

  for (const char* crit : {R"([])", R"("b64")", R"([1])", R"(null)"}) {
    auto bad = VerifyJws(SignWithHeader(std::string(R"({"alg":"EdDSA","crit":)") + crit + "}", "x"),
                         kPublic);
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << crit;
    EXPECT_EQ(bad.status().message(), "JWS crit is not a non-empty list of header names") << crit;
  }
}

TEST(JwsTest, RejectsMalformedText) {
  auto v = VerifyJws("abc.def", kPublic);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "not a compact JWS (expected three dot-separated parts)");
  EXPECT_EQ(VerifyJws("!!.e30.AA", kPublic).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace renkei::trust
