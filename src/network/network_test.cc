#include "network/network.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "io/bundle.h"

namespace renkei::network {
namespace {

using ::testing::ElementsAre;

model::Model LoadBundle(const std::string& name) {
  StatusOr<model::Model> m =
      io::ReadBundle(std::string(RENKEI_SOURCE_DIR) + "/tests/data/risk/" + name);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

TEST(NetworkTest, LaysOutNodesDemandAndEdges) {
  model::Model m = LoadBundle("single_tier");
  StatusOr<Network> built = Network::Build(m);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  const Network& n = *built;
  EXPECT_EQ(n.node_count(), 4u);
  EXPECT_EQ(n.demand_count(), 2u);
  EXPECT_EQ(n.vertex_count(), 6u);
  EXPECT_EQ(n.edge_count(), 4u);
  EXPECT_EQ(n.unsourced_links(), 0u);
  // Demand c/a (vertex 4) is fed by s1/a (node 0) and s2/a (node 2) through
  // supply rows 0 and 2.
  ASSERT_EQ(n.groups(4).size(), 1u);
  const InputGroup& g = n.groups(4)[0];
  EXPECT_EQ(g.component, m.FindProduct("p:a"));
  EXPECT_EQ(g.quantity, 1.0);
  ASSERT_EQ(n.edges(g).size(), 2u);
  EXPECT_EQ(n.edges(g)[0].from, 0u);
  EXPECT_EQ(n.edges(g)[0].link, 0u);
  EXPECT_EQ(n.edges(g)[1].from, 2u);
  EXPECT_EQ(n.edges(g)[1].link, 2u);
  // Raw nodes have no groups; s1 feeds both demand vertices.
  EXPECT_TRUE(n.groups(0).empty());
  ASSERT_EQ(n.out(0).size(), 1u);
  EXPECT_EQ(n.out(0)[0].to, 4u);
  EXPECT_THAT(n.nodes_at_site(m.FindSite("site:s1")), ElementsAre(0u, 1u));
  EXPECT_THAT(n.nodes_of_product(m.FindProduct("p:b")), ElementsAre(1u, 3u));
  EXPECT_EQ(n.FindNode(m.FindSite("site:s3"), m.FindProduct("p:b")), 3u);
  EXPECT_EQ(n.FindNode(m.FindSite("site:s3"), m.FindProduct("p:a")), kNone);
  EXPECT_EQ(n.Describe(5), "site:c/p:b (demand)");
}

TEST(NetworkTest, GroupsFollowTheBomWithQuantitiesAndTopologicalOrder) {
  model::Model m = LoadBundle("two_tier");
  StatusOr<Network> built = Network::Build(m);
  ASSERT_TRUE(built.ok());
  const Network& n = *built;
  Index mid = n.FindNode(m.FindSite("site:mid"), m.FindProduct("p:p"));
  ASSERT_EQ(n.groups(mid).size(), 1u);
  EXPECT_EQ(n.groups(mid)[0].quantity, 2.0);
  EXPECT_EQ(n.edges(n.groups(mid)[0]).size(), 2u);
  std::vector<Index> position(n.vertex_count());
  for (size_t i = 0; i < n.topological_order().size(); ++i) {
    position[n.topological_order()[i]] = static_cast<Index>(i);
  }
  for (Index v = 0; v < n.vertex_count(); ++v) {
    // in_edges(v) is every group's edges, in order.
    std::vector<std::pair<Index, Index>> by_group, all;
    for (const InputGroup& gr : n.groups(v)) {
      for (const InEdge& e : n.edges(gr)) {
        EXPECT_LT(position[e.from], position[v]);
        by_group.emplace_back(e.from, e.link);
      }
    }
    for (const InEdge& e : n.in_edges(v)) all.emplace_back(e.from, e.link);
    EXPECT_EQ(all, by_group) << n.Describe(v);
  }
  EXPECT_FALSE(n.in_edges(mid).empty());
  // Well within 40 bytes per edge plus a little per vertex.
  EXPECT_LT(n.MemoryBytes(), 40 * n.edge_count() + 64 * n.vertex_count() + 256);
}

TEST(NetworkTest, ResolvesSitesProductsAndPairs) {
  model::Model m = LoadBundle("single_tier");
  StatusOr<Network> n = Network::Build(m);
  ASSERT_TRUE(n.ok());
  StatusOr<Selection> s = Resolve(*n, "site:s1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SelectionKind::kSite);
  EXPECT_THAT(s->vertices, ElementsAre(0u, 1u));
  s = Resolve(*n, "p:a");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SelectionKind::kProduct);
  EXPECT_THAT(s->vertices, ElementsAre(0u, 2u, 4u));
  s = Resolve(*n, "site:c/p:b");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SelectionKind::kNode);
  EXPECT_THAT(s->vertices, ElementsAre(5u));
  s = Resolve(*n, "site:s3/p:b");
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(s->vertices, ElementsAre(3u));

  s = Resolve(*n, "site:nowhere");
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.status().message(),
            "unknown node 'site:nowhere': not a site id, a product id or SITE/PRODUCT of a "
            "production or demand row");
  // Both ids exist but the site neither makes nor needs the product.
  EXPECT_EQ(Resolve(*n, "site:s2/p:b").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace renkei::network
