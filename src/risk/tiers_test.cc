#include "risk/tiers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "io/bundle.h"
#include "io/synthetic.h"
#include "risk_networks.h"

namespace renkei::risk {
namespace {

using network::Index;
using testing::Golden;
using testing::LoadGolden;

std::vector<std::pair<Index, uint32_t>> Pairs(const std::vector<TierEntry>& entries) {
  std::vector<std::pair<Index, uint32_t>> out;
  for (const TierEntry& e : entries) out.push_back({e.vertex, e.tier});
  return out;
}

TEST(TiersTest, UpstreamOfDemandWithTierNumbers) {
  Golden g = LoadGolden("two_tier");
  const Index demand = g.Demand("site:c", "p:p");
  const Index mid = g.Node("site:mid", "p:p");
  const Index r1 = g.Node("site:r1", "p:m");
  const Index r2 = g.Node("site:r2", "p:m");
  std::vector<Index> start = {demand};
  std::vector<std::pair<Index, uint32_t>> expected = {{demand, 0}, {mid, 1}, {r1, 2}, {r2, 2}};
  EXPECT_EQ(Pairs(Closure(*g.network, start, Direction::kUpstream)), expected);
  expected.resize(2);
  EXPECT_EQ(Pairs(Closure(*g.network, start, Direction::kUpstream, 1)), expected);
  expected.resize(1);
  EXPECT_EQ(Pairs(Closure(*g.network, start, Direction::kUpstream, 0)), expected);
  std::vector<uint8_t> visited(g.network->vertex_count(), 0);
  std::vector<Index> queue;
  EXPECT_EQ(ClosureSize(*g.network, start, Direction::kUpstream, visited, queue), 4u);
  EXPECT_EQ(std::count(visited.begin(), visited.end(), 1), 0);
}

TEST(TiersTest, DownstreamReachesDemand) {
  Golden g = LoadGolden("and_or");
  std::vector<Index> start = {g.Node("site:w", "p:wafer")};
  std::vector<std::pair<Index, uint32_t>> expected = {{g.Node("site:w", "p:wafer"), 0},
                                                      {g.Node("site:f", "p:chip"), 1},
                                                      {g.Node("site:asm", "p:car"), 2},
                                                      {g.Demand("site:dealer", "p:car"), 3}};
  EXPECT_EQ(Pairs(Closure(*g.network, start, Direction::kDownstream)), expected);
  // A vertex reached along two paths keeps its smallest tier: x's SiC feeds y's
  // controller (tier 1) and x's controller (tier 1), both feed asm (tier 2).
  std::vector<Index> sic = {g.Node("site:x", "p:sic")};
  std::vector<TierEntry> down = Closure(*g.network, sic, Direction::kDownstream);
  ASSERT_EQ(down.size(), 5u);
  EXPECT_EQ(down[3].vertex, g.Node("site:asm", "p:car"));
  EXPECT_EQ(down[3].tier, 2u);
}

}  // namespace
// On a generated network, the allocation-free closure (queue written by position,
// edges fetched ahead) reaches what Closure() does from every vertex, in both
// directions, with its scratch space reused from one query to the next.
TEST(TiersTest, ClosureSizeMatchesClosureOnAGeneratedNetwork) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("tiers_generated_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(io::WriteSyntheticBundle({.sites = 300, .tiers = 5, .seed = 3}, dir.string()).ok());
  StatusOr<model::Model> m = io::ReadBundle(dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  StatusOr<network::Network> net = network::Network::Build(*m);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  std::vector<uint8_t> visited(net->vertex_count(), 0);
  std::vector<Index> queue;
  size_t largest = 0;
  for (Direction d : {Direction::kUpstream, Direction::kDownstream}) {
    for (Index v = 0; v < net->vertex_count(); ++v) {
      const size_t expected = Closure(*net, std::span(&v, 1), d).size();
      ASSERT_EQ(ClosureSize(*net, std::span(&v, 1), d, visited, queue), expected)
          << net->Describe(v);
      largest = std::max(largest, expected);
    }
  }
  EXPECT_EQ(std::count(visited.begin(), visited.end(), 1), 0);
  EXPECT_GT(largest, 100u);  // long enough queues for the look-ahead
  // Every demand vertex at once.
  std::vector<Index> all;
  for (Index d = 0; d < net->demand_count(); ++d) all.push_back(net->DemandVertex(d));
  EXPECT_EQ(ClosureSize(*net, all, Direction::kUpstream, visited, queue),
            Closure(*net, all, Direction::kUpstream).size());
}

}  // namespace renkei::risk
