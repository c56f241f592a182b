// tts_shapes SHAPE STAGES [--lp-budget SECONDS]
//
// The TTS table (every site's scenario, one thread) of a generated tree-shaped
// network without capacities or stock (`renkei generate --shape SHAPE
// --no-capacities --no-inventories`), timed twice: as the engine answers it (from
// the AND/OR closure, risk/time_to_survive.h "Without capacities") and with its
// LPs only (SolverOptions::fast_paths false), the way every scenario was solved
// before. The LP side stops after --lp-budget seconds (default 120) and reports
// how many scenarios it finished. Checks that the answers agree. Prints one JSON
// object.
#include <unistd.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/bundle.h"
#include "io/synthetic.h"
#include "network/network.h"
#include "risk/time_to_survive.h"

namespace {

using namespace renkei;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

int Fail(const Status& s) {
  std::fprintf(stderr, "tts_shapes: %s\n", s.ToString().c_str());
  return 1;
}

int Run(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: tts_shapes SHAPE STAGES [--lp-budget SECONDS]\n");
    return 1;
  }
  auto shape = io::ParseShape(argv[1]);
  if (!shape.ok()) return Fail(shape.status());
  double lp_budget = 120;
  for (int i = 3; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--lp-budget") lp_budget = std::atof(argv[i + 1]);
  }
  io::SyntheticOptions o;
  o.sites = std::strtoull(argv[2], nullptr, 10);
  o.shape = *shape;
  o.capacities = false;
  o.inventories = false;
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("renkei-tts-shapes-" + std::to_string(getpid())))
          .string();
  if (auto c = io::WriteSyntheticBundle(o, dir); !c.ok()) return Fail(c.status());
  auto model = io::ReadBundle(dir);
  std::filesystem::remove_all(dir);
  if (!model.ok()) return Fail(model.status());
  auto net = network::Network::Build(*model);
  if (!net.ok()) return Fail(net.status());
  const std::vector<risk::Scenario> scenarios = risk::SiteScenarios(*net);

  auto table = [&](bool fast, double budget, std::vector<risk::ScenarioResult>& out,
                   double& create_s) -> Status {
    const auto start = Clock::now();
    risk::SolverOptions options;
    options.fast_paths = fast;
    RENKEI_ASSIGN_OR_RETURN(auto solver, risk::ScenarioSolver::Create(*net, options));
    create_s = Since(start);
    for (const risk::Scenario& s : scenarios) {
      if (Since(start) > budget) break;
      RENKEI_ASSIGN_OR_RETURN(risk::ScenarioResult r, solver->Solve(s));
      out.push_back(std::move(r));
    }
    return Status::Ok();
  };
  std::vector<risk::ScenarioResult> fast, lp;
  double fast_create = 0, lp_create = 0;
  auto t = Clock::now();
  if (Status s = table(true, 1e9, fast, fast_create); !s.ok()) return Fail(s);
  const double fast_s = Since(t);
  t = Clock::now();
  if (Status s = table(false, lp_budget, lp, lp_create); !s.ok()) return Fail(s);
  const double lp_s = Since(t);
  size_t disagree = 0;
  for (size_t i = 0; i < lp.size(); ++i) {
    const bool same = fast[i].tts_days.has_value() == lp[i].tts_days.has_value() &&
                      (!lp[i].tts_days || std::fabs(*fast[i].tts_days - *lp[i].tts_days) < 1e-6) &&
                      std::fabs(fast[i].lost_units_total - lp[i].lost_units_total) <=
                          1e-6 * std::max(1.0, lp[i].lost_units_total);
    disagree += same ? 0 : 1;
  }
  const nlohmann::json out = {{"shape", argv[1]},
                              {"stages", o.sites},
                              {"scenarios", scenarios.size()},
                              {"closure_s", fast_s},
                              {"closure_create_s", fast_create},
                              {"lp_s", lp_s},
                              {"lp_create_s", lp_create},
                              {"lp_scenarios_done", lp.size()},
                              {"disagree", disagree}};
  std::printf("%s\n", out.dump().c_str());
  return disagree == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
