// The signatures on served footprints verify with an independent JOSE
// implementation (npm `jose`, driven by verify.mjs): the demo bundle imported with
// the `renkei` binary, keys made with `renkei keys init`, a real node on 127.0.0.1,
// every page of /3/footprints and /2/footprints, and the node's JWKS.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "process.h"
#include "server/node.h"
#include "server/tls.h"
#include "store/store.h"

namespace renkei {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using testing::RunResult;

const std::string kRenkei = RENKEI_BINARY;
const std::string kNode = NODE_EXECUTABLE;
const std::string kJoseDir = std::string(RENKEI_SOURCE_DIR) + "/tests/jose";
const std::string kDemo = std::string(RENKEI_SOURCE_DIR) + "/data/japan-strategic";

class JoseTest : public ::testing::Test {
 protected:
  // One node for the suite: the demo with a key per organization takes a while.
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("renkei-jose-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "node.db").string();
    StartDemoNode();
  }
  static void TearDownTestSuite() {
    node_.reset();
    fs::remove_all(dir_);
  }

  // verify.mjs needs node and the jose package installed beside it.
  static void RequireJose() {
    ASSERT_FALSE(kNode.empty() || kNode == "NODE_EXECUTABLE-NOTFOUND")
        << "node (Node.js 20) is not installed; it is needed to run tests/jose/verify.mjs";
    ASSERT_TRUE(fs::exists(kJoseDir + "/node_modules/jose/package.json"))
        << "the npm package jose is not installed: run `npm ci --prefix tests/jose`";
  }

  static RunResult Renkei(const std::vector<std::string>& args) {
    return renkei::testing::Run(kRenkei, args);
  }

  // The demo in a new store, a key for every organization, an admin client, a node
  // serving it, and the client's token.
  static void StartDemoNode() {
    ASSERT_EQ(Renkei({"init", db_}).exit_code, 0);
    RunResult imported = Renkei({"import", db_, kDemo});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    std::vector<std::string> organizations;
    {
      auto store = store::Store::Open(db_);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      auto model = (*store)->LoadModel();
      ASSERT_TRUE(model.ok()) << model.status().ToString();
      for (const model::Organization& o : model->organizations) organizations.push_back(o.id);
    }
    ASSERT_GT(organizations.size(), 100u);
    for (const std::string& org : organizations) {
      RunResult keys = Renkei({"keys", "init", db_, org});
      ASSERT_EQ(keys.exit_code, 0) << org << ": " << keys.err;
    }
    RunResult client = Renkei(
        {"client", "add", db_, "jose-check", "--organization", organizations.front(), "--admin"});
    ASSERT_EQ(client.exit_code, 0) << client.err;
    std::string id, secret;
    std::istringstream lines(client.out);
    for (std::string word; lines >> word;) {
      if (word == "client_id") lines >> id;
      if (word == "client_secret") lines >> secret;
    }
    ASSERT_FALSE(id.empty() || secret.empty()) << client.out;

    cert_ = (dir_ / "cert.pem").string();
    const std::string key = (dir_ / "key.pem").string();
    ASSERT_TRUE(server::MakeSelfSignedCertificate(cert_, key).ok());
    auto store = store::Store::Open(db_);
    ASSERT_TRUE(store.ok());
    server::NodeOptions options;
    options.port = 0;
    options.cert_file = cert_;
    options.key_file = key;
    options.log = nullptr;
    auto node = server::Node::Start(std::move(*store), options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);

    httplib::Client c = Client();
    c.set_basic_auth(id.c_str(), secret.c_str());
    auto r =
        c.Post("/auth/token", "grant_type=client_credentials", "application/x-www-form-urlencoded");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    token_ = json::parse(r->body)["access_token"];
  }

  static httplib::Client Client() {
    httplib::Client c(node_->url());
    c.set_ca_cert_path(cert_.c_str());
    c.enable_server_certificate_verification(true);
    return c;
  }

  static json GetJson(const std::string& path, httplib::Headers* headers = nullptr) {
    httplib::Client c = Client();
    c.set_bearer_token_auth(token_.c_str());
    auto r = c.Get(path.c_str());
    EXPECT_TRUE(r) << path;
    if (!r) return json();
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    if (headers != nullptr) *headers = r->headers;
    return json::parse(r->body);
  }

  // Every footprint of `collection` ("/3/footprints"), following the Link headers.
  static json AllPages(const std::string& collection, size_t limit) {
    json all = json::array();
    std::string path = collection + "?limit=" + std::to_string(limit);
    const std::string prefix = "<" + node_->url();
    for (int page = 0; page < 1000 && !path.empty(); ++page) {
      httplib::Headers headers;
      json body = GetJson(path, &headers);
      EXPECT_LE(body["data"].size(), limit);
      for (json& doc : body["data"]) all.push_back(std::move(doc));
      path.clear();
      auto link = headers.find("Link");
      if (link != headers.end()) {
        const std::string& value = link->second;
        EXPECT_EQ(value.rfind(prefix, 0), 0u) << value;
        path = value.substr(prefix.size(), value.find('>') - prefix.size());
      }
    }
    return all;
  }

  static RunResult Verify(const json& jwks, const json& footprints, const std::string& name) {
    const std::string file = (dir_ / name).string();
    std::ofstream(file) << json{{"jwks", jwks}, {"footprints", footprints}}.dump();
    return renkei::testing::Run(kNode, {kJoseDir + "/verify.mjs", file});
  }

