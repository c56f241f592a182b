#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sodium.h>
#include <sqlite3.h>

#include <set>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "../process.h"
#include "io/bundle.h"
#include "model/builder.h"
#include "server/node.h"
#include "server/tls.h"
#include "store/audit.h"
#include "store/node_records.h"
#include "store/store.h"
#include "trust/canonical_json.h"
#include "trust/jws.h"
#include "trust/sealed.h"

namespace renkei::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using store::AddClient;
using store::AddGrant;
using store::AuthenticateClient;
using store::Client;
using store::EventRecord;
using store::FindSentEvent;
using store::GetPartner;
using store::InitOrganizationKey;
using store::ListEvents;
using store::NewClient;
using store::OrganizationKeys;
using store::RecordEvent;
using store::SealStoredSecrets;
using store::SetAcceptsUnsignedFootprints;
using store::SetPartner;

const std::string kBundle = std::string(RENKEI_SOURCE_DIR) + "/tests/data/footprint/battery_chain";

// A node serving battery_chain, with clients of org:pack (granted p:cell), org:cam
// (nothing granted) and an admin.
class NodeFixture {
 public:
  // `cell_key`: when given, org:cell's registered public key instead of a key of its own.
  explicit NodeFixture(const std::string& name, int token_seconds = 3600,
                       const std::string& cell_key = "") {
    dir_ = fs::temp_directory_path() / ("renkei-server-" + name + "-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "node.db").string();
    cert_ = (dir_ / "cert.pem").string();
    auto store = store::Store::Create(db_);
    EXPECT_TRUE(store.ok());
    auto model = (*store)->LoadModel();
    const model::RowCounts before = model::CountRows(*model);
    EXPECT_TRUE(io::ReadBundle(kBundle, *model).ok());
    EXPECT_TRUE((*store)->Append(*model, before, "test", "import").ok());
    model_ = *model;
    pack_ = *AddClient(**store, model_, "pack", "org:pack", false, "test");
    cam_ = *AddClient(**store, model_, "cam", "org:cam", false, "test");
    admin_ = *AddClient(**store, model_, "admin", "org:cell", true, "test");
    EXPECT_TRUE(AddGrant(**store, model_, "org:pack", {"p:cell"}, "test").ok());
    if (cell_key.empty()) {
      EXPECT_TRUE(InitOrganizationKey(**store, model_, "org:cell", "test").ok());
    } else {
      const std::string sql =
          "UPDATE organizations SET public_key = '" + cell_key + "' WHERE ext_id = 'org:cell'";
      EXPECT_EQ(
          sqlite3_exec(store::internal::Handle(**store), sql.c_str(), nullptr, nullptr, nullptr),
          SQLITE_OK);
    }
    EXPECT_TRUE(MakeSelfSignedCertificate(cert_, (dir_ / "key.pem").string()).ok());
    options_.port = 0;
    options_.cert_file = cert_;
    options_.key_file = (dir_ / "key.pem").string();
    options_.max_body_bytes = 64 * 1024;
    options_.token_lifetime_seconds = token_seconds;
    options_.delivery_first_wait_ms = 100;
    options_.log = nullptr;
    auto node = Node::Start(std::move(*store), options_);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
  }
  // Stops the node and starts a new one on the same store.
  Status Restart() {
    node_.reset();
    RENKEI_ASSIGN_OR_RETURN(auto store, store::Store::Open(db_));
    RENKEI_ASSIGN_OR_RETURN(node_, Node::Start(std::move(store), options_));
    return Status::Ok();
  }
  ~NodeFixture() {
    node_.reset();
    fs::remove_all(dir_);
  }

  httplib::Client Client() const {
    httplib::Client c(node_->url());
    c.set_ca_cert_path(cert_.c_str());
    c.enable_server_certificate_verification(true);
    return c;
  }
  std::string Token(const NewClient& client) const {
    auto c = Client();
    c.set_basic_auth(client.id.c_str(), client.secret.c_str());
    auto r =
        c.Post("/auth/token", "grant_type=client_credentials", "application/x-www-form-urlencoded");
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body)["access_token"];
  }
  httplib::Result Get(const std::string& token, const std::string& path) const {
    auto c = Client();
    if (!token.empty()) c.set_bearer_token_auth(token.c_str());
    return c.Get(path.c_str());
  }

  fs::path dir_;
  std::string db_, cert_;
  model::Model model_;
  NewClient pack_, cam_, admin_;
  NodeOptions options_;
  std::unique_ptr<Node> node_;
};

json Body(const httplib::Result& r) { return json::parse(r->body); }

void ExpectError(const httplib::Result& r, int status, const std::string& code) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(Body(r)["code"], code) << r->body;
}

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = new NodeFixture("main");
    pack_token_ = node_->Token(node_->pack_);
    cam_token_ = node_->Token(node_->cam_);
    admin_token_ = node_->Token(node_->admin_);
  }
  static void TearDownTestSuite() { delete node_; }
  static NodeFixture* node_;
  static std::string pack_token_, cam_token_, admin_token_;
};
NodeFixture* ServerTest::node_ = nullptr;
std::string ServerTest::pack_token_, ServerTest::cam_token_, ServerTest::admin_token_;

TEST_F(ServerTest, OpenIdAndOpenApiArePublic) {
  auto r = node_->Get("", "/.well-known/openid-configuration");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Body(r)["token_endpoint"], node_->node_->url() + "/auth/token");
  auto api = node_->Get("", "/api/v1/openapi.json");
  ASSERT_TRUE(api);
  EXPECT_EQ(Body(api)["openapi"], "3.0.3");
  EXPECT_TRUE(Body(api)["paths"].contains("/3/footprints"));
}

