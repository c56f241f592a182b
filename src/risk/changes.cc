#include "risk/changes.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "base/numbers.h"
#include "network/network.h"
#include "risk/concentration.h"
#include "risk/criticality.h"

namespace renkei::risk {
namespace {

// The sites whose loss alone stops some demand, by id.
std::set<std::string> SpofSites(const model::Model& m, const network::Network& n) {
  const Criticality c = Criticality::Analyse(n);
  std::set<std::string> sites;
  for (network::Index v = n.node_count(); v < n.vertex_count(); ++v) {
    for (network::Index s : c.SiteSpofs(v)) sites.insert(m.sites[s].id);
  }
  return sites;
}

// The concentration of every product made somewhere, by id.
std::map<std::string, ConcentrationSummary> Concentrations(const model::Model& m,
                                                           const network::Network& n) {
  std::map<std::string, ConcentrationSummary> out;
  for (model::Index p = 0; p < m.products.size(); ++p) {
    StatusOr<Concentration> c = ProductConcentration(n, p);
    if (!c.ok()) continue;  // made nowhere
    ConcentrationSummary& s = out[m.products[p].id];
    s.hhi_company = c->hhi_company;
    s.hhi_country = c->hhi_country;
    if (!c->by_country.empty()) {
      s.top_country = c->by_country.front().key;
      s.top_country_share = c->by_country.front().share;
    }
  }
  return out;
}

bool Same(const ConcentrationSummary& a, const ConcentrationSummary& b) {
  return NearlyEqual(a.hhi_company, b.hhi_company) && NearlyEqual(a.hhi_country, b.hhi_country) &&
         a.top_country == b.top_country && NearlyEqual(a.top_country_share, b.top_country_share);
}

}  // namespace

StatusOr<RiskChanges> CompareRisk(const model::Model& before, const model::Model& after) {
  RENKEI_ASSIGN_OR_RETURN(const network::Network old_network, network::Network::Build(before));
  RENKEI_ASSIGN_OR_RETURN(const network::Network new_network, network::Network::Build(after));
  RiskChanges out;
  const std::set<std::string> old_spofs = SpofSites(before, old_network);
  const std::set<std::string> new_spofs = SpofSites(after, new_network);
  std::set_difference(new_spofs.begin(), new_spofs.end(), old_spofs.begin(), old_spofs.end(),
                      std::back_inserter(out.spofs_gained));
  std::set_difference(old_spofs.begin(), old_spofs.end(), new_spofs.begin(), new_spofs.end(),
                      std::back_inserter(out.spofs_lost));

  const auto old_concentration = Concentrations(before, old_network);
  const auto new_concentration = Concentrations(after, new_network);
  std::map<std::string, ConcentrationChange> changes;
  for (const auto& [product, c] : new_concentration) {
    auto it = old_concentration.find(product);
    if (it != old_concentration.end() && Same(it->second, c)) continue;
    ConcentrationChange& change = changes[product];
    change.product = product;
    change.after = c;
    if (it != old_concentration.end()) change.before = it->second;
  }
  for (const auto& [product, c] : old_concentration) {
    if (new_concentration.count(product) != 0) continue;
    changes[product] = {product, c, std::nullopt};
  }
  for (auto& [product, change] : changes) out.concentration.push_back(std::move(change));
  return out;
}

}  // namespace renkei::risk
