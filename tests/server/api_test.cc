// The node's /api/v1 analyses on the demo bundle, the admin endpoints and the
// dashboard's files: a real HTTPS server on 127.0.0.1 and a real client. Expected
// values come from the risk and footprint libraries run on the same model (the code
// behind `renkei risk ... --json`) and from the bundle's rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "io/bundle.h"
#include "model/units.h"
#include "network/network.h"
#include "risk/criticality.h"
#include "risk/events.h"
#include "risk/report.h"
#include "risk/tiers.h"
#include "risk/time_to_survive.h"
#include "server/node.h"
#include "server/openapi.h"
#include "server/tls.h"
#include "store/node_records.h"
#include "store/store.h"

namespace renkei::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using store::AddClient;
using store::Client;
using store::NewClient;
using store::SetPartner;
using ::testing::HasSubstr;

const std::string kDemo = std::string(RENKEI_SOURCE_DIR) + "/data/japan-strategic";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string kBatteryChain =
    std::string(RENKEI_SOURCE_DIR) + "/tests/data/footprint/battery_chain";

struct FixtureOptions {
  std::string name;
  std::string bundle = kDemo;
  std::string web_dir;
  bool partner = false;      // org:tsmc as a partner at an address nobody listens on
  std::string member;        // an organization to give a client that is not an admin
  int as_of_wait_ms = 2000;  // NodeOptions::as_of_wait_ms
};

FixtureOptions Options(const std::string& name, const std::string& bundle,
                       const std::string& web_dir = "", bool partner = false) {
  FixtureOptions o;
  o.name = name;
  o.bundle = bundle;
  o.web_dir = web_dir;
  o.partner = partner;
  return o;
}

// A node serving `bundle`, with an admin client (org:toyota) and a client of
// org:jasm that was granted nothing.
class ApiNode {
 public:
  explicit ApiNode(const FixtureOptions& o) {
    dir_ = fs::temp_directory_path() / ("renkei-api-" + o.name + "-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "node.db").string();
    cert_ = (dir_ / "cert.pem").string();
    auto store = store::Store::Create(db_);
    EXPECT_TRUE(store.ok());
    auto model = (*store)->LoadModel();
    const model::RowCounts before = model::CountRows(*model);
    Status read = io::ReadBundle(o.bundle, *model);
    EXPECT_TRUE(read.ok()) << read.ToString();
    EXPECT_TRUE((*store)->Append(*model, before, "test", "import").ok());
    model_ = std::make_unique<model::Model>(std::move(*model));
    auto graph = network::Network::Build(*model_);
    EXPECT_TRUE(graph.ok());
    network_ = std::make_unique<network::Network>(std::move(*graph));
    const std::string admin_org = model_->organizations.front().id;
    admin_ = *AddClient(**store, *model_, "admin", admin_org, true, "test");
    if (model_->FindOrganization("org:jasm") != model::kNoIndex) {
      jasm_ = *AddClient(**store, *model_, "jasm", "org:jasm", false, "test");
    }
    if (!o.member.empty()) {
      member_ = *AddClient(**store, *model_, "member", o.member, false, "test");
    }
    if (o.partner) {
      EXPECT_TRUE(SetPartner(**store, *model_,
                             {"org:tsmc", "https://127.0.0.1:9", "id", "secret", ""}, "test")
                      .ok());
    }
    EXPECT_TRUE(MakeSelfSignedCertificate(cert_, (dir_ / "key.pem").string()).ok());
    NodeOptions options;
    options.port = 0;
    options.cert_file = cert_;
    options.key_file = (dir_ / "key.pem").string();
    options.log = nullptr;
    options.web_dir = o.web_dir;
    options.delivery_attempts = 1;
    options.delivery_first_wait_ms = 10;
    options.as_of_wait_ms = o.as_of_wait_ms;
    auto node = Node::Start(std::move(*store), options);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
  }
  ~ApiNode() {
    node_.reset();
    fs::remove_all(dir_);
  }

  httplib::Client Client() const {
    httplib::Client c(node_->url());
    c.set_ca_cert_path(cert_.c_str());
    c.enable_server_certificate_verification(true);
    c.set_read_timeout(300, 0);
    return c;
  }
  std::string Token(const NewClient& client) const {
    auto c = Client();
    c.set_basic_auth(client.id.c_str(), client.secret.c_str());
    auto r =
        c.Post("/auth/token", "grant_type=client_credentials", "application/x-www-form-urlencoded");
    EXPECT_TRUE(r);
    return json::parse(r->body)["access_token"];
  }
  httplib::Result Get(const std::string& token, const std::string& path) const {
    auto c = Client();
    if (!token.empty()) c.set_bearer_token_auth(token.c_str());
    return c.Get(path.c_str());
  }
  httplib::Result Post(const std::string& token, const std::string& path, const std::string& body,
                       const char* type = "application/json") const {
    auto c = Client();
    if (!token.empty()) c.set_bearer_token_auth(token.c_str());
    return c.Post(path.c_str(), body, type);
  }

  httplib::Result Put(const std::string& token, const std::string& path,
                      const std::string& body) const {
    auto c = Client();
    c.set_bearer_token_auth(token.c_str());
    return c.Put(path.c_str(), body, "application/json");
  }
  httplib::Result Delete(const std::string& token, const std::string& path) const {
    auto c = Client();
    c.set_bearer_token_auth(token.c_str());
    return c.Delete(path.c_str());
  }

  fs::path dir_;
  std::string db_, cert_;
  std::unique_ptr<model::Model> model_;
  std::unique_ptr<network::Network> network_;
  NewClient admin_, jasm_, member_;
  std::unique_ptr<Node> node_;
};

json Body(const httplib::Result& r) { return json::parse(r->body); }

json Ok(const httplib::Result& r) {
  EXPECT_TRUE(r);
  if (!r) return json();
  EXPECT_EQ(r->status, 200) << r->body;
  return json::parse(r->body);
}

void ExpectError(const httplib::Result& r, int status, const std::string& code,
                 const std::string& message_part) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  const json body = Body(r);
  EXPECT_EQ(body["code"], code) << r->body;
  EXPECT_THAT(body["message"].get<std::string>(), HasSubstr(message_part));
}

class DemoApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = new ApiNode(Options("demo", kDemo, "", true));
    admin_ = node_->Token(node_->admin_);
    jasm_ = node_->Token(node_->jasm_);
  }
  static void TearDownTestSuite() { delete node_; }
  static const model::Model& M() { return *node_->model_; }
  static const network::Network& N() { return *node_->network_; }
  static json Admin(const std::string& path) { return Ok(node_->Get(admin_, path)); }
  // GET /api/v1/tts once the node has computed the table in the background: 202
  // with the progress until then.
  static json Tts(const std::string& token) {
    for (int i = 0; i < 600; ++i) {
      httplib::Result r = node_->Get(token, "/api/v1/tts");
      if (!r) break;
      if (r->status == 200) return json::parse(r->body);
      EXPECT_EQ(r->status, 202) << r->body;
      if (r->status != 202) break;
      const json progress = json::parse(r->body);
      EXPECT_EQ(progress["state"], "computing");
      EXPECT_LE(progress["done"], progress["total"]);
      EXPECT_EQ(r->get_header_value("Retry-After"), "5");
    }
    ADD_FAILURE() << "no TTS table";
    return json();
  }

  static ApiNode* node_;
  static std::string admin_, jasm_;
};
ApiNode* DemoApiTest::node_ = nullptr;
std::string DemoApiTest::admin_, DemoApiTest::jasm_;

TEST_F(DemoApiTest, ProductsAreSortedWithTheirSiteCounts) {
  const json body = Admin("/api/v1/products");
  const json& products = body["products"];
  ASSERT_EQ(products.size(), M().products.size());
  for (size_t i = 1; i < products.size(); ++i) {
    EXPECT_LT(products[i - 1]["id"].get<std::string>(), products[i]["id"].get<std::string>());
  }
  for (const json& p : products) {
    if (p["id"] != "prod:logic-wafer-mature") continue;
    // production.csv: jasm-kikuyo, tsmc-tainan, renesas-naka and others make it.
    std::set<model::Index> sites;
    const model::Index id = M().FindProduct("prod:logic-wafer-mature");
    for (const model::Production& row : M().production) {
      if (row.product == id) sites.insert(row.site);
    }
    EXPECT_EQ(p["sites"], sites.size());
    EXPECT_GE(sites.size(), 2u);
    EXPECT_EQ(p["unit"], "piece");
    // The demo names every product in Japanese too.
    EXPECT_EQ(p["name_ja"], M().products[id].name_ja);
    EXPECT_FALSE(p["name_ja"].get<std::string>().empty());
  }
}

TEST_F(DemoApiTest, SitesCarryExposureOnceTheTtsTableIsDone) {
  // Before the table is done a site's exposure is unknown (null), never a guess.
  const json early = Admin("/api/v1/sites");
  const bool done = early["tts"]["state"] == "done";
  EXPECT_EQ(early["tts"]["total"], risk::SiteScenarios(N()).size());
  for (const json& f : early["features"]) {
    EXPECT_EQ(f["properties"]["exposed"].is_boolean(), done) << f["properties"]["id"];
  }
  Tts(admin_);
  const json late = Admin("/api/v1/sites");
  EXPECT_EQ(late["tts"]["state"], "done");
  EXPECT_EQ(late["tts"]["done"], late["tts"]["total"]);
  for (const json& f : late["features"]) EXPECT_TRUE(f["properties"]["exposed"].is_boolean());
}

TEST_F(DemoApiTest, SitesCarryCriticalityAndExposure) {
  Tts(admin_);
  const json body = Admin("/api/v1/sites");
  ASSERT_EQ(body["features"].size(), M().sites.size());
  // Each site's organization is named once, in the collection.
  for (const json& f : body["features"]) {
    const std::string org = f["properties"]["organization"];
    ASSERT_TRUE(body["organizations"].contains(org)) << org;
    EXPECT_EQ(body["organizations"][org]["name"],
              M().organizations[M().FindOrganization(org)].name);
  }
  const risk::Criticality c = risk::Criticality::Analyse(N());
  auto tts = risk::RunScenarios(N(), risk::SiteScenarios(N()));
  ASSERT_TRUE(tts.ok());
  std::vector<bool> exposed(M().sites.size());
  for (const risk::ScenarioResult& r : *tts) exposed[r.sites[0]] = r.exposed;
  size_t stopping = 0, exposed_count = 0;
  for (const json& f : body["features"]) {
    const json& p = f["properties"];
    const model::Index s = M().FindSite(p["id"].get<std::string>());
    ASSERT_NE(s, model::kNoIndex);
    EXPECT_EQ(p["demand_stopped"], c.site_stops()[s]) << p["id"];
    EXPECT_EQ(p["exposed"], exposed[s]) << p["id"];
    stopping += c.site_stops()[s] > 0;
    exposed_count += exposed[s];
    if (p["id"] == "site:jasm-kikuyo") {
      EXPECT_EQ(p["recovery_days"], *M().sites[s].recovery_days);
      EXPECT_EQ(p["products"],
                json::parse(R"([{"id":"prod:logic-wafer-mature","capacity_per_day":1800,)"
                            R"("inventory_units":680}])"));
    }
  }
  EXPECT_GT(stopping, 0u);
  EXPECT_GT(exposed_count, 0u);
}

TEST_F(DemoApiTest, OneSiteWithItsLinksAndDependentDemand) {
  const json site = Admin("/api/v1/sites/site:jasm-kikuyo");
  EXPECT_EQ(site["organization"]["id"], "org:jasm");
  EXPECT_EQ(site["cluster"], "specialty-kyushu");
  EXPECT_DOUBLE_EQ(site["lat"].get<double>(), 32.877);
  std::set<std::string> customers, suppliers;
  const model::Index s = M().FindSite("site:jasm-kikuyo");
  for (const model::SupplyLink& l : M().supply) {
    if (l.supplier_site == s) customers.insert(M().sites[l.customer_site].id);
    if (l.customer_site == s) suppliers.insert(M().sites[l.supplier_site].id);
  }
  std::set<std::string> got_customers, got_suppliers;
  for (const json& c : site["customers"]) got_customers.insert(c["site"]);
  for (const json& c : site["suppliers"]) got_suppliers.insert(c["site"]);
  EXPECT_EQ(got_customers, customers);
  EXPECT_TRUE(got_customers.count("site:kumamoto-at"));  // supply.csv
  EXPECT_EQ(got_suppliers, suppliers);
  // Dependent demand: the demand vertices downstream of the site's nodes.
  std::set<std::string> demand;
  for (const risk::TierEntry& e :
       risk::Closure(N(), N().nodes_at_site(s), risk::Direction::kDownstream)) {
    if (N().IsDemand(e.vertex)) demand.insert(N().Describe(e.vertex));
  }
  std::set<std::string> got_demand;
  for (const json& d : site["dependent_demand"]) {
    got_demand.insert(d["site"].get<std::string>() + "/" + d["product"].get<std::string>() +
                      " (demand)");
  }
  EXPECT_EQ(got_demand, demand);
  EXPECT_FALSE(demand.empty());
  ExpectError(node_->Get(admin_, "/api/v1/sites/site:nowhere"), 404, "NotFound",
              "unknown site 'site:nowhere'");
}

