#include "risk/concentration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "risk_networks.h"

namespace renkei::risk {
namespace {

using ::testing::ElementsAre;
using testing::Golden;
using testing::LoadGolden;

// single_tier, product A: s1 (org:s1, JP) has no line capacity, so its site's
// shared 80/day counts; s2 (org:s2, KR) 60/day. Shares 80/140 = 4/7 and 3/7;
// HHI = (400/7)^2 + (300/7)^2 = 250000/49 = 5102.04; JP holds 57 % > 50 %.
TEST(ConcentrationTest, SharesAndHhiOfAProduct) {
  Golden g = LoadGolden("single_tier");
  StatusOr<Concentration> c = ProductConcentration(*g.network, g.Product("p:a"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->basis, "capacity");
  EXPECT_EQ(c->nodes, 2u);
  EXPECT_EQ(c->nodes_without_capacity, 0u);
  EXPECT_DOUBLE_EQ(c->total_capacity, 140);
  ASSERT_EQ(c->by_company.size(), 2u);
  EXPECT_EQ(c->by_company[0].key, "org:s1");
  EXPECT_DOUBLE_EQ(c->by_company[0].share, 4.0 / 7);
  EXPECT_EQ(c->by_country[1].key, "KR");
  EXPECT_NEAR(c->hhi_company, 250000.0 / 49, 1e-9);
  EXPECT_NEAR(c->hhi_country, 250000.0 / 49, 1e-9);
  EXPECT_TRUE(c->company_highly_concentrated);
  EXPECT_THAT(c->dominant_countries, ElementsAre("JP"));
}

// and_or, SiC reaching y's controller: only x's line (z supplies x alone), so
// one company and one country hold 100 %: HHI 10,000.
TEST(ConcentrationTest, SupplyReachingATarget) {
  Golden g = LoadGolden("and_or");
  std::vector<network::Index> target = {g.Node("site:y", "p:controller")};
  StatusOr<Concentration> c = ProductConcentrationFor(*g.network, g.Product("p:sic"), target);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->nodes, 1u);
  EXPECT_DOUBLE_EQ(c->hhi_company, 10000);
  // The whole bundle: x and z, 10/day each, one company: still 10,000 by
  // company, but two nodes.
  StatusOr<Concentration> all = ProductConcentration(*g.network, g.Product("p:sic"));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->nodes, 2u);
  ASSERT_EQ(all->by_company.size(), 1u);
  EXPECT_DOUBLE_EQ(all->by_company[0].share, 1);

  std::vector<network::Index> wafer = {g.Node("site:w", "p:wafer")};
  StatusOr<Concentration> none = ProductConcentrationFor(*g.network, g.Product("p:sic"), wafer);
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(none.status().message(), "no node of product 'p:sic' supplies the target");
}

TEST(ConcentrationTest, ProductNobodyMakes) {
  model::Model m;
  m.products.emplace_back();
  m.products[0].id = "p:unobtainium";
  ASSERT_TRUE(m.product_ids.Insert("p:unobtainium", 0));
  StatusOr<network::Network> n = network::Network::Build(m);
  ASSERT_TRUE(n.ok());
  StatusOr<Concentration> c = ProductConcentration(*n, 0);
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(), "no site makes product 'p:unobtainium'");
}

}  // namespace
}  // namespace renkei::risk