  static fs::path dir_;
  static std::string db_, cert_, token_;
  static std::unique_ptr<server::Node> node_;
};
fs::path JoseTest::dir_;
std::string JoseTest::db_, JoseTest::cert_, JoseTest::token_;
std::unique_ptr<server::Node> JoseTest::node_;

size_t CountLines(const std::string& text, const std::string& start) {
  size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.rfind(start, 0) == 0 ? 1 : 0;
  return n;
}

TEST_F(JoseTest, EveryServedFootprintVerifiesWithJose) {
  ASSERT_NO_FATAL_FAILURE(RequireJose());
  ASSERT_NE(node_, nullptr) << "the node did not start";
  const json jwks = GetJson("/api/v1/keys");
  EXPECT_GT(jwks["keys"].size(), 100u);

  for (const std::string collection : {"/3/footprints", "/2/footprints"}) {
    const json footprints = AllPages(collection, 7);
    // The same set as one unpaginated request.
    const json whole = GetJson(collection)["data"];
    ASSERT_EQ(footprints.size(), whole.size()) << collection;
    std::set<std::string> ids;
    for (const json& doc : footprints) ids.insert(doc["id"].get<std::string>());
    EXPECT_EQ(ids.size(), footprints.size()) << collection << ": a footprint came twice";
    ASSERT_GT(footprints.size(), 10u) << collection;

    RunResult r = Verify(jwks, footprints, "v" + collection.substr(1, 1) + ".json");
    EXPECT_EQ(r.exit_code, 0) << collection << "\n" << r.out << r.err;
    EXPECT_EQ(CountLines(r.out, "ok "), footprints.size()) << r.out;
    EXPECT_THAT(r.out, HasSubstr("verified " + std::to_string(footprints.size()) + " of " +
                                 std::to_string(footprints.size()) + " footprints, 0 failed"));
    EXPECT_EQ(r.err, "");
  }
}

TEST_F(JoseTest, JoseRejectsAChangedDocumentAndAMissingKey) {
  ASSERT_NO_FATAL_FAILURE(RequireJose());
  ASSERT_NE(node_, nullptr) << "the node did not start";
  const json jwks = GetJson("/api/v1/keys");
  json footprints = GetJson("/3/footprints?limit=3")["data"];
  ASSERT_EQ(footprints.size(), 3u);
  const std::string changed_id = footprints[0]["id"];
  footprints[0]["pcf"]["pcfExcludingBiogenicUptake"] = "0.001";  // changed after signing

  // The second document's signer is not in the key set given.
  const std::string jws = footprints[1]["extensions"][0]["data"]["jws"];
  const std::string header = jws.substr(0, jws.find('.'));
  json keys_but_signer = {{"keys", json::array()}};
  std::string missing_kid;
  {
    // The kid from the protected header, read independently of the node.
    std::string b64 = header;
    for (char& ch : b64) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
    while (b64.size() % 4 != 0) b64.push_back('=');
    static const std::string kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string decoded;
    unsigned bits = 0;
    int count = 0;
    for (char ch : b64) {
      if (ch == '=') break;
      bits = (bits << 6) | static_cast<unsigned>(kAlphabet.find(ch));
      count += 6;
      if (count >= 8) {
        count -= 8;
        decoded.push_back(static_cast<char>((bits >> count) & 0xFF));
      }
    }
    missing_kid = json::parse(decoded)["kid"];
  }
  for (const json& k : jwks["keys"]) {
    if (k["kid"] != missing_kid) keys_but_signer["keys"].push_back(k);
  }
  RunResult r = Verify(keys_but_signer, footprints, "tampered.json");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("FAIL " + changed_id +
                               ": the signed payload is not the canonical JSON of the document\n"));
  EXPECT_THAT(r.out, HasSubstr("FAIL " + footprints[1]["id"].get<std::string>() +
                               ": no key with kid '" + missing_kid + "' in the JWKS\n"));
  EXPECT_THAT(r.out, HasSubstr("verified 1 of 3 footprints, 2 failed"));

  // A signature changed in one byte fails inside jose.
  json bad_signature = GetJson("/3/footprints?limit=1")["data"];
  std::string sig = bad_signature[0]["extensions"][0]["data"]["jws"];
  sig[sig.size() - 2] = sig[sig.size() - 2] == 'A' ? 'B' : 'A';
  bad_signature[0]["extensions"][0]["data"]["jws"] = sig;
  RunResult s = Verify(jwks, bad_signature, "signature.json");
  EXPECT_EQ(s.exit_code, 1) << s.out << s.err;
  EXPECT_THAT(s.out,
              HasSubstr(": jose rejects the signature: ERR_JWS_SIGNATURE_VERIFICATION_FAILED"));
}

TEST_F(JoseTest, UnusableInputIsExitTwo) {
  ASSERT_NO_FATAL_FAILURE(RequireJose());
  const std::string file = (dir_ / "bad.json").string();
  std::ofstream(file) << R"({"footprints": []})";
  RunResult r = renkei::testing::Run(kNode, {kJoseDir + "/verify.mjs", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "expected {\"jwks\": {\"keys\": [...]}, \"footprints\": [...]}\n");
}

}  // namespace
}  // namespace renkei
