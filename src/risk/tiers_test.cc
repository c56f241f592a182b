#include "risk/tiers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "risk/internal/golden.h"

namespace renkei::risk {
namespace {

using internal::Golden;
using internal::LoadGolden;
using network::Index;

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
}  // namespace renkei::risk
