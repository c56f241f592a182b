#include "trust/document_signature.h"

#include <gtest/gtest.h>

namespace renkei::trust {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kSeed[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr char kPublic[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

Json Footprint() {
  return Json::parse(R"({"id":"f1","pcf":{"pCfExcludingBiogenic":"18.5"},
                         "extensions":[{"dataSchema":"https://example.com/other","data":{}}]})");
}

Json Signed(const Json& doc) {
  auto keys = KeyPairFromSeed(kSeed);
  auto signed_doc = SignDocument(doc, *keys, "org:cam");
  EXPECT_TRUE(signed_doc.ok()) << signed_doc.status().ToString();
  return *signed_doc;
}

TEST(DocumentSignatureTest, ASignedDocumentVerifiesAndNamesItsSigner) {
  const Json doc = Signed(Footprint());
  ASSERT_EQ(doc["extensions"].size(), 2u);
  EXPECT_EQ(doc["extensions"][0]["dataSchema"], "https://example.com/other");
  auto v = VerifyDocument(doc, {{"org:cam", kPublic}});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->is_signed);
  EXPECT_EQ(v->signer, "org:cam");
  EXPECT_EQ(DocumentSigner(doc), "org:cam");
  // Its signed content is the document without the signature: signing again
  // replaces the signature instead of adding one.
  EXPECT_EQ(*SignedContent(doc), *SignedContent(Footprint()));
  EXPECT_EQ(Signed(doc)["extensions"].size(), 2u);
}

TEST(DocumentSignatureTest, AnUnsignedDocumentIsReportedNotRefused) {
  auto v = VerifyDocument(Footprint(), {{"org:cam", kPublic}});
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->is_signed);
  EXPECT_EQ(DocumentSigner(Footprint()), "");
}

TEST(DocumentSignatureTest, AChangeAfterSigningIsNamedWithItsPlace) {
  Json doc = Signed(Footprint());
  doc["pcf"]["pCfExcludingBiogenic"] = "1.85";
  auto v = VerifyDocument(doc, {{"org:cam", kPublic}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(v.status().message(),
            "$.extensions[1].data.jws: signature of 'org:cam' does not cover this document");
  // An extension added after signing is a change too.
  Json added = Signed(Footprint());
  added["extensions"].push_back({{"dataSchema", "https://example.com/more"}});
  EXPECT_FALSE(VerifyDocument(added, {{"org:cam", kPublic}}).ok());
}

TEST(DocumentSignatureTest, UnknownSignersBadJwsAndTwoSignaturesAreRefused) {
  const Json doc = Signed(Footprint());
  auto unknown = VerifyDocument(doc, {{"org:other", kPublic}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "$.extensions[1].data.jws: signer 'org:cam' has no registered public key");

  // The right signer's name under another key.
  auto other = GenerateKeyPair();
  ASSERT_TRUE(other.ok());
  auto wrong = VerifyDocument(doc, {{"org:cam", EncodePublicKey(*other)}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(),
            "$.extensions[1].data.jws: JWS signature does not verify with the key");

  Json garbled = doc;
  garbled["extensions"][1]["data"]["jws"] = "not a jws";
  auto bad = VerifyDocument(garbled, {{"org:cam", kPublic}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(bad.status().message().rfind("$.extensions[1].data.jws: ", 0), 0u)
      << bad.status().message();

  Json twice = doc;
  twice["extensions"].push_back(doc["extensions"][1]);
  auto two = VerifyDocument(twice, {{"org:cam", kPublic}});
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().message(), "$.extensions[2]: a second signature; a document carries one");
}

TEST(DocumentSignatureTest, UnsignedDocumentsFollowThePolicyAndTheSendersKey) {
  const KeyRing keys = {{"org:cam", kPublic}};
  EXPECT_TRUE(*CheckReceivedDocument(Signed(Footprint()), keys, false, "org:cam"));
  EXPECT_FALSE(*CheckReceivedDocument(Footprint(), keys, true));
  EXPECT_FALSE(*CheckReceivedDocument(Footprint(), keys, true, "org:other"));
  EXPECT_EQ(CheckReceivedDocument(Footprint(), keys, false).status().message(),
            "not signed, and this store refuses unsigned footprints (renkei policy DB --unsigned "
            "accept takes them, marked unverified)");
  EXPECT_EQ(CheckReceivedDocument(Footprint(), keys, true, "org:cam").status().message(),
            "not signed, but 'org:cam' has a registered public key: its footprints must carry "
            "its signature");
}

TEST(DocumentSignatureTest, OnlyObjectsWithArrayExtensionsAreSigned) {
  auto keys = KeyPairFromSeed(kSeed);
  EXPECT_EQ(SignDocument(Json::array(), *keys, "k").status().message(),
            "only a JSON object can be signed");
  EXPECT_EQ(SignDocument(Json::parse(R"({"extensions":"x"})"), *keys, "k").status().message(),
            "$.extensions: expected an array");
  // An empty list of extensions is the same content as none.
  auto empty = SignDocument(Json::parse(R"({"a":1,"extensions":[]})"), *keys, "k");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(VerifyDocument(*empty, {{"k", kPublic}}).ok());
}

}  // namespace
}  // namespace renkei::trust
