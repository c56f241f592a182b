#include "federation/envelope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "trust/jws.h"

namespace renkei::federation {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

struct Org {
  trust::KeyPair keys = *trust::GenerateKeyPair();
  std::string public_key = trust::EncodePublicKey(keys);
};

class EnvelopeTest : public ::testing::Test {
 protected:
  Org a_, b_;
  trust::KeyRing ring_{{"org:a", a_.public_key}, {"org:b", b_.public_key}};
  Envelope question_ =
      NewQuestion("hello", "org:a", "org:b", 5000, 3, Json{{"product", "prod:pack"}});
};

TEST_F(EnvelopeTest, SealedQuestionOpensAsItWasSent) {
  auto jws = SealEnvelope(question_, a_.keys);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  EXPECT_EQ(*trust::JwsKeyId(*jws), "org:a");
  auto opened = OpenEnvelope(*jws, ring_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->id, question_.id);
  EXPECT_EQ(opened->nonce, question_.nonce);
  EXPECT_EQ(opened->kind, "hello");
  EXPECT_EQ(opened->origin, "org:a");
  EXPECT_EQ(opened->sender, "org:a");
  EXPECT_EQ(opened->recipient, "org:b");
  EXPECT_EQ(opened->sent_ms, question_.sent_ms);
  EXPECT_EQ(opened->budget_ms, 5000);
  EXPECT_EQ(opened->hops, 3);
  EXPECT_FALSE(opened->is_answer());
  EXPECT_EQ(opened->body, question_.body);
  EXPECT_EQ(question_.id.size(), 32u);
  EXPECT_NE(question_.id, NewQuestion("hello", "a", "b", 1, 0, Json::object()).id);
}

TEST_F(EnvelopeTest, AnswerCarriesTheQuestionsIdAndNonce) {
  Envelope answer = AnswerTo(question_, AnswerStatus::kRefused, Json{{"reason", "policy"}});
  EXPECT_EQ(answer.id, question_.id);
  EXPECT_EQ(answer.reply_to, question_.nonce);
  EXPECT_NE(answer.nonce, question_.nonce);
  EXPECT_EQ(answer.sender, "org:b");
  EXPECT_EQ(answer.recipient, "org:a");
  auto opened = OpenEnvelope(*SealEnvelope(answer, b_.keys), ring_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->is_answer());
  EXPECT_EQ(opened->status, AnswerStatus::kRefused);
  EXPECT_EQ(opened->body["reason"], "policy");
}

// Any change to a sealed message after signing, a signer without a registered key, and a
// key that signs for another sender are refused.
TEST_F(EnvelopeTest, TamperedOrMisattributedMessagesAreRefused) {
  const std::string jws = *SealEnvelope(question_, a_.keys);
  const size_t dot = jws.find('.'), dot2 = jws.find('.', dot + 1);
  std::string payload = *trust::Base64UrlDecode(jws.substr(dot + 1, dot2 - dot - 1));
  payload.replace(payload.find("5000"), 4, "9000");
  const std::string tampered =
      jws.substr(0, dot + 1) + trust::Base64UrlEncode(payload) + jws.substr(dot2);
  auto refused = OpenEnvelope(tampered, ring_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);

  auto unknown = OpenEnvelope(jws, trust::KeyRing{{"org:b", b_.public_key}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(unknown.status().message(), HasSubstr("'org:a' has no registered public key"));

  // org:b's key signing a message that says it is from org:a, under kid org:b.
  Envelope forged = question_;
  forged.sender = "org:a";
  auto body = EnvelopeJson(forged);
  ASSERT_TRUE(body.ok());
  const std::string as_b = trust::SignJws(body->dump(), b_.keys, "org:b");
  auto misattributed = OpenEnvelope(as_b, ring_);
  ASSERT_FALSE(misattributed.ok());
  EXPECT_THAT(misattributed.status().message(),
              HasSubstr("signed by 'org:b' names sender 'org:a'"));

  EXPECT_EQ(OpenEnvelope("not a jws", ring_).status().code(), StatusCode::kInvalidArgument);
}

// Each field out of range is named by its JSON path.
TEST_F(EnvelopeTest, EveryFieldIsChecked) {
  const Json good = *EnvelopeJson(question_);
  auto error = [&](const std::string& field, const Json& value) {
    Json doc = good;
    if (value.is_null()) {
      doc.erase(field);
    } else {
      doc[field] = value;
    }
    auto parsed = ParseEnvelope(doc.dump());
    return parsed.ok() ? std::string("ok") : parsed.status().message();
  };
  EXPECT_EQ(error("budget_ms", 5000), "ok");
  EXPECT_THAT(error("budget_ms", -5),
              HasSubstr("$.budget_ms: expected an integer from 1 to 600000, got -5"));
  EXPECT_THAT(error("budget_ms", 0), HasSubstr("$.budget_ms"));
  EXPECT_THAT(error("budget_ms", "5000"), HasSubstr("$.budget_ms: expected an integer"));
  EXPECT_THAT(error("budget_ms", 1.5), HasSubstr("$.budget_ms: expected an integer"));
  EXPECT_THAT(error("hops", 33), HasSubstr("$.hops: expected an integer from 0 to 32"));
  EXPECT_THAT(error("hops", nullptr), HasSubstr("$.hops: missing"));
  EXPECT_THAT(error("id", "a b"), HasSubstr("$.id: expected 1 to 128 of the characters"));
  EXPECT_THAT(error("nonce", "XYZ"), HasSubstr("$.nonce: expected 16 to 64 lowercase hex"));
  EXPECT_THAT(error("kind", ""), HasSubstr("$.kind"));
  EXPECT_THAT(error("sender", std::string("org\x01")), HasSubstr("$.sender"));
  EXPECT_THAT(error("body", Json::array()), HasSubstr("$.body: expected an object"));
  EXPECT_THAT(error("v", 2), HasSubstr("$.v: envelope version 2 is not understood"));
  EXPECT_THAT(error("extra", 1), HasSubstr("$.extra: unknown field"));
  EXPECT_THAT(error("status", "answered"), HasSubstr("$.reply_to: missing"));
  Json answer = *EnvelopeJson(AnswerTo(question_, AnswerStatus::kAnswered, Json::object()));
  answer["status"] = "maybe";
  EXPECT_THAT(ParseEnvelope(answer.dump()).status().message(),
              HasSubstr("$.status: expected answered, refused, unknown or in_progress"));
  EXPECT_THAT(ParseEnvelope("{\"v\":1,").status().message(), HasSubstr("envelope:1:"));
  EXPECT_THAT(ParseEnvelope("[]").status().message(), HasSubstr("$: expected an object"));

  Envelope bad = question_;
  bad.hops = -1;
  EXPECT_THAT(SealEnvelope(bad, a_.keys).status().message(), HasSubstr("$.hops"));
}

}  // namespace
}  // namespace renkei::federation
