// Time to survive (TTS) and time to recover (TTR) of disruption scenarios
// (DESIGN.md, "Analyses"; Simchi-Levi et al., Interfaces 45(5), 2015).
//
// Both linear programs are built once per network and kept in COIN-OR Clp; each
// scenario only sets the production of its disrupted nodes to zero (column
// bounds) and re-solves with the dual simplex from the previous basis.
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
// (nullopt): the network meets demand forever. TTR: t = the scenario's days,
// minimise Σ_d (f_d + 1e-6) · l_d (f = margin_per_unit, 0 when absent; the small
// term makes lost units minimal among solutions of equal impact).
// Results: lost units per product and in total, impact = Σ f_d · l_d, REI =
// impact ÷ the largest impact of the scenarios run together (0 when all are 0),
// exposed = TTS < TTR. Demand vertices with no input (network.h) are outside the
// network and take no part. Lost units are absolute, not relative to a
// disruption-free horizon.
//
// Thread-safety: a ScenarioSolver is used by one thread at a time.
#ifndef RENKEI_RISK_TIME_TO_SURVIVE_H_
#define RENKEI_RISK_TIME_TO_SURVIVE_H_

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

class ScenarioSolver {
 public:
  // Builds both LPs. FailedPrecondition "the network has no demand: ..." when no
  // demand vertex is fed by the network.
  static StatusOr<std::unique_ptr<ScenarioSolver>> Create(const network::Network& network);
  ~ScenarioSolver();
  ScenarioSolver(const ScenarioSolver&) = delete;
  ScenarioSolver& operator=(const ScenarioSolver&) = delete;

  // Solves one scenario (rei left 0). InvalidArgument for negative days or a site
  // out of range; Internal when Clp fails.
  StatusOr<ScenarioResult> Solve(const Scenario& scenario);

 private:
  explicit ScenarioSolver(const network::Network& network);
  void SetDisrupted(const Scenario& scenario, bool down);

  const network::Network& network_;
  std::unique_ptr<ClpSimplex> tts_;
  std::unique_ptr<ClpSimplex> ttr_;
  int t_column_ = 0;
  int l_first_ = 0;
  std::vector<double> column_cap_;  // TTR: per-day cap of a column (×days), or COIN_DBL_MAX
  std::vector<int> capped_;         // columns with a finite cap
  bool warm_ = false;               // both LPs solved once: later solves start from their bases
};

// Solves every scenario with one solver and fills in rei.
StatusOr<std::vector<ScenarioResult>> RunScenarios(const network::Network& network,
                                                   std::span<const Scenario> scenarios);

}  // namespace renkei::risk

#endif  // RENKEI_RISK_TIME_TO_SURVIVE_H_