TEST_F(DemoApiTest, TiersAreTheCliDocumentWithLinksAndSpofs) {
  const json up = Admin("/api/v1/tiers?node=site:jasm-kikuyo/prod:logic-wafer-mature");
  auto sel = network::Resolve(N(), "site:jasm-kikuyo/prod:logic-wafer-mature");
  ASSERT_TRUE(sel.ok());
  const auto closure = risk::Closure(N(), sel->vertices, risk::Direction::kUpstream);
  const json expected = risk::TiersJson(N(), closure, risk::Direction::kUpstream);
  ASSERT_EQ(up["tiers"].size(), expected["tiers"].size());
  EXPECT_EQ(up["direction"], "up");
  const risk::Criticality c = risk::Criticality::Analyse(N());
  std::set<std::string> spofs;
  for (network::Index t : sel->vertices) {
    for (network::Index v : c.NodeSpofs(t)) spofs.insert(N().Describe(v));
  }
  std::set<std::string> got_spofs, in_closure;
  for (size_t i = 0; i < expected["tiers"].size(); ++i) {
    json entry = up["tiers"][i];
    const bool spof = entry["spof"];
    entry.erase("spof");
    EXPECT_EQ(entry, expected["tiers"][i]);
    const std::string name = entry["site"].get<std::string>() + "/" +
                             entry["product"].get<std::string>() + " (" +
                             entry["kind"].get<std::string>() + ")";
    in_closure.insert(entry["site"].get<std::string>() + "/" + entry["product"].get<std::string>());
    if (spof) got_spofs.insert(name);
  }
  EXPECT_EQ(got_spofs, spofs);
  EXPECT_FALSE(up["links"].empty());
  for (const json& l : up["links"]) {
    EXPECT_TRUE(in_closure.count(l["from"]["site"].get<std::string>() + "/" +
                                 l["from"]["product"].get<std::string>()));
    EXPECT_TRUE(in_closure.count(l["to"]["site"].get<std::string>() + "/" +
                                 l["to"]["product"].get<std::string>()));
  }
  const json down = Admin("/api/v1/tiers?node=site:jasm-kikuyo&direction=down&depth=1");
  EXPECT_EQ(down["direction"], "down");
  for (const json& e : down["tiers"]) {
    EXPECT_LE(e["tier"], 1);
    EXPECT_EQ(e["spof"], false);
  }
  ExpectError(node_->Get(admin_, "/api/v1/tiers"), 400, "BadRequest", "node");
  ExpectError(node_->Get(admin_, "/api/v1/tiers?node=site:jasm-kikuyo&direction=sideways"), 400,
              "BadRequest", "direction");
  ExpectError(node_->Get(admin_, "/api/v1/tiers?node=site:jasm-kikuyo&depth=-1"), 400, "BadRequest",
              "depth");
  ExpectError(node_->Get(admin_, "/api/v1/tiers?node=site:nowhere"), 404, "NotFound",
              "unknown node 'site:nowhere'");
  ExpectError(node_->Get(admin_, "/api/v1/tiers?node=site:jasm-kikuyo&colour=red"), 400,
              "BadRequest", "colour");
}

TEST_F(DemoApiTest, ConcentrationIsTheCliDocument) {
  const model::Index p = M().FindProduct("prod:logic-wafer-mature");
  auto c = risk::ProductConcentration(N(), p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Admin("/api/v1/products/prod:logic-wafer-mature/concentration"),
            risk::ConcentrationJson("prod:logic-wafer-mature", std::nullopt, *c));
  auto sel = network::Resolve(N(), "site:kumamoto-at");
  auto ct = risk::ProductConcentrationFor(N(), p, sel->vertices);
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(Admin("/api/v1/products/prod:logic-wafer-mature/concentration?target=site:kumamoto-at"),
            risk::ConcentrationJson("prod:logic-wafer-mature", "site:kumamoto-at", *ct));
  ExpectError(node_->Get(admin_, "/api/v1/products/prod:none/concentration"), 404, "NotFound",
              "unknown product 'prod:none'");
  ExpectError(
      node_->Get(admin_, "/api/v1/products/prod:logic-wafer-mature/concentration?target=x:y"), 404,
      "NotFound", "target");
}

TEST_F(DemoApiTest, SpofsAreTheCliDocument) {
  const risk::Criticality c = risk::Criticality::Analyse(N());
  EXPECT_EQ(Admin("/api/v1/spofs"), risk::SpofRankingJson(N(), c, 20));
  EXPECT_EQ(Admin("/api/v1/spofs?top=3"), risk::SpofRankingJson(N(), c, 3));
  auto sel = network::Resolve(N(), "site:toyota-motomachi");
  EXPECT_EQ(Admin("/api/v1/spofs?target=site:toyota-motomachi"),
            risk::SpofTargetsJson(N(), c, sel->vertices));
  ExpectError(node_->Get(admin_, "/api/v1/spofs?top=0"), 400, "BadRequest", "top");
  ExpectError(node_->Get(admin_, "/api/v1/spofs?target=site:nowhere"), 404, "NotFound",
              "site:nowhere");
}

TEST_F(DemoApiTest, TtsIsTheCliDocument) {
  auto tts = risk::RunScenarios(N(), risk::SiteScenarios(N()));
  ASSERT_TRUE(tts.ok());
  EXPECT_EQ(Tts(admin_), risk::TtsJson(M(), *tts));
  auto tts10 = risk::RunScenarios(N(), risk::SiteScenarios(N(), 10));
  EXPECT_EQ(Admin("/api/v1/tts?default_days=10"), risk::TtsJson(M(), *tts10));
  ExpectError(node_->Get(admin_, "/api/v1/tts?default_days=soon"), 400, "BadRequest",
              "default_days");
}

TEST_F(DemoApiTest, KumamotoEarthquakeHitsJasm) {
  const std::string body =
      R"({"name":"Kumamoto earthquake","days":30,"circle":{"lat":32.88,"lon":130.84,"radius_km":30}})";
  auto r = node_->Post(admin_, "/api/v1/scenarios", body);
  json got = Ok(r);
  // The store names no margin currency (`renkei policy --currency`).
  EXPECT_TRUE(got["currency"].is_null());
  got.erase("currency");
  auto event = risk::ParseEvent(body);
  ASSERT_TRUE(event.ok());
  auto impact = risk::AnalyseEvent(N(), *event);
  ASSERT_TRUE(impact.ok());
  EXPECT_EQ(got, risk::EventJson(N(), *event, *impact));
  EXPECT_THAT(got["sites"], ::testing::Contains("site:jasm-kikuyo"));
  EXPECT_EQ(got["event"], "Kumamoto earthquake");
  ExpectError(node_->Post(admin_, "/api/v1/scenarios", R"({"days":3,"circle":{"lat":1,"lon":2}})"),
              400, "BadRequest", "radius_km");
  ExpectError(node_->Post(admin_, "/api/v1/scenarios", R"({"days":3})"), 400, "BadRequest",
              "event");
  ExpectError(node_->Post(admin_, "/api/v1/scenarios", "{not json"), 400, "BadRequest", "JSON");
  ExpectError(node_->Post(admin_, "/api/v1/scenarios", R"({"days":3,"company":"org:none"})"), 404,
              "NotFound", "org:none");
  ExpectError(node_->Post(admin_, "/api/v1/scenarios", "{}", "text/plain"), 400, "BadRequest",
              "application/json");
}

