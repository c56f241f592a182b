// Time to survive (TTS) and time to recover (TTR) of disruption scenarios
// (DESIGN.md, "Analyses"; Simchi-Levi et al., Interfaces 45(5), 2015).
//
// Both linear programs are built once per network, solved once with nothing
// disrupted, and kept in COIN-OR Clp with that optimal basis. Each scenario only
// sets the production of its disrupted nodes to zero and the TTR horizon (column
// bounds), and re-solves with the dual simplex from the undisrupted basis, which
// these bound changes keep dual feasible. Starting every scenario from the same
// basis makes a result a function of its scenario alone: the same whatever
// scenarios were solved before, on whichever thread.
//
// Variables over a horizon of t days: u_j production of node j, y_e shipment
// along edge e (network.h; a site's own production counts as an edge), l_d lost
// units of demand vertex d. Constraints:
//   q_g · u_j ≤ Σ_{e ∈ g} y_e      for every input group g of node j (BOM);
//   Σ_{e out of i} y_e − u_i ≤ s_i  shipments beyond production come from inventory;
//   u_j ≤ c_j · t, Σ_{j at site} u_j ≤ c_site · t, Σ_{e of link} y_e ≤ c_link · t
//                                   for every capacity given (none means unlimited);
//   Σ_{e into d} y_e + l_d ≥ d_d · t − s_d   for every demand vertex d;
//   u_j = 0 for the nodes of disrupted sites; all variables ≥ 0.
// TTS: maximise t with l = 0; t ≥ kUnboundedDays is reported as unbounded
// (nullopt): the network meets demand forever. It is solved as the same LP
// divided by t (per-day rates, τ = 1/t, minimise τ), where capacities are column
// bounds instead of rows through t; when no τ is feasible, TTS is 0. TTR: t = the scenario's days,
// minimise Σ_d (f_d + 1e-6) · l_d (f = margin_per_unit, 0 when absent; the small
// term makes lost units minimal among solutions of equal impact).
// Results: lost units per product and in total, impact = Σ f_d · l_d, REI =
// impact ÷ the largest impact of the scenarios run together (0 when all are 0),
// exposed = TTS < TTR. Demand vertices with no input (network.h) are outside the
// network and take no part. Lost units are absolute, not relative to a
// disruption-free horizon.
//
// No TTR solve when not exposed. Feasibility is monotone in t: if (u, y, l = 0)
// is feasible at horizon t and 0 < t' < t, then α = t'/t ≤ 1 and (α·u, α·y, 0) is
// feasible at t'. The BOM rows are homogeneous; Σy − u ≤ s becomes α·(Σy − u) ≤
// α·s ≤ s because s ≥ 0; u ≤ c·t becomes α·u ≤ c·t' (likewise site and link
// capacities); inflow ≥ d·t − s_d becomes α·inflow ≥ d·t' − α·s_d ≥ d·t' − s_d;
// disrupted nodes stay at 0. So when the TTS optimum t* (with its cap
// kUnboundedDays) is ≥ the scenario's days T, l = 0 is feasible in the TTR LP at
// T, and since every lost unit has a positive weight (f_d + 1e-6), l = 0 is its
// unique optimum: no lost units, impact 0, not exposed, without solving it. Only
// exposed scenarios (t* < T) solve the TTR LP.
//
// Thread-safety: a ScenarioSolver is used by one thread at a time; separate
// solvers (RunScenarios makes one per thread) run concurrently.
#ifndef RENKEI_RISK_TIME_TO_SURVIVE_H_
#define RENKEI_RISK_TIME_TO_SURVIVE_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "network/network.h"

class ClpSimplex;

