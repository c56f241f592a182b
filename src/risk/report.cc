#include "risk/report.h"

#include <algorithm>
#include <cmath>

namespace renkei::risk {
namespace {

using network::Index;
using nlohmann::json;

double Round6(double x) { return std::round(x * 1e6) / 1e6; }

json SharesJson(const std::vector<CapacityShare>& shares) {
  json out = json::array();
  for (const CapacityShare& s : shares) {
    out.push_back({{"key", s.key}, {"capacity", s.capacity}, {"share", s.share}});
  }
  return out;
}

}  // namespace

json VertexJson(const network::Network& n, Index v) {
  const model::Model& m = n.model();
  const model::Site& s = m.sites[n.site(v)];
  return {{"site", s.id},
          {"product", m.products[n.product(v)].id},
          {"kind", n.IsDemand(v) ? "demand" : "node"},
          {"country", s.country},
          {"organization", m.organizations[s.organization].id}};
}

json TiersJson(const network::Network& n, std::span<const TierEntry> tiers, Direction direction) {
  json out = json::array();
  for (const TierEntry& e : tiers) {
    json j = VertexJson(n, e.vertex);
    j["tier"] = e.tier;
    out.push_back(std::move(j));
  }
  return {{"direction", direction == Direction::kDownstream ? "down" : "up"}, {"tiers", out}};
}

json ConcentrationJson(const std::string& product_id, const std::optional<std::string>& target,
                       const Concentration& c) {
  return {{"product", product_id},
          {"target", target ? json(*target) : json(nullptr)},
          {"basis", c.basis},
          {"nodes", c.nodes},
          {"nodes_without_capacity", c.nodes_without_capacity},
          {"total_capacity", c.total_capacity},
          {"by_company", SharesJson(c.by_company)},
          {"by_country", SharesJson(c.by_country)},
          {"hhi_company", c.hhi_company},
          {"hhi_country", c.hhi_country},
          {"company_highly_concentrated", c.company_highly_concentrated},
          {"country_highly_concentrated", c.country_highly_concentrated},
          {"dominant_countries", c.dominant_countries}};
}

json SpofTargetsJson(const network::Network& n, const Criticality& c,
                     std::span<const Index> targets) {
  const model::Model& m = n.model();
  json out = json::array();
  for (Index t : targets) {
    json j = VertexJson(n, t);
    j["alive"] = c.alive(t);
    json nodes = json::array(), sites = json::array();
    for (Index v : c.NodeSpofs(t)) nodes.push_back(VertexJson(n, v));
    for (Index s : c.SiteSpofs(t)) sites.push_back(m.sites[s].id);
    j["node_spofs"] = nodes;
    j["site_spofs"] = sites;
    out.push_back(std::move(j));
  }
  return out;
}

SpofRanking RankSpofs(const Criticality& c, size_t top) {
  SpofRanking r;
  auto rank = [top](const std::vector<uint32_t>& count, std::vector<Index>& out, size_t& total) {
    for (Index i = 0; i < count.size(); ++i) {
      if (count[i] > 0) out.push_back(i);
    }
    total = out.size();
    auto first = [&count](Index a, Index b) {
      return count[a] != count[b] ? count[a] > count[b] : a < b;
    };
    const size_t keep = std::min(top, out.size());
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(),
                      first);
    out.resize(keep);
  };
  rank(c.stops(), r.nodes, r.spof_nodes);
  rank(c.site_stops(), r.sites, r.spof_sites);
  return r;
}

json SpofRankingJson(const network::Network& n, const Criticality& c, size_t top) {
  const model::Model& m = n.model();
  const SpofRanking r = RankSpofs(c, top);
  json jn = json::array(), js = json::array();
  for (Index v : r.nodes) {
    json j = VertexJson(n, v);
    j["demand_stopped"] = c.stops()[v];
    jn.push_back(std::move(j));
  }
  for (Index s : r.sites) {
    js.push_back({{"site", m.sites[s].id}, {"demand_stopped", c.site_stops()[s]}});
  }
  return {{"demand_nodes", n.demand_count()},
          {"spof_nodes", r.spof_nodes},
          {"spof_sites", r.spof_sites},
          {"nodes", jn},
          {"sites", js}};
}

json ScenarioJson(const model::Model& m, const ScenarioResult& r) {
  json lost = json::object();
  for (const ProductLoss& p : r.lost_units) lost[m.products[p.product].id] = Round6(p.units);
  json sites = json::array();
  for (Index s : r.sites) sites.push_back(m.sites[s].id);
  return {{"scenario", r.scenario},
          {"sites", sites},
          {"tts_days", r.tts_days ? json(Round6(*r.tts_days)) : json(nullptr)},
          {"ttr_days", r.ttr_days},
          {"lost_units", lost},
          {"lost_units_total", Round6(r.lost_units_total)},
          {"impact", Round6(r.impact)},
          {"rei", Round6(r.rei)},
          {"exposed", r.exposed}};
}

json TtsJson(const model::Model& m, std::span<const ScenarioResult> results) {
  json out = json::array();
  for (const ScenarioResult& r : results) out.push_back(ScenarioJson(m, r));
  return out;
}

json EventJson(const network::Network& n, const Event& event, const EventImpact& impact) {
  const model::Model& m = n.model();
  json sites = json::array(), products = json::array(), demand = json::array(),
       stopped = json::array();
  for (Index s : impact.sites) sites.push_back(m.sites[s].id);
  for (Index p : impact.affected_products) products.push_back(m.products[p].id);
  for (Index v : impact.affected_demand) demand.push_back(VertexJson(n, v));
  for (Index v : impact.stopped_demand) stopped.push_back(VertexJson(n, v));
  return {{"event", EventName(event)},
          {"days", event.days},
          {"sites", sites},
          {"nodes_hit", impact.nodes.size()},
          {"affected_nodes", impact.affected_nodes.size()},
          {"affected_products", products},
          {"affected_demand", demand},
          {"stopped_demand", stopped},
          {"result", ScenarioJson(m, impact.result)}};
}

json RiskChangesJson(const RiskChanges& changes) {
  auto side = [](const std::optional<ConcentrationSummary>& c) {
    if (!c) return json();
    return json{{"hhi_company", Round6(c->hhi_company)},
                {"hhi_country", Round6(c->hhi_country)},
                {"top_country", c->top_country},
                {"top_country_share", Round6(c->top_country_share)}};
  };
  json concentration = json::array();
  for (const ConcentrationChange& c : changes.concentration) {
    concentration.push_back(
        {{"product", c.product}, {"before", side(c.before)}, {"after", side(c.after)}});
  }
  return {{"single_points_of_failure",
           {{"gained", changes.spofs_gained}, {"lost", changes.spofs_lost}}},
          {"concentration", concentration},
          {"time_to_survive", "not computed"}};
}

}  // namespace renkei::risk