TEST_F(DemoApiTest, FootprintSplits) {
  for (const char* split : {"tier", "country", "supplier", "stage"}) {
    const json fp =
        Admin(std::string("/api/v1/products/prod:logic-wafer-mature/footprint?split=") + split);
    EXPECT_TRUE(fp.contains(std::string("by_") + split)) << split;
  }
  EXPECT_TRUE(Admin("/api/v1/products/prod:logic-wafer-mature/footprint").contains("by_country"));
  ExpectError(node_->Get(admin_, "/api/v1/products/prod:logic-wafer-mature/footprint?split=x"), 400,
              "BadRequest", "split");
}

// The passport is the CLI's document (tests/cli_test.cc checks it against the
// data model); an incomplete one is refused with what would complete it.
TEST_F(DemoApiTest, BatteryPassport) {
  const json pack = Admin("/api/v1/products/prod:ev-battery-pack-prismatic/passport");
  EXPECT_EQ(pack["carbonFootprint"]["carbonFootprintPerformanceClass"], "C");
  EXPECT_EQ(pack["circularity"]["recycledContent"].size(), 3u);
  EXPECT_FALSE(pack.contains("missing"));
  EXPECT_EQ(pack["dataModel"]["circularity"],
            "urn:samm:io.BatteryPass.Circularity:1.2.0#Circularity");

  auto refused = node_->Get(admin_, "/api/v1/products/prod:cell-prismatic-nmc/passport");
  ExpectError(refused, 422, "PassportIncomplete", "lacks 13 value(s)");
  const json body = json::parse(refused->body);
  ASSERT_EQ(body["missing"].size(), 13u);
  EXPECT_EQ(body["missing"][4]["field"], "$.carbonFootprint.carbonFootprintStudy");
  EXPECT_EQ(body["missing"][4]["provide"], "passports.carbon_footprint_study");
  const json partial =
      Admin("/api/v1/products/prod:cell-prismatic-nmc/passport?allow_incomplete=true");
  EXPECT_EQ(partial["missing"], body["missing"]);
  ExpectError(
      node_->Get(admin_, "/api/v1/products/prod:cell-prismatic-nmc/passport?allow_incomplete=1"),
      400, "BadRequest", "allow_incomplete: expected true or false, got '1'");
  ExpectError(node_->Get(admin_, "/api/v1/products/prod:none/passport"), 404, "NotFound",
              "prod:none");
}

TEST_F(DemoApiTest, OverviewClustersAndBatteryCapacity) {
  const json o = Admin("/api/v1/overview");
  std::map<std::string, std::set<model::Index>> sites;
  for (model::Index s = 0; s < M().sites.size(); ++s) {
    if (!M().sites[s].cluster.empty()) sites[M().sites[s].cluster].insert(s);
  }
  ASSERT_EQ(o["clusters"].size(), sites.size());
  for (const json& c : o["clusters"]) {
    EXPECT_EQ(c["sites"], sites[c["id"]].size()) << c["id"];
  }
  double japan = 0, makers = 0, world = 0;
  for (const model::Production& row : M().production) {
    if (M().products[row.product].unit != model::Unit::kKilowattHour) continue;
    const model::Site& site = M().sites[row.site];
    const double gwh = row.capacity_per_day.value_or(site.capacity_per_day.value_or(0)) * 365 / 1e6;
    world += gwh;
    if (site.country == "JP") japan += gwh;
    if (M().organizations[site.organization].country == "JP") makers += gwh;
  }
  const json& b = o["battery"];
  EXPECT_GT(world, 0);
  EXPECT_NEAR(b["world_gwh_per_year"].get<double>(), world, 1e-6);
  EXPECT_NEAR(b["japan_gwh_per_year"].get<double>(), japan, 1e-6);
  EXPECT_NEAR(b["japanese_makers_gwh_per_year"].get<double>(), makers, 1e-6);
  EXPECT_EQ(b["target_japan_gwh_per_year"], 150);
  EXPECT_EQ(b["target_japanese_makers_gwh_per_year"], 600);
  EXPECT_EQ(b["target_year"], 2030);
}

// Every string of a document, object keys included.
void Strings(const json& j, std::set<std::string>& out) {
  if (j.is_string()) out.insert(j.get<std::string>());
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      out.insert(k);
      Strings(v, out);
    }
  }
  if (j.is_array()) {
    for (const json& v : j) Strings(v, out);
  }
}

