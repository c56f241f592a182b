// risk_benchmark BUNDLE OUT_DIR [--starts N] [--samples N] [--tts] [--tts-sample N]
//
// Times the risk engine on a bundle and writes what the peer comparison in
// bench/risk needs: OUT_DIR/edges.tsv (supplier and customer vertex of every
// edge), OUT_DIR/starts.txt (the closure start vertices), OUT_DIR/tts.tsv (TTS
// per site scenario and its impact, with --tts; every k-th site's scenario only
// for --tts-sample N). The TTS table is timed as risk::RunScenarios computes it
// (solvers built, then every scenario) on two threads, and with --tts-one-thread
// again on one (checking that the results agree). Prints one
// JSON object of timings in seconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "io/bundle.h"
#include "network/network.h"
#include "risk/criticality.h"
#include "risk/tiers.h"
#include "risk/time_to_survive.h"

namespace {

using renkei::network::Index;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int Run(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: risk_benchmark BUNDLE OUT_DIR [--starts N] [--samples N] [--tts]\n");
    return 1;
  }
  const std::string bundle = argv[1], out = argv[2];
  size_t starts_n = 20, samples = 20, tts_sample = 0;
  bool tts = false, tts_one_thread = false;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--starts" && i + 1 < argc) starts_n = std::strtoull(argv[++i], nullptr, 10);
    if (a == "--samples" && i + 1 < argc) samples = std::strtoull(argv[++i], nullptr, 10);
    if (a == "--tts") tts = true;
    if (a == "--tts-one-thread") tts_one_thread = true;
    if (a == "--tts-sample" && i + 1 < argc) tts_sample = std::strtoull(argv[++i], nullptr, 10);
  }
  nlohmann::json r;
  auto t = Clock::now();
  auto model = renkei::io::ReadBundle(bundle);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  r["read_bundle_s"] = Since(t);
  t = Clock::now();
  auto built = renkei::network::Network::Build(*model);
  if (!built.ok()) {
    std::fprintf(stderr, "%s\n", built.status().ToString().c_str());
    return 1;
  }
  const renkei::network::Network& net = *built;
  r["build_network_s"] = Since(t);
  r["nodes"] = net.node_count();
  r["demand_nodes"] = net.demand_count();
  r["edges"] = net.edge_count();
  r["supply_links"] = model->supply.size();
  r["network_bytes"] = net.MemoryBytes();
  r["bytes_per_edge"] =
      static_cast<double>(net.MemoryBytes()) / std::max<Index>(1, net.edge_count());

  {
    std::ofstream edges(out + "/edges.tsv");
    for (Index v = 0; v < net.vertex_count(); ++v) {
      for (const auto& g : net.groups(v)) {
        for (const auto& e : net.edges(g)) edges << e.from << '\t' << v << '\n';
      }
    }
  }
  // Closure starts: demand vertices spread evenly over the demand rows.
  std::vector<Index> starts;
  for (size_t i = 0; i < starts_n && net.demand_count() > 0; ++i) {
    starts.push_back(net.DemandVertex(static_cast<Index>(i * net.demand_count() / starts_n)));
  }
  {
    std::ofstream f(out + "/starts.txt");
    for (Index v : starts) f << v << '\n';
  }
  std::vector<uint8_t> visited(net.vertex_count(), 0);
  std::vector<Index> queue;
  std::vector<double> times;
  nlohmann::json sizes = nlohmann::json::array();
  for (Index s : starts) {
    t = Clock::now();
    size_t n = renkei::risk::ClosureSize(net, std::span(&s, 1), renkei::risk::Direction::kUpstream,
                                         visited, queue);
    times.push_back(Since(t));
    sizes.push_back(n);
  }
  r["closure_median_s"] = Median(times);
  r["closure_sizes"] = sizes;
  // One closure of the whole network: upstream of every demand vertex.
  std::vector<Index> all_demand;
  for (Index d = 0; d < net.demand_count(); ++d) all_demand.push_back(net.DemandVertex(d));
  // Both sides of the "criticality within 10x one closure" ratio are medians of a few
  // runs: single runs on a shared machine vary by half.
  constexpr int kRuns = 5;
  times.clear();
  for (int run = 0; run < kRuns; ++run) {
    t = Clock::now();
    r["full_closure_vertices"] = renkei::risk::ClosureSize(
        net, all_demand, renkei::risk::Direction::kUpstream, visited, queue);
    times.push_back(Since(t));
  }
  r["full_closure_s"] = Median(times);

  std::optional<renkei::risk::Criticality> crit;
  times.clear();
  for (int run = 0; run < kRuns; ++run) {
    crit.reset();
    t = Clock::now();
    crit = renkei::risk::Criticality::Analyse(net, /*with_sites=*/false);
    times.push_back(Since(t));
  }
  r["criticality_nodes_s"] = Median(times);
  t = Clock::now();
  auto crit_sites = renkei::risk::Criticality::Analyse(net, /*with_sites=*/true);
  r["criticality_nodes_and_sites_s"] = Since(t);
  size_t spof_nodes = 0;
  for (uint32_t x : crit->stops()) spof_nodes += x > 0;
  r["spof_nodes"] = spof_nodes;
  // Size of the SPOF sets: the k of the near-linear bound (criticality.h).
  size_t set_entries = 0, set_max = 0;
  for (Index v = 0; v < net.vertex_count(); ++v) {
    set_entries += crit->NodeSpofs(v).size();
    set_max = std::max(set_max, crit->NodeSpofs(v).size());
  }
  r["spof_set_entries"] = set_entries;
  r["spof_set_mean"] = static_cast<double>(set_entries) / std::max<Index>(1, net.vertex_count());
  r["spof_set_max"] = set_max;
  // Baseline: remove one node and recompute, on a sample, extrapolated.
  std::vector<uint8_t> removed(net.vertex_count(), 0);
  size_t checked = 0, agree = 0;
  t = Clock::now();
  for (size_t i = 0; i < samples && net.node_count() > 0; ++i) {
    Index v = static_cast<Index>(i * net.node_count() / samples);
    removed[v] = 1;
    std::vector<uint8_t> alive = renkei::risk::AliveAfter(net, removed);
    removed[v] = 0;
    uint32_t stopped = 0;
    for (Index d = 0; d < net.demand_count(); ++d) stopped += alive[net.DemandVertex(d)] == 0;
    ++checked;
    agree += stopped == crit->stops()[v];
  }
  const double per_removal = checked ? Since(t) / static_cast<double>(checked) : 0;
  r["remove_recompute_per_node_s"] = per_removal;
  r["remove_recompute_all_nodes_extrapolated_s"] = per_removal * net.node_count();
  r["remove_recompute_sampled"] = checked;
  r["remove_recompute_agrees"] = agree;
  (void)crit_sites;

  if (tts) {
    t = Clock::now();
    auto solver = renkei::risk::ScenarioSolver::Create(net);
    if (!solver.ok()) {
      std::fprintf(stderr, "%s\n", solver.status().ToString().c_str());
      return 1;
    }
    r["tts_build_s"] = Since(t);
    std::fprintf(stderr, "tts solver built in %.1f s\n", Since(t));
    solver->reset();
    std::vector<renkei::risk::Scenario> scenarios = renkei::risk::SiteScenarios(net);
    if (tts_sample > 0 && tts_sample < scenarios.size()) {
      std::vector<renkei::risk::Scenario> sample;
      for (size_t i = 0; i < tts_sample; ++i) {
        sample.push_back(scenarios[i * scenarios.size() / tts_sample]);
      }
      scenarios = std::move(sample);
    }
    // The whole table as the node computes it (RunScenarios: solvers built,
    // then every scenario), on two threads and on one.
    std::vector<renkei::risk::ScenarioResult> results;
    for (int threads : {2, 1}) {
      if (threads == 1 && !tts_one_thread) break;
      renkei::risk::RunOptions options{
          .threads = threads, .progress = [&](size_t done, size_t total) {
            if (done % std::max<size_t>(1, total / 20) == 0 || done == total) {
              std::fprintf(stderr, "tts %d thread(s): %zu/%zu %.1f s\n", threads, done, total,
                           Since(t));
            }
          }};
      t = Clock::now();
      auto run = renkei::risk::RunScenarios(net, scenarios, options);
      const double seconds = Since(t);
      if (!run.ok()) {
        std::fprintf(stderr, "%s\n", run.status().ToString().c_str());
        return 1;
      }
      if (threads == 2) {
        r["tts_threads"] = threads;
        r["tts_total_s"] = seconds;
        results = std::move(*run);
        continue;
      }
      r["tts_total_one_thread_s"] = seconds;
      size_t same = 0;
      for (size_t i = 0; i < results.size(); ++i) {
        same += results[i].tts_days == (*run)[i].tts_days &&
                results[i].impact == (*run)[i].impact &&
                results[i].lost_units_total == (*run)[i].lost_units_total;
      }
      r["tts_one_and_two_threads_identical"] = same;
    }
    std::ofstream f(out + "/tts.tsv");
    f << std::setprecision(17);
    size_t exposed = 0, unbounded = 0;
    for (const auto& res : results) {
      exposed += res.exposed;
      unbounded += !res.tts_days.has_value();
      f << res.scenario << '\t' << (res.tts_days ? *res.tts_days : -1) << '\t' << res.impact
        << '\n';
    }
    r["tts_scenarios"] = scenarios.size();
    r["tts_exposed"] = exposed;
    r["tts_unbounded"] = unbounded;
    r["tts_per_scenario_s"] =
        r["tts_total_s"].get<double>() / static_cast<double>(std::max<size_t>(1, scenarios.size()));
  }
  std::printf("%s\n", r.dump(2).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