namespace renkei::risk {

inline constexpr double kUnboundedDays = 1e5;
// TTR of a site with no recovery_days on the site or its production rows.
inline constexpr double kDefaultRecoveryDays = 30;

struct Scenario {
  std::string name;                   // "site:x", or the event's name
  std::vector<network::Index> sites;  // disrupted sites
  double days = 0;                    // TTR: how long they stay down
};

struct ProductLoss {
  network::Index product;
  double units;
};

struct ScenarioResult {
  std::string scenario;
  std::vector<network::Index> sites;
  double ttr_days = 0;
  std::optional<double> tts_days;       // nullopt: unbounded
  std::vector<ProductLoss> lost_units;  // products with a loss, ascending product index
  double lost_units_total = 0;
  double impact = 0;
  double rei = 0;
  bool exposed = false;
};

// One scenario per site that has production nodes, in site order, down for the
// site's recovery_days, else the largest recovery_days of its production rows,
// else `default_days`.
std::vector<Scenario> SiteScenarios(const network::Network& network,
                                    double default_days = kDefaultRecoveryDays);

struct SolverOptions {
  // Skip the TTR LP of scenarios that are not exposed (see above). Results are
  // the same either way; false only serves to check that.
  bool skip_unexposed_ttr = true;
  // Polled after every simplex iteration when set: once it is true, the solve in
  // progress stops and Create or Solve returns Unavailable "the LP solve was
  // cancelled" (a large network's first solve can take minutes).
  const std::atomic<bool>* cancel = nullptr;
};

class ScenarioSolver {
 public:
  // Builds both LPs and solves them for the undisrupted network. `network` is
  // borrowed and must outlive the solver. FailedPrecondition "the network has no
  // demand: ..." when no demand vertex is fed by the network; Internal when Clp
  // fails.
  static StatusOr<std::unique_ptr<ScenarioSolver>> Create(const network::Network& network,
                                                          const SolverOptions& options = {});
  ~ScenarioSolver();
  ScenarioSolver(const ScenarioSolver&) = delete;
  ScenarioSolver& operator=(const ScenarioSolver&) = delete;

  // A solver with copies of both LPs and their undisrupted bases, for another
  // thread; no LP is solved again (on a generated 10 k-node network the
  // undisrupted solves take minutes). Its results are those of a solver made by
  // Create. `network` stays borrowed. Not while this solver is solving.
  std::unique_ptr<ScenarioSolver> Clone() const;

  // Solves one scenario (rei left 0). InvalidArgument for negative days or a site
  // out of range; Internal when Clp fails.
  StatusOr<ScenarioResult> Solve(const Scenario& scenario);

  // TTR LPs solved so far (the exposed scenarios; the others skip it).
  size_t ttr_solves() const { return ttr_solves_; }

 private:
  // An LP with the optimal basis and solution of the undisrupted network, which
  // every scenario starts from.
  struct Lp {
    std::unique_ptr<ClpSimplex> model;
    std::vector<unsigned char> status;
    std::vector<double> columns;
    std::vector<double> rows;
    void Save();
    void Restore();
    Lp Copy() const;
  };

  ScenarioSolver(const network::Network& network, const SolverOptions& options);
  // Sets the production of the scenario's nodes to 0 (down) or back to its
  // bound: unlimited, or with `capped_days` the node's capacity × those days.
  void SetDown(ClpSimplex& lp, const Scenario& scenario, bool down,
               std::optional<double> capped_days);

  const network::Network& network_;
  const SolverOptions options_;
  Lp tts_;
  Lp ttr_;
  int t_column_ = 0;       // t in the TTR LP, τ = 1/t in the TTS LP
  bool tts_zero_ = false;  // the undisrupted TTS LP is infeasible: TTS 0 everywhere
  int l_first_ = 0;
  std::vector<double> column_cap_;  // TTR: per-day cap of a column (×days), or COIN_DBL_MAX
  std::vector<int> capped_;         // columns with a finite cap
  size_t ttr_solves_ = 0;
};

// Called after each scenario with how many are done and how many there are.
using ScenarioProgress = std::function<void(size_t done, size_t total)>;

struct RunOptions {
  // Solver threads, one ScenarioSolver each (capped at the number of scenarios):
  // one is made by Create, the others are its clones. Results do not depend on it.
  int threads = 2;
  // Optional; called from the solver threads, one call at a time, with done
  // counting up from 1 to the number of scenarios.
  ScenarioProgress progress;
};

// Solves every scenario and fills in rei; results in the order of `scenarios`.
// The first error of any scenario is returned.
StatusOr<std::vector<ScenarioResult>> RunScenarios(const network::Network& network,
                                                   std::span<const Scenario> scenarios,
                                                   const RunOptions& options = {});

}  // namespace renkei::risk

#endif  // RENKEI_RISK_TIME_TO_SURVIVE_H_
