#include "risk/time_to_survive.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "risk/internal/golden.h"

namespace renkei::risk {
namespace {

using internal::Golden;
using internal::LoadGolden;

constexpr double kTol = 1e-6;

double Lost(const Golden& g, const ScenarioResult& r, const std::string& product) {
  for (const ProductLoss& l : r.lost_units) {
    if (l.product == g.Product(product)) return l.units;
  }
  return 0;
}

// single_tier: customer site c needs A 80/day (stock 200, margin 10) and B
// 70/day (stock 70, margin 20). s1 makes A and B sharing 80/day of site capacity
// (TTR 10 d); s2 makes A at 60/day (TTR 20 d); s3 makes B at 50/day with 60 B in
// stock (TTR 20 d).
//
// s1 down: A 80t <= 200 + 60t gives t <= 10; B 70t <= 70 + 60 + 50t gives
//   t <= 6.5, so TTS = 6.5. Over 10 d: A 800 = 200 + 600, no loss; B 700 - 70 - 60
//   - 500 = 70 lost, impact 70 * 20 = 1400. Exposed (6.5 < 10).
// s2 down: s1 must give a >= 80t - 200 of A and b >= 20t - 130 of B with
//   a + b <= 80t: 100t - 330 <= 80t gives TTS = 16.5. Over 20 d: s1 would need
//   1400 + 270 = 1670 > 1600; B earns more, so 70 of A are lost: impact 700.
//   Exposed (16.5 < 20).
// s3 down (its 60 B still ship): a >= 20t - 200, b >= 70t - 130, a + b <= 80t:
//   90t - 330 <= 80t gives TTS = 33 > 20 = TTR: no loss, not exposed.
// REI: 1400 is the largest impact: s1 1, s2 0.5, s3 0.
TEST(TimeToSurviveTest, SingleTierGoldenNumbers) {
  Golden g = LoadGolden("single_tier");
  std::vector<Scenario> scenarios = SiteScenarios(*g.network);
  ASSERT_EQ(scenarios.size(), 3u);
  EXPECT_EQ(scenarios[0].name, "site:s1");
  EXPECT_EQ(scenarios[0].days, 10);
  EXPECT_EQ(scenarios[1].days, 20);
  StatusOr<std::vector<ScenarioResult>> run = RunScenarios(*g.network, scenarios);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const std::vector<ScenarioResult>& r = *run;
  ASSERT_EQ(r.size(), 3u);

  ASSERT_TRUE(r[0].tts_days.has_value());
  EXPECT_NEAR(*r[0].tts_days, 6.5, kTol);
  EXPECT_EQ(r[0].ttr_days, 10);
  EXPECT_NEAR(Lost(g, r[0], "p:a"), 0, kTol);
  EXPECT_NEAR(Lost(g, r[0], "p:b"), 70, kTol);
  EXPECT_NEAR(r[0].impact, 1400, kTol);
  EXPECT_NEAR(r[0].rei, 1, kTol);
  EXPECT_TRUE(r[0].exposed);

  ASSERT_TRUE(r[1].tts_days.has_value());
  EXPECT_NEAR(*r[1].tts_days, 16.5, kTol);
  EXPECT_NEAR(Lost(g, r[1], "p:a"), 70, kTol);
  EXPECT_NEAR(Lost(g, r[1], "p:b"), 0, kTol);
  EXPECT_NEAR(r[1].impact, 700, kTol);
  EXPECT_NEAR(r[1].rei, 0.5, kTol);
  EXPECT_TRUE(r[1].exposed);

  ASSERT_TRUE(r[2].tts_days.has_value());
  EXPECT_NEAR(*r[2].tts_days, 33, kTol);
  EXPECT_TRUE(r[2].lost_units.empty());
  EXPECT_NEAR(r[2].impact, 0, kTol);
  EXPECT_NEAR(r[2].rei, 0, kTol);
  EXPECT_FALSE(r[2].exposed);
}

// two_tier: mid makes P from 2 kg of M per unit, 40/day, 100 P in stock; r1
// mines M at 100/day, r2 at 50/day with 20 kg in stock; c needs 30 P/day
// (no stock, margin 5).
// r1 down (30 d): u <= (50t + 20) / 2 = 25t + 10; 30t <= 100 + 25t + 10 gives
//   TTS = 22. Over 30 d: 900 - 100 - 760 = 40 lost, impact 200. Exposed.
// r2 down (10 d): r1 allows 50 P/day, capacity 40 >= 30: unbounded, no loss.
// mid down (7 d): only its stock: 30t <= 100 gives TTS = 10/3. Over 7 d: 210 -
//   100 = 110 lost, impact 550. Exposed.
// REI: mid 1, r1 200/550 = 4/11, r2 0.
TEST(TimeToSurviveTest, TwoTierGoldenNumbers) {
  Golden g = LoadGolden("two_tier");
  StatusOr<std::vector<ScenarioResult>> run = RunScenarios(*g.network, SiteScenarios(*g.network));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const std::vector<ScenarioResult>& r = *run;
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].scenario, "site:r1");
  ASSERT_TRUE(r[0].tts_days.has_value());
  EXPECT_NEAR(*r[0].tts_days, 22, kTol);
  EXPECT_NEAR(Lost(g, r[0], "p:p"), 40, kTol);
  EXPECT_NEAR(r[0].impact, 200, kTol);
  EXPECT_NEAR(r[0].rei, 4.0 / 11, kTol);
  EXPECT_TRUE(r[0].exposed);

