// Federation's transport between `renkei serve` processes on 127.0.0.1: a question
// sealed by one organization, carried over HTTPS + OAuth2 to a partner's node, and
// its sealed answer checked; and each way it can fail (a node down, one stopped past
// the budget, one that refuses, one answering under a key not registered for it, a
// replayed or misaddressed message).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "federation/client.h"
#include "federation/envelope.h"
#include "federation/registry.h"
#include "process.h"
#include "server/node.h"
#include "server/tls.h"
#include "store/node_records.h"
#include "store/store.h"
#include "trust/keys.h"

namespace renkei {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

const std::string kBin = RENKEI_BINARY;

// The value after `label` on its line of `text` ("client_id     abc").
std::string Field(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) return "";
  size_t begin = text.find_first_not_of(' ', at + label.size());
  size_t end = text.find_first_of(" \n", begin);
  return text.substr(begin, end - begin);
}

// One organization's node: its store, key and (when started) process.
struct Org {
  std::string id;
  std::string db;
  std::string public_key;
  int port = 0;
  pid_t pid = 0;
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port); }
};

class TransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::path(::testing::TempDir()) / "federation_transport";
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    cert_ = (dir_ / "cert.pem").string();
    key_ = (dir_ / "key.pem").string();
    ASSERT_TRUE(server::MakeSelfSignedCertificate(cert_, key_).ok());
    // a asks; b answers; c answers under a key a has not registered for it; r has
    // revoked a's client; d is down; f (in this process) relays questions to b.
    for (const char* name : {"a", "b", "c", "r", "f"}) {
      Org o;
      o.id = std::string("org:") + name;
      o.db = (dir_ / (std::string(name) + ".db")).string();
      Import(o.db, {{o.id, ""}});
      auto init = testing::Run(kBin, {"keys", "init", o.db, o.id});
      ASSERT_EQ(init.exit_code, 0) << init.err;
      o.public_key = Field(init.out, "(Ed25519, base64url)");
      ASSERT_EQ(o.public_key.size(), 43u) << init.out;
      o.port = testing::FreePort();
      orgs_[name] = o;
    }
    const std::string stranger = trust::EncodePublicKey(*trust::GenerateKeyPair());
    // Who knows whose public key; a has a wrong one for org:c.
    Import(orgs_["a"].db, {{"org:b", orgs_["b"].public_key},
                           {"org:c", stranger},
                           {"org:r", orgs_["r"].public_key},
                           {"org:d", stranger},
                           {"org:f", orgs_["f"].public_key}});
    Import(orgs_["b"].db, {{"org:a", orgs_["a"].public_key}, {"org:f", orgs_["f"].public_key}});
    for (const char* name : {"c", "r"}) Import(orgs_[name].db, {{"org:a", orgs_["a"].public_key}});
    Import(orgs_["f"].db, {{"org:a", orgs_["a"].public_key}, {"org:b", orgs_["b"].public_key}});

    // a's partners: a client of org:a at each, its secret in a's partner record.
    for (const char* name : {"b", "c", "r", "f"}) {
      auto [id, secret] = AddClient(orgs_[name], "org:a");
      if (std::string(name) == "r") {
        ASSERT_EQ(testing::Run(kBin, {"client", "revoke", orgs_[name].db, id}).exit_code, 0);
      }
      if (std::string(name) == "b") {
        b_client_id_ = id;
        b_client_secret_ = secret;
      }
      SetPartner(orgs_["a"], orgs_[name].id, orgs_[name].url(), id, secret);
    }
    SetPartner(orgs_["a"], "org:d", "https://127.0.0.1:" + std::to_string(testing::FreePort()),
               "unused", "unused");
    auto [f_id, f_secret] = AddClient(orgs_["b"], "org:f");
    SetPartner(orgs_["f"], "org:b", orgs_["b"].url(), f_id, f_secret);

    for (const char* name : {"b", "c", "r"}) {
      Org& o = orgs_[name];
      o.pid =
          testing::Start(kBin, {"serve", o.db, "--listen", "127.0.0.1:" + std::to_string(o.port),
                                "--cert", cert_, "--key", key_});
    }
    // f relays: it asks body.to a hello on the question's behalf and answers with
    // the outcome and the envelope of the answer it got.
    server::NodeOptions options;
    options.port = orgs_["f"].port;
    options.cert_file = cert_;
    options.key_file = key_;
    options.log = nullptr;
    options.add_federation_kinds = [](federation::Registry& registry) {
      return registry.Add("relay", [](federation::Context& c) -> StatusOr<federation::Answer> {
        federation::Outcome o = c.Ask(c.question().body.value("to", ""), "hello", Json::object());
        Json body = {{"state", federation::OutcomeName(o.state)}, {"detail", o.detail}};
        if (o.state == federation::Outcome::State::kAnswered) {
          body["answer"] = {{"sender", o.answer.sender},
                            {"origin", o.answer.origin},
                            {"hops", o.answer.hops},
                            {"budget_ms", o.answer.budget_ms}};
        }
        return federation::Answer{federation::AnswerStatus::kAnswered, body};
      });
    };
    auto f_store = store::Store::Open(orgs_["f"].db);
    ASSERT_TRUE(f_store.ok());
    auto node = server::Node::Start(std::move(*f_store), options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    f_node_ = node->release();
    for (const char* name : {"b", "c", "r"}) {  // an ASan build takes a while to start
      bool up = false;
      for (int tries = 0; tries < 600 && !up; ++tries) {
        auto r = Client(orgs_[name]).Get("/.well-known/openid-configuration");
        up = r && r->status == 200;
        if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      ASSERT_TRUE(up) << name << " did not start";
    }
  }

  // A client of `organization` at `at`'s node: its id and secret.
  static std::pair<std::string, std::string> AddClient(const Org& at,
                                                       const std::string& organization) {
    auto added =
        testing::Run(kBin, {"client", "add", at.db, "node", "--organization", organization});
    EXPECT_EQ(added.exit_code, 0) << added.err;
    return {Field(added.out, "client_id"), Field(added.out, "client_secret")};
  }

  static void SetPartner(const Org& at, const std::string& partner, const std::string& url,
                         const std::string& id, const std::string& secret) {
    auto set = testing::Run(kBin, {"partner", at.db, partner, "--url", url, "--client-id", id,
                                   "--client-secret", secret, "--ca", cert_});
    EXPECT_EQ(set.exit_code, 0) << set.err;
  }

  static void TearDownTestSuite() {
    delete f_node_;
    for (auto& [name, o] : orgs_) {
      if (o.pid > 0) {
        ::kill(o.pid, SIGCONT);
        ::kill(o.pid, SIGTERM);
        testing::Wait(o.pid);
      }
    }
  }

  // Imports a JSON bundle of organizations (id, public key) into `db`, made if new.
  static void Import(const std::string& db,
                     const std::vector<std::pair<std::string, std::string>>& organizations) {
    Json rows = Json::array();
    for (const auto& [id, key] : organizations) {
      Json row = {{"id", id}, {"name", id}, {"country", "JP"}};
      if (!key.empty()) row["public_key"] = key;
      rows.push_back(row);
    }
    static int n = 0;
    const std::string file = (dir_ / ("bundle" + std::to_string(++n) + ".json")).string();
    std::ofstream(file) << Json{{"organizations", rows}}.dump();
    if (!fs::exists(db)) {
      ASSERT_EQ(testing::Run(kBin, {"init", db}).exit_code, 0);
    }
    auto r = testing::Run(kBin, {"import", db, file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static httplib::Client Client(const Org& o) {
    httplib::Client c(o.url());
    c.enable_server_certificate_verification(true);
    c.set_ca_cert_path(cert_.c_str());
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(30, 0);
    return c;
  }

  // `renkei ask a.db PARTNER ARGS...`: its exit code and printed outcome.
  static std::pair<int, Json> Ask(const std::string& partner, std::vector<std::string> args = {}) {
    std::vector<std::string> argv = {"ask", orgs_["a"].db, partner};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = testing::Run(kBin, argv);
    Json out = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(out.is_discarded()) << r.out << r.err;
    return {r.exit_code, out};
  }

  static inline fs::path dir_;
  static inline std::string cert_, key_;
  static inline std::map<std::string, Org> orgs_;
  static inline std::string b_client_id_, b_client_secret_;
  static inline server::Node* f_node_ = nullptr;
};

TEST_F(TransportTest, HelloCrossesTheLinkSignedBothWays) {
  auto [code, out] = Ask("org:b");
  ASSERT_EQ(code, 0) << out.dump(2);
  EXPECT_EQ(out["outcome"], "answered");
  EXPECT_EQ(out["as"], "org:a");
  EXPECT_EQ(out["answer"]["status"], "answered");
  EXPECT_EQ(out["answer"]["sender"], "org:b");
  EXPECT_EQ(out["answer"]["body"]["organization"], "org:b");
  EXPECT_THAT(out["answer"]["body"]["kinds"].get<std::vector<std::string>>(),
              ::testing::Contains("hello"));
  // Both nodes run on this machine's clock.
  EXPECT_LT(std::abs(out["clock_offset_ms"].get<int64_t>()), 60'000);
  EXPECT_GT(out["bytes_sent"].get<int>(), 100);
  EXPECT_GT(out["bytes_received"].get<int>(), 100);

  // A kind b does not answer: a signed refusal.
  auto [unknown_code, unknown] = Ask("org:b", {"--kind", "incident"});
  EXPECT_EQ(unknown_code, 3);
  EXPECT_EQ(unknown["outcome"], "answered");
  EXPECT_EQ(unknown["answer"]["status"], "refused");
  EXPECT_EQ(unknown["answer"]["body"]["reason"], "kind 'incident' is not answered here");
}

TEST_F(TransportTest, AnAnswerUnderAKeyNotRegisteredForItsSenderIsRejected) {
  auto [code, out] = Ask("org:c");
  EXPECT_EQ(code, 3);
  EXPECT_EQ(out["outcome"], "rejected");
  EXPECT_THAT(out["detail"].get<std::string>(), HasSubstr("the answer of 'org:c' is refused"));
  EXPECT_FALSE(out.contains("answer"));
}

TEST_F(TransportTest, ARevokedClientIsRefused) {
  auto [code, out] = Ask("org:r");
  EXPECT_EQ(code, 3);
  EXPECT_EQ(out["outcome"], "refused");
  EXPECT_THAT(out["detail"].get<std::string>(), HasSubstr("/auth/token: HTTP 401"));
}

TEST_F(TransportTest, ANodeThatIsDownIsUnknown) {
  auto [code, out] = Ask("org:d", {"--budget-ms", "20000"});
  EXPECT_EQ(code, 3);
  EXPECT_EQ(out["outcome"], "unknown");
  EXPECT_THAT(out["detail"].get<std::string>(), ::testing::Not(HasSubstr("no answer within")));
}

// A node stopped with SIGSTOP accepts connections (the kernel does) but never
// answers: the question ends at its budget, not later.
TEST_F(TransportTest, AStoppedNodeIsUnknownAtTheBudget) {
  ASSERT_EQ(::kill(orgs_["b"].pid, SIGSTOP), 0);
  auto [code, out] = Ask("org:b", {"--budget-ms", "1500"});
  ASSERT_EQ(::kill(orgs_["b"].pid, SIGCONT), 0);
  EXPECT_EQ(code, 3);
  EXPECT_EQ(out["outcome"], "unknown");
  EXPECT_THAT(out["detail"].get<std::string>(), HasSubstr("no answer within 1500 ms"));
  EXPECT_GE(out["elapsed_ms"].get<int64_t>(), 1400);
  // And answers again once it runs.
  EXPECT_EQ(Ask("org:b").first, 0);
}

// a asks f to relay a hello to b: f's own question carries a's id and origin, one hop
// fewer and less time; with no hop left, or b stopped, f still answers a in time.
TEST_F(TransportTest, AQuestionForwardedCarriesTheOriginAndWhatIsLeftOfTheBudgets) {
  auto [code, out] = Ask("org:f", {"--kind", "relay", "--hops", "1", "--budget-ms", "20000",
                                   "--body", R"({"to":"org:b"})"});
  ASSERT_EQ(code, 0) << out.dump(2);
  const Json& relayed = out["answer"]["body"];
  ASSERT_EQ(relayed["state"], "answered") << relayed.dump();
  EXPECT_EQ(relayed["answer"]["sender"], "org:b");
  EXPECT_EQ(relayed["answer"]["origin"], "org:a");
  EXPECT_EQ(relayed["answer"]["hops"], 0);
  EXPECT_LT(relayed["answer"]["budget_ms"].get<int64_t>(), 20000);

  auto [no_hops_code, no_hops] =
      Ask("org:f", {"--kind", "relay", "--hops", "0", "--body", R"({"to":"org:b"})"});
  EXPECT_EQ(no_hops_code, 0);
  EXPECT_EQ(no_hops["answer"]["body"]["state"], "unknown");
  EXPECT_EQ(no_hops["answer"]["body"]["detail"], "the hop budget is spent");

  auto [unknown_code, unknown] =
      Ask("org:f", {"--kind", "relay", "--hops", "1", "--body", R"({"to":"org:x"})"});
  EXPECT_EQ(unknown_code, 0);
  EXPECT_EQ(unknown["answer"]["body"]["detail"], "no partner endpoint for 'org:x'");

  ASSERT_EQ(::kill(orgs_["b"].pid, SIGSTOP), 0);
  auto [stopped_code, stopped] = Ask("org:f", {"--kind", "relay", "--hops", "1", "--budget-ms",
                                               "3000", "--body", R"({"to":"org:b"})"});
  ASSERT_EQ(::kill(orgs_["b"].pid, SIGCONT), 0);
  EXPECT_EQ(stopped_code, 0) << stopped.dump(2);
  EXPECT_EQ(stopped["answer"]["body"]["state"], "unknown");
  EXPECT_THAT(stopped["answer"]["body"]["detail"].get<std::string>(),
              HasSubstr("no answer within"));
}

// Messages POSTed by hand to b as a's client: the same message twice, one for an
// organization b does not answer for, one whose sender is not the caller's
// organization, and bodies that are not sealed questions.
TEST_F(TransportTest, ReplayedMisaddressedAndMalformedMessagesAreRefused) {
  auto a_store = store::Store::Open(orgs_["a"].db);
  ASSERT_TRUE(a_store.ok());
  auto a_keys = store::OrganizationKeys(**a_store);
  ASSERT_TRUE(a_keys.ok()) << a_keys.status().ToString();
  auto b_store = store::Store::Open(orgs_["b"].db);
  auto b_keys = store::OrganizationKeys(**b_store);
  ASSERT_TRUE(b_keys.ok()) << b_keys.status().ToString();

  auto c = Client(orgs_["b"]);
  c.set_basic_auth(b_client_id_.c_str(), b_client_secret_.c_str());
  auto token =
      c.Post("/auth/token", "grant_type=client_credentials", "application/x-www-form-urlencoded");
  ASSERT_TRUE(token);
  ASSERT_EQ(token->status, 200);
  auto m = Client(orgs_["b"]);
  m.set_bearer_token_auth(Json::parse(token->body)["access_token"].get<std::string>().c_str());
  auto post = [&](const std::string& body, const std::string& type = "application/jose") {
    auto r = m.Post(federation::kMessagesPath, body, type);
    EXPECT_TRUE(r);
    return r ? std::make_pair(r->status, r->body) : std::make_pair(-1, std::string());
  };

  const federation::Envelope q =
      federation::NewQuestion("hello", "org:a", "org:b", 5000, 0, Json::object());
  const std::string sealed = *federation::SealEnvelope(q, a_keys->at("org:a"));
  auto [first, answer] = post(sealed);
  ASSERT_EQ(first, 200) << answer;
  auto opened = federation::OpenEnvelope(answer, {{"org:b", orgs_["b"].public_key}});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->reply_to, q.nonce);

  auto [again, again_body] = post(sealed);
  EXPECT_EQ(again, 409);
  EXPECT_THAT(again_body, HasSubstr("was received before"));

  auto [elsewhere, elsewhere_body] = post(*federation::SealEnvelope(
      federation::NewQuestion("hello", "org:a", "org:z", 5000, 0, Json::object()),
      a_keys->at("org:a")));
  EXPECT_EQ(elsewhere, 403);
  EXPECT_THAT(elsewhere_body, HasSubstr("does not answer for 'org:z'"));

  // b's own key signs a question from org:b, which a's client may not send.
  auto [impostor, impostor_body] = post(*federation::SealEnvelope(
      federation::NewQuestion("hello", "org:b", "org:b", 5000, 0, Json::object()),
      b_keys->at("org:b")));
  EXPECT_EQ(impostor, 403);
  EXPECT_THAT(impostor_body,
              HasSubstr("$.sender: message from 'org:b' sent by a client of 'org:a'"));

  auto [garbage, garbage_body] = post("not.a.jws");
  EXPECT_EQ(garbage, 400) << garbage_body;
  auto [json_type, json_body] = post(sealed, "application/json");
  EXPECT_EQ(json_type, 400);
  EXPECT_THAT(json_body, HasSubstr("content type must be application/jose"));
}

}  // namespace
}  // namespace renkei
