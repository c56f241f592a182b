#include "risk/time_to_survive.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "io/bundle.h"
#include "io/synthetic.h"
#include "model/builder.h"
#include "risk_networks.h"

namespace renkei::risk {
namespace {

using network::Index;
using testing::Golden;
using testing::LoadGolden;

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

// Same results up to floating-point noise (the dual simplex may take other
// pivots on the way to the same optimum).
void ExpectSame(const ScenarioResult& a, const ScenarioResult& b, const std::string& where) {
  auto near = [](double x, double y) {
    return std::fabs(x - y) <= 1e-9 * std::max(1.0, std::fabs(x));
  };
  EXPECT_EQ(a.scenario, b.scenario) << where;
  ASSERT_EQ(a.tts_days.has_value(), b.tts_days.has_value()) << where;
  if (a.tts_days) {
    EXPECT_PRED2(near, *a.tts_days, *b.tts_days) << where;
  }
  EXPECT_EQ(a.exposed, b.exposed) << where;
  EXPECT_PRED2(near, a.impact, b.impact) << where;
  EXPECT_PRED2(near, a.lost_units_total, b.lost_units_total) << where;
  ASSERT_EQ(a.lost_units.size(), b.lost_units.size()) << where;
  for (size_t i = 0; i < a.lost_units.size(); ++i) {
    EXPECT_EQ(a.lost_units[i].product, b.lost_units[i].product) << where;
    EXPECT_PRED2(near, a.lost_units[i].units, b.lost_units[i].units) << where;
  }
}

// Every site, pairs of neighbouring sites, and nothing down, with the
// sites' recovery days and with 5 and 60 days.
std::vector<Scenario> ManyScenarios(const network::Network& net) {
  std::vector<Scenario> out = SiteScenarios(net);
  const size_t sites = net.model().sites.size();
  for (Index s = 0; s + 1 < sites; s += 2) {
    for (double days : {5.0, 60.0}) {
      out.push_back({"pair" + std::to_string(s) + "/" + std::to_string(days), {s, s + 1}, days});
    }
  }
  out.push_back({"nothing", {}, 45});
  return out;
}

// Skipping the TTR LP when TTS >= TTR changes no result; results do not depend
// on the order scenarios are solved in, nor on the number of threads.
TEST(TimeToSurviveTest, ShortcutOrderAndThreadsChangeNoResultOnRandomNetworks) {
  std::mt19937 rng(20260502);
  size_t scenarios = 0, exposed = 0, skipped = 0;
  for (int round = 0; round < 25; ++round) {
    model::Model m = testing::RandomNetwork(rng, 3 + round % 6);
    StatusOr<network::Network> built = network::Network::Build(m);
    ASSERT_TRUE(built.ok());
    const network::Network& net = *built;
    StatusOr<std::unique_ptr<ScenarioSolver>> fast = ScenarioSolver::Create(net);
    if (fast.status().code() == StatusCode::kFailedPrecondition) continue;  // no demand fed
    ASSERT_TRUE(fast.ok()) << fast.status().ToString();
    StatusOr<std::unique_ptr<ScenarioSolver>> full =
        ScenarioSolver::Create(net, {.skip_unexposed_ttr = false});
    ASSERT_TRUE(full.ok());
    std::vector<Scenario> list = ManyScenarios(net);
    std::vector<ScenarioResult> expected;
    for (const Scenario& s : list) {
      StatusOr<ScenarioResult> a = (*full)->Solve(s);
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      expected.push_back(*a);
    }
    // The shortcut, solving in reverse order.
    for (size_t i = list.size(); i-- > 0;) {
      StatusOr<ScenarioResult> b = (*fast)->Solve(list[i]);
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      ExpectSame(expected[i], *b, "round " + std::to_string(round) + " " + list[i].name);
      exposed += b->exposed;
    }
    scenarios += list.size();
    skipped += list.size() - (*fast)->ttr_solves();
    EXPECT_EQ((*full)->ttr_solves(), list.size());
    // Two threads.
    StatusOr<std::vector<ScenarioResult>> run =
        RunScenarios(net, list, {.threads = 2, .progress = nullptr});
    ASSERT_TRUE(run.ok());
    ASSERT_EQ(run->size(), list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      ExpectSame(expected[i], (*run)[i], "threads, round " + std::to_string(round));
    }
  }
  // The generator reaches both kinds of scenario.
  EXPECT_GT(scenarios, 200u);
  EXPECT_GT(exposed, 100u);
  EXPECT_GT(skipped, 100u);
}

// A clone, made before any scenario or after some, solves every scenario as
// its source does, and the source is unchanged by it.
TEST(TimeToSurviveTest, CloneGivesTheSameResultsOnRandomNetworks) {
  std::mt19937 rng(20261129);
  size_t compared = 0;
  for (int round = 0; round < 10; ++round) {
    model::Model m = testing::RandomNetwork(rng, 3 + round % 6);
    StatusOr<network::Network> built = network::Network::Build(m);
    ASSERT_TRUE(built.ok());
    StatusOr<std::unique_ptr<ScenarioSolver>> source =
        ScenarioSolver::Create(*built, {.skip_unexposed_ttr = false});
    if (source.status().code() == StatusCode::kFailedPrecondition) continue;  // no demand fed
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    std::unique_ptr<ScenarioSolver> early = (*source)->Clone();
    std::vector<Scenario> list = ManyScenarios(*built);
    std::vector<ScenarioResult> expected;
    for (const Scenario& s : list) {
      StatusOr<ScenarioResult> r = (*source)->Solve(s);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      expected.push_back(*r);
    }
    std::unique_ptr<ScenarioSolver> late = (*source)->Clone();
    for (size_t i = list.size(); i-- > 0;) {
      const std::string where = "round " + std::to_string(round) + " " + list[i].name;
      for (ScenarioSolver* solver : {early.get(), late.get(), source->get()}) {
        StatusOr<ScenarioResult> r = solver->Solve(list[i]);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ExpectSame(expected[i], *r, where);
        ++compared;
      }
    }
    EXPECT_EQ(early->ttr_solves(), list.size());
  }
  EXPECT_GT(compared, 300u);
}

// The region method (time_to_survive.h) gives the whole LP's optimum: the same
// TTS, exposure and impact. Lost units are compared where the impact is 0 (the
// tie-breaking weight on lost units is then the whole objective); next to
// margins it is below the solver's tolerance, and equally good optima may lose
// different units of demand without a margin.
void ExpectSameOptimum(const ScenarioResult& a, const ScenarioResult& b, const std::string& where) {
  auto near = [](double x, double y) {
    return std::fabs(x - y) <= 1e-6 * std::max(1.0, std::fabs(x));
  };
  ASSERT_EQ(a.tts_days.has_value(), b.tts_days.has_value()) << where;
  if (a.tts_days) {
    EXPECT_PRED2(near, *a.tts_days, *b.tts_days) << where;
  }
  EXPECT_EQ(a.exposed, b.exposed) << where;
  EXPECT_PRED2(near, a.impact, b.impact) << where;
  if (a.impact == 0) {
    EXPECT_PRED2(near, a.lost_units_total, b.lost_units_total) << where;
  }
}

TEST(TimeToSurviveTest, RegionsGiveTheWholeLpsOptimumOnRandomNetworks) {
  std::mt19937 rng(20261130);
  size_t compared = 0, exposed = 0;
  for (int round = 0; round < 25; ++round) {
    model::Model m = testing::RandomNetwork(rng, 3 + round % 6);
    StatusOr<network::Network> built = network::Network::Build(m);
    ASSERT_TRUE(built.ok());
    StatusOr<std::unique_ptr<ScenarioSolver>> regions =
        ScenarioSolver::Create(*built, {.skip_unexposed_ttr = false});
    if (regions.status().code() == StatusCode::kFailedPrecondition) continue;  // no demand fed
    ASSERT_TRUE(regions.ok()) << regions.status().ToString();
    StatusOr<std::unique_ptr<ScenarioSolver>> whole =
        ScenarioSolver::Create(*built, {.skip_unexposed_ttr = false, .regions = false});
    ASSERT_TRUE(whole.ok());
    for (const Scenario& s : ManyScenarios(*built)) {
      StatusOr<ScenarioResult> a = (*whole)->Solve(s);
      StatusOr<ScenarioResult> b = (*regions)->Solve(s);
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      ExpectSameOptimum(*a, *b, "round " + std::to_string(round) + " " + s.name);
      ++compared;
      exposed += a->exposed;
    }
    EXPECT_EQ((*whole)->counts().region_lps, 0u);
    EXPECT_GT((*regions)->counts().region_lps, 0u);
  }
  EXPECT_GT(compared, 200u);
  EXPECT_GT(exposed, 50u);
}

// A single-sourced assembly line without capacities or stock, written by hand: ore
// (mine) -> metal (smelter) and cell (cell plant, also from separator) -> pack.
// Every site stops the pack's demand at once (TTS 0, lost = 100/day x days) except
// the second separator maker, whose partner keeps the cells coming (unbounded).
TEST(TimeToSurviveTest, AnAssemblyLineWithoutCapacitiesIsAnsweredWithoutAnLp) {
  using T = model::Table;
  const model::Model m = testing::ModelFromRows({
      {T::kOrganizations, {"org:x", "X", "JP"}},
      {T::kSites, {"site:mine", "org:x", "Mine", "AU", "", "-22", "118"}},
      {T::kSites, {"site:smelter", "org:x", "Smelter", "JP", "", "35", "139"}},
      {T::kSites, {"site:sep-a", "org:x", "Separator A", "JP", "", "35", "139"}},
      {T::kSites, {"site:sep-b", "org:x", "Separator B", "KR", "", "37", "127"}},
      {T::kSites, {"site:cell", "org:x", "Cell", "JP", "", "34", "135"}},
      {T::kSites, {"site:pack", "org:x", "Pack", "JP", "", "35", "137"}},
      {T::kProducts, {"prod:ore", "Ore", "raw", "kg"}},
      {T::kProducts, {"prod:metal", "Metal", "material", "kg"}},
      {T::kProducts, {"prod:sep", "Separator", "material", "piece"}},
      {T::kProducts, {"prod:cell", "Cell", "component", "piece"}},
      {T::kProducts, {"prod:pack", "Pack", "product", "piece"}},
      {T::kBom, {"prod:metal", "prod:ore", "2"}},
      {T::kBom, {"prod:cell", "prod:metal", "0.5"}},
      {T::kBom, {"prod:cell", "prod:sep", "1"}},
      {T::kBom, {"prod:pack", "prod:cell", "96"}},
      {T::kProduction, {"site:mine", "prod:ore"}},
      {T::kProduction, {"site:smelter", "prod:metal"}},
      {T::kProduction, {"site:sep-a", "prod:sep"}},
      {T::kProduction, {"site:sep-b", "prod:sep"}},
      {T::kProduction, {"site:cell", "prod:cell"}},
      {T::kProduction, {"site:pack", "prod:pack"}},
      {T::kSupply, {"site:mine", "site:smelter", "prod:ore"}},
      {T::kSupply, {"site:smelter", "site:cell", "prod:metal"}},
      {T::kSupply, {"site:sep-a", "site:cell", "prod:sep", "0.7"}},
      {T::kSupply, {"site:sep-b", "site:cell", "prod:sep", "0.3"}},
      {T::kSupply, {"site:cell", "site:pack", "prod:cell"}},
      {T::kDemand, {"site:pack", "prod:pack", "100", "", "250"}},
  });
  StatusOr<network::Network> net = network::Network::Build(m);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  auto solver = ScenarioSolver::Create(*net);
  ASSERT_TRUE(solver.ok()) << solver.status().ToString();
  for (const char* id :
       {"site:mine", "site:smelter", "site:sep-a", "site:sep-b", "site:cell", "site:pack"}) {
    auto r = (*solver)->Solve({id, {m.FindSite(id)}, 10});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (std::string(id).rfind("site:sep-", 0) == 0) {
      EXPECT_FALSE(r->tts_days.has_value()) << id;
      EXPECT_FALSE(r->exposed) << id;
      EXPECT_EQ(r->lost_units_total, 0) << id;
    } else {
      ASSERT_TRUE(r->tts_days.has_value()) << id;
      EXPECT_EQ(*r->tts_days, 0) << id;
      EXPECT_TRUE(r->exposed) << id;
      EXPECT_EQ(r->lost_units_total, 1000) << id;
      EXPECT_EQ(r->impact, 250'000) << id;
    }
  }
  EXPECT_EQ((*solver)->counts().closure_answers, 6u);
  EXPECT_EQ((*solver)->ttr_solves(), 0u);
  EXPECT_EQ((*solver)->counts().region_lps + (*solver)->counts().whole_lps, 0u);
}

// Without capacities, the closure's answers are the LPs' on random networks; stock
// downstream of a disruption sends the scenario to the LP, and capacities anywhere
// send every scenario there.
TEST(TimeToSurviveTest, ClosureAnswersAreTheLpsOnRandomNetworks) {
  std::mt19937 rng(20261207);
  size_t compared = 0, closure = 0, lp = 0, stopped = 0;
  for (int round = 0; round < 30; ++round) {
    testing::RandomNetworkOptions options;
    options.quantities = round % 5 == 4;  // capacities and stock: never the closure
    options.min_links = round % 3 == 0 ? 0 : 1;
    model::Model m = testing::RandomNetwork(rng, 3 + round % 7, options);
    if (round % 5 == 2 && !m.demand.empty()) m.demand[0].inventory_units = 50;
    if (round % 5 == 3 && !m.production.empty()) m.production.back().inventory_units = 20;
    StatusOr<network::Network> built = network::Network::Build(m);
    ASSERT_TRUE(built.ok());
    auto fast = ScenarioSolver::Create(*built);
    if (fast.status().code() == StatusCode::kFailedPrecondition) continue;  // no demand fed
    ASSERT_TRUE(fast.ok()) << fast.status().ToString();
    auto full = ScenarioSolver::Create(*built, {.skip_unexposed_ttr = false, .fast_paths = false});
    ASSERT_TRUE(full.ok());
    for (const Scenario& s : ManyScenarios(*built)) {
      StatusOr<ScenarioResult> a = (*full)->Solve(s);
      StatusOr<ScenarioResult> b = (*fast)->Solve(s);
      ASSERT_TRUE(a.ok() && b.ok());
      ExpectSameOptimum(*a, *b, "round " + std::to_string(round) + " " + s.name);
      EXPECT_PRED2([](double x, double y) { return std::fabs(x - y) <= 1e-6 * std::max(1.0, x); },
                   a->lost_units_total, b->lost_units_total);
      ++compared;
      stopped += a->tts_days == 0.0;
    }
    EXPECT_EQ((*full)->counts().closure_answers, 0u);
    if (options.quantities) {
      EXPECT_EQ((*fast)->counts().closure_answers, 0u);
    }
    closure += (*fast)->counts().closure_answers;
    lp += (*fast)->counts().region_lps + (*fast)->counts().whole_lps;
  }
  EXPECT_GT(compared, 200u);
  EXPECT_GT(closure, 100u);
  EXPECT_GT(lp, 20u);
  EXPECT_GT(stopped, 20u);
}

// The TTS table of a generated single-sourced assembly tree without capacities or
// stock: every stage's loss stops the finished good at once, and no LP is solved.
TEST(TimeToSurviveTest, AnAssemblyTreesTableIsAnsweredFromTheClosure) {
  const std::string dir = ::testing::TempDir() + "/tts_assembly_" + std::to_string(getpid());
  io::SyntheticOptions o;
  o.sites = 400;
  o.shape = io::Shape::kAssembly;
  o.capacities = false;
  o.inventories = false;
  ASSERT_TRUE(io::WriteSyntheticBundle(o, dir).ok());
  auto m = io::ReadBundle(dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto net = network::Network::Build(*m);
  ASSERT_TRUE(net.ok());
  auto solver = ScenarioSolver::Create(*net);
  ASSERT_TRUE(solver.ok()) << solver.status().ToString();
  const double demand = m->demand[0].demand_per_day;
  for (const Scenario& s : SiteScenarios(*net)) {
    auto r = (*solver)->Solve(s);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->tts_days.has_value()) << s.name;
    EXPECT_EQ(*r->tts_days, 0) << s.name;
    EXPECT_DOUBLE_EQ(r->lost_units_total, demand * s.days) << s.name;
  }
  EXPECT_EQ((*solver)->counts().closure_answers, 400u);
  EXPECT_EQ((*solver)->counts().region_lps + (*solver)->counts().whole_lps, 0u);
}

TEST(TimeToSurviveTest, GoldenNumbersWithoutTheShortcutAreTheSame) {
  for (const char* name : {"single_tier", "two_tier"}) {
    Golden g = LoadGolden(name);
    StatusOr<std::unique_ptr<ScenarioSolver>> full =
        ScenarioSolver::Create(*g.network, {.skip_unexposed_ttr = false});
    ASSERT_TRUE(full.ok());
    std::vector<Scenario> scenarios = SiteScenarios(*g.network);
    StatusOr<std::vector<ScenarioResult>> run = RunScenarios(*g.network, scenarios);
    ASSERT_TRUE(run.ok());
    for (size_t i = 0; i < scenarios.size(); ++i) {
      StatusOr<ScenarioResult> r = (*full)->Solve(scenarios[i]);
      ASSERT_TRUE(r.ok());
      ExpectSame(*r, (*run)[i], name);
    }
  }
}

TEST(TimeToSurviveTest, ReportsProgressForEveryScenario) {
  Golden g = LoadGolden("two_tier");
  std::vector<Scenario> scenarios = SiteScenarios(*g.network);
  for (int threads : {1, 2}) {
    std::vector<std::pair<size_t, size_t>> calls;
    StatusOr<std::vector<ScenarioResult>> run = RunScenarios(
        *g.network, scenarios, {.threads = threads, .progress = [&](size_t done, size_t total) {
                                  calls.emplace_back(done, total);
                                }});
    ASSERT_TRUE(run.ok());
    EXPECT_THAT(calls, ::testing::ElementsAre(std::pair<size_t, size_t>(1, 3),
                                              std::pair<size_t, size_t>(2, 3),
                                              std::pair<size_t, size_t>(3, 3)));
  }
}

// The first failing scenario in list order is reported, on any number of
// threads.
TEST(TimeToSurviveTest, RunScenariosReportsTheFirstBadScenario) {
  Golden g = LoadGolden("two_tier");
  std::vector<Scenario> scenarios = SiteScenarios(*g.network);
  scenarios.push_back({"late", {}, -2});
  scenarios.insert(scenarios.begin() + 1, {"early", {}, -1});
  for (int threads : {1, 2}) {
    StatusOr<std::vector<ScenarioResult>> run =
        RunScenarios(*g.network, scenarios, {.threads = threads, .progress = nullptr});
    EXPECT_EQ(run.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(run.status().message(), "scenario 'early': days must be a number >= 0, got -1");
  }
}

TEST(TimeToSurviveTest, NetworkWithoutDemandIsAnError) {
  Golden g = LoadGolden("no_demand");
  StatusOr<std::unique_ptr<ScenarioSolver>> solver = ScenarioSolver::Create(*g.network);
  EXPECT_EQ(solver.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(solver.status().message(),
            "the network has no demand: time to survive needs demand rows");
}

// A generated network (io/synthetic.h) meets its demand before any disruption:
// with nothing down TTS is unbounded and the TTR LP loses nothing.
TEST(TimeToSurviveTest, GeneratedNetworkMeetsItsDemandUndisrupted) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("tts_generated_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  StatusOr<io::SyntheticCounts> counts =
      io::WriteSyntheticBundle({.sites = 400, .tiers = 5, .seed = 5}, dir.string());
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  StatusOr<model::Model> m = io::ReadBundle(dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  StatusOr<network::Network> net = network::Network::Build(*m);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  StatusOr<std::unique_ptr<ScenarioSolver>> solver =
      ScenarioSolver::Create(*net, {.skip_unexposed_ttr = false});
  ASSERT_TRUE(solver.ok()) << solver.status().ToString();
  for (double days : {30.0, 365.0}) {
    StatusOr<ScenarioResult> r = (*solver)->Solve({"nothing down", {}, days});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->tts_days.has_value()) << *r->tts_days;
    EXPECT_FALSE(r->exposed);
    EXPECT_EQ(r->lost_units_total, 0);
    EXPECT_EQ(r->impact, 0);
  }
  EXPECT_EQ((*solver)->ttr_solves(), 2u);

  // Every site down: regions and the whole LP agree. On this network most
  // regions stay small.
  StatusOr<std::unique_ptr<ScenarioSolver>> whole =
      ScenarioSolver::Create(*net, {.skip_unexposed_ttr = false, .regions = false});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  size_t exposed = 0;
  std::vector<Scenario> sites = SiteScenarios(*net);
  for (size_t i = 0; i < sites.size(); i += 4) {
    StatusOr<ScenarioResult> a = (*whole)->Solve(sites[i]);
    StatusOr<ScenarioResult> b = (*solver)->Solve(sites[i]);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    ExpectSameOptimum(*a, *b, sites[i].name);
    exposed += a->exposed;
  }
  EXPECT_GT(exposed, 0u);
  const ScenarioSolver::Counts& solved = (*solver)->counts();
  EXPECT_EQ(solved.whole_lps, 0u);
  ASSERT_GT(solved.region_lps, 0u);
  EXPECT_LT(solved.region_columns / solved.region_lps, net->edge_count() / 4);

  // A cancel flag is polled every simplex iteration: unset, nothing changes; set, the
  // first solve stops after one iteration.
  std::atomic<bool> cancel{false};
  StatusOr<std::unique_ptr<ScenarioSolver>> watched =
      ScenarioSolver::Create(*net, {.cancel = &cancel});
  ASSERT_TRUE(watched.ok()) << watched.status().ToString();
  StatusOr<ScenarioResult> r = (*watched)->Solve({"nothing down", {}, 30});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->tts_days.has_value());
  cancel = true;
  StatusOr<std::unique_ptr<ScenarioSolver>> cancelled =
      ScenarioSolver::Create(*net, {.cancel = &cancel});
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(cancelled.status().message(), "the LP solve was cancelled");
}

}  // namespace
}  // namespace renkei::risk
