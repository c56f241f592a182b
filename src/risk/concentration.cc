#include "risk/concentration.h"

#include <algorithm>
#include <map>

#include "risk/tiers.h"

namespace renkei::risk {
namespace {

using network::Index;

std::vector<CapacityShare> Shares(const std::map<std::string, double>& capacity, double total,
                                  double& hhi) {
  std::vector<CapacityShare> out;
  hhi = 0;
  for (const auto& [key, cap] : capacity) {
    double share = total > 0 ? cap / total : 0;
    out.push_back({key, cap, share});
    hhi += (100 * share) * (100 * share);
  }
  std::stable_sort(out.begin(), out.end(), [](const CapacityShare& a, const CapacityShare& b) {
    return a.share > b.share;
  });
  return out;
}

Concentration Compute(const network::Network& net, Index product, std::span<const Index> nodes) {
  const model::Model& m = net.model();
  Concentration c;
  c.product = product;
  c.nodes = nodes.size();
  std::vector<double> weight(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const model::Production& p = m.production[nodes[i]];
    const model::Site& s = m.sites[p.site];
    if (p.capacity_per_day) {
      weight[i] = *p.capacity_per_day;
    } else if (s.capacity_per_day) {
      weight[i] = *s.capacity_per_day;
    } else {
      ++c.nodes_without_capacity;
    }
    c.total_capacity += weight[i];
  }
  c.basis = "capacity";
  if (c.total_capacity <= 0) {
    c.basis = "count";
    std::fill(weight.begin(), weight.end(), 1.0);
    c.total_capacity = static_cast<double>(nodes.size());
  }
  std::map<std::string, double> company, country;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const model::Site& s = m.sites[m.production[nodes[i]].site];
    company[m.organizations[s.organization].id] += weight[i];
    country[s.country.empty() ? "unknown" : s.country] += weight[i];  // an external site
  }
  c.by_company = Shares(company, c.total_capacity, c.hhi_company);
  c.by_country = Shares(country, c.total_capacity, c.hhi_country);
  c.company_highly_concentrated = c.hhi_company > kHighlyConcentratedHhi;
  c.country_highly_concentrated = c.hhi_country > kHighlyConcentratedHhi;
  for (const CapacityShare& s : c.by_country) {
    if (s.share > kDominantCountryShare) c.dominant_countries.push_back(s.key);
  }
  if (c.basis == "count") c.total_capacity = 0;
  return c;
}

}  // namespace

StatusOr<Concentration> ProductConcentration(const network::Network& net, Index product) {
  std::span<const Index> nodes = net.nodes_of_product(product);
  if (nodes.empty()) {
    return NotFoundError("no site makes product '" + net.model().products[product].id + "'");
  }
  return Compute(net, product, nodes);
}

StatusOr<Concentration> ProductConcentrationFor(const network::Network& net, Index product,
                                                std::span<const Index> targets) {
  std::vector<Index> nodes;
  for (const TierEntry& e : Closure(net, targets, Direction::kUpstream)) {
    if (!net.IsDemand(e.vertex) && net.product(e.vertex) == product) nodes.push_back(e.vertex);
  }
  if (nodes.empty()) {
    return NotFoundError("no node of product '" + net.model().products[product].id +
                         "' supplies the target");
  }
  std::sort(nodes.begin(), nodes.end());
  return Compute(net, product, nodes);
}

}  // namespace renkei::risk
