#include "cli/risk_commands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/numbers.h"
#include "network/network.h"
#include "risk/concentration.h"
#include "risk/criticality.h"
#include "risk/events.h"
#include "risk/report.h"
#include "risk/tiers.h"
#include "risk/time_to_survive.h"
#include "store/node_records.h"
#include "store/store.h"

namespace renkei::cli {
namespace {

using network::Index;
using nlohmann::json;

constexpr const char* kNodeHelp =
    "SITE_ID/PRODUCT_ID (a production node and/or demand row), a site id (all its "
    "nodes) or a product id (all its nodes)";

struct Options {
  std::string db;
  std::string as_of;  // --as-of: a version or a time; empty: the current model
  std::string node;
  std::string product;
  std::string target;
  std::string event_file;
  bool up = false;
  bool down = false;
  int depth = -1;
  bool json = false;
  size_t top = 20;
  double default_days = risk::kDefaultRecoveryDays;
  std::vector<double> circle;
  std::string country;
  std::string company;
  std::vector<std::string> sites;
  double days = -1;
};

// The model and its snapshot (which borrows the model).
struct Loaded {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<network::Network> network;
  std::string currency;  // of the margins (renkei policy --currency); empty: not set
};

StatusOr<Loaded> Load(const std::string& db, const std::string& as_of) {
  RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, store::Store::Open(db));
  RENKEI_ASSIGN_OR_RETURN(model::Model m, store->LoadModelAsOf(as_of));
  Loaded l;
  l.model = std::make_unique<model::Model>(std::move(m));
  RENKEI_ASSIGN_OR_RETURN(network::Network n, network::Network::Build(*l.model));
  l.network = std::make_unique<network::Network>(std::move(n));
  RENKEI_ASSIGN_OR_RETURN(l.currency, store::MarginCurrency(*store));
  return l;
}

std::string Num(double x) {
  // Two decimals are enough for tables; JSON carries full precision.
  return FormatNumber(std::round(x * 100) / 100);
}

int RunTiers(const Options& o) {
  if (o.up && o.down)
    return ReportError(InvalidArgumentError("--up and --down exclude each other"));
  StatusOr<Loaded> l = Load(o.db, o.as_of);
  if (!l.ok()) return ReportError(l.status());
  const network::Network& n = *l->network;
  StatusOr<network::Selection> sel = network::Resolve(n, o.node);
  if (!sel.ok()) return ReportError(sel.status());
  const risk::Direction dir = o.down ? risk::Direction::kDownstream : risk::Direction::kUpstream;
  const uint32_t depth = o.depth < 0 ? risk::kUnlimitedDepth : static_cast<uint32_t>(o.depth);
  std::vector<risk::TierEntry> tiers = risk::Closure(n, sel->vertices, dir, depth);
  if (o.json) {
    PrintJson(risk::TiersJson(n, tiers, dir));
    return kExitOk;
  }
  std::printf("%s of %s: %zu nodes\n", o.down ? "downstream" : "upstream", o.node.c_str(),
              tiers.size());
  std::printf("%-5s %-7s %-32s %-28s %-3s %s\n", "tier", "kind", "site", "product", "cc",
              "organization");
  for (const risk::TierEntry& e : tiers) {
    json j = risk::VertexJson(n, e.vertex);
    std::printf("%-5u %-7s %-32s %-28s %-3s %s\n", e.tier, j["kind"].get<std::string>().c_str(),
                j["site"].get<std::string>().c_str(), j["product"].get<std::string>().c_str(),
                j["country"].get<std::string>().c_str(),
                j["organization"].get<std::string>().c_str());
  }
  return kExitOk;
}

int RunConcentration(const Options& o) {
  StatusOr<Loaded> l = Load(o.db, o.as_of);
  if (!l.ok()) return ReportError(l.status());
  const network::Network& n = *l->network;
  Index product = l->model->FindProduct(o.product);
  if (product == model::kNoIndex) {
    return ReportError(NotFoundError("unknown product '" + o.product + "'"));
  }
  StatusOr<risk::Concentration> c = [&]() -> StatusOr<risk::Concentration> {
    if (o.target.empty()) return risk::ProductConcentration(n, product);
    RENKEI_ASSIGN_OR_RETURN(network::Selection sel, network::Resolve(n, o.target));
    return risk::ProductConcentrationFor(n, product, sel.vertices);
  }();
  if (!c.ok()) return ReportError(c.status());
  if (o.json) {
    PrintJson(risk::ConcentrationJson(
        o.product, o.target.empty() ? std::nullopt : std::optional<std::string>(o.target), *c));
    return kExitOk;
  }
  std::printf("%s%s%s: %zu nodes, shares of %s\n", o.product.c_str(),
              o.target.empty() ? "" : " reaching ", o.target.c_str(), c->nodes,
              c->basis == "count" ? "node count (no capacities given)" : "capacity per day");
  auto table = [](const char* title, const std::vector<risk::CapacityShare>& shares, double hhi,
                  bool high) {
    std::printf("\nby %s  (HHI %s%s)\n", title, Num(hhi).c_str(),
                high ? ", highly concentrated" : "");
    for (const risk::CapacityShare& s : shares) {
      std::printf("  %-32s %14s  %6s %%\n", s.key.c_str(), Num(s.capacity).c_str(),
                  Num(100 * s.share).c_str());
    }
  };
  table("company", c->by_company, c->hhi_company, c->company_highly_concentrated);
  table("country", c->by_country, c->hhi_country, c->country_highly_concentrated);
  for (const std::string& cc : c->dominant_countries) {
    std::printf("\nwarning: %s holds more than 50 %% of the capacity\n", cc.c_str());
  }
  return kExitOk;
}

int RunSpof(const Options& o) {
  StatusOr<Loaded> l = Load(o.db, o.as_of);
  if (!l.ok()) return ReportError(l.status());
  const network::Network& n = *l->network;
  const model::Model& m = *l->model;
  if (n.demand_count() == 0 && o.target.empty()) {
    return ReportError(FailedPreconditionError(
        "the network has no demand: single points of failure are counted against demand rows"));
  }
  std::vector<Index> targets;
  if (!o.target.empty()) {
    StatusOr<network::Selection> sel = network::Resolve(n, o.target);
    if (!sel.ok()) return ReportError(sel.status());
    targets = sel->vertices;
  }
  risk::Criticality c = risk::Criticality::Analyse(n);
  if (!targets.empty()) {
    const json out = risk::SpofTargetsJson(n, c, targets);
    if (o.json) {
      PrintJson(out);
      return kExitOk;
    }
    for (const json& j : out) {
      std::printf("%s/%s (%s): %zu node SPOFs, %zu site SPOFs\n",
                  j["site"].get<std::string>().c_str(), j["product"].get<std::string>().c_str(),
                  j["kind"].get<std::string>().c_str(), j["node_spofs"].size(),
                  j["site_spofs"].size());
      for (const json& v : j["node_spofs"]) {
        std::printf("  node  %s/%s  (%s)\n", v["site"].get<std::string>().c_str(),
                    v["product"].get<std::string>().c_str(),
                    v["country"].get<std::string>().c_str());
      }
      for (const json& s : j["site_spofs"]) {
        std::printf("  site  %s\n", s.get<std::string>().c_str());
      }
    }
    return kExitOk;
  }
  if (o.json) {
    PrintJson(risk::SpofRankingJson(n, c, o.top));
    return kExitOk;
  }
  // Whole network: rank nodes and sites by the demand they stop alone.
  const risk::SpofRanking r = risk::RankSpofs(c, o.top);
  std::printf("%zu of %u nodes and %zu of %zu sites stop at least one of %u demand nodes alone\n",
              r.spof_nodes, n.node_count(), r.spof_sites, m.sites.size(), n.demand_count());
  std::printf("\n%8s  %s\n", "stops", "node");
  for (Index v : r.nodes) std::printf("%8u  %s\n", c.stops()[v], n.Describe(v).c_str());
  std::printf("\n%8s  %s\n", "stops", "site");
  for (Index s : r.sites) std::printf("%8u  %s\n", c.site_stops()[s], m.sites[s].id.c_str());
  return kExitOk;
}

// The impact column names the margins' currency when the store sets one.
void PrintScenarios(const std::vector<risk::ScenarioResult>& results, const std::string& currency) {
  const std::string impact = currency.empty() ? "impact" : "impact " + currency;
  std::printf("%-32s %10s %10s %14s %16s %6s %s\n", "scenario", "TTS days", "TTR days",
              "lost units", impact.c_str(), "REI", "exposed");
  for (const risk::ScenarioResult& r : results) {
    std::printf("%-32s %10s %10s %14s %16s %6s %s\n", r.scenario.c_str(),
                r.tts_days ? Num(*r.tts_days).c_str() : "unbounded", Num(r.ttr_days).c_str(),
                Num(r.lost_units_total).c_str(), Num(r.impact).c_str(), Num(r.rei).c_str(),
                r.exposed ? "yes" : "no");
  }
}

StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read event file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int RunTts(const Options& o) {
  StatusOr<Loaded> l = Load(o.db, o.as_of);
  if (!l.ok()) return ReportError(l.status());
  const network::Network& n = *l->network;
  std::vector<risk::Scenario> scenarios;
  if (!o.event_file.empty()) {
    StatusOr<std::string> text = ReadText(o.event_file);
    if (!text.ok()) return ReportError(text.status());
    StatusOr<risk::Event> ev = risk::ParseEvent(*text);
    if (!ev.ok()) return ReportError(ev.status().WithPrefix(o.event_file));
    StatusOr<std::vector<Index>> sites = risk::SitesHit(*l->model, *ev);
    if (!sites.ok()) return ReportError(sites.status());
    scenarios.push_back({risk::EventName(*ev), *sites, ev->days});
  } else {
    scenarios = risk::SiteScenarios(n, o.default_days);
  }
  StatusOr<std::vector<risk::ScenarioResult>> results = risk::RunScenarios(n, scenarios);
  if (!results.ok()) return ReportError(results.status());
  if (o.json) {
    PrintJson(risk::TtsJson(*l->model, *results));
    return kExitOk;
  }
  PrintScenarios(*results, l->currency);
  return kExitOk;
}

int RunEvent(const Options& o) {
  risk::Event ev;
  int kinds = 0;
  if (!o.circle.empty()) {
    ++kinds;
    ev.kind = risk::Event::Kind::kCircle;
    ev.lat = o.circle[0];
    ev.lon = o.circle[1];
    ev.radius_km = o.circle[2];
  }
  if (!o.country.empty()) {
    ++kinds;
    ev.kind = risk::Event::Kind::kCountry;
    ev.country = o.country;
  }
  if (!o.company.empty()) {
    ++kinds;
    ev.kind = risk::Event::Kind::kCompany;
    ev.company = o.company;
  }
  if (!o.sites.empty()) {
    ++kinds;
    ev.kind = risk::Event::Kind::kSites;
    ev.sites = o.sites;
  }
  if (kinds != 1) {
    return ReportError(InvalidArgumentError(
        "empty event: give exactly one of --circle, --country, --company, --sites"));
  }
  ev.days = o.days;
  StatusOr<Loaded> l = Load(o.db, o.as_of);
  if (!l.ok()) return ReportError(l.status());
  const network::Network& n = *l->network;
  const model::Model& m = *l->model;
  StatusOr<risk::EventImpact> impact = risk::AnalyseEvent(n, ev);
  if (!impact.ok()) return ReportError(impact.status());
  if (o.json) {
    // As the API's scenarios answer: the impact's currency with it.
    json doc = risk::EventJson(n, ev, *impact);
    doc["currency"] = l->currency.empty() ? json(nullptr) : json(l->currency);
    PrintJson(doc);
    return kExitOk;
  }
  std::printf("%s for %s days: %zu sites, %zu nodes hit\n", risk::EventName(ev).c_str(),
              Num(ev.days).c_str(), impact->sites.size(), impact->nodes.size());
  for (Index s : impact->sites) {
    std::printf("  site  %-32s %s %s\n", m.sites[s].id.c_str(), m.sites[s].country.c_str(),
                m.sites[s].name.c_str());
  }
  std::printf("\naffected downstream: %zu nodes, %zu products, %zu demand nodes\n",
              impact->affected_nodes.size(), impact->affected_products.size(),
              impact->affected_demand.size());
  for (Index p : impact->affected_products)
    std::printf("  product  %s\n", m.products[p].id.c_str());
  for (Index v : impact->affected_demand) {
    const bool stop =
        std::binary_search(impact->stopped_demand.begin(), impact->stopped_demand.end(), v);
    std::printf("  demand   %s%s\n", n.Describe(v).c_str(),
                stop ? "  (gets nothing while the sites are down)" : "");
  }
  std::printf("\n");
  PrintScenarios({impact->result}, l->currency);
  return kExitOk;
}

}  // namespace