TEST_F(DemoApiTest, ClientOfOneOrganizationSeesNoOtherPrivateIds) {
  // What org:jasm may see with no grants: the products it owns (the product's
  // organization, else the first site making it), the sites of org:jasm and those
  // making its products, and the organizations of those sites.
  const model::Model& m = M();
  const model::Index jasm = m.FindOrganization("org:jasm");
  std::set<std::string> products, sites, organizations = {"org:jasm"};
  std::vector<model::Index> owner(m.products.size(), model::kNoIndex);
  for (model::Index p = 0; p < m.products.size(); ++p) owner[p] = m.products[p].organization;
  for (const model::Production& row : m.production) {
    if (owner[row.product] == model::kNoIndex) owner[row.product] = m.sites[row.site].organization;
  }
  for (model::Index p = 0; p < m.products.size(); ++p) {
    if (owner[p] == jasm) products.insert(m.products[p].id);
  }
  for (const model::Site& s : m.sites) {
    if (s.organization == jasm) sites.insert(s.id);
  }
  for (const model::Production& row : m.production) {
    if (products.count(m.products[row.product].id)) sites.insert(m.sites[row.site].id);
  }
  for (const model::Site& s : m.sites) {
    if (sites.count(s.id)) organizations.insert(m.organizations[s.organization].id);
  }
  ASSERT_TRUE(products.count("prod:logic-wafer-mature"));
  const std::vector<std::string> paths = {
      "/api/v1/products",
      "/api/v1/sites",
      "/api/v1/sites/site:jasm-kikuyo",
      "/api/v1/overview",
      "/api/v1/network",
      "/api/v1/tiers?node=site:jasm-kikuyo/prod:logic-wafer-mature",
      "/api/v1/tiers?node=site:jasm-kikuyo&direction=down",
      "/api/v1/products/prod:logic-wafer-mature/concentration",
      "/api/v1/products/prod:logic-wafer-mature/footprint?split=supplier",
      "/api/v1/spofs",
      "/api/v1/spofs?target=site:jasm-kikuyo",
  };
  std::vector<json> docs = {Tts(jasm_)};
  for (const std::string& path : paths) docs.push_back(Ok(node_->Get(jasm_, path)));
  docs.push_back(
      Ok(node_->Post(jasm_, "/api/v1/scenarios",
                     R"({"days":30,"circle":{"lat":32.88,"lon":130.84,"radius_km":300}})")));
  docs.push_back(Ok(node_->Post(jasm_, "/api/v1/scenarios", R"({"days":30,"country":"JP"})")));
  size_t checked = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    std::set<std::string> strings;
    Strings(docs[i], strings);
    for (const std::string& s : strings) {
      if (m.FindSite(s) != model::kNoIndex) {
        EXPECT_TRUE(sites.count(s)) << s << " in document " << i;
        ++checked;
      } else if (m.FindProduct(s) != model::kNoIndex) {
        EXPECT_TRUE(products.count(s)) << s << " in document " << i;
        ++checked;
      } else if (m.FindOrganization(s) != model::kNoIndex) {
        EXPECT_TRUE(organizations.count(s)) << s << " in document " << i;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 10u);
  // The whole network is larger than what org:jasm sees.
  EXPECT_LT(Ok(node_->Get(jasm_, "/api/v1/sites"))["features"].size(), m.sites.size());
  // Naming what it may not see is AccessDenied.
  ExpectError(node_->Get(jasm_, "/api/v1/sites/site:toyota-motomachi"), 403, "AccessDenied", "");
  ExpectError(node_->Get(jasm_, "/api/v1/tiers?node=site:toyota-motomachi"), 403, "AccessDenied",
              "");
  ExpectError(node_->Get(jasm_, "/api/v1/products/prod:bev-suv/concentration"), 403, "AccessDenied",
              "");
  ExpectError(node_->Get(jasm_, "/api/v1/spofs?target=site:toyota-motomachi"), 403, "AccessDenied",
              "");
  ExpectError(
      node_->Post(jasm_, "/api/v1/scenarios", R"({"days":3,"sites":["site:toyota-motomachi"]})"),
      403, "AccessDenied", "");
  ExpectError(node_->Get(jasm_, "/api/v1/events"), 403, "AccessDenied", "admin");
  ExpectError(node_->Get("", "/api/v1/overview"), 401, "BadRequest", "bearer");
}

TEST_F(DemoApiTest, EveryDocumentedOperationAnswersAndEveryRouteIsDocumented) {
  const json doc = Ok(node_->Get("", "/api/v1/openapi.json"));
  // (b) every route the node handles is in the document.
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) documented.insert(method + " " + path);
  }
  for (const std::string& route : Node::Routes()) {
    EXPECT_TRUE(documented.count(route)) << route;
  }
  EXPECT_EQ(documented.size(), Node::Routes().size());
  // (a) every documented operation answers, with valid parameters on the demo.
  const std::map<std::string, std::string> values = {{"id", "00000000-0000-4000-8000-000000000000"},
                                                     {"site", "site:jasm-kikuyo"},
                                                     {"product", "prod:ev-battery-pack-prismatic"},
                                                     {"node", "site:jasm-kikuyo"},
                                                     {"table", "sites"},
                                                     {"key", "site:nowhere"},
                                                     {"mode", "upsert"},
                                                     {"from", "1"},
                                                     {"to", "1"}};
  const std::map<std::string, std::string> bodies = {
      {"/api/v1/scenarios", R"({"days":3,"country":"JP"})"},
      {"/api/v1/bundles", R"({"organizations":[]})"},
      {"/api/v1/requests", R"({"organization":"org:tsmc"})"},
  };
  size_t answered = 0;
  for (const auto& [path, item] : doc["paths"].items()) {
    std::string url;
    for (size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '{') {
        const size_t end = path.find('}', i);
        url += values.at(path.substr(i + 1, end - i - 1));
        i = end;
      } else {
        url.push_back(path[i]);
      }
    }
    for (const auto& [method, op] : item.items()) {
      std::string query;
      for (const json& p : op.value("parameters", json::array())) {
        if (p["in"] == "query" && p.value("required", false)) {
          query += (query.empty() ? "?" : "&") + p["name"].get<std::string>() + "=" +
                   values.at(p["name"]);
        }
      }
      const std::string body = bodies.count(path) ? bodies.at(path) : "{}";
      httplib::Result r =
          method == "get"   ? node_->Get(admin_, url + query)
          : method == "put" ? node_->Put(admin_, url + query, body)
          : method == "delete"
              ? node_->Delete(admin_, url + query)
              : node_->Post(admin_, url, body,
                            path == "/auth/token" ? "application/x-www-form-urlencoded"
                                                  : (path.find("/events") != std::string::npos
                                                         ? "application/cloudevents+json"
                                                         : "application/json"));
      ASSERT_TRUE(r) << method << " " << url;
      const bool no_endpoint =
          r->status == 404 && r->body.find("no such endpoint") != std::string::npos;
      EXPECT_FALSE(no_endpoint) << method << " " << url;
      if (method == "get" && path.rfind("/api/v1/", 0) == 0) {
        // The TTS table may still be computing (202).
        EXPECT_EQ(r->status, path == "/api/v1/tts" && r->status == 202 ? 202 : 200)
            << method << " " << url << " " << r->body;
      }
      ++answered;
    }
  }
  EXPECT_EQ(answered, Node::Routes().size());
  ExpectError(node_->Get(admin_, "/api/v1/nothing"), 404, "NotFound", "no such endpoint");
}