TEST_F(ServerTest, TokenErrorsFollowRfc6749) {
  auto c = node_->Client();
  auto none =
      c.Post("/auth/token", "grant_type=client_credentials", "application/x-www-form-urlencoded");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(Body(none)["error"], "invalid_client");
  c.set_basic_auth(node_->pack_.id.c_str(), "wrong");
  auto wrong =
      c.Post("/auth/token", "grant_type=client_credentials", "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(Body(wrong)["error"], "invalid_client");
  c.set_basic_auth(node_->pack_.id.c_str(), node_->pack_.secret.c_str());
  auto grant = c.Post("/auth/token", "grant_type=password", "application/x-www-form-urlencoded");
  EXPECT_EQ(grant->status, 400);
  EXPECT_EQ(Body(grant)["error"], "unsupported_grant_type");
  auto type = c.Post("/auth/token", "{}", "application/json");
  EXPECT_EQ(type->status, 400);
  EXPECT_EQ(Body(type)["error"], "invalid_request");
}

TEST_F(ServerTest, MissingOrInvalidTokenIs401) {
  // PACT v3: "MUST check the Access Token and return a 401 when it has expired or is
  // invalid"; v2.3 gives AccessDenied the 401; 403 is for a valid token without rights.
  ExpectError(node_->Get("", "/3/footprints"), 401, "BadRequest");
  ExpectError(node_->Get("nope", "/3/footprints"), 401, "BadRequest");
  ExpectError(node_->Get("nope", "/3/footprints/00000000-0000-4000-8000-000000000000"), 401,
              "BadRequest");
  ExpectError(node_->Get("nope", "/2/footprints"), 401, "AccessDenied");
  ExpectError(node_->Get("", "/api/v1/network"), 401, "BadRequest");
  auto c = node_->Client();
  c.set_bearer_token_auth("nope");
  auto r = c.Post("/3/events", "{}", "application/cloudevents+json");
  ExpectError(r, 401, "BadRequest");
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer realm=\"renkei\"");
}

TEST_F(ServerTest, PlainHttpIsRefused) {
  httplib::Client plain("http://127.0.0.1:" + std::to_string(node_->node_->port()));
  plain.set_connection_timeout(2, 0);
  plain.set_read_timeout(2, 0);
  auto r = plain.Get("/3/footprints");
  EXPECT_FALSE(r && r->status == 200);
}

TEST_F(ServerTest, AdminPaginatesToTheEndWithLimitOne) {
  auto all = node_->Get(admin_token_, "/3/footprints");
  ASSERT_TRUE(all);
  const size_t total = Body(all)["data"].size();
  ASSERT_GE(total, 3u);
  std::string path = "/3/footprints?limit=1";
  std::vector<std::string> ids;
  for (size_t i = 0; i < total + 2; ++i) {
    auto r = node_->Get(admin_token_, path);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    ASSERT_EQ(Body(r)["data"].size(), 1u);
    ids.push_back(Body(r)["data"][0]["id"]);
    if (!r->has_header("Link")) break;
    const std::string link = r->get_header_value("Link");
    const std::string prefix = "<" + node_->node_->url();
    ASSERT_EQ(link.rfind(prefix, 0), 0u) << link;
    ASSERT_NE(link.find(">; rel=\"next\""), std::string::npos);
    path = link.substr(prefix.size(), link.find('>') - prefix.size());
  }
  ASSERT_EQ(ids.size(), total);
  for (size_t i = 0; i < total; ++i) EXPECT_EQ(ids[i], Body(all)["data"][i]["id"]);
}

TEST_F(ServerTest, EveryV3Filter) {
  auto count = [&](const std::string& query) {
    auto r = node_->Get(admin_token_, "/3/footprints?" + query);
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << query << " " << r->body;
    return Body(r)["data"].size();
  };
  const size_t total = count("");
  EXPECT_EQ(count("productId=urn:renkei:product:cell-100ah"), 1u);
  EXPECT_EQ(count("productId=urn:renkei:product:cell-100ah&productId=urn:renkei:p:pack"), 2u);
  EXPECT_EQ(count("companyId=urn:renkei:org:cell"), 1u);
  EXPECT_EQ(count("companyId=urn:none"), 0u);
  EXPECT_EQ(count("geography=ZZ"), 0u);
  EXPECT_EQ(count("classification=urn:none"), 0u);
  EXPECT_EQ(count("status=Active"), total);
  EXPECT_EQ(count("status=Deprecated"), 0u);
  // Served documents are valid from the end of the reference period (Jan 1 this year).
  EXPECT_EQ(count("validOn=2999-01-01"), 0u);
  EXPECT_EQ(count("validAfter=1990-01-01T00:00:00Z"), total);
  EXPECT_EQ(count("validBefore=1990-01-01T00:00:00Z"), 0u);
  EXPECT_EQ(count("validBefore=2999-01-01T00:00:00Z"), total);
  EXPECT_EQ(count("status=BogusStatus"), 0u);
  ExpectError(node_->Get(admin_token_, "/3/footprints?validOn=tomorrow"), 400, "BadRequest");
  ExpectError(node_->Get(admin_token_, "/3/footprints?colour=red"), 400, "BadRequest");
  ExpectError(node_->Get(admin_token_, "/3/footprints?limit=0"), 400, "BadRequest");
  ExpectError(node_->Get(admin_token_, "/3/footprints?limit=x"), 400, "BadRequest");
}

