// Time to survive (TTS) and time to recover (TTR) of disruption scenarios
// (DESIGN.md, "Analyses"; Simchi-Levi et al., Interfaces 45(5), 2015).
//
// One linear program in per-day rates serves both questions. Over a horizon of
// t days, with u_j production of node j, y_e shipment along edge e (network.h;
// a site's own production counts as an edge) and l_d lost units of demand
// vertex d, the constraints are
//   q_g · u_j ≤ Σ_{e ∈ g} y_e      for every input group g of node j (BOM);
//   Σ_{e out of i} y_e − u_i ≤ s_i  shipments beyond production come from inventory;
//   u_j ≤ c_j · t, Σ_{j at site} u_j ≤ c_site · t, Σ_{e of link} y_e ≤ c_link · t
//                                   for every capacity given (none means unlimited);
//   Σ_{e into d} y_e + l_d ≥ d_d · t − s_d   for every demand vertex d;
//   u_j = 0 for the nodes of disrupted sites; all variables ≥ 0.
// Divided by t (rates x = u/t, z = y/t, λ = l/t, τ = 1/t; solutions map one to
// one) they read q·x ≤ Σz, Σz − x − s·τ ≤ 0, x ≤ c (single capacities become
// column bounds), inflow + λ + s_d·τ ≥ d_d.
// TTS: maximise t with l = 0, i.e. minimise τ with λ = 0 (τ ≥ 1/kUnboundedDays;
// τ at that bound is reported as unbounded, nullopt: the network meets demand
// forever; no feasible τ means TTS 0). TTR: τ fixed at 1/T for the scenario's
// days T, minimise Σ_d (f_d + 1e-6) · λ_d (f = margin_per_unit, 0 when absent;
// the small term makes lost units minimal among solutions of equal impact);
// lost units l = T·λ.
// Results: lost units per product and in total, impact = Σ f_d · l_d, REI =
// impact ÷ the largest impact of the scenarios run together (0 when all are 0),
// exposed = TTS < TTR. Demand vertices with no input (network.h) are outside the
// network and take no part. Lost units are absolute, not relative to a
// disruption-free horizon.
//
// The LP is built once per network and solved once with nothing down (x⁰). x⁰
// is feasible for every scenario's LP except on the disrupted nodes: a larger τ
// only loosens the rows it is in (−s·τ in a ≤ row, +s_d·τ in a ≥ row), and
// x⁰ has λ = 0. So each scenario is solved on a region around its disrupted
// nodes, every other column fixed at x⁰ (its rows' other terms move into the
// bounds), and the region grows until LP duality proves the whole solution
// optimal: with y the region LP's row duals (0 on every row outside it), every
// fixed column must price out, c_j − yᵀA_j ≥ 0 at its lower bound, ≤ 0 at its
// upper bound, = 0 in between (Clp's tolerance); columns that do not join the
// region and the region LP is solved again from its last basis. Rows outside the
// region that hold τ are checked against the region's τ and join it when
// violated; otherwise they are slack or have dual 0. The combined solution is
// then primal feasible, dual feasible and complementary: optimal for the whole
// LP. A TTS region whose τ reaches its lower bound needs no pricing: no solution
// of the whole LP has a smaller objective. With nothing down all duals are 0, so
// a region stays near the part of the network whose supply the disruption
// actually limits. A region LP that is infeasible grows by a layer of
// neighbours (with none left, the whole LP is infeasible). On LPs of 20,000
// columns or more, a region past 1/40 of them (TTS; 1/10 for TTR) is solved as
// the whole LP from x⁰'s basis instead: a disruption rerouted in full pulls the
// upstream cone of its rerouting into the region, and degenerate duals keep
// adding columns that do not change the optimum.
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
// Without capacities. When no capacity is given anywhere (no node, site or link
// capacity) and no vertex downstream of the disrupted nodes holds stock (the
// disrupted nodes and their downstream cone, demand vertices included), both LPs
// are answered by the AND/OR closure of risk/criticality.h (AliveAfter) with no LP:
// TTS is 0 when some demand vertex with demand > 0 and an input is dead, and
// unbounded otherwise; the TTR LP loses d·T of exactly the dead ones. Proof: the
// network is a DAG (network.h). A vertex outside the cone keeps everything it had.
// A dead vertex in the cone has, by induction in topological order, u = 0 and
// ships nothing: it is disrupted, or some input group has only dead suppliers,
// whose shipments are bounded by their production plus stock, 0 + 0, so its BOM
// row forces u = 0 (q > 0). A dead demand vertex therefore gets no inflow and, with
// no stock of its own, λ = 0 is infeasible at every τ: TTS 0, and in the TTR LP its
// λ is d, l = d·T. Every alive vertex can be fed at any rate: choose for each input
// group one alive supplier (one exists by definition) — the choices form a DAG
// upstream — and push the required amounts up it; no bound limits them. So every
// other demand vertex is met with λ = 0 at the smallest τ (TTS unbounded), and the
// TTR optimum, which weighs every lost unit positively, loses nothing else. A
// generated network has capacities everywhere and never takes this path; a
// single-sourced assembly tree with none takes it for every scenario.
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
  // Solve each scenario on the region it changes (see above); false: the whole
  // LP every time. Results are the same up to the solver's tolerances; false only
  // serves to check that.
  bool regions = true;
  // Answer scenarios from the AND/OR closure where that is proven to give the
  // LPs' answer (see "Without capacities" above). Results are the same either way;
  // false only serves to check that.
  bool fast_paths = true;
  // Polled after every simplex iteration when set: once it is true, the solve in
  // progress stops and Create or Solve returns Unavailable "the LP solve was
  // cancelled" (a large network's first solve can take minutes).
  const std::atomic<bool>* cancel = nullptr;
};