TEST_F(DemoApiTest, RequestsAndTheEventLog) {
  ExpectError(node_->Post(admin_, "/api/v1/requests", R"({"organization":"org:rapidus"})"), 404,
              "NotFound", "org:rapidus");
  ExpectError(node_->Post(admin_, "/api/v1/requests", R"({"criteria":{}})"), 400, "BadRequest",
              "organization");
  ExpectError(node_->Post(admin_, "/api/v1/requests", "[1"), 400, "BadRequest", "JSON");
  ExpectError(node_->Post(jasm_, "/api/v1/requests", R"({"organization":"org:tsmc"})"), 403,
              "AccessDenied", "admin");
  auto r = node_->Post(admin_, "/api/v1/requests",
                       R"({"organization":"org:tsmc","criteria":{"productId":["urn:x"]}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = Body(r)["id"];
  const json events = Admin("/api/v1/events");
  bool found = false;
  for (const json& e : events["events"]) {
    if (e["id"] == id) {
      found = true;
      EXPECT_EQ(e["direction"], "out");
      EXPECT_EQ(e["organization"], "org:tsmc");
      EXPECT_EQ(e["type"], "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3");
    }
  }
  EXPECT_TRUE(found) << events.dump();
}

TEST(ApiBundleTest, FootprintListPagesFollowAnImport) {
  ApiNode node(Options("bundles-pages", kBatteryChain));
  const std::string token = node.Token(node.admin_);
  // Asked twice: the second answer is the page kept for this snapshot, byte for byte.
  auto first = node.Get(token, "/3/footprints?limit=100");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  EXPECT_EQ(node.Get(token, "/3/footprints?limit=100")->body, first->body);
  const size_t before = Body(first)["data"].size();
  const std::string bundle = R"({
    "organizations": [{"id": "org:new", "name": "New Co", "country": "JP"}],
    "sites": [{"id": "site:new", "organization": "org:new", "name": "New plant",
               "country": "JP", "lat": 35.0, "lon": 139.0}],
    "products": [{"id": "p:new", "name": "New part", "category": "part", "unit": "kg",
                  "organization": "org:new"}],
    "production": [{"site": "site:new", "product": "p:new",
                    "emissions_kgco2e_per_unit": 2.5}]})";
  auto r = node.Post(token, "/api/v1/bundles", bundle);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  // The new snapshot has its own pages: the same query now lists the new product.
  auto after = node.Get(token, "/3/footprints?limit=100");
  ASSERT_EQ(after->status, 200);
  EXPECT_EQ(Body(after)["data"].size(), before + 1);
  EXPECT_NE(after->body.find("urn:renkei:p:new"), std::string::npos);
}

// An external site (another company's, known by id and organization) comes in
// through a bundle and is served without a place; Japanese names are served.
TEST(ApiBundleTest, ExternalSitesHaveNoGeometry) {
  ApiNode node(Options("external", kBatteryChain));
  const std::string token = node.Token(node.admin_);
  auto r = node.Post(token, "/api/v1/bundles", R"({
    "organizations": [{"id": "org:theirs", "name": "Their Co", "country": "KR",
                       "name_ja": "ゼア社"}],
    "sites": [{"id": "site:theirs", "organization": "org:theirs", "external": true},
              {"id": "site:named", "organization": "org:theirs", "name": "Named",
               "name_ja": "名前", "country": "KR", "lat": 37.5, "lon": 127.0}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json site = Ok(node.Get(token, "/api/v1/sites/site:theirs"));
  EXPECT_EQ(site["external"], true);
  EXPECT_TRUE(site["lat"].is_null());
  const json named = Ok(node.Get(token, "/api/v1/sites/site:named"));
  EXPECT_EQ(named["name_ja"], "名前");
  EXPECT_EQ(named["lat"], 37.5);
  int seen = 0;
  const json sites = Ok(node.Get(token, "/api/v1/sites"));
  for (const json& f : sites["features"]) {
    if (f["properties"]["id"] == "site:theirs") {
      EXPECT_TRUE(f["geometry"].is_null());
      ++seen;
    } else {
      EXPECT_EQ(f["geometry"]["type"], "Point");
    }
  }
  EXPECT_EQ(seen, 1);
  // A site that is not external still needs its place, named in the error.
  auto bad = node.Post(token, "/api/v1/bundles", R"({
    "sites": [{"id": "site:lost", "organization": "org:theirs", "name": "Lost",
               "country": "KR", "lat": 37.5}]})");
  ExpectError(bad, 400, "BadRequest", "lon: a value is required");
}

TEST(ApiBundleTest, GoodBundleAddsRowsAndBadOneChangesNothing) {
  ApiNode node(Options("bundles", kBatteryChain));
  const std::string token = node.Token(node.admin_);
  const std::string good = R"({
    "organizations": [{"id": "org:new", "name": "New Co", "country": "JP"}],
    "sites": [{"id": "site:new", "organization": "org:new", "name": "New plant",
               "country": "JP", "lat": 35.0, "lon": 139.0}]})";
  auto r = node.Post(token, "/api/v1/bundles", good);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["imported"]["organizations"], 1);
  EXPECT_EQ(Body(r)["imported"]["sites"], 1);
  EXPECT_EQ(Ok(node.Get(token, "/api/v1/sites/site:new"))["organization"]["id"], "org:new");
  // The store file is byte-for-byte unchanged by a bad bundle.
  const std::string before = ReadFile(node.db_);
  const std::string bad = R"({
    "sites": [{"id": "site:bad", "organization": "org:missing", "name": "Bad",
               "country": "JP", "lat": 35.0, "lon": 139.0}]})";
  auto b = node.Post(token, "/api/v1/bundles", bad);
  ExpectError(b, 400, "BadRequest", "org:missing");
  EXPECT_THAT(Body(b)["message"].get<std::string>(), HasSubstr("body: $.sites[0]"));
  EXPECT_EQ(Body(b)["message"].get<std::string>().find("/tmp/"), std::string::npos);
  ExpectError(node.Post(token, "/api/v1/bundles", "{oops"), 400, "BadRequest", "JSON");
  EXPECT_EQ(ReadFile(node.db_), before);
  ExpectError(node.Get(token, "/api/v1/sites/site:bad"), 404, "NotFound", "site:bad");
}

