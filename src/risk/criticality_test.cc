#include "risk/criticality.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "model/builder.h"
#include "risk/internal/golden.h"

namespace renkei::risk {
namespace {

using internal::Golden;
using internal::LoadGolden;
using network::Index;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

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

class RowOrigin : public model::RowOrigin {
 public:
  std::string Where(int) const override { return "random"; }
};

// A random layered network: products in layers, each product above layer 0
// takes 1-3 components from the layer below; 1-3 sites make each product, some
// sites make several; customers get each component from 1-3 makers.
model::Model RandomModel(std::mt19937& rng, int sites) {
  model::Model m;
  model::ModelBuilder b(m);
  RowOrigin origin;
  auto add = [&](model::Table t, std::vector<std::string> fields) {
    fields.resize(model::Schema(t).columns.size());
    std::vector<std::string_view> views(fields.begin(), fields.end());
    Status s = b.AddRow(t, views, origin);
    ASSERT_TRUE(s.ok()) << s.ToString();
  };
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  add(model::Table::kOrganizations, {"org", "Org", "JP"});
  for (int s = 0; s < sites; ++s) {
    add(model::Table::kSites, {"s" + std::to_string(s), "org", "S", "JP", "", "35", "139"});
  }
  const int layers = 4, per_layer = 3;
  for (int p = 0; p < layers * per_layer; ++p) {
    add(model::Table::kProducts, {"p" + std::to_string(p), "P", "c", "piece"});
  }
  for (int l = 1; l < layers; ++l) {
    for (int i = 0; i < per_layer; ++i) {
      int p = l * per_layer + i;
      std::vector<int> comps;
      for (int k = 0; k < 1 + pick(3); ++k) comps.push_back((l - 1) * per_layer + pick(per_layer));
      std::sort(comps.begin(), comps.end());
      comps.erase(std::unique(comps.begin(), comps.end()), comps.end());
      for (int k : comps) {
        add(model::Table::kBom, {"p" + std::to_string(p), "p" + std::to_string(k), "1"});
      }
    }
  }
  std::vector<std::vector<int>> makers(layers * per_layer);
  for (int p = 0; p < layers * per_layer; ++p) {
    std::vector<int> ss;
    for (int k = 0; k < 1 + pick(3); ++k) ss.push_back(pick(sites));
    std::sort(ss.begin(), ss.end());
    ss.erase(std::unique(ss.begin(), ss.end()), ss.end());
    for (int s : ss) {
      add(model::Table::kProduction, {"s" + std::to_string(s), "p" + std::to_string(p)});
    }
    makers[static_cast<size_t>(p)] = ss;
  }
  // Links: each maker of a product gets each component from 1-3 makers (a
  // random subset, sometimes none: that component is then outside the network).
  std::set<std::string> links;
  auto link = [&](int from, int to, int product) {
    if (from == to) return;  // the site's own production feeds it anyway
    std::string customer = to < 0 ? "cust" : "s" + std::to_string(to);
    if (!links.insert(std::to_string(from) + ">" + customer + ":" + std::to_string(product))
             .second) {
      return;
    }
    add(model::Table::kSupply,
        {"s" + std::to_string(from), customer, "p" + std::to_string(product)});
  };
  for (const model::BomLine& line : m.bom) {
    for (int customer : makers[line.product]) {
      const std::vector<int>& from = makers[line.component];
      for (int k = 0; k < pick(4); ++k) {
        link(from[static_cast<size_t>(pick(static_cast<int>(from.size())))], customer,
             static_cast<int>(line.component));
      }
    }
  }
  // Demand for the top layer at a customer site, and for one random product.
  add(model::Table::kSites, {"cust", "org", "C", "JP", "", "35", "139"});
  for (int i = 0; i < per_layer; ++i) {
    int p = (layers - 1) * per_layer + i;
    add(model::Table::kDemand, {"cust", "p" + std::to_string(p), "1"});
    for (int s : makers[static_cast<size_t>(p)]) link(s, -1, p);
  }
  EXPECT_TRUE(b.Finish().ok());
  return m;
}

// The one-pass analysis agrees with removing each node, and each site, in turn.
TEST(CriticalityTest, MatchesRemoveAndRecomputeOnRandomNetworks) {
  std::mt19937 rng(20260501);
  size_t deep_sets = 0, site_only = 0;
  for (int round = 0; round < 200; ++round) {
    model::Model m = RandomModel(rng, 4 + round % 8);
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