class ScenarioSolver {
 public:
  // Builds the LP and solves it for the undisrupted network. `network` is
  // borrowed and must outlive the solver. FailedPrecondition "the network has no
  // demand: ..." when no demand vertex is fed by the network; Internal when Clp
  // fails.
  static StatusOr<std::unique_ptr<ScenarioSolver>> Create(const network::Network& network,
                                                          const SolverOptions& options = {});
  ~ScenarioSolver();
  ScenarioSolver(const ScenarioSolver&) = delete;
  ScenarioSolver& operator=(const ScenarioSolver&) = delete;

  // A solver for another thread; it shares the LP and its undisrupted solution
  // with this one (read only), so nothing is solved again (on a generated 10
  // k-node network the undisrupted solve takes a minute). Its results are those
  // of a solver made by Create. `network` stays borrowed.
  std::unique_ptr<ScenarioSolver> Clone() const;

  // Solves one scenario (rei left 0). InvalidArgument for negative days or a site
  // out of range; Internal when Clp fails.
  StatusOr<ScenarioResult> Solve(const Scenario& scenario);

  // TTR LPs solved so far (the exposed scenarios; the others skip it).
  size_t ttr_solves() const { return ttr_solves_; }
  // How the scenario LPs were solved so far (for tests and benchmarks): on a
  // region (lps), in how many region LP solves (rounds) and with how many
  // columns in their final regions (summed), or as the whole LP.
  struct Counts {
    size_t region_lps = 0;
    size_t region_rounds = 0;
    size_t region_columns = 0;
    size_t whole_lps = 0;
    size_t closure_answers = 0;  // scenarios answered without an LP
  };
  const Counts& counts() const { return counts_; }

 private:
  struct Shared;  // the LP, its undisrupted solution and basis
  struct Region;  // a region LP being solved
  enum class Kind { kTts, kTtr };

  ScenarioSolver(const network::Network& network, const SolverOptions& options);
  // Solves the scenario's TTS (kTts) or TTR at `days` (kTtr) LP; the solution
  // is left in `x_` (every column). Returns Clp's status: 0 optimal, 1
  // infeasible.
  StatusOr<int> SolveLp(Kind kind, const Scenario& scenario, double days);
  // Fills `r` from the AND/OR closure and returns true when the scenario's cone
  // holds no stock (see "Without capacities" above); false, `r` untouched, otherwise.
  bool AnswerFromClosure(const Scenario& scenario, ScenarioResult& r) const;

  const network::Network& network_;
  const SolverOptions options_;
  std::shared_ptr<const Shared> shared_;
  std::unique_ptr<Region> region_;
  std::vector<double> x_;
  std::vector<int> region_seed_;  // the TTS LP's last region, for the TTR LP
  size_t ttr_solves_ = 0;
  Counts counts_;
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
