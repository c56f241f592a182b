#include "risk/time_to_survive.h"

#include <ClpEventHandler.hpp>
#include <ClpSimplex.hpp>
#include <CoinPackedMatrix.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <thread>
#include <tuple>

#include "base/numbers.h"

namespace renkei::risk {
namespace {

using network::Index;

constexpr double kLostUnitWeight = 1e-6;
constexpr double kZero = 1e-7;  // solver noise below this is reported as 0

// Dual simplex from the basis in the model; primal if that basis has lost dual
// feasibility (rare). Returns Clp's status (0: optimal).
// Clp's status when an event handler stopped the solve.
constexpr int kStopped = 5;

// Stops a solve after the iteration in which `*cancel` turned true.
class CancelHandler : public ClpEventHandler {
 public:
  explicit CancelHandler(const std::atomic<bool>* cancel) : cancel_(cancel) {}
  int event(Event e) override { return e == endOfIteration && cancel_->load() ? 0 : -1; }
  ClpEventHandler* clone() const override { return new CancelHandler(*this); }

 private:
  const std::atomic<bool>* cancel_;
};

Status Cancelled() { return UnavailableError("the LP solve was cancelled"); }

int SolveFromBasis(ClpSimplex& lp) {
  lp.dual();
  if (lp.status() != 0) lp.primal();
  return lp.status();
}

double Clean(double x) { return std::fabs(x) < kZero ? 0 : x; }

std::unique_ptr<ClpSimplex> NewModel(const CoinPackedMatrix& matrix,
                                     const std::vector<double>& col_lb,
                                     const std::vector<double>& col_ub,
                                     const std::vector<double>& obj,
                                     const std::vector<double>& row_lb,
                                     const std::vector<double>& row_ub) {
  auto lp = std::make_unique<ClpSimplex>();
  lp->setLogLevel(0);
  lp->loadProblem(matrix, col_lb.data(), col_ub.data(), obj.data(), row_lb.data(), row_ub.data());
  return lp;
}

}  // namespace

std::vector<Scenario> SiteScenarios(const network::Network& net, double default_days) {
  const model::Model& m = net.model();
  std::vector<Scenario> out;
  for (Index s = 0; s < m.sites.size(); ++s) {
    if (net.nodes_at_site(s).empty()) continue;
    std::optional<double> days = m.sites[s].recovery_days;
    if (!days) {
      for (Index v : net.nodes_at_site(s)) {
        if (auto r = m.production[v].recovery_days; r && (!days || *r > *days)) days = r;
      }
    }
    out.push_back({m.sites[s].id, {s}, days.value_or(default_days)});
  }
  return out;
}

void ScenarioSolver::Lp::Save() {
  const int n = model->numberColumns(), m = model->numberRows();
  status.assign(model->statusArray(), model->statusArray() + n + m);
  columns.assign(model->primalColumnSolution(), model->primalColumnSolution() + n);
  rows.assign(model->primalRowSolution(), model->primalRowSolution() + m);
}

void ScenarioSolver::Lp::Restore() {
  model->copyinStatus(status.data());
  std::copy(columns.begin(), columns.end(), model->primalColumnSolution());
  std::copy(rows.begin(), rows.end(), model->primalRowSolution());
}

ScenarioSolver::Lp ScenarioSolver::Lp::Copy() const {
  Lp copy;
  copy.model = std::make_unique<ClpSimplex>(*model);
  copy.status = status;
  copy.columns = columns;
  copy.rows = rows;
  return copy;
}

ScenarioSolver::ScenarioSolver(const network::Network& network, const SolverOptions& options)
    : network_(network), options_(options) {}
ScenarioSolver::~ScenarioSolver() = default;

StatusOr<std::unique_ptr<ScenarioSolver>> ScenarioSolver::Create(const network::Network& net,
                                                                 const SolverOptions& options) {
  const model::Model& m = net.model();
  bool fed = false;
  for (Index d = 0; d < net.demand_count() && !fed; ++d) {
    fed = !net.groups(net.DemandVertex(d)).empty();
  }
  if (!fed) {
    return FailedPreconditionError(
        net.demand_count() == 0
            ? "the network has no demand: time to survive needs demand rows"
            : "the network has no demand it supplies: no demand row is fed by a production "
              "node");
  }
  std::unique_ptr<ScenarioSolver> solver(new ScenarioSolver(net, options));
  const int nodes = static_cast<int>(net.node_count());
  const int edges = static_cast<int>(net.edge_count());
  const int demands = static_cast<int>(net.demand_count());
  const int y0 = nodes;
  solver->l_first_ = nodes + edges;
  solver->t_column_ = nodes + edges + demands;
  const int t = solver->t_column_;
  const int columns = t + 1;

  const double inf = COIN_DBL_MAX;
  // Edges per supply link: a link feeding one edge caps that edge's column.
  std::vector<uint32_t> link_edges(m.supply.size(), 0);
  for (Index e = 0; e < net.edge_count(); ++e) {
    if (net.in_edge(e).link != network::kNone) ++link_edges[net.in_edge(e).link];
  }
  solver->column_cap_.assign(static_cast<size_t>(columns), inf);
  solver->capped_.clear();

  // Both models turn single-column capacities into column bounds, which makes
  // the LP about a third as tall and dual simplex iterations much cheaper. The
  // TTR model (t fixed) has them per horizon, c·t. The TTS model is written in
  // per-day rates x = u/t, z = y/t with τ = 1/t (t > 0; dividing every row by t
  // maps its solutions one to one): q·x ≤ Σz, Σz − x − s·τ ≤ 0, x ≤ c, inflow +
  // s_d·τ ≥ d_d; maximising t is minimising τ. With t a column, every capacity
  // c·t would be a row with t in it.
  auto build = [&](bool rates) {
    std::vector<int> rows, cols;
    std::vector<double> vals, row_lb, row_ub;
    auto add_row = [&](double lb, double ub) {
      row_lb.push_back(lb);
      row_ub.push_back(ub);
      return static_cast<int>(row_lb.size() - 1);
    };
    auto put = [&](int row, int col, double value) {
      rows.push_back(row);
      cols.push_back(col);
      vals.push_back(value);
    };
    auto cap_column = [&](int col, double cap) {
      if (solver->column_cap_[static_cast<size_t>(col)] == inf) solver->capped_.push_back(col);
      solver->column_cap_[static_cast<size_t>(col)] = cap;
    };
    for (Index v = 0; v < net.vertex_count(); ++v) {
      const bool demand = net.IsDemand(v);
      for (const network::InputGroup& g : net.groups(v)) {
        int row;
        if (demand) {
          const model::Demand& d = m.demand[net.DemandRow(v)];
          const double stock = d.inventory_units.value_or(0);
          put(row = rates ? add_row(d.demand_per_day, inf) : add_row(-stock, inf),
              solver->l_first_ + static_cast<int>(net.DemandRow(v)), 1);
          if (rates) {
            // inflow + l + s·τ ≥ d
            if (stock != 0) put(row, t, stock);
          } else {
            // inflow + l − d·t ≥ −s
            put(row, t, -d.demand_per_day);
          }
        } else {
          // q·u − inflow ≤ 0
          row = add_row(-inf, 0);
          put(row, static_cast<int>(v), g.quantity);
        }
        for (Index e = g.edge_begin; e < g.edge_end; ++e) {
          put(row, y0 + static_cast<int>(e), demand ? 1 : -1);
        }
      }
    }
    for (Index i = 0; i < net.node_count(); ++i) {
      const model::Production& p = m.production[i];
      if (!net.out(i).empty()) {
        const double stock = p.inventory_units.value_or(0);
        int row = add_row(-inf, rates ? 0 : stock);
        if (rates && stock != 0) put(row, t, -stock);
        put(row, static_cast<int>(i), -1);
        for (const network::OutEdge& o : net.out(i)) put(row, y0 + static_cast<int>(o.edge), 1);
      }
      if (p.capacity_per_day) cap_column(static_cast<int>(i), *p.capacity_per_day);
    }
    for (Index s = 0; s < m.sites.size(); ++s) {
      if (!m.sites[s].capacity_per_day || net.nodes_at_site(s).empty()) continue;
      const double cap = *m.sites[s].capacity_per_day;
      int row = add_row(-inf, rates ? cap : 0);
      for (Index v : net.nodes_at_site(s)) put(row, static_cast<int>(v), 1);
      if (!rates) put(row, t, -cap);
    }
    std::vector<int> link_row(m.supply.size(), -1);
    for (Index e = 0; e < net.edge_count(); ++e) {
      Index link = net.in_edge(e).link;
      if (link == network::kNone || !m.supply[link].capacity_per_day) continue;
      const double cap = *m.supply[link].capacity_per_day;
      if (link_edges[link] == 1) {
        cap_column(y0 + static_cast<int>(e), cap);
        continue;
      }
      if (link_row[link] < 0) {
        link_row[link] = add_row(-inf, rates ? cap : 0);
        if (!rates) put(link_row[link], t, -cap);
      }
      put(link_row[link], y0 + static_cast<int>(e), 1);
    }
    CoinPackedMatrix matrix(true, rows.data(), cols.data(), vals.data(),
                            static_cast<CoinBigIndex>(vals.size()));
    matrix.setDimensions(static_cast<int>(row_lb.size()), columns);
    return std::tuple(std::move(matrix), std::move(row_lb), std::move(row_ub));
  };

  std::vector<double> col_lb(static_cast<size_t>(columns), 0);
  std::vector<double> col_ub(static_cast<size_t>(columns), inf);
  std::vector<double> obj(static_cast<size_t>(columns), 0);
  {
    // TTS: min τ = 1/t (t ≤ kUnboundedDays), no loss, per-day capacities.
    auto [matrix, row_lb, row_ub] = build(true);
    for (int d = 0; d < demands; ++d) col_ub[static_cast<size_t>(solver->l_first_ + d)] = 0;
    for (int col : solver->capped_) {
      col_ub[static_cast<size_t>(col)] = solver->column_cap_[static_cast<size_t>(col)];
    }
    col_lb[static_cast<size_t>(t)] = 1 / kUnboundedDays;
    obj[static_cast<size_t>(t)] = 1;
    solver->tts_.model = NewModel(matrix, col_lb, col_ub, obj, row_lb, row_ub);
    col_lb[static_cast<size_t>(t)] = 0;
  }
  {
    // TTR: min margin-weighted loss, t fixed per scenario.
    auto [matrix, row_lb, row_ub] = build(false);
    obj[static_cast<size_t>(t)] = 0;
    for (int d = 0; d < demands; ++d) {
      const model::Demand& dem = m.demand[static_cast<size_t>(d)];
      const bool in_network = !net.groups(net.DemandVertex(static_cast<Index>(d))).empty();
      col_ub[static_cast<size_t>(solver->l_first_ + d)] = in_network ? inf : 0;
      obj[static_cast<size_t>(solver->l_first_ + d)] =
          dem.margin_per_unit.value_or(0) + kLostUnitWeight;
    }
    // The undisrupted basis is computed at the default horizon; any other
    // horizon only moves bounds.
    for (int col : solver->capped_) {
      col_ub[static_cast<size_t>(col)] =
          solver->column_cap_[static_cast<size_t>(col)] * kDefaultRecoveryDays;
    }
    col_lb[static_cast<size_t>(t)] = kDefaultRecoveryDays;
    col_ub[static_cast<size_t>(t)] = kDefaultRecoveryDays;
    solver->ttr_.model = NewModel(matrix, col_lb, col_ub, obj, row_lb, row_ub);
  }
  // Without presolve: on generated 2 k-site networks Clp's presolve returned a
  // wrong "optimal" τ (65 days for a network that survives forever).
  for (Lp* lp : {&solver->tts_, &solver->ttr_}) {
    if (options.cancel != nullptr) {
      const CancelHandler handler(options.cancel);
      lp->model->passInEventHandler(&handler);  // Clp keeps a clone
    }
    if (SolveFromBasis(*lp->model) == kStopped && options.cancel != nullptr) return Cancelled();
    // No τ feasible with nothing down: TTS is 0 in every scenario.
    if (lp == &solver->tts_ && lp->model->status() == 1) solver->tts_zero_ = true;
    if (lp->model->status() != 0 && !(lp == &solver->tts_ && solver->tts_zero_)) {
      return InternalError("the LP solver stopped with status " +
                           std::to_string(lp->model->status()) + " on the undisrupted network");
    }
    lp->Save();
  }
  return solver;
}

std::unique_ptr<ScenarioSolver> ScenarioSolver::Clone() const {
  std::unique_ptr<ScenarioSolver> copy(new ScenarioSolver(network_, options_));
  copy->tts_ = tts_.Copy();
  copy->ttr_ = ttr_.Copy();
  copy->t_column_ = t_column_;
  copy->tts_zero_ = tts_zero_;
  copy->l_first_ = l_first_;
  copy->column_cap_ = column_cap_;
  copy->capped_ = capped_;
  return copy;
}

void ScenarioSolver::SetDown(ClpSimplex& lp, const Scenario& scenario, bool down,
                             std::optional<double> capped_days) {
  for (Index s : scenario.sites) {
    for (Index v : network_.nodes_at_site(s)) {
      const double cap = column_cap_[v];
      double upper = COIN_DBL_MAX;
      if (down) {
        upper = 0;
      } else if (capped_days && cap < COIN_DBL_MAX) {
        upper = cap * *capped_days;
      }
      lp.setColumnUpper(static_cast<int>(v), upper);
    }
  }
}

StatusOr<ScenarioResult> ScenarioSolver::Solve(const Scenario& scenario) {
  if (!(scenario.days >= 0) || !std::isfinite(scenario.days)) {
    return InvalidArgumentError("scenario '" + scenario.name +
                                "': days must be a number >= 0, got " +
                                FormatNumber(scenario.days));
  }
  for (Index s : scenario.sites) {
    if (s >= network_.model().sites.size()) {
      return InvalidArgumentError("scenario '" + scenario.name + "': site index out of range");
    }
  }
  ScenarioResult r;
  r.scenario = scenario.name;
  r.sites = scenario.sites;
  r.ttr_days = scenario.days;
  auto failed = [&](int status) {
    if (status == kStopped && options_.cancel != nullptr) return Cancelled();
    return InternalError("scenario '" + scenario.name + "': the LP solver stopped with status " +
                         std::to_string(status));
  };

  // The TTS LP's column caps are per day.
  ClpSimplex& tts_lp = *tts_.model;
  tts_.Restore();
  SetDown(tts_lp, scenario, true, std::nullopt);
  const int tts_status = tts_zero_ ? 1 : SolveFromBasis(tts_lp);
  SetDown(tts_lp, scenario, false, 1.0);
  // Primal infeasible: no τ works, so no t > 0 does: TTS is 0.
  if (tts_status != 0 && tts_status != 1) return failed(tts_status);
  const double tts = tts_status == 1 ? 0 : 1 / tts_lp.primalColumnSolution()[t_column_];
  if (tts < kUnboundedDays * (1 - 1e-9)) r.tts_days = Clean(tts);
  r.exposed = r.tts_days.has_value() && *r.tts_days < r.ttr_days;
  // Not exposed: no loss, see the header.
  if (options_.skip_unexposed_ttr && tts >= scenario.days) return r;

  ClpSimplex& ttr_lp = *ttr_.model;
  ttr_.Restore();
  for (int col : capped_) {
    ttr_lp.setColumnUpper(col, column_cap_[static_cast<size_t>(col)] * scenario.days);
  }
  ttr_lp.setColumnBounds(t_column_, scenario.days, scenario.days);
  SetDown(ttr_lp, scenario, true, scenario.days);
  const int ttr_status = SolveFromBasis(ttr_lp);
  SetDown(ttr_lp, scenario, false, scenario.days);
  ++ttr_solves_;
  if (ttr_status != 0) return failed(ttr_status);

  const model::Model& m = network_.model();
  const double* x = ttr_lp.primalColumnSolution();
  std::vector<double> lost(m.products.size(), 0);
  for (Index d = 0; d < network_.demand_count(); ++d) {
    double l = Clean(x[l_first_ + static_cast<int>(d)]);
    if (l <= 0) continue;
    lost[m.demand[d].product] += l;
    r.lost_units_total += l;
    r.impact += l * m.demand[d].margin_per_unit.value_or(0);
  }
  for (Index p = 0; p < lost.size(); ++p) {
    if (lost[p] > 0) r.lost_units.push_back({p, lost[p]});
  }
  return r;
}

StatusOr<std::vector<ScenarioResult>> RunScenarios(const network::Network& net,
                                                   std::span<const Scenario> scenarios,
                                                   const RunOptions& options) {
  const size_t total = scenarios.size();
  const size_t threads = std::clamp<size_t>(static_cast<size_t>(std::max(options.threads, 1)), 1,
                                            std::max<size_t>(total, 1));
  std::vector<std::optional<ScenarioResult>> results(total);
  std::atomic<size_t> next{0};
  std::mutex mu;
  size_t done = 0;             // guarded by mu
  Status first_error;          // guarded by mu
  size_t error_index = total;  // guarded by mu: the scenario of first_error
  // The undisrupted LPs are solved once; every other thread gets a clone.
  StatusOr<std::unique_ptr<ScenarioSolver>> first = ScenarioSolver::Create(net);
  if (!first.ok()) return first.status();
  std::vector<std::unique_ptr<ScenarioSolver>> solvers;
  solvers.push_back(std::move(*first));
  while (solvers.size() < threads) solvers.push_back(solvers.front()->Clone());
  // Each thread has its own solver and takes the next unsolved scenario; since a
  // result depends on its scenario only, the schedule does not change results.
  auto work = [&](ScenarioSolver& solver) {
    for (size_t i = next++; i < total; i = next++) {
      StatusOr<ScenarioResult> r = solver.Solve(scenarios[i]);
      std::lock_guard lock(mu);
      if (!r.ok()) {
        if (i < error_index) {
          first_error = r.status();
          error_index = i;
        }
        next = total;
        return;
      }
      results[i] = std::move(*r);
      if (options.progress) options.progress(++done, total);
    }
  };
  if (threads == 1) {
    work(*solvers.front());
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(work, std::ref(*solvers[t]));
    for (std::thread& t : pool) t.join();
  }
  if (!first_error.ok()) return first_error;
  std::vector<ScenarioResult> out;
  out.reserve(total);
  double worst = 0;
  for (std::optional<ScenarioResult>& r : results) {
    worst = std::max(worst, r->impact);
    out.push_back(std::move(*r));
  }
  for (ScenarioResult& r : out) r.rei = worst > 0 ? r.impact / worst : 0;
  return out;
}

}  // namespace renkei::risk