TEST_F(ServerTest, V2FilterSubset) {
  auto r = node_->Get(
      admin_token_,
      "/2/footprints?%24filter=" +
          std::string(
              "productIds%2Fany(p%3A(p%20eq%20%27urn%3Arenkei%3Aproduct%3Acell-100ah%27))"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["data"].size(), 0u);  // pieces have no v2 declared unit
  auto pack = node_->Get(admin_token_, "/2/footprints?%24filter=status%20eq%20%27Active%27");
  ASSERT_EQ(pack->status, 200) << pack->body;
  EXPECT_GE(Body(pack)["data"].size(), 1u);
  ExpectError(node_->Get(admin_token_, "/2/footprints?%24filter=foo%28%29"), 400, "NotImplemented");
}

TEST_F(ServerTest, GetByIdErrors) {
  ExpectError(node_->Get(admin_token_, "/3/footprints/not-a-uuid"), 400, "BadRequest");
  ExpectError(node_->Get(admin_token_, "/3/footprints/00000000-0000-4000-8000-000000000000"), 404,
              "NotFound");
  ExpectError(node_->Get(admin_token_, "/2/footprints/00000000-0000-4000-8000-000000000000"), 404,
              "NoSuchFootprint");
  auto list = node_->Get(admin_token_, "/3/footprints?productId=urn:renkei:product:cell-100ah");
  const std::string id = Body(list)["data"][0]["id"];
  auto one = node_->Get(admin_token_, "/3/footprints/" + id);
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(Body(one)["data"]["id"], id);
}

TEST_F(ServerTest, GrantMatrix) {
  auto cell = node_->Get(admin_token_, "/3/footprints?productId=urn:renkei:product:cell-100ah");
  const std::string cell_id = Body(cell)["data"][0]["id"];
  // org:pack owns p:pack and was granted p:cell.
  auto pack_list = node_->Get(pack_token_, "/3/footprints");
  std::set<std::string> pack_products;
  const json pack_list_body = Body(pack_list);
  for (const auto& d : pack_list_body["data"]) pack_products.insert(d["productIds"][0]);
  EXPECT_EQ(pack_products,
            (std::set<std::string>{"urn:renkei:product:cell-100ah", "urn:renkei:p:pack"}));
  EXPECT_EQ(node_->Get(pack_token_, "/3/footprints/" + cell_id)->status, 200);
  // org:cam owns p:cathode's footprint only... and was granted nothing else.
  auto cam_list = node_->Get(cam_token_, "/3/footprints");
  const json cam_list_body = Body(cam_list);
  for (const auto& d : cam_list_body["data"]) EXPECT_EQ(d["companyIds"][0], "urn:renkei:org:cam");
  auto cam_filter = node_->Get(cam_token_, "/3/footprints?productId=urn:renkei:product:cell-100ah");
  EXPECT_EQ(Body(cam_filter)["data"].size(), 0u);
  ExpectError(node_->Get(cam_token_, "/3/footprints/" + cell_id), 403, "AccessDenied");
  ExpectError(node_->Get(cam_token_, "/api/v1/products/p:cell/footprint"), 403, "AccessDenied");
  ExpectError(node_->Get(cam_token_, "/api/v1/products/p:cell/circularity"), 403, "AccessDenied");
  auto sites = node_->Get(cam_token_, "/api/v1/sites");
  ASSERT_EQ(sites->status, 200);
  const json sites_body = Body(sites);
  for (const auto& f : sites_body["features"])
    EXPECT_EQ(f["properties"]["organization"], "org:cam");
  EXPECT_EQ(node_->Get(pack_token_, "/api/v1/products/p:cell/footprint")->status, 200);
}

TEST_F(ServerTest, ListPagesDependOnTheCaller) {
  // Pages are kept per snapshot; asking in turns must still give each caller its own.
  const std::string pack = node_->Get(pack_token_, "/3/footprints")->body;
  const std::string cam = node_->Get(cam_token_, "/3/footprints")->body;
  const std::string admin = node_->Get(admin_token_, "/3/footprints")->body;
  EXPECT_NE(pack, cam);
  EXPECT_NE(pack, admin);
  EXPECT_EQ(node_->Get(pack_token_, "/3/footprints")->body, pack);
  EXPECT_EQ(node_->Get(cam_token_, "/3/footprints")->body, cam);
  EXPECT_EQ(node_->Get(admin_token_, "/3/footprints")->body, admin);
  EXPECT_EQ(Body(node_->Get(pack_token_, "/3/footprints?limit=1"))["data"].size(), 1u);
}

TEST_F(ServerTest, TheHostHeaderShapesNoLink) {
  // Links come from the node's public URL (here its loopback address), never from Host.
  auto c = node_->Client();
  c.set_bearer_token_auth(admin_token_.c_str());
  const std::string url = node_->node_->url();
  for (const std::string host : {"evil.example", "127.0.0.1:1", "evil.example:8443"}) {
    auto r = c.Get("/3/footprints?limit=1", {{"Host", host}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Link"),
              "<" + url + "/3/footprints?limit=1&offset=1>; rel=\"next\"");
    auto openid = c.Get("/.well-known/openid-configuration", {{"Host", host}});
    EXPECT_EQ(Body(openid)["issuer"], url);
    EXPECT_EQ(Body(openid)["token_endpoint"], url + "/auth/token");
    EXPECT_EQ(Body(openid)["jwks_uri"], url + "/api/v1/keys");
    auto api = c.Get("/api/v1/openapi.json", {{"Host", host}});
    EXPECT_EQ(Body(api)["servers"][0]["url"], url);
  }
}

TEST_F(ServerTest, ServedFootprintsCarryAVerifiableSignature) {
  auto r = node_->Get(admin_token_, "/3/footprints?productId=urn:renkei:product:cell-100ah");
  json doc = Body(r)["data"][0];
  ASSERT_TRUE(doc.contains("extensions"));
  const std::string jws = doc["extensions"][0]["data"]["jws"];
  auto keys = node_->Get(admin_token_, "/api/v1/keys");
  std::string key;
  const json keys_body = Body(keys);
  for (const auto& k : keys_body["keys"]) {
    if (k["kid"] == "org:cell") key = k["x"];
  }
  auto v = trust::VerifyJws(jws, key);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  doc.erase("extensions");
  EXPECT_EQ(v->payload, *trust::CanonicalJson(nlohmann::ordered_json::parse(doc.dump())));
}

TEST_F(ServerTest, ApiNetworkAndSites) {
  auto net = node_->Get(admin_token_, "/api/v1/network");
  ASSERT_EQ(net->status, 200);
  EXPECT_EQ(Body(net)["sites"], 6);
  EXPECT_EQ(Body(net)["countries"], json::array({"CL", "CN", "JP"}));
  auto sites = node_->Get(admin_token_, "/api/v1/sites");
  EXPECT_EQ(Body(sites)["type"], "FeatureCollection");
  EXPECT_EQ(Body(sites)["features"].size(), 6u);
  auto fp = node_->Get(admin_token_, "/api/v1/products/p:cell/footprint");
  EXPECT_EQ(Body(fp)["pcf_kgco2e_per_unit"], "27.45");
  ExpectError(node_->Get(admin_token_, "/api/v1/products/p:none/footprint"), 404, "NotFound");
}

TEST_F(ServerTest, EventErrors) {
  auto c = node_->Client();
  c.set_bearer_token_auth(pack_token_.c_str());
  const char* ce = "application/cloudevents+json; charset=UTF-8";
  ExpectError(c.Post("/3/events", "{not json", ce), 400, "BadRequest");
  ExpectError(c.Post("/3/events", "{}", "text/plain"), 400, "BadRequest");
  ExpectError(c.Post("/3/events", R"({"specversion":"1.0","id":"1","source":"//x"})", ce), 400,
              "BadRequest");
  ExpectError(
      c.Post("/3/events",
             R"({"specversion":"1.0","id":"1","source":"//x","type":"org.example.Unknown"})", ce),
      400, "BadRequest");
  ExpectError(c.Post("/3/events", std::string(70 * 1024, ' '), ce), 413, "BadRequest");
  auto published = c.Post(
      "/3/events",
      R"({"specversion":"1.0","id":"2","source":"//x","type":"org.wbcsd.pathfinder.ProductFootprint.Published.v1","data":{"pfIds":["00000000-0000-4000-8000-000000000000"]}})",
      ce);
  ASSERT_TRUE(published);
  EXPECT_EQ(published->status, 200);
  EXPECT_EQ(published->body, "");
  ExpectError(
      c.Post(
          "/2/events",
          R"({"specversion":"1.0","id":"3","source":"//x","type":"org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1","data":{"requestEventId":"never","pfs":[]}})",
          ce),
      400, "BadRequest");
}

TEST(ServerTokenTest, ExpiredTokenIsTokenExpired) {
  NodeFixture node("expiry", 1);
  const std::string token = node.Token(node.pack_);
  EXPECT_EQ(node.Get(token, "/3/footprints")->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ExpectError(node.Get(token, "/3/footprints"), 401, "TokenExpired");
}

// The stored secret_hash of client `id`.
std::string SecretHash(const std::string& db, const std::string& id) {
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(h, "SELECT secret_hash FROM clients WHERE id = ?", -1, &q, nullptr);
  sqlite3_bind_text(q, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  std::string out;
  if (sqlite3_step(q) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(h);
  return out;
}

TEST(ServerClientSecretTest, NodeMadeSecretsUseTheSmallestArgon2idCost) {
  const fs::path db =
      fs::temp_directory_path() / ("renkei-server-argon-" + std::to_string(getpid()) + ".db");
  fs::remove(db);
  {
    auto store = store::Store::Create(db.string());
    ASSERT_TRUE(store.ok());
    auto model = (*store)->LoadModel();
    const model::RowCounts before = model::CountRows(*model);
    ASSERT_TRUE(io::ReadBundle(kBundle, *model).ok());
    ASSERT_TRUE((*store)->Append(*model, before, "test", "import").ok());
    auto added = AddClient(**store, *model, "erp", "org:pack", false, "test");
    ASSERT_TRUE(added.ok());
    // One pass over 64 KiB: the parameters are in the stored string.
    EXPECT_EQ(SecretHash(db.string(), added->id).rfind("$argon2id$v=19$m=64,t=1,p=1$", 0), 0u)
        << SecretHash(db.string(), added->id);
    auto client = AuthenticateClient(**store, added->id, added->secret);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    EXPECT_EQ(client->organization, "org:pack");
    auto wrong = AuthenticateClient(**store, added->id, added->secret + "0");
    EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(wrong.status().message(), "unknown client or wrong secret");

    // A hash stored with the earlier, interactive limits still verifies.
    char old_hash[crypto_pwhash_STRBYTES];
    ASSERT_EQ(
        crypto_pwhash_str_alg(old_hash, added->secret.c_str(), added->secret.size(),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13),
        0);
    ASSERT_EQ(std::string(old_hash).rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << old_hash;
    const std::string sql = "UPDATE clients SET secret_hash = '" + std::string(old_hash) +
                            "' WHERE id = '" + added->id + "'";
    ASSERT_EQ(
        sqlite3_exec(store::internal::Handle(**store), sql.c_str(), nullptr, nullptr, nullptr),
        SQLITE_OK);
    EXPECT_EQ(SecretHash(db.string(), added->id), old_hash);
    EXPECT_TRUE(AuthenticateClient(**store, added->id, added->secret).ok());
    EXPECT_EQ(AuthenticateClient(**store, added->id, "0" + added->secret).status().code(),
              StatusCode::kUnauthenticated);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
}

// Every byte of the store's files (the database and its write-ahead log).
std::string StoreBytes(const std::string& db) {
  std::string out;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(db + suffix, std::ios::binary);
    out.append(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

// A store of the demo bundle in a folder of its own, removed after the test.
class ServerSealedSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("renkei-server-sealed-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    db = (dir / "node.db").string();
    auto created = store::Store::Create(db);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    node_store = std::move(*created);
    auto loaded = node_store->LoadModel();
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    node_model = std::move(*loaded);
    const model::RowCounts before = model::CountRows(node_model);
    ASSERT_TRUE(io::ReadBundle(kBundle, node_model).ok());
    ASSERT_TRUE(node_store->Append(node_model, before, "test", "import").ok());
  }
  void TearDown() override {
    node_store.reset();
    fs::remove_all(dir);
  }

  fs::path dir;
  std::string db;
  std::unique_ptr<store::Store> node_store;
  model::Model node_model;
};

// Organizations' key seeds and partners' client secrets are stored sealed with the key
// file beside the store; without that file, or with another one, they do not open.
TEST_F(ServerSealedSecretsTest, KeysAndPartnerSecretsAreSealedAtRest) {
  const std::string key_file = trust::SealingKeyPath(db);
  EXPECT_FALSE(fs::exists(key_file));  // made when the first secret is stored

  auto public_key = InitOrganizationKey(*node_store, node_model, "org:cell", "test");
  ASSERT_TRUE(public_key.ok()) << public_key.status().ToString();
  const std::string secret = "partner-secret-4f1d9c";
  ASSERT_TRUE(SetPartner(*node_store, node_model,
                         {"org:pack", "https://127.0.0.1:1", "id-at-pack", secret, ""}, "test")
                  .ok());
  EXPECT_EQ(fs::status(key_file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  auto keys = OrganizationKeys(*node_store);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->count("org:cell"), 1u);
  EXPECT_EQ(trust::EncodePublicKey(keys->at("org:cell")), *public_key);
  auto partner = GetPartner(*node_store, "org:pack");
  ASSERT_TRUE(partner.ok()) << partner.status().ToString();
  EXPECT_EQ(partner->client_secret, secret);

  // Neither secret is anywhere in the files, in any encoding the node uses.
  const std::string seed = trust::EncodeSeed(keys->at("org:cell"));
  const std::string bytes = StoreBytes(db);
  EXPECT_EQ(bytes.find(seed), std::string::npos);
  EXPECT_EQ(bytes.find(secret), std::string::npos);
  sqlite3* h = store::internal::Handle(*node_store);
  auto exec = [&](const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  };

  // A sealed value moved to another row does not open there; the error names the row.
  exec(
      "INSERT INTO organization_keys SELECT 'org:pack', public_key, seed, created "
      "FROM organization_keys WHERE organization = 'org:cell'");
  Status moved = OrganizationKeys(*node_store).status();
  EXPECT_EQ(moved.code(), StatusCode::kDataLoss);
  EXPECT_THAT(moved.message(), ::testing::HasSubstr("'org:pack'"));
  exec("DELETE FROM organization_keys WHERE organization = 'org:pack'");

  // Another key file, then none.
  const fs::path saved = dir / "saved.key";
  fs::rename(key_file, saved);
  ASSERT_TRUE(trust::LoadOrCreateSealingKey(key_file).ok());
  Status other = GetPartner(*node_store, "org:pack").status();
  EXPECT_EQ(other.code(), StatusCode::kDataLoss);
  EXPECT_THAT(other.message(), ::testing::HasSubstr("'org:pack'"));
  EXPECT_THAT(other.message(), ::testing::HasSubstr(key_file));
  fs::remove(key_file);
  Status missing = OrganizationKeys(*node_store).status();
  EXPECT_EQ(missing.code(), StatusCode::kDataLoss);
  EXPECT_THAT(missing.message(), ::testing::HasSubstr("'org:cell'"));
  EXPECT_THAT(missing.message(), ::testing::HasSubstr(key_file));
  fs::rename(saved, key_file);
  EXPECT_TRUE(OrganizationKeys(*node_store).ok());

  // Values stored in clear by earlier versions are still read, and `keys seal` seals
  // them in one audited transaction; a second run finds nothing to do.
  exec("UPDATE partners SET client_secret = 'clear-secret' WHERE organization = 'org:pack'");
  exec("UPDATE organization_keys SET seed = '" + seed + "' WHERE organization = 'org:cell'");
  EXPECT_EQ(GetPartner(*node_store, "org:pack")->client_secret, "clear-secret");
  EXPECT_NE(StoreBytes(db).find("clear-secret"), std::string::npos);
  auto audit_before = store::ReadAuditLog(h);
  ASSERT_TRUE(audit_before.ok());
  auto sealed = SealStoredSecrets(*node_store, "test");
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(*sealed, 2);
  auto audit_after = store::ReadAuditLog(h);
  ASSERT_TRUE(audit_after.ok());
  ASSERT_EQ(audit_after->size(), audit_before->size() + 1);
  EXPECT_EQ(audit_after->back().action, "keys seal 2 values");
  EXPECT_TRUE(node_store->VerifyAudit().ok());
  // Not even in freed space or the write-ahead log.
  EXPECT_EQ(StoreBytes(db).find("clear-secret"), std::string::npos);
  EXPECT_EQ(StoreBytes(db).find(seed), std::string::npos);
  EXPECT_EQ(GetPartner(*node_store, "org:pack")->client_secret, "clear-secret");
  auto reopened = OrganizationKeys(*node_store);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(trust::EncodePublicKey(reopened->at("org:cell")), *public_key);
  EXPECT_EQ(*SealStoredSecrets(*node_store, "test"), 0);
  EXPECT_EQ(store::ReadAuditLog(h)->size(), audit_after->size());
}

// `keys seal` seals what it read before its transaction; a value another process changes
// in between is not overwritten, and nothing else is written either. The change is made
// through a second connection when the sealing transaction's BEGIN starts to run.
TEST_F(ServerSealedSecretsTest, AValueChangedWhileSealingIsNotOverwritten) {
  auto public_key = InitOrganizationKey(*node_store, node_model, "org:cell", "test");
  ASSERT_TRUE(public_key.ok()) << public_key.status().ToString();
  ASSERT_TRUE(SetPartner(*node_store, node_model,
                         {"org:pack", "https://127.0.0.1:1", "id-at-pack", "sealed", ""}, "test")
                  .ok());
  auto keys = OrganizationKeys(*node_store);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  const std::string seed = trust::EncodeSeed(keys->at("org:cell"));
  sqlite3* h = store::internal::Handle(*node_store);
  auto exec = [](sqlite3* c, const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(c, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  };
  auto column = [&](const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  };
  const std::string seed_sql = "SELECT seed FROM organization_keys WHERE organization = 'org:cell'";
  const std::string secret_sql =
      "SELECT client_secret FROM partners WHERE organization = 'org:pack'";
  exec(h, "UPDATE partners SET client_secret = 'clear-secret' WHERE organization = 'org:pack'");
  exec(h, "UPDATE organization_keys SET seed = '" + seed + "' WHERE organization = 'org:cell'");

  struct Race {
    std::string db;
    bool done = false;
  } race{db};
  sqlite3_trace_v2(
      h, SQLITE_TRACE_STMT,
      [](unsigned, void* ctx, void* stmt, void*) {
        auto* r = static_cast<Race*>(ctx);
        const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(stmt));
        if (r->done || sql == nullptr || std::string_view(sql).rfind("BEGIN", 0) != 0) return 0;
        r->done = true;
        sqlite3* other = nullptr;
        if (sqlite3_open(r->db.c_str(), &other) == SQLITE_OK) {
          sqlite3_exec(other,
                       "UPDATE partners SET client_secret = 'changed-meanwhile' "
                       "WHERE organization = 'org:pack'",
                       nullptr, nullptr, nullptr);
        }
        sqlite3_close(other);
        return 0;
      },
      &race);
  const size_t audit_before = store::ReadAuditLog(h)->size();
  auto raced = SealStoredSecrets(*node_store, "test");
  sqlite3_trace_v2(h, 0, nullptr, nullptr);
  ASSERT_TRUE(race.done);
  ASSERT_FALSE(raced.ok());
  EXPECT_EQ(raced.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(raced.status().message(), ::testing::HasSubstr("'org:pack'"));
  EXPECT_THAT(raced.status().message(), ::testing::HasSubstr("run again"));
  // The other process's value stands, and the seed sealed before it was found is not.
  EXPECT_EQ(column(secret_sql), "changed-meanwhile");
  EXPECT_EQ(column(seed_sql), seed);
  EXPECT_EQ(store::ReadAuditLog(h)->size(), audit_before);
  EXPECT_TRUE(node_store->VerifyAudit().ok());

  // Run again: both sealed, the new value with them.
  auto sealed = SealStoredSecrets(*node_store, "test");
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(*sealed, 2);
  EXPECT_TRUE(trust::IsSealed(column(secret_sql)));
  EXPECT_TRUE(trust::IsSealed(column(seed_sql)));
  EXPECT_EQ(GetPartner(*node_store, "org:pack")->client_secret, "changed-meanwhile");
}

TEST(ServerTwoNodesTest, RequestIsFulfilledAsynchronouslyAndStoredVerified) {
  // A (org:pack) asks B (org:cell) for the cell footprint; B answers through A's events.
  NodeFixture b("b");
  std::string b_key;
  {
    auto store_b = store::Store::Open(b.db_);
    auto keys = OrganizationKeys(**store_b);
    b_key = trust::EncodePublicKey(keys->at("org:cell"));
  }
  NodeFixture a("a", 3600, b_key);
  {
    auto store_a = store::Store::Open(a.db_);
    auto store_b = store::Store::Open(b.db_);
    auto b_client_of_a = *AddClient(**store_b, b.model_, "node-a", "org:pack", false, "test");
    auto a_client_of_b = *AddClient(**store_a, a.model_, "node-b", "org:cell", false, "test");
    ASSERT_TRUE(
        SetPartner(**store_a, a.model_,
                   {"org:cell", b.node_->url(), b_client_of_a.id, b_client_of_a.secret, b.cert_},
                   "test")
            .ok());
    ASSERT_TRUE(
        SetPartner(**store_b, b.model_,
                   {"org:pack", a.node_->url(), a_client_of_b.id, a_client_of_b.secret, a.cert_},
                   "test")
            .ok());
  }
  auto id =
      a.node_->RequestFootprints("org:cell", {{"productId", {"urn:renkei:product:cell-100ah"}}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  std::string state;
  for (int i = 0; i < 300 && state != "fulfilled"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto store_a = store::Store::Open(a.db_);
    auto sent = FindSentEvent(**store_a, *id);
    ASSERT_TRUE(sent.ok());
    state = sent->state;
  }
  ASSERT_EQ(state, "fulfilled");
  auto store_a = store::Store::Open(a.db_);
  auto model = (*store_a)->LoadModel();
  size_t received = 0;
  for (const auto& f : model->footprints) received += f.pact_json.empty() ? 0 : 1;
  EXPECT_EQ(received, 2u);  // the bundle's own received footprint and the new one
  // The new one carried org:cell's signature, checked against its registered key.
  size_t verified = 0;
  for (const auto& f : model->footprints) verified += f.verified ? 1 : 0;
  EXPECT_EQ(verified, 1u);
  EXPECT_TRUE((*store_a)->VerifyAudit().ok());
}

TEST(ServerTwoNodesTest, TamperedSignatureIsRejected) {
  NodeFixture b("tb");
  auto list = b.Get(b.Token(b.admin_), "/3/footprints?productId=urn:renkei:product:cell-100ah");
  json doc = Body(list)["data"][0];
  doc["pcf"]["pcfExcludingBiogenicUptake"] = "1";  // tampered after signing
  std::string b_key;
  {
    auto store_b = store::Store::Open(b.db_);
    b_key = trust::EncodePublicKey(OrganizationKeys(**store_b)->at("org:cell"));
  }
  NodeFixture a("ta", 3600, b_key);
  auto store_a = store::Store::Open(a.db_);
  auto cell_client = *AddClient(**store_a, a.model_, "node-b", "org:cell", false, "test");
  ASSERT_TRUE(RecordEvent(**store_a, {0, "req-1", "out",
                                      "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
                                      "org:cell", "", "sent", "{}"})
                  .ok());
  auto c = a.Client();
  c.set_bearer_token_auth(a.Token(cell_client).c_str());
  json event = {{"specversion", "1.0"},
                {"id", "ev-1"},
                {"source", "//b"},
                {"type", "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1"},
                {"data", {{"requestEventId", "req-1"}, {"pfs", {doc}}}}};
  auto r = c.Post("/3/events", event.dump(), "application/cloudevents+json");
  ExpectError(r, 400, "BadRequest");
  EXPECT_THAT(
      Body(r)["message"].get<std::string>(),
      ::testing::HasSubstr(
          "data.pfs[0]: $.extensions[0].data.jws: signature of 'org:cell' does not cover this "
          "document"));

  // The signature stripped: org:cell has a registered key, so it must sign.
  json& stripped = event["data"]["pfs"][0];
  json kept = json::array();
  for (const json& e : stripped["extensions"]) {
    if (!e["data"].contains("jws")) kept.push_back(e);
  }
  stripped["extensions"] = kept;
  if (kept.empty()) stripped.erase("extensions");
  r = c.Post("/3/events", event.dump(), "application/cloudevents+json");
  ExpectError(r, 400, "BadRequest");
  EXPECT_THAT(Body(r)["message"].get<std::string>(),
              ::testing::HasSubstr("data.pfs[0]: not signed, but 'org:cell' has a registered "
                                   "public key"));
  // Unsigned from a partner without a key (org:cam): refused where the store's
  // policy refuses unsigned footprints.
  ASSERT_TRUE(SetAcceptsUnsignedFootprints(**store_a, false, "test").ok());
  ASSERT_TRUE(RecordEvent(**store_a, {0, "req-2", "out",
                                      "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
                                      "org:cam", "", "sent", "{}"})
                  .ok());
  auto cam = a.Client();
  cam.set_bearer_token_auth(a.Token(a.cam_).c_str());
  event["id"] = "ev-2";
  event["data"]["requestEventId"] = "req-2";
  r = cam.Post("/3/events", event.dump(), "application/cloudevents+json");
  ExpectError(r, 400, "BadRequest");
  EXPECT_THAT(Body(r)["message"].get<std::string>(),
              ::testing::HasSubstr("data.pfs[0]: not signed, and this store refuses unsigned "
                                   "footprints"));
  // Nothing was stored, and the requests are still open.
  auto events = ListEvents(**store_a);
  ASSERT_TRUE(events.ok());
  for (const EventRecord& e : *events) {
    EXPECT_NE(e.type, "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1");
    if (e.id == "req-1" || e.id == "req-2") {
      EXPECT_EQ(e.state, "sent");
    }
  }
}

// --- What a hostile or careless partner sends -------------------------------------

TEST_F(ServerTest, DeepJsonIsRefusedAndTheNodeStaysUp) {
  auto c = node_->Client();
  c.set_bearer_token_auth(pack_token_.c_str());
  const std::string deep = std::string(30000, '[') + std::string(30000, ']');  // 60 KB
  for (const char* path : {"/2/events", "/3/events"}) {
    auto r = c.Post(path, deep, "application/cloudevents+json");
    ExpectError(r, 400, "BadRequest");
    EXPECT_EQ(Body(r)["message"], "body:1:65: JSON nested deeper than 64 levels");
  }
  const std::string event =
      R"({"specversion":"1.0","id":"d","source":"//x","type":"org.wbcsd.pact.ProductFootprint.PublishedEvent.3","data":{"pfIds":["00000000-0000-4000-8000-000000000000"],"x":)" +
      std::string(70, '[') + std::string(70, ']') + "}}";
  ExpectError(c.Post("/3/events", event, "application/cloudevents+json"), 400, "BadRequest");
  EXPECT_EQ(node_->Get(pack_token_, "/3/footprints")->status, 200);
}

TEST_F(ServerTest, IllFormedUtf8IsABadRequest) {
  for (const std::string path :
       {"/api/v1/sites/site%FF", "/api/v1/tiers?node=%C3", "/3/footprints/%ED%A0%80",
        "/api/v1/products/p%FFx/footprint", "/api/v1/products/%C0%AF/concentration",
        "/3/footprints?productId=%FF"}) {
    auto r = node_->Get(admin_token_, path);
    ExpectError(r, 400, "BadRequest");
    EXPECT_THAT(Body(r)["message"].get<std::string>(),
                ::testing::HasSubstr("is not well-formed UTF-8"))
        << path;
  }
  auto c = node_->Client();
  c.set_bearer_token_auth(admin_token_.c_str());
  auto r =
      c.Post("/api/v1/scenarios", "{\"sites\": [\"site\xFF\"], \"days\": 3}", "application/json");
  ExpectError(r, 400, "BadRequest");
  EXPECT_THAT(Body(r)["message"].get<std::string>(),
              ::testing::HasSubstr("line 1, column 17: invalid JSON"));
  r = c.Post("/api/v1/scenarios", R"({"sites": ["site\udcff"], "days": 3})", "application/json");
  ExpectError(r, 400, "BadRequest");
}

TEST_F(ServerTest, ContentTypeIsSentOnce) {
  auto c = node_->Client();
  c.set_bearer_token_auth(admin_token_.c_str());
  for (const std::string path :
       {"/api/v1/keys", "/api/v1/products/p:none/footprint", "/3/footprints/x", "/api/v1/nothing",
        "/3/footprints", "/api/v1/network"}) {
    auto r = c.Get(path.c_str());
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->headers.count("Content-Type"), 1u) << path;
  }
  auto bad = node_->Get("", "/3/footprints");
  EXPECT_EQ(bad->headers.count("Content-Type"), 1u);
}

TEST_F(ServerTest, V3EventTypesAreAcceptedAndPublishedIdsAreFootprintIds) {
  auto c = node_->Client();
  c.set_bearer_token_auth(pack_token_.c_str());
  const char* ce = "application/cloudevents+json";
  auto published = [&](const std::string& version, const std::string& type, const json& ids) {
    const json event = {{"specversion", "1.0"}, {"id", "p-" + version},
                        {"source", "//x"},      {"time", "2026-01-01T00:00:00Z"},
                        {"type", type},         {"data", {{"pfIds", ids}}}};
    return c.Post(("/" + version + "/events").c_str(), event.dump(), ce);
  };
  const json good = {"00000000-0000-4000-8000-000000000000"};
  EXPECT_EQ(published("3", "org.wbcsd.pact.ProductFootprint.PublishedEvent.3", good)->status, 200);
  EXPECT_EQ(published("2", "org.wbcsd.pathfinder.ProductFootprint.Published.v1", good)->status,
            200);
  auto gtin = published("3", "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
                        {"urn:gtin:4712345060507"});
  ExpectError(gtin, 400, "BadRequest");
  EXPECT_EQ(Body(gtin)["message"],
            "data.pfIds[0]: expected a footprint id (a UUID), got \"urn:gtin:4712345060507\"");
  ExpectError(published("2", "org.wbcsd.pathfinder.ProductFootprint.Published.v1", {42}), 400,
              "BadRequest");
}

// The outgoing events node `db` recorded in answer to request `request_id`.
std::vector<json> Answers(const std::string& db, const std::string& request_id) {
  std::vector<json> out;
  auto store = store::Store::Open(db);
  auto events = ListEvents(**store);
  EXPECT_TRUE(events.ok());
  if (!events.ok()) return out;
  for (const EventRecord& e : *events) {
    if (e.direction != "out") continue;
    json body = json::parse(e.body);
    if (body["data"].value("requestEventId", "") == request_id) out.push_back(body);
  }
  return out;
}

TEST_F(ServerTest, RequestsAreAnsweredInTheirVersionAndRejectedWhenNothingMatches) {
  auto c = node_->Client();
  c.set_bearer_token_auth(pack_token_.c_str());
  const char* ce = "application/cloudevents+json";
  auto created = [&](const std::string& id, const std::string& version, const std::string& type,
                     const json& data) {
    const json event = {{"specversion", "1.0"},           {"id", id},     {"source", "//x"},
                        {"time", "2026-01-01T00:00:00Z"}, {"type", type}, {"data", data}};
    auto r = c.Post(("/" + version + "/events").c_str(), event.dump(), ce);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  };
  const std::string v3 = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3";
  created("r-null", "3", v3, {{"productId", {"urn:pact:null"}}});
  created("r-cell", "3", v3, {{"productId", {"urn:renkei:product:cell-100ah"}}});
  created("r-v2", "2", "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
          {{"pf", {{"productIds", {"urn:pact:null"}}}}});

  auto null_answer = Answers(node_->db_, "r-null");
  ASSERT_EQ(null_answer.size(), 1u);
  EXPECT_EQ(null_answer[0]["type"], "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3");
  EXPECT_EQ(null_answer[0]["data"]["error"]["code"], "NotFound");
  EXPECT_FALSE(null_answer[0]["data"].contains("pfs"));
  auto cell_answer = Answers(node_->db_, "r-cell");
  ASSERT_EQ(cell_answer.size(), 1u);
  EXPECT_EQ(cell_answer[0]["type"], "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3");
  EXPECT_EQ(cell_answer[0]["data"]["pfs"].size(), 1u);
  auto v2_answer = Answers(node_->db_, "r-v2");
  ASSERT_EQ(v2_answer.size(), 1u);
  EXPECT_EQ(v2_answer[0]["type"], "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1");
}

TEST(ServerStartTest, AStoredDocumentItCannotUseIsSkippedNotFatal) {
  NodeFixture node("stored-deep");
  const std::string token = node.Token(node.admin_);
  const size_t served = Body(node.Get(token, "/3/footprints"))["data"].size();
  {
    // As an older version could have stored it: a received footprint nested too deep.
    auto store = store::Store::Open(node.db_);
    const std::string deep =
        R"({"id":"x","extensions":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(store::internal::Handle(**store),
                       "UPDATE footprints SET pact_json = ? WHERE pact_json IS NOT NULL", -1, &q,
                       nullptr);
    sqlite3_bind_text(q, 1, deep.c_str(), static_cast<int>(deep.size()), SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(q), SQLITE_DONE);
    ASSERT_GE(sqlite3_changes(store::internal::Handle(**store)), 1);
    sqlite3_finalize(q);
  }
  Status restarted = node.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  const std::string again = node.Token(node.admin_);
  auto list = node.Get(again, "/3/footprints");
  ASSERT_EQ(list->status, 200);
  // The received document is left out (the product's own roll-up is served instead).
  const json body = Body(list);
  EXPECT_EQ(body["data"].size(), served);
  for (const json& d : body["data"]) EXPECT_NE(d["id"], "x");
}

// --- Changes made by another process while the node serves -------------------------

TEST(ServerLiveTest, GrantsClientsAndDataChangedByAnotherProcessTakeEffect) {
  NodeFixture node("live");
  const std::string pack = node.Token(node.pack_);
  const std::string cam = node.Token(node.cam_);
  const std::string admin = node.Token(node.admin_);
  auto cell = node.Get(admin, "/3/footprints?productId=urn:renkei:product:cell-100ah");
  const std::string cell_id = Body(cell)["data"][0]["id"];
  const std::string one = "/3/footprints/" + cell_id;
  ASSERT_EQ(node.Get(pack, one)->status, 200);
  ASSERT_EQ(node.Get(cam, one)->status, 403);
  auto renkei = [&](const std::vector<std::string>& args) {
    renkei::testing::RunResult r = renkei::testing::Run(RENKEI_BINARY, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  // Within a second of each command, polled every 50 ms.
  auto within_a_second = [&](const std::function<bool()>& done) {
    for (int i = 0; i < 20; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
  };
  renkei({"revoke", node.db_, "org:pack", "--products", "p:cell"});
  EXPECT_TRUE(within_a_second([&] { return node.Get(pack, one)->status == 403; }));
  EXPECT_EQ(Body(node.Get(pack, "/3/footprints"))["data"].size(), 1u);  // its own pack only
  renkei({"grant", node.db_, "org:cam", "--products", "p:cell"});
  EXPECT_TRUE(within_a_second([&] { return node.Get(cam, one)->status == 200; }));
  renkei({"client", "revoke", node.db_, node.pack_.id});
  EXPECT_TRUE(within_a_second([&] { return node.Get(pack, "/3/footprints")->status == 401; }));
  ExpectError(node.Get(pack, "/api/v1/network"), 401, "BadRequest");
  EXPECT_EQ(node.Get(cam, "/3/footprints")->status, 200);
  // Data: a new site imported by the CLI is served once its snapshot is built.
  const std::string bundle = (node.dir_ / "more.json").string();
  std::ofstream(bundle) << R"({"sites": [{"id": "site:new", "organization": "org:cam",
      "name": "New", "country": "KR", "lat": 37.5, "lon": 127.0}]})";
  const json before = Body(node.Get(admin, "/api/v1/network"));
  renkei({"import", node.db_, bundle});
  EXPECT_TRUE(within_a_second([&] {
    return Body(node.Get(admin, "/api/v1/network"))["sites"] == before["sites"].get<int>() + 1;
  }));
  // An upsert by another process: the site's new recovery time is served, and
  // the old one is still there as of the version before.
  const std::string upsert = (node.dir_ / "upsert.json").string();
  std::ofstream(upsert) << R"({"sites": [{"id": "site:new", "organization": "org:cam",
      "name": "New", "country": "KR", "lat": 37.5, "lon": 127.0, "recovery_days": 12}]})";
  renkei({"import", node.db_, upsert, "--mode", "upsert"});
  EXPECT_TRUE(within_a_second(
      [&] { return Body(node.Get(admin, "/api/v1/sites/site:new"))["recovery_days"] == 12; }));
  const renkei::testing::RunResult history =
      renkei::testing::Run(RENKEI_BINARY, {"history", node.db_, "--json"});
  const json versions = json::parse(history.out);
  ASSERT_GE(versions.size(), 2u);
  const int64_t before_upsert = versions[versions.size() - 2]["version"];
  EXPECT_TRUE(Body(node.Get(
      admin, "/api/v1/sites/site:new?as_of=" + std::to_string(before_upsert)))["recovery_days"]
                  .is_null());
  // Upserts of demand change the TTS table the node serves: first there is
  // demand to survive for, then the pack plant holds more stock.
  ExpectError(node.Get(admin, "/api/v1/tts"), 400, "BadRequest");
  const std::string demand = (node.dir_ / "demand.json").string();
  auto upsert_demand = [&](int inventory) {
    std::ofstream(demand) << R"({"demand": [{"site": "site:pack", "product": "p:pack",
        "demand_per_day": 10, "inventory_units": )"
                          << inventory << "}]}";
    renkei({"import", node.db_, demand, "--mode", "upsert"});
  };
  upsert_demand(25);
  json tts_before;
  EXPECT_TRUE(within_a_second([&] {
    auto r = node.Get(admin, "/api/v1/tts");
    if (r->status == 200) tts_before = Body(r);
    return r->status == 200;
  }));
  upsert_demand(250);
  EXPECT_TRUE(within_a_second([&] {
    auto r = node.Get(admin, "/api/v1/tts");
    return r->status == 200 && Body(r) != tts_before;
  }));
}

}  // namespace
}  // namespace renkei::server