TEST(ApiStaticTest, DashboardFiles) {
  const fs::path web = fs::temp_directory_path() / ("renkei-web-" + std::to_string(getpid()));
  fs::remove_all(web);
  fs::create_directories(web / "assets");
  std::ofstream(web / "index.html") << "<!doctype html><title>Renkei</title>";
  std::ofstream(web / "assets" / "x.js") << "console.log(1);";
  std::ofstream(web / "assets" / "x.css") << "body{}";
  std::ofstream(web / "favicon.ico") << "ico";
  std::ofstream(web / "logo.svg") << "<svg/>";
  std::ofstream(web.parent_path() / ("renkei-secret-" + std::to_string(getpid()))) << "secret";
  fs::create_symlink(web.parent_path() / ("renkei-secret-" + std::to_string(getpid())),
                     web / "link.txt");
  {
    ApiNode node(Options("web", kBatteryChain, web.string()));
    auto index = node.Get("", "/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_EQ(index->body, "<!doctype html><title>Renkei</title>");
    EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(index->get_header_value("Cache-Control"), "no-cache");
    EXPECT_EQ(index->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(index->get_header_value("Content-Security-Policy"),
              "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
    EXPECT_EQ(node.Get("", "/index.html")->body, index->body);
    auto js = node.Get("", "/assets/x.js");
    EXPECT_EQ(js->status, 200);
    EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_FALSE(js->has_header("Content-Security-Policy"));
    EXPECT_EQ(node.Get("", "/assets/x.css")->get_header_value("Content-Type"),
              "text/css; charset=utf-8");
    auto ico = node.Get("", "/favicon.ico");
    EXPECT_EQ(ico->get_header_value("Content-Type"), "image/x-icon");
    EXPECT_EQ(ico->get_header_value("Cache-Control"), "no-cache");
    EXPECT_EQ(node.Get("", "/logo.svg")->get_header_value("Content-Type"), "image/svg+xml");
    for (const std::string& path :
         {"/../renkei-secret-" + std::to_string(getpid()),
          "/assets/../../renkei-secret-" + std::to_string(getpid()),
          "/%2e%2e/renkei-secret-" + std::to_string(getpid()),
          "/assets/%2E%2E/%2E%2E/renkei-secret-" + std::to_string(getpid()),
          "/%252e%252e/renkei-secret-" + std::to_string(getpid()), std::string("/link.txt"),
          std::string("/missing.js"), std::string("/.hidden")}) {
      auto r = node.Get("", path);
      ASSERT_TRUE(r) << path;
      EXPECT_EQ(r->status, 404) << path;
      EXPECT_EQ(r->body.find("secret"), std::string::npos) << path;
    }
    // The API is still the API.
    ExpectError(node.Get("", "/api/v1/sites"), 401, "BadRequest", "bearer");
    ExpectError(node.Get("", "/api/v1/none"), 404, "NotFound", "no such endpoint");
  }
  {
    ApiNode bare(Options("noweb", kBatteryChain));
    ExpectError(bare.Get("", "/"), 404, "NotFound", "dashboard is not installed");
  }
  fs::remove(web.parent_path() / ("renkei-secret-" + std::to_string(getpid())));
  fs::remove_all(web);
}

// The node compresses for the client (cached for the dashboard's files, per request for
// the API's answers) instead of letting cpp-httplib compress at Brotli's highest quality
// on every request.
TEST(ApiStaticTest, Compression) {
  const fs::path web = fs::temp_directory_path() / ("renkei-web-gz-" + std::to_string(getpid()));
  fs::remove_all(web);
  fs::create_directories(web / "assets");
  std::string script;
  for (int i = 0; i < 2000; ++i) script += "console.log('site " + std::to_string(i % 50) + "');\n";
  std::ofstream(web / "assets" / "app.js") << script;
  std::ofstream(web / "small.txt") << "small";
  std::ofstream(web / "map.png") << script;  // not compressible whatever it holds
  {
    ApiNode node(Options("gz", kDemo, web.string()));
    const std::string token = node.Token(node.admin_);
    // `decoded`: the client decodes the body; otherwise it is left as sent.
    auto get = [&](const std::string& path, const char* accept, bool decoded) {
      auto c = node.Client();
      c.set_decompress(decoded);
      c.set_bearer_token_auth(token.c_str());
      auto r = c.Get(path.c_str(), httplib::Headers{{"Accept-Encoding", accept}});
      EXPECT_TRUE(r) << path;
      return r;
    };
    for (int round = 0; round < 2; ++round) {  // before and after the cache has the file
      for (const char* accept : {"br", "gzip", "gzip, deflate, br", "identity"}) {
        SCOPED_TRACE(std::string(accept) + " round " + std::to_string(round));
        auto raw = get("/assets/app.js", accept, false);
        const std::string want = std::string(accept) == "identity" ? ""
                                 : std::string(accept) == "gzip"   ? "gzip"
                                                                   : "br";
        EXPECT_EQ(raw->get_header_value("Content-Encoding"), want);
        EXPECT_EQ(raw->get_header_value("Vary"), "Accept-Encoding");
        if (want.empty()) {
          EXPECT_EQ(raw->body, script);
        } else {
          EXPECT_LT(raw->body.size(), script.size() / 10);
        }
        EXPECT_EQ(get("/assets/app.js", accept, true)->body, script);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_FALSE(get("/small.txt", "br", false)->has_header("Content-Encoding"));
    EXPECT_EQ(get("/small.txt", "br", false)->body, "small");
    EXPECT_FALSE(get("/map.png", "br", false)->has_header("Content-Encoding"));
    // An API answer: compressed per request, the same JSON once decoded (products: the
    // sites carry the TTS table's progress, which moves between requests).
    auto plain = get("/api/v1/products", "identity", false);
    ASSERT_EQ(plain->status, 200);
    EXPECT_FALSE(plain->has_header("Content-Encoding"));
    for (const char* accept : {"gzip", "br"}) {
      auto raw = get("/api/v1/products", accept, false);
      EXPECT_EQ(raw->get_header_value("Content-Encoding"), accept);
      // At least halved (11.6 KB of JSON with Japanese names, which compress less
      // than ASCII, to about 3.4 KB).
      EXPECT_LT(raw->body.size(), plain->body.size() / 2);
      EXPECT_EQ(json::parse(get("/api/v1/products", accept, true)->body), json::parse(plain->body));
    }
    // A PACT list page: compressed once per snapshot and encoding (the second request of
    // each is served from the page cache), the same JSON and Link header once decoded.
    for (const char* path : {"/3/footprints?limit=100", "/2/footprints", "/3/footprints?limit=1"}) {
      SCOPED_TRACE(path);
      auto page = get(path, "identity", false);
      ASSERT_EQ(page->status, 200);
      EXPECT_FALSE(page->has_header("Content-Encoding"));
      EXPECT_EQ(page->get_header_value("Vary"), "Accept-Encoding");
      for (int round = 0; round < 2; ++round) {
        for (const char* accept : {"gzip", "br"}) {
          SCOPED_TRACE(std::string(accept) + " round " + std::to_string(round));
          auto raw = get(path, accept, false);
          ASSERT_EQ(raw->status, 200);
          EXPECT_EQ(raw->get_header_value("Content-Encoding"), accept);
          EXPECT_EQ(raw->get_header_value("Vary"), "Accept-Encoding");
          EXPECT_EQ(raw->get_header_value("Link"), page->get_header_value("Link"));
          EXPECT_LT(raw->body.size(), page->body.size());
          EXPECT_EQ(json::parse(get(path, accept, true)->body), json::parse(page->body));
        }
      }
    }
    // Small answers are sent as they are.
    auto small = get("/api/v1/sites/site:none", "br", false);
    EXPECT_EQ(small->status, 404);
    EXPECT_FALSE(small->has_header("Content-Encoding"));
  }
  fs::remove_all(web);
}

}  // namespace
// Living data through the API: upserts and deletions as new versions, owners
// only for clients that are not admins, and reads as of an earlier version.
TEST(EditsApiTest, UpsertDeleteAndReadAsOf) {
  FixtureOptions o = Options("edits", std::string(RENKEI_SOURCE_DIR) + "/tests/data/tiny");
  o.member = "org:cell";
  ApiNode node(o);
  const std::string admin = node.Token(node.admin_);
  const std::string member = node.Token(node.member_);
  auto capacity = [&](const std::string& query) {
    const json site = Ok(node.Get(admin, "/api/v1/sites/site:mine" + query));
    return site["products"][0]["capacity_per_day"];
  };
  EXPECT_EQ(capacity(""), 40);

  const std::string upsert =
      R"({"production": [{"site": "site:mine", "product": "prod:li", "capacity_per_day": 55}]})";
  // A client of org:cell may not change org:mine's production: nothing changes.
  ExpectError(node.Put(member, "/api/v1/bundles?mode=upsert", upsert), 403, "AccessDenied",
              "production site:mine,prod:li belongs to org:mine, not to org:cell");
  EXPECT_EQ(capacity(""), 40);
  ExpectError(node.Put(admin, "/api/v1/bundles?mode=merge", upsert), 400, "BadRequest",
              "mode: expected upsert or replace");
  json done = Ok(node.Put(admin, "/api/v1/bundles?mode=upsert", upsert));
  const int64_t version = done["version"];
  EXPECT_EQ(done["tables"]["production"]["changed"], 1);
  EXPECT_EQ(capacity(""), 55);
  EXPECT_EQ(capacity("?as_of=1"), 40);
  EXPECT_EQ(capacity("?as_of=" + std::to_string(version - 1)), 40);
  EXPECT_EQ(capacity("?as_of=" + std::to_string(version)), 55);
  ExpectError(node.Get(admin, "/api/v1/sites/site:mine?as_of=2999-01-01"), 400, "BadRequest",
              "in the future");
  ExpectError(node.Get(admin, "/api/v1/sites/site:mine?as_of=soon"), 400, "BadRequest",
              "expected a version number or a time");
  ExpectError(node.Get(admin, "/api/v1/tts?as_of=1"), 400, "BadRequest",
              "unknown query parameter 'as_of'");

  // org:cell owns its supply links (the customer's): it may remove one.
  ExpectError(node.Delete(member, "/api/v1/rows/sites/site:mine?cascade=true"), 403, "AccessDenied",
              "sites site:mine belongs to org:mine");
  ExpectError(node.Delete(admin, "/api/v1/rows/sites/site:mine"), 400, "BadRequest",
              "refers to sites site:mine, which this change removes");
  ExpectError(node.Delete(admin, "/api/v1/rows/sites/site:nowhere"), 404, "NotFound",
              "no stored sites 'site:nowhere'");
  ExpectError(node.Delete(admin, "/api/v1/rows/depots/x"), 400, "BadRequest", "unknown table");
  done = Ok(node.Delete(member, "/api/v1/rows/supply/site:mine,site:cell,prod:li"));
  EXPECT_EQ(done["version"], version + 1);
  EXPECT_EQ(done["tables"]["supply"]["removed"], 1);
  const json site = Ok(node.Get(admin, "/api/v1/sites/site:mine"));
  EXPECT_TRUE(site["customers"].empty()) << site.dump();
  const json old = Ok(node.Get(admin, "/api/v1/sites/site:mine?as_of=" + std::to_string(version)));
  EXPECT_EQ(old["customers"].size(), 1u) << old.dump();

  // What changed: the admin sees every row; org:cell its own rows alone.
  const std::string v = std::to_string(version);
  const std::string capacity_change =
      "/api/v1/diff?from=" + std::to_string(version - 1) + "&to=" + v;
  json diff = Ok(node.Get(admin, capacity_change));
  EXPECT_EQ(diff["from"], version - 1);
  EXPECT_EQ(diff["to"], version);
  EXPECT_EQ(diff["tables"]["production"]["changed"][0]["key"], "site:mine,prod:li");
  EXPECT_EQ(diff["tables"]["production"]["changed"][0]["cells"]["capacity_per_day"],
            json({{"before", "40"}, {"after", "55"}}));
  EXPECT_EQ(diff["analyses"]["time_to_survive"], "not computed");
  diff = Ok(node.Get(member, capacity_change));
  EXPECT_TRUE(diff["tables"].empty()) << diff.dump();
  diff = Ok(node.Get(member, "/api/v1/diff?from=" + v + "&to=" + std::to_string(version + 1)));
  EXPECT_EQ(diff["tables"]["supply"]["removed"], json({"site:mine,site:cell,prod:li"}));
  ExpectError(node.Get(admin, "/api/v1/diff?from=1"), 400, "BadRequest", "to: required");
  // The versions to ask for: who made them for admins only.
  const json versions = Ok(node.Get(admin, "/api/v1/versions"))["versions"];
  ASSERT_EQ(versions.size(), 3u) << versions.dump();
  EXPECT_EQ(versions[1]["version"], version);
  EXPECT_EQ(versions[1]["actor"], "client:" + node.admin_.id);
  EXPECT_THAT(versions[1]["action"].get<std::string>(), HasSubstr("1 changed"));
  const json seen = Ok(node.Get(member, "/api/v1/versions"))["versions"];
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2]["version"], version + 1);
  EXPECT_FALSE(seen[2].contains("actor")) << seen.dump();
  ExpectError(node.Get(admin, "/api/v1/diff?from=soon&to=1"), 400, "BadRequest",
              "from: as of 'soon': expected a version number or a time");
}

// An earlier version the node does not hold is read in the background: a
// request that does not wait for it is answered 202 with how far the read is,
// and the same request later gets the version.
TEST(EditsApiTest, EarlierVersionsAreReadInTheBackground) {
  FixtureOptions o = Options("as-of-202", std::string(RENKEI_SOURCE_DIR) + "/tests/data/tiny");
  o.as_of_wait_ms = 0;
  ApiNode node(o);
  const std::string admin = node.Token(node.admin_);
  Ok(node.Put(
      admin, "/api/v1/bundles?mode=upsert",
      R"({"production": [{"site": "site:mine", "product": "prod:li", "capacity_per_day": 55}]})"));
  for (const std::string path : {"/api/v1/sites/site:mine?as_of=1", "/api/v1/diff?from=1&to=1"}) {
    auto r = node.Get(admin, path);
    ASSERT_TRUE(r);
    int status = r->status;
    if (path.find("diff") == std::string::npos) {
      // Version 1 was never asked for: it cannot be ready without waiting.
      ASSERT_EQ(status, 202) << r->body;
      const json progress = json::parse(r->body);
      EXPECT_EQ(progress["state"], "building");
      EXPECT_EQ(progress["version"], 1);
      EXPECT_TRUE(progress.contains("stage") && progress.contains("done")) << r->body;
      EXPECT_EQ(r->get_header_value("Retry-After"), "1");
    }
    for (int tries = 0; status == 202 && tries < 600; ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      r = node.Get(admin, path);
      ASSERT_TRUE(r);
      status = r->status;
    }
    ASSERT_EQ(status, 200) << r->body;
  }
  EXPECT_EQ(
      Ok(node.Get(admin, "/api/v1/sites/site:mine?as_of=1"))["products"][0]["capacity_per_day"],
      40);
}

}  // namespace renkei::server
