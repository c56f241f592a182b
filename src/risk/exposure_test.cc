#include "risk/exposure.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "risk/criticality.h"
#include "risk_networks.h"

namespace renkei::risk {
namespace {

using model::Table;
using network::Index;

// Ore from two mines (70 % and 30 %) into a smelter's metal; a cell plant makes
// cells from metal and separators, its separators 60 % its own and 40 % bought.
model::Model Line() {
  return testing::ModelFromRows({
      {Table::kOrganizations, {"org:x", "X", "JP"}},
      {Table::kSites, {"site:mine-a", "org:x", "Mine A", "AU", "", "-22", "118"}},
      {Table::kSites, {"site:mine-b", "org:x", "Mine B", "CL", "", "-27", "-70"}},
      {Table::kSites, {"site:smelter", "org:x", "Smelter", "JP", "", "35", "139"}},
      {Table::kSites, {"site:sep", "org:x", "Separators", "KR", "", "37", "127"}},
      {Table::kSites, {"site:cell", "org:x", "Cells", "JP", "", "34", "135"}},
      {Table::kProducts, {"prod:ore", "Ore", "raw", "kg"}},
      {Table::kProducts, {"prod:metal", "Metal", "material", "kg"}},
      {Table::kProducts, {"prod:sep", "Separator", "material", "piece"}},
      {Table::kProducts, {"prod:cell", "Cell", "component", "piece"}},
      {Table::kBom, {"prod:metal", "prod:ore", "2"}},
      {Table::kBom, {"prod:cell", "prod:metal", "0.5"}},
      {Table::kBom, {"prod:cell", "prod:sep", "1"}},
      {Table::kProduction, {"site:mine-a", "prod:ore"}},
      {Table::kProduction, {"site:mine-b", "prod:ore"}},
      {Table::kProduction, {"site:smelter", "prod:metal"}},
      {Table::kProduction, {"site:sep", "prod:sep"}},
      {Table::kProduction, {"site:cell", "prod:sep"}},
      {Table::kProduction, {"site:cell", "prod:cell"}},
      {Table::kSupply, {"site:mine-a", "site:smelter", "prod:ore", "0.7"}},
      {Table::kSupply, {"site:mine-b", "site:smelter", "prod:ore", "0.3"}},
      {Table::kSupply, {"site:smelter", "site:cell", "prod:metal"}},
      {Table::kSupply, {"site:sep", "site:cell", "prod:sep", "0.4"}},
      {Table::kDemand, {"site:cell", "prod:cell", "100"}},
  });
}

TEST(ExposureTest, SharesOfSuppliersAndTheLeastComponent) {
  const model::Model m = Line();
  auto net = network::Network::Build(m);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  const Index demand = net->DemandVertex(0);
  auto with_down = [&](std::vector<std::pair<const char*, const char*>> nodes) {
    std::vector<uint8_t> removed(net->vertex_count(), 0);
    for (auto [site, product] : nodes) {
      removed[net->FindNode(m.FindSite(site), m.FindProduct(product))] = 1;
    }
    return AvailableFractions(*net, removed)[demand];
  };
  EXPECT_DOUBLE_EQ(AvailableFractions(*net, {})[demand], 1);
  EXPECT_DOUBLE_EQ(with_down({{"site:mine-a", "prod:ore"}}), 0.3);  // 70 % of the ore gone
  EXPECT_DOUBLE_EQ(with_down({{"site:sep", "prod:sep"}}), 0.6);     // its own 60 % is left
  EXPECT_DOUBLE_EQ(with_down({{"site:cell", "prod:sep"}}), 0.4);    // the bought 40 %
  // AND: the smaller of metal (0.3) and separators (0.6).
  EXPECT_DOUBLE_EQ(with_down({{"site:mine-a", "prod:ore"}, {"site:sep", "prod:sep"}}), 0.3);
  EXPECT_DOUBLE_EQ(with_down({{"site:smelter", "prod:metal"}}), 0);
}

// With every weight positive (no shares given: equal splits), a(v) = 0 exactly for
// the vertices the AND/OR closure finds dead, for every single site down.
TEST(ExposureTest, ZeroExactlyWhereTheClosureIsDeadOnRandomNetworks) {
  std::mt19937 rng(20261207);
  size_t checked = 0, dead = 0, partial = 0;
  for (int round = 0; round < 20; ++round) {
    model::Model m = testing::RandomNetwork(rng, 3 + round % 6);
    auto net = network::Network::Build(m);
    ASSERT_TRUE(net.ok());
    for (Index site = 0; site < m.sites.size(); ++site) {
      std::vector<uint8_t> removed(net->vertex_count(), 0);
      for (Index v : net->nodes_at_site(site)) removed[v] = 1;
      const std::vector<double> a = AvailableFractions(*net, removed);
      const std::vector<uint8_t> alive = AliveAfter(*net, removed);
      for (Index v = 0; v < net->vertex_count(); ++v) {
        EXPECT_EQ(a[v] == 0, alive[v] == 0) << "round " << round << " vertex " << v;
        EXPECT_GE(a[v], 0);
        EXPECT_LE(a[v], 1);
        ++checked;
        dead += alive[v] == 0;
        partial += a[v] > 0 && a[v] < 1;
      }
    }
  }
  EXPECT_GT(checked, 1000u);
  EXPECT_GT(dead, 50u);
  EXPECT_GT(partial, 50u);
}

}  // namespace
}  // namespace renkei::risk
