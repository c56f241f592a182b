// Concentration: who holds the capacity for a product (DESIGN.md, "Analyses").
#ifndef RENKEI_RISK_CONCENTRATION_H_
#define RENKEI_RISK_CONCENTRATION_H_

#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "network/network.h"

namespace renkei::risk {

// Above this Herfindahl–Hirschman index a market is highly concentrated.
inline constexpr double kHighlyConcentratedHhi = 2500;
// A country holding more than this share of the capacity is flagged.
inline constexpr double kDominantCountryShare = 0.5;

struct CapacityShare {
  std::string key;  // organization id, or country code
  double capacity = 0;
  double share = 0;  // in [0, 1]
};

struct Concentration {
  network::Index product = network::kNone;
  // "capacity": shares of capacity_per_day; "count": every node weighs the same,
  // used when no node has a capacity.
  std::string basis;
  size_t nodes = 0;
  size_t nodes_without_capacity = 0;
  double total_capacity = 0;
  std::vector<CapacityShare> by_company;  // largest share first, then by key
  std::vector<CapacityShare> by_country;
  double hhi_company = 0;  // Σ (100 · share)², 0..10,000
  double hhi_country = 0;
  bool company_highly_concentrated = false;  // hhi_company > 2,500
  bool country_highly_concentrated = false;
  std::vector<std::string> dominant_countries;  // share > 50 %
};

// Concentration of `product` over every production node of it. A node weighs its
// own capacity_per_day, else its site's shared capacity_per_day, else nothing
// (counted in nodes_without_capacity). NotFound when no site makes the product.
StatusOr<Concentration> ProductConcentration(const network::Network& network,
                                             network::Index product);

// The same over the nodes of `product` in the upstream closure (all tiers) of
// `targets`, the supply that reaches them. NotFound "no node of product 'p'
// supplies the target" when there is none.
StatusOr<Concentration> ProductConcentrationFor(const network::Network& network,
                                                network::Index product,
                                                std::span<const network::Index> targets);

}  // namespace renkei::risk

#endif  // RENKEI_RISK_CONCENTRATION_H_
