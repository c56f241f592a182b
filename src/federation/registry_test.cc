// The registry, the receiver's checks and the built-in kinds, in one process (the
// multi-node tests in tests/federation/ send the same messages over HTTPS).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "federation/kinds.h"
#include "federation/receiver.h"
#include "federation/registry.h"

namespace renkei::federation {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

class ReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(AddBuiltInKinds(registry_).ok());
    ASSERT_TRUE(registry_
                    .Add("fails",
                         [](Context&) -> StatusOr<Answer> {
                           return FailedPreconditionError("nothing to answer with");
                         })
                    .ok());
    ASSERT_TRUE(registry_
                    .Add("relay",
                         [](Context& c) -> StatusOr<Answer> {
                           Outcome o = c.Ask("org:c", "hello", Json::object());
                           return Answer{AnswerStatus::kAnswered,
                                         {{"state", OutcomeName(o.state)}, {"detail", o.detail}}};
                         })
                    .ok());
  }

  // The answer `b` gives a question `a` seals, POSTed by a client of `caller`.
  StatusOr<Envelope> Ask(const Envelope& q, const std::string& caller = "org:a") {
    RENKEI_ASSIGN_OR_RETURN(std::string jws, SealEnvelope(q, a_));
    Context::Links links;
    links.public_keys = &ring_;
    RENKEI_ASSIGN_OR_RETURN(std::string answer, receiver_.Handle(jws, caller, own_, links));
    return OpenEnvelope(answer, ring_);
  }

  trust::KeyPair a_ = *trust::GenerateKeyPair(), b_ = *trust::GenerateKeyPair();
  trust::KeyRing ring_{{"org:a", trust::EncodePublicKey(a_)},
                       {"org:b", trust::EncodePublicKey(b_)}};
  std::map<std::string, trust::KeyPair> own_{{"org:b", b_}};
  Registry registry_;
  ReplayCache replay_;
  Receiver receiver_{registry_, replay_};
};

TEST_F(ReceiverTest, HelloIsAnsweredAndSigned) {
  Envelope q = NewQuestion(kHelloKind, "org:a", "org:b", 2000, 0, Json::object());
  auto answer = Ask(q);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->sender, "org:b");
  EXPECT_EQ(answer->reply_to, q.nonce);
  EXPECT_EQ(answer->status, AnswerStatus::kAnswered);
  EXPECT_EQ(answer->body["organization"], "org:b");
  EXPECT_EQ(answer->body["kinds"], Json({"fails", "hello", "relay"}));
  EXPECT_NEAR(answer->body["time_ms"].get<double>(), static_cast<double>(NowMillis()), 60'000);
}

TEST_F(ReceiverTest, EachCheckRefusesWithItsCode) {
  Envelope q = NewQuestion(kHelloKind, "org:a", "org:b", 2000, 0, Json::object());
  ASSERT_TRUE(Ask(q).ok());
  auto replayed = Ask(q);
  EXPECT_EQ(replayed.status().code(), StatusCode::kAlreadyExists);

  auto other_caller =
      Ask(NewQuestion(kHelloKind, "org:a", "org:b", 2000, 0, Json::object()), "org:x");
  EXPECT_EQ(other_caller.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(other_caller.status().message(),
              HasSubstr("$.sender: message from 'org:a' sent by a client of 'org:x'"));

  auto elsewhere = Ask(NewQuestion(kHelloKind, "org:a", "org:z", 2000, 0, Json::object()));
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(elsewhere.status().message(), HasSubstr("does not answer for 'org:z'"));

  Envelope stale = NewQuestion(kHelloKind, "org:a", "org:b", 2000, 0, Json::object());
  stale.sent_ms -= 10 * 60 * 1000;
  EXPECT_EQ(Ask(stale).status().code(), StatusCode::kFailedPrecondition);

  // An answer is not taken as a question.
  Envelope answer = AnswerTo(NewQuestion(kHelloKind, "org:b", "org:a", 1, 0, Json::object()),
                             AnswerStatus::kAnswered, Json::object());
  auto as_question = Ask(answer);
  EXPECT_EQ(as_question.status().code(), StatusCode::kInvalidArgument);

  // Signed by a key the receiver does not hold for org:a.
  trust::KeyPair stranger = *trust::GenerateKeyPair();
  Context::Links links;
  links.public_keys = &ring_;
  auto forged = receiver_.Handle(
      *SealEnvelope(NewQuestion(kHelloKind, "org:a", "org:b", 2000, 0, Json::object()), stranger),
      "org:a", own_, links);
  EXPECT_EQ(forged.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(ReceiverTest, UnknownKindsAreRefusedAndHandlerErrorsAreUnknown) {
  auto refused = Ask(NewQuestion("incident", "org:a", "org:b", 2000, 0, Json::object()));
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status, AnswerStatus::kRefused);
  EXPECT_EQ(refused->body["reason"], "kind 'incident' is not answered here");

  auto failed = Ask(NewQuestion("fails", "org:a", "org:b", 2000, 0, Json::object()));
  ASSERT_TRUE(failed.ok()) << failed.status().ToString();
  EXPECT_EQ(failed->status, AnswerStatus::kUnknown);
  EXPECT_THAT(failed->body["reason"].get<std::string>(), HasSubstr("nothing to answer with"));
}

// A handler's own question is not sent when no hop is left or no partner is known.
TEST_F(ReceiverTest, ForwardingStopsAtTheHopBudgetAndUnknownPartners) {
  auto no_hops = Ask(NewQuestion("relay", "org:a", "org:b", 2000, 0, Json::object()));
  ASSERT_TRUE(no_hops.ok()) << no_hops.status().ToString();
  EXPECT_EQ(no_hops->body["state"], "unknown");
  EXPECT_EQ(no_hops->body["detail"], "the hop budget is spent");

  auto no_partner = Ask(NewQuestion("relay", "org:a", "org:b", 2000, 1, Json::object()));
  ASSERT_TRUE(no_partner.ok());
  EXPECT_EQ(no_partner->body["detail"], "this node asks no partners");
}

TEST(RegistryTest, KindsAreNamedOnceAndCarriable) {
  Registry r;
  auto handler = [](Context&) -> StatusOr<Answer> { return Answer{}; };
  EXPECT_TRUE(r.Add("tiers", handler).ok());
  EXPECT_EQ(r.Add("tiers", handler).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(r.Add("two words", handler).code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.Kinds(), ElementsAre("tiers"));
  EXPECT_NE(r.Find("tiers"), nullptr);
  EXPECT_EQ(r.Find("hello"), nullptr);
}

}  // namespace
}  // namespace renkei::federation