void AddRiskCommands(CommandLine& cl) {
  auto o = std::make_shared<Options>();
  CLI::App& app = cl.app();
  CLI::App* risk = app.add_subcommand("risk", "Supply-risk analyses of the network in a store");
  risk->require_subcommand(1);

  CLI::App* tiers = cl.Add(*risk, "tiers", "Upstream or downstream closure of a node, with tiers",
                           [o] { return RunTiers(*o); });
  tiers->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  tiers->add_option("--as-of", o->as_of, kAsOfHelp);
  tiers->add_option("NODE", o->node, kNodeHelp)->required();
  tiers->add_flag("--up", o->up, "Suppliers, their suppliers, ... (the default)");
  tiers->add_flag("--down", o->down, "Customers and demand, their customers, ...");
  tiers->add_option("--depth", o->depth, "At most this many tiers (default: all)")
      ->check(CLI::NonNegativeNumber);
  tiers->add_flag("--json", o->json, "Print JSON");

  CLI::App* conc = cl.Add(*risk, "concentration",
                          "Capacity shares of a product by company and country, with HHI",
                          [o] { return RunConcentration(*o); });
  conc->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  conc->add_option("--as-of", o->as_of, kAsOfHelp);
  conc->add_option("PRODUCT", o->product, "Product id")->required();
  conc->add_option(
      "--target", o->target,
      std::string("Only the supply reaching this NODE through all tiers: ") + kNodeHelp);
  conc->add_flag("--json", o->json, "Print JSON");

  CLI::App* spof = cl.Add(*risk, "spof",
                          "Single points of failure (AND over BOM, OR over supply links, no "
                          "inventory)",
                          [o] { return RunSpof(*o); });
  spof->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  spof->add_option("--as-of", o->as_of, kAsOfHelp);
  spof->add_option(
      "--target", o->target,
      std::string("The SPOFs of this NODE instead of the network ranking: ") + kNodeHelp);
  spof->add_option("--top", o->top, "Rows of the network ranking")->capture_default_str();
  spof->add_flag("--json", o->json, "Print JSON");

  CLI::App* tts = cl.Add(*risk, "tts",
                         "Time to survive vs time to recover: every site down for its recovery "
                         "days, or one event",
                         [o] { return RunTts(*o); });
  tts->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  tts->add_option("--as-of", o->as_of, kAsOfHelp);
  tts->add_option("--event", o->event_file,
                  "Event file: {\"days\": N, and one of \"circle\": {\"lat\",\"lon\","
                  "\"radius_km\"}, \"country\", \"company\", \"sites\": [...]}");
  tts->add_option("--default-days", o->default_days, "TTR of a site with no recovery_days")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  tts->add_flag("--json", o->json,
                "Print JSON: a list of {scenario, sites, tts_days (null: unbounded), ttr_days, "
                "lost_units, lost_units_total, impact, rei, exposed}");

  CLI::App* event = cl.Add(*risk, "event",
                           "What a disruption does: sites hit, products and demand affected, "
                           "TTS/TTR",
                           [o] { return RunEvent(*o); });
  event->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  event->add_option("--as-of", o->as_of, kAsOfHelp);
  event->add_option("--circle", o->circle, "LAT,LON,KM: sites within KM of the point")
      ->delimiter(',')
      ->expected(3);
  event->add_option("--country", o->country, "ISO 3166-1 alpha-2 code: every site there");
  event->add_option("--company", o->company, "Organization id: every site it runs");
  event->add_option("--sites", o->sites, "Site ids, comma-separated")->delimiter(',');
  event->add_option("--days", o->days, "How long the sites stay down")->required();
  event->add_flag("--json", o->json, "Print JSON");
}

}  // namespace renkei::cli