  EXPECT_EQ(r[1].scenario, "site:r2");
  EXPECT_FALSE(r[1].tts_days.has_value());
  EXPECT_NEAR(r[1].lost_units_total, 0, kTol);
  EXPECT_FALSE(r[1].exposed);

  EXPECT_EQ(r[2].scenario, "site:mid");
  ASSERT_TRUE(r[2].tts_days.has_value());
  EXPECT_NEAR(*r[2].tts_days, 10.0 / 3, kTol);
  EXPECT_NEAR(Lost(g, r[2], "p:p"), 110, kTol);
  EXPECT_NEAR(r[2].impact, 550, kTol);
  EXPECT_NEAR(r[2].rei, 1, kTol);
  EXPECT_TRUE(r[2].exposed);
}

TEST(TimeToSurviveTest, ReusesOneModelAcrossScenariosInAnyOrder) {
  Golden g = LoadGolden("two_tier");
  StatusOr<std::unique_ptr<ScenarioSolver>> solver = ScenarioSolver::Create(*g.network);
  ASSERT_TRUE(solver.ok());
  Scenario mid{"mid", {g.Site("site:mid")}, 7};
  Scenario r1{"r1", {g.Site("site:r1")}, 30};
  Scenario none{"nothing", {}, 30};
  for (int round = 0; round < 2; ++round) {
    StatusOr<ScenarioResult> a = (*solver)->Solve(mid);
    ASSERT_TRUE(a.ok());
    EXPECT_NEAR(*a->tts_days, 10.0 / 3, kTol);
    StatusOr<ScenarioResult> b = (*solver)->Solve(r1);
    ASSERT_TRUE(b.ok());
    EXPECT_NEAR(*b->tts_days, 22, kTol);
    EXPECT_NEAR(b->impact, 200, kTol);
    // Bounds are restored: with nothing down the network never runs short.
    StatusOr<ScenarioResult> c = (*solver)->Solve(none);
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE(c->tts_days.has_value());
    EXPECT_NEAR(c->impact, 0, kTol);
  }
  StatusOr<ScenarioResult> bad = (*solver)->Solve({"bad", {}, -1});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "scenario 'bad': days must be a number >= 0, got -1");
}

TEST(TimeToSurviveTest, NetworkWithoutDemandIsAnError) {
  Golden g = LoadGolden("no_demand");
  StatusOr<std::unique_ptr<ScenarioSolver>> solver = ScenarioSolver::Create(*g.network);
  EXPECT_EQ(solver.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(solver.status().message(),
            "the network has no demand: time to survive needs demand rows");
}

}  // namespace
}  // namespace renkei::risk
