#include "risk/criticality.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "risk_networks.h"

namespace renkei::risk {
namespace {

using network::Index;
using ::testing::ElementsAreArray;
using testing::Golden;
using ::testing::IsEmpty;
using testing::LoadGolden;

std::vector<Index> Sorted(std::vector<Index> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// and_or: dealer needs cars from asm; a car takes a battery (from b1 or b2, both
// made from cells of cx), 2 chips (from f alone, which holds 1000 chips in stock
// and takes wafers from w alone) and a controller (from x, or from y which takes
// SiC from x; x's own controller line can also use SiC from z).
TEST(CriticalityTest, AndOrGolden) {
  Golden g = LoadGolden("and_or");
  Criticality c = Criticality::Analyse(*g.network);
  const Index dealer = g.Demand("site:dealer", "p:car");
  ASSERT_NE(dealer, network::kNone);
  EXPECT_TRUE(c.alive(dealer));
  // Multi-sourced batteries are no SPOF, but the cells both need are; the
  // single-sourced chip's supplier is, stock notwithstanding, and so is its sole
  // wafer supplier. No single node of x, y or z stops the controller.
  EXPECT_THAT(c.NodeSpofs(dealer),
              ElementsAreArray(Sorted({g.Node("site:asm", "p:car"), g.Node("site:cx", "p:cell"),
                                       g.Node("site:f", "p:chip"), g.Node("site:w", "p:wafer")})));
  // Losing site x as a whole (its controller and its SiC) stops both controllers.
  EXPECT_THAT(c.SiteSpofs(dealer),
              ElementsAreArray(Sorted({g.Site("site:asm"), g.Site("site:cx"), g.Site("site:f"),
                                       g.Site("site:w"), g.Site("site:x")})));
  EXPECT_EQ(c.stops()[g.Node("site:cx", "p:cell")], 1u);
  EXPECT_EQ(c.stops()[g.Node("site:b1", "p:battery")], 0u);
  EXPECT_EQ(c.stops()[g.Node("site:x", "p:sic")], 0u);
  EXPECT_EQ(c.site_stops()[g.Site("site:x")], 1u);
  EXPECT_EQ(c.site_stops()[g.Site("site:y")], 0u);
  // Per node: y's controller depends on x's SiC alone.
  EXPECT_THAT(c.NodeSpofs(g.Node("site:y", "p:controller")),
              ElementsAreArray({g.Node("site:x", "p:sic")}));
  EXPECT_THAT(c.NodeSpofs(g.Node("site:w", "p:wafer")), IsEmpty());
  EXPECT_THAT(c.SiteSpofs(g.Node("site:w", "p:wafer")), ElementsAreArray({g.Site("site:w")}));
}

TEST(CriticalityTest, MultiSourcedSingleTierHasNoSpof) {
  Golden g = LoadGolden("single_tier");
  Criticality c = Criticality::Analyse(*g.network);
  for (Index d = 0; d < g.network->demand_count(); ++d) {
    EXPECT_THAT(c.NodeSpofs(g.network->DemandVertex(d)), IsEmpty());
    EXPECT_THAT(c.SiteSpofs(g.network->DemandVertex(d)), IsEmpty());
  }
}

// Layered networks of 4 x 3 products, unit quantities, links sometimes missing.
constexpr testing::RandomNetworkOptions kRandom = {
    .layers = 4, .per_layer = 3, .max_components = 3, .min_links = 0, .quantities = false};

// The one-pass analysis agrees with removing each node, and each site, in turn.
TEST(CriticalityTest, MatchesRemoveAndRecomputeOnRandomNetworks) {
  std::mt19937 rng(20260501);
  size_t deep_sets = 0, site_only = 0;
  for (int round = 0; round < 200; ++round) {
    model::Model m = testing::RandomNetwork(rng, 4 + round % 8, kRandom);
    StatusOr<network::Network> built = network::Network::Build(m);
    ASSERT_TRUE(built.ok());
    const network::Network& net = *built;
    Criticality c = Criticality::Analyse(net);
    std::vector<uint8_t> base = AliveAfter(net, {});
    std::vector<std::vector<Index>> node_spofs(net.vertex_count());
    std::vector<std::vector<Index>> site_spofs(net.vertex_count());
    for (Index v = 0; v < net.node_count(); ++v) {
      std::vector<uint8_t> removed(net.vertex_count(), 0);
      removed[v] = 1;
      std::vector<uint8_t> after = AliveAfter(net, removed);
      for (Index t = 0; t < net.vertex_count(); ++t) {
        if (t != v && base[t] && !after[t]) node_spofs[t].push_back(v);
      }
    }
    for (Index s = 0; s < m.sites.size(); ++s) {
      std::vector<uint8_t> removed(net.vertex_count(), 0);
      for (Index v : net.nodes_at_site(s)) removed[v] = 1;
      std::vector<uint8_t> after = AliveAfter(net, removed);
      for (Index t = 0; t < net.vertex_count(); ++t) {
        if (base[t] && !after[t]) site_spofs[t].push_back(s);
      }
    }
    std::vector<uint32_t> stops(net.node_count(), 0);
    for (Index t = 0; t < net.vertex_count(); ++t) {
      ASSERT_EQ(c.alive(t), base[t] != 0);
      ASSERT_THAT(c.NodeSpofs(t), ElementsAreArray(node_spofs[t]))
          << "round " << round << " vertex " << net.Describe(t);
      ASSERT_THAT(c.SiteSpofs(t), ElementsAreArray(site_spofs[t]))
          << "round " << round << " vertex " << net.Describe(t);
      if (net.IsDemand(t)) {
        for (Index v : node_spofs[t]) ++stops[v];
      }
      deep_sets += node_spofs[t].size() >= 2;
      site_only += node_spofs[t].empty() && !site_spofs[t].empty() && net.IsDemand(t);
    }
    ASSERT_EQ(c.stops(), stops);
  }
  // The generator reaches the interesting cases.
  EXPECT_GT(deep_sets, 100u);
  EXPECT_GT(site_only, 5u);
}

}  // namespace
}  // namespace renkei::risk
