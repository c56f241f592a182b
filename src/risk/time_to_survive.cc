#include "risk/time_to_survive.h"

#include <ClpEventHandler.hpp>
#include <ClpSimplex.hpp>
#include <ClpSolve.hpp>
#include <CoinPackedMatrix.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include "base/numbers.h"
#include "risk/criticality.h"

namespace renkei::risk {
namespace {

using network::Index;

constexpr double kLostUnitWeight = 1e-6;
constexpr double kZero = 1e-7;  // solver noise below this is reported as 0
// Clp's feasibility and optimality tolerances (relative here).
constexpr double kTolerance = 1e-7;
// Relative tolerance of a fixed column's reduced cost against its largest term.
constexpr double kDualTolerance = 1e-9;
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

// Dual simplex from the basis in the model; primal if that basis has lost dual
// feasibility. Returns Clp's status (0: optimal).
int SolveFromBasis(ClpSimplex& lp) {
  lp.dual();
  if (lp.status() != 0) lp.primal();
  return lp.status();
}

double Clean(double x) { return std::fabs(x) < kZero ? 0 : x; }

void Watch(ClpSimplex& lp, const std::atomic<bool>* cancel) {
  if (cancel == nullptr) return;
  const CancelHandler handler(cancel);
  lp.passInEventHandler(&handler);  // Clp keeps a clone
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

// The per-day LP (see the header) in both orientations, with the optimum and
// basis of the undisrupted network. Read only once made; a solver and its
// clones share it.
struct ScenarioSolver::Shared {
  CoinPackedMatrix by_column;
  CoinPackedMatrix by_row;
  std::vector<double> col_lb, col_ub, row_lb, row_ub;
  // TTR objective of each λ column, (f + 1e-6) scaled by a common factor; 0 for
  // demand vertices outside the network, whose λ stays 0.
  std::vector<double> loss_weight;
  std::vector<double> x0;  // the undisrupted optimum
  std::vector<unsigned char> column_status0, row_status0;
  // Per row: the activity of x0 without its τ term.
  std::vector<double> activity_without_tau;
  int tau = 0;
  double tau_cost = 1;  // the TTS objective's coefficient of τ
  int l_first = 0;
  int demands = 0;
  bool tts_zero = false;  // the undisrupted TTS LP is infeasible: TTS 0 everywhere
  // No capacity is given anywhere (nodes, sites, links): scenarios whose cone
  // holds no inventory are answered from the AND/OR closure (see the header).
  bool uncapacitated = false;

  int columns() const { return by_column.getNumCols(); }
  int rows() const { return by_column.getNumRows(); }
};

// One scenario's LP over the shared matrix: bounds and objective of every
// column, and the value each column keeps while outside the region.
struct ScenarioLp {
  std::vector<double> lb, ub, obj, fixed;
  int variable_tau = -1;  // τ's column when it is a variable (TTS)
};

// A region LP: the columns that may move and the rows they touch, grown until
// every fixed column prices out (see the header). Scratch space kept by a
// solver between scenarios.
struct ScenarioSolver::Region {
  explicit Region(const Shared& s)
      : shared(s),
        col_in(static_cast<size_t>(s.columns()), 0),
        row_in(static_cast<size_t>(s.rows()), 0),
        col_local(static_cast<size_t>(s.columns()), -1),
        row_local(static_cast<size_t>(s.rows()), -1),
        checked(static_cast<size_t>(s.columns()), 0),
        col_status(static_cast<size_t>(s.columns()), 0),
        row_status(static_cast<size_t>(s.rows()), 0) {}

  const Shared& shared;
  std::vector<char> col_in, row_in;
  std::vector<int> col_local, row_local;
  std::vector<unsigned> checked;  // round stamp of the last pricing
  unsigned stamp = 0;
  std::vector<unsigned char> col_status, row_status;  // of region members
  std::vector<int> cols, rows;                        // region members
  std::vector<int> new_cols;                          // whose rows are not added yet

  void Clear() {
    for (int c : cols) col_in[static_cast<size_t>(c)] = 0;
    for (int r : rows) row_in[static_cast<size_t>(r)] = 0;
    cols.clear();
    rows.clear();
    new_cols.clear();
  }

  void AddColumn(const ScenarioLp& lp, int c, std::vector<double>& x) {
    const size_t i = static_cast<size_t>(c);
    if (col_in[i]) return;
    col_in[i] = 1;
    cols.push_back(c);
    new_cols.push_back(c);
    const double v = std::clamp(lp.fixed[i], lp.lb[i], lp.ub[i]);
    x[i] = v;
    ClpSimplex::Status status = ClpSimplex::superBasic;
    if (v <= lp.lb[i]) {
      status = ClpSimplex::atLowerBound;
    } else if (v >= lp.ub[i]) {
      status = ClpSimplex::atUpperBound;
    }
    col_status[i] = static_cast<unsigned char>(status);
  }

  bool AddRow(int r) {
    const size_t i = static_cast<size_t>(r);
    if (row_in[i]) return false;
    row_in[i] = 1;
    rows.push_back(r);
    row_status[i] = static_cast<unsigned char>(ClpSimplex::basic);
    return true;
  }

  // Adds the rows of the columns added since the last call (τ's only where it
  // is violated, see TauRows).
  bool AddRowsOfNewColumns(const ScenarioLp& lp) {
    bool added = false;
    for (int c : new_cols) {
      if (c == lp.variable_tau) continue;
      const CoinShallowPackedVector col = shared.by_column.getVector(c);
      for (int k = 0; k < col.getNumElements(); ++k) added |= AddRow(col.getIndices()[k]);
    }
    new_cols.clear();
    return added;
  }

  // Adds the rows outside the region that hold τ and are violated at τ's value
  // (their other columns are at x0), with their columns.
  bool AddViolatedTauRows(const ScenarioLp& lp, double tau, std::vector<double>& x) {
    bool added = false;
    const CoinShallowPackedVector col = shared.by_column.getVector(shared.tau);
    for (int k = 0; k < col.getNumElements(); ++k) {
      const int r = col.getIndices()[k];
      const size_t i = static_cast<size_t>(r);
      if (row_in[i]) continue;
      const double activity = shared.activity_without_tau[i] + col.getElements()[k] * tau;
      const double lo = shared.row_lb[i], up = shared.row_ub[i];
      if (activity >= lo - kTolerance * (1 + std::fabs(lo)) &&
          activity <= up + kTolerance * (1 + std::fabs(up))) {
        continue;
      }
      added |= AddRow(r);
      const CoinShallowPackedVector row = shared.by_row.getVector(r);
      for (int e = 0; e < row.getNumElements(); ++e) AddColumn(lp, row.getIndices()[e], x);
    }
    return added;
  }

  // Adds every column of the region's rows; false when there is none left to
  // add: the region LP is then the whole LP's only part that can change.
  bool AddNeighbours(const ScenarioLp& lp, std::vector<double>& x) {
    const size_t before = cols.size();
    const size_t nrows = rows.size();
    for (size_t k = 0; k < nrows; ++k) {
      const CoinShallowPackedVector row = shared.by_row.getVector(rows[k]);
      for (int e = 0; e < row.getNumElements(); ++e) {
        const int c = row.getIndices()[e];
        if (lp.lb[static_cast<size_t>(c)] != lp.ub[static_cast<size_t>(c)]) AddColumn(lp, c, x);
      }
    }
    return cols.size() > before;
  }

  std::unique_ptr<ClpSimplex> Build(const ScenarioLp& lp, const std::vector<double>& x) {
    const int ncols = static_cast<int>(cols.size()), nrows = static_cast<int>(rows.size());
    for (int k = 0; k < ncols; ++k)
      col_local[static_cast<size_t>(cols[static_cast<size_t>(k)])] = k;
    for (int k = 0; k < nrows; ++k)
      row_local[static_cast<size_t>(rows[static_cast<size_t>(k)])] = k;
    std::vector<double> rlb(static_cast<size_t>(nrows)), rub(static_cast<size_t>(nrows));
    for (int k = 0; k < nrows; ++k) {
      const size_t r = static_cast<size_t>(rows[static_cast<size_t>(k)]);
      const CoinShallowPackedVector row = shared.by_row.getVector(static_cast<int>(r));
      double fixed = 0;
      for (int e = 0; e < row.getNumElements(); ++e) {
        const size_t j = static_cast<size_t>(row.getIndices()[e]);
        if (!col_in[j]) fixed += row.getElements()[e] * lp.fixed[j];
      }
      rlb[static_cast<size_t>(k)] =
          shared.row_lb[r] > -COIN_DBL_MAX ? shared.row_lb[r] - fixed : -COIN_DBL_MAX;
      rub[static_cast<size_t>(k)] =
          shared.row_ub[r] < COIN_DBL_MAX ? shared.row_ub[r] - fixed : COIN_DBL_MAX;
    }
    std::vector<CoinBigIndex> starts{0};
    std::vector<int> index;
    std::vector<double> value, clb, cub, obj;
    for (int c : cols) {
      const size_t j = static_cast<size_t>(c);
      const CoinShallowPackedVector col = shared.by_column.getVector(c);
      for (int e = 0; e < col.getNumElements(); ++e) {
        const size_t r = static_cast<size_t>(col.getIndices()[e]);
        if (!row_in[r]) continue;
        index.push_back(row_local[r]);
        value.push_back(col.getElements()[e]);
      }
      starts.push_back(static_cast<CoinBigIndex>(index.size()));
      clb.push_back(lp.lb[j]);
      cub.push_back(lp.ub[j]);
      obj.push_back(lp.obj[j]);
    }
    auto model = std::make_unique<ClpSimplex>();
    model->setLogLevel(0);
    model->loadProblem(ncols, nrows, starts.data(), index.data(), value.data(), clb.data(),
                       cub.data(), obj.data(), rlb.data(), rub.data());
    model->createStatus();
    double* solution = model->primalColumnSolution();
    for (int k = 0; k < ncols; ++k) {
      const size_t j = static_cast<size_t>(cols[static_cast<size_t>(k)]);
      model->setColumnStatus(k, static_cast<ClpSimplex::Status>(col_status[j]));
      solution[k] = x[j];
    }
    for (int k = 0; k < nrows; ++k) {
      model->setRowStatus(k, static_cast<ClpSimplex::Status>(
                                 row_status[static_cast<size_t>(rows[static_cast<size_t>(k)])]));
    }
    return model;
  }

  // After an optimal solve: keeps the solution and basis of the region.
  void Keep(const ClpSimplex& model, std::vector<double>& x) {
    const double* sol = model.primalColumnSolution();
    for (size_t k = 0; k < cols.size(); ++k) {
      const size_t j = static_cast<size_t>(cols[k]);
      x[j] = sol[k];
      col_status[j] = static_cast<unsigned char>(model.getColumnStatus(static_cast<int>(k)));
    }
    for (size_t k = 0; k < rows.size(); ++k) {
      row_status[static_cast<size_t>(rows[k])] =
          static_cast<unsigned char>(model.getRowStatus(static_cast<int>(k)));
    }
  }

  // Adds every fixed column that does not price out against the duals of the
  // optimal region LP in `model`. Returns how many were added.
  size_t Price(const ScenarioLp& lp, const ClpSimplex& model, std::vector<double>& x) {
    const double* y = model.dualRowSolution();
    ++stamp;
    std::vector<int> enter;
    for (size_t k = 0; k < rows.size(); ++k) {
      if (y[k] == 0) continue;
      const CoinShallowPackedVector row = shared.by_row.getVector(rows[k]);
      for (int e = 0; e < row.getNumElements(); ++e) {
        const int c = row.getIndices()[e];
        const size_t j = static_cast<size_t>(c);
        if (col_in[j] || checked[j] == stamp) continue;
        checked[j] = stamp;
        if (lp.lb[j] == lp.ub[j]) continue;
        double d = lp.obj[j], scale = std::fabs(d);
        const CoinShallowPackedVector col = shared.by_column.getVector(c);
        for (int f = 0; f < col.getNumElements(); ++f) {
          const size_t r = static_cast<size_t>(col.getIndices()[f]);
          if (!row_in[r]) continue;
          const double term = y[row_local[r]] * col.getElements()[f];
          d -= term;
          scale = std::max(scale, std::fabs(term));
        }
        // Relative: the duals of the TTS LP are of the order of 1 / inventory.
        const double tol = kDualTolerance * scale;
        const double v = lp.fixed[j];
        const bool at_lb = v <= lp.lb[j] + kTolerance * (1 + std::fabs(lp.lb[j]));
        const bool at_ub =
            lp.ub[j] < COIN_DBL_MAX && v >= lp.ub[j] - kTolerance * (1 + std::fabs(lp.ub[j]));
        const bool prices_out = at_lb ? d >= -tol : at_ub ? d <= tol : std::fabs(d) <= tol;
        if (!prices_out) enter.push_back(c);
      }
    }
    for (int c : enter) AddColumn(lp, c, x);
    return enter.size();
  }
};

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
  auto shared = std::make_shared<Shared>();
  shared->uncapacitated =
      std::none_of(m.production.begin(), m.production.end(),
                   [](const model::Production& p) { return p.capacity_per_day.has_value(); }) &&
      std::none_of(m.sites.begin(), m.sites.end(),
                   [](const model::Site& x) { return x.capacity_per_day.has_value(); }) &&
      std::none_of(m.supply.begin(), m.supply.end(),
                   [](const model::SupplyLink& l) { return l.capacity_per_day.has_value(); });
  const int nodes = static_cast<int>(net.node_count());
  const int edges = static_cast<int>(net.edge_count());
  const int demands = static_cast<int>(net.demand_count());
  const int y0 = nodes;
  shared->l_first = nodes + edges;
  shared->tau = nodes + edges + demands;
  shared->demands = demands;
  const int t = shared->tau;
  const int columns = t + 1;

  const double inf = COIN_DBL_MAX;
  std::vector<double>& col_lb = shared->col_lb;
  std::vector<double>& col_ub = shared->col_ub;
  col_lb.assign(static_cast<size_t>(columns), 0);
  col_ub.assign(static_cast<size_t>(columns), inf);
  // Edges per supply link: a link feeding one edge caps that edge's column.
  std::vector<uint32_t> link_edges(m.supply.size(), 0);
  for (Index e = 0; e < net.edge_count(); ++e) {
    if (net.in_edge(e).link != network::kNone) ++link_edges[net.in_edge(e).link];
  }
  std::vector<int> rows, cols;
  std::vector<double> vals;
  std::vector<double>& row_lb = shared->row_lb;
  std::vector<double>& row_ub = shared->row_ub;
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
  for (Index v = 0; v < net.vertex_count(); ++v) {
    const bool demand = net.IsDemand(v);
    for (const network::InputGroup& g : net.groups(v)) {
      int row;
      if (demand) {
        // inflow + λ + s·τ ≥ d
        const model::Demand& d = m.demand[net.DemandRow(v)];
        const double stock = d.inventory_units.value_or(0);
        put(row = add_row(d.demand_per_day, inf),
            shared->l_first + static_cast<int>(net.DemandRow(v)), 1);
        if (stock != 0) put(row, t, stock);
      } else {
        // q·x − inflow ≤ 0
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
      // Σz − x − s·τ ≤ 0
      const double stock = p.inventory_units.value_or(0);
      int row = add_row(-inf, 0);
      if (stock != 0) put(row, t, -stock);
      put(row, static_cast<int>(i), -1);
      for (const network::OutEdge& o : net.out(i)) put(row, y0 + static_cast<int>(o.edge), 1);
    }
    if (p.capacity_per_day) col_ub[i] = *p.capacity_per_day;
  }
  for (Index s = 0; s < m.sites.size(); ++s) {
    if (!m.sites[s].capacity_per_day || net.nodes_at_site(s).empty()) continue;
    int row = add_row(-inf, *m.sites[s].capacity_per_day);
    for (Index v : net.nodes_at_site(s)) put(row, static_cast<int>(v), 1);
  }
  std::vector<int> link_row(m.supply.size(), -1);
  for (Index e = 0; e < net.edge_count(); ++e) {
    Index link = net.in_edge(e).link;
    if (link == network::kNone || !m.supply[link].capacity_per_day) continue;
    const double cap = *m.supply[link].capacity_per_day;
    if (link_edges[link] == 1) {
      col_ub[static_cast<size_t>(y0) + e] = cap;
      continue;
    }
    if (link_row[link] < 0) link_row[link] = add_row(-inf, cap);
    put(link_row[link], y0 + static_cast<int>(e), 1);
  }
  shared->by_column = CoinPackedMatrix(true, rows.data(), cols.data(), vals.data(),
                                       static_cast<CoinBigIndex>(vals.size()));
  shared->by_column.setDimensions(static_cast<int>(row_lb.size()), columns);
  shared->by_row.reverseOrderedCopyOf(shared->by_column);
  // The TTS objective is K·τ with K the largest inventory in τ's column: the
  // same optimum, and row duals of the order of 1 instead of 1 / inventory, so
  // that Clp's absolute dual tolerance (1e-7) does not end a solve early.
  {
    const CoinShallowPackedVector col = shared->by_column.getVector(t);
    for (int k = 0; k < col.getNumElements(); ++k) {
      shared->tau_cost = std::max(shared->tau_cost, std::fabs(col.getElements()[k]));
    }
  }

  shared->loss_weight.assign(static_cast<size_t>(demands), 0);
  for (int d = 0; d < demands; ++d) {
    if (!net.groups(net.DemandVertex(static_cast<Index>(d))).empty()) {
      shared->loss_weight[static_cast<size_t>(d)] =
          m.demand[static_cast<size_t>(d)].margin_per_unit.value_or(0) + kLostUnitWeight;
    }
  }
  // Scaled so that the largest is 1,000: an objective of 1e-6 per lost unit
  // (no margins given) would be below Clp's absolute dual tolerance.
  const double heaviest = *std::max_element(shared->loss_weight.begin(), shared->loss_weight.end());
  if (heaviest > 0) {
    for (double& w : shared->loss_weight) w *= 1000 / heaviest;
  }

  // The undisrupted TTS LP: min τ, λ = 0, τ ≥ 1/kUnboundedDays. Presolve makes
  // the first solve several times faster on generated networks; the result is
  // then solved again without it from its basis, which proves it optimal on the
  // LP itself (on generated 2 k-site networks Clp's presolve alone once returned
  // a wrong "optimal" τ).
  {
    std::vector<double> lb = col_lb, ub = col_ub, obj(static_cast<size_t>(columns), 0);
    for (int d = 0; d < demands; ++d) ub[static_cast<size_t>(shared->l_first + d)] = 0;
    lb[static_cast<size_t>(t)] = 1 / kUnboundedDays;
    obj[static_cast<size_t>(t)] = shared->tau_cost;
    ClpSimplex lp;
    lp.setLogLevel(0);
    lp.loadProblem(shared->by_column, lb.data(), ub.data(), obj.data(), row_lb.data(),
                   row_ub.data());
    Watch(lp, options.cancel);
    ClpSolve presolved;
    presolved.setPresolveType(ClpSolve::presolveOn);
    presolved.setSolveType(ClpSolve::useDual);
    lp.initialSolve(presolved);
    if (lp.status() == kStopped && options.cancel != nullptr) return Cancelled();
    if (lp.status() == 1) {
      // No τ feasible with nothing down: TTS is 0 in every scenario.
      shared->tts_zero = true;
    } else {
      if (SolveFromBasis(lp) == kStopped && options.cancel != nullptr) return Cancelled();
      if (lp.status() == 1) shared->tts_zero = true;
    }
    if (lp.status() != 0 && !shared->tts_zero) {
      return InternalError("the LP solver stopped with status " + std::to_string(lp.status()) +
                           " on the undisrupted network");
    }
    const int n = lp.numberColumns(), nr = lp.numberRows();
    shared->x0.assign(lp.primalColumnSolution(), lp.primalColumnSolution() + n);
    shared->column_status0.assign(lp.statusArray(), lp.statusArray() + n);
    shared->row_status0.assign(lp.statusArray() + n, lp.statusArray() + n + nr);
    if (shared->tts_zero) {
      // Nothing to start from: the slack basis at zero flow.
      std::fill(shared->x0.begin(), shared->x0.end(), 0.0);
      shared->x0[static_cast<size_t>(t)] = 1 / kUnboundedDays;
      std::fill(shared->column_status0.begin(), shared->column_status0.end(),
                static_cast<unsigned char>(ClpSimplex::atLowerBound));
      std::fill(shared->row_status0.begin(), shared->row_status0.end(),
                static_cast<unsigned char>(ClpSimplex::basic));
    }
    for (int d = 0; d < demands; ++d) shared->x0[static_cast<size_t>(shared->l_first + d)] = 0;
  }
  shared->activity_without_tau.assign(static_cast<size_t>(shared->rows()), 0);
  for (int c = 0; c < columns; ++c) {
    if (c == t) continue;
    const CoinShallowPackedVector col = shared->by_column.getVector(c);
    for (int k = 0; k < col.getNumElements(); ++k) {
      shared->activity_without_tau[static_cast<size_t>(col.getIndices()[k])] +=
          col.getElements()[k] * shared->x0[static_cast<size_t>(c)];
    }
  }
  std::unique_ptr<ScenarioSolver> solver(new ScenarioSolver(net, options));
  solver->shared_ = std::move(shared);
  return solver;
}

std::unique_ptr<ScenarioSolver> ScenarioSolver::Clone() const {
  std::unique_ptr<ScenarioSolver> copy(new ScenarioSolver(network_, options_));
  copy->shared_ = shared_;
  return copy;
}

StatusOr<int> ScenarioSolver::SolveLp(Kind kind, const Scenario& scenario, double days) {
  const Shared& s = *shared_;
  const size_t n = static_cast<size_t>(s.columns());
  const size_t tau = static_cast<size_t>(s.tau);
  ScenarioLp lp;
  lp.lb = s.col_lb;
  lp.ub = s.col_ub;
  lp.obj.assign(n, 0);
  lp.fixed = s.x0;
  for (int d = 0; d < s.demands; ++d) {
    const size_t c = static_cast<size_t>(s.l_first + d);
    if (kind == Kind::kTtr) {
      lp.obj[c] = s.loss_weight[static_cast<size_t>(d)];
      if (lp.obj[c] == 0) lp.ub[c] = 0;
    } else {
      lp.ub[c] = 0;
    }
  }
  if (kind == Kind::kTts) {
    lp.lb[tau] = 1 / kUnboundedDays;
    lp.obj[tau] = s.tau_cost;
    lp.variable_tau = s.tau;
  } else {
    lp.lb[tau] = lp.ub[tau] = lp.fixed[tau] = 1 / days;
  }
  std::vector<int> down;
  for (Index site : scenario.sites) {
    for (Index v : network_.nodes_at_site(site)) {
      lp.ub[v] = 0;
      down.push_back(static_cast<int>(v));
    }
  }
  x_.assign(n, 0);

  auto failed = [&](int status) -> StatusOr<int> {
    if (status == kStopped && options_.cancel != nullptr) return Cancelled();
    return status;
  };

  std::vector<int>& seed = region_seed_;
  if (kind == Kind::kTts) seed.clear();
  // The region method; nullopt when it gives up for the whole LP.
  auto on_region = [&]() -> StatusOr<std::optional<int>> {
    if (!region_) region_ = std::make_unique<Region>(s);
    Region& region = *region_;
    region.Clear();
    for (int c : down) region.AddColumn(lp, c, x_);
    // The TTR LP starts from the region its TTS LP ended with.
    for (int c : seed) region.AddColumn(lp, c, x_);
    if (lp.variable_tau >= 0) region.AddColumn(lp, lp.variable_tau, x_);
    // Beyond this size the whole LP from the undisrupted basis is faster: a TTS
    // LP whose disruption is rerouted in full (TTS unbounded) takes the upstream
    // cone of the rerouting into its region, often a large part of the network.
    const size_t limit = n < 20000 ? n : kind == Kind::kTts ? n / 40 : n / 10;
    bool changed = true, solved = false;
    int layers = 1;  // added at the next infeasible round
    while (true) {
      changed |= region.AddRowsOfNewColumns(lp);
      changed |= region.AddViolatedTauRows(lp, region.col_in[tau] ? x_[tau] : lp.fixed[tau], x_);
      if (solved && !changed) break;
      if (region.cols.size() > limit) return std::optional<int>();
      std::unique_ptr<ClpSimplex> model = region.Build(lp, x_);
      Watch(*model, options_.cancel);
      model->primal();
      ++counts_.region_rounds;
      if (model->status() == kStopped && options_.cancel != nullptr) return Cancelled();
      if (model->status() == 1) {
        // The region may be too small to reroute: grow it, by twice as many
        // layers as the last time, so that a disruption whose infeasibility
        // reaches d layers away (down a serial line to its demand) takes
        // O(log d) region solves, not d. With no layer left, its infeasibility
        // is the whole LP's.
        solved = false;
        changed = false;
        for (int layer = 0; layer < layers; ++layer) {
          if (layer > 0) region.AddRowsOfNewColumns(lp);  // the last layer's rows
          if (!region.AddNeighbours(lp, x_)) break;
          changed = true;
        }
        if (!changed) return std::optional<int>(1);
        layers *= 2;
        continue;
      }
      // Anything else is left to the whole LP.
      if (model->status() != 0) return std::optional<int>();
      solved = true;
      region.Keep(*model, x_);
      // τ at its lower bound is the least any solution reaches: optimal without
      // pricing once the τ rows outside the region hold (checked above).
      const bool least = lp.variable_tau >= 0 && x_[tau] <= lp.lb[tau] * (1 + kTolerance);
      changed = !least && region.Price(lp, *model, x_) > 0;
    }
    ++counts_.region_lps;
    counts_.region_columns += region.cols.size();
    if (kind == Kind::kTts) {
      seed.clear();
      for (int c : region.cols) {
        if (c != lp.variable_tau) seed.push_back(c);
      }
    }
    for (size_t j = 0; j < n; ++j) {
      if (!region.col_in[j]) x_[j] = lp.fixed[j];
    }
    return std::optional<int>(0);
  };
  if (options_.regions && !s.tts_zero) {
    RENKEI_ASSIGN_OR_RETURN(std::optional<int> status, on_region());
    if (status) return *status;
  }

  // The whole LP from the undisrupted basis.
  ClpSimplex model;
  model.setLogLevel(0);
  model.loadProblem(s.by_column, lp.lb.data(), lp.ub.data(), lp.obj.data(), s.row_lb.data(),
                    s.row_ub.data());
  model.createStatus();
  std::copy(s.column_status0.begin(), s.column_status0.end(), model.statusArray());
  std::copy(s.row_status0.begin(), s.row_status0.end(), model.statusArray() + n);
  for (size_t j = 0; j < n; ++j) {
    model.primalColumnSolution()[j] = std::clamp(lp.fixed[j], lp.lb[j], lp.ub[j]);
  }
  Watch(model, options_.cancel);
  const int status = SolveFromBasis(model);
  ++counts_.whole_lps;
  if (status != 0 && status != 1) return failed(status);
  std::copy(model.primalColumnSolution(), model.primalColumnSolution() + n, x_.begin());
  return status;
}

bool ScenarioSolver::AnswerFromClosure(const Scenario& scenario, ScenarioResult& r) const {
  const network::Network& net = network_;
  const model::Model& m = net.model();
  // The disrupted nodes and everything downstream of them; none may hold stock.
  std::vector<uint8_t> removed(net.vertex_count(), 0), cone(net.vertex_count(), 0);
  std::vector<Index> stack;
  for (Index site : scenario.sites) {
    for (Index v : net.nodes_at_site(site)) {
      removed[v] = 1;
      if (!cone[v]) stack.push_back(v);
      cone[v] = 1;
    }
  }
  while (!stack.empty()) {
    const Index v = stack.back();
    stack.pop_back();
    const std::optional<double>& stock = net.IsDemand(v)
                                             ? m.demand[net.DemandRow(v)].inventory_units
                                             : m.production[v].inventory_units;
    if (stock.value_or(0) > 0) return false;
    for (const network::OutEdge& e : net.out(v)) {
      if (!cone[e.to]) stack.push_back(e.to);
      cone[e.to] = 1;
    }
  }
  const std::vector<uint8_t> alive = AliveAfter(net, removed);
  std::vector<double> lost(m.products.size(), 0);
  bool stops = false;
  for (Index d = 0; d < net.demand_count(); ++d) {
    const Index v = net.DemandVertex(d);
    const double need = m.demand[d].demand_per_day;
    if (alive[v] || !cone[v] || net.groups(v).empty() || !(need > 0)) continue;
    stops = true;
    const double l = Clean(need * scenario.days);
    if (l <= 0) continue;
    lost[m.demand[d].product] += l;
    r.lost_units_total += l;
    r.impact += l * m.demand[d].margin_per_unit.value_or(0);
  }
  if (!stops) return true;  // unbounded: tts_days stays nullopt, nothing lost
  r.tts_days = 0;
  r.exposed = 0 < r.ttr_days;
  for (Index p = 0; p < lost.size(); ++p) {
    if (lost[p] > 0) r.lost_units.push_back({p, lost[p]});
  }
  return true;
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
    return InternalError("scenario '" + scenario.name + "': the LP solver stopped with status " +
                         std::to_string(status));
  };
  const Shared& s = *shared_;
  if (options_.fast_paths && s.uncapacitated && !s.tts_zero && AnswerFromClosure(scenario, r)) {
    ++counts_.closure_answers;
    return r;
  }

  double tts = 0;  // primal infeasible: no τ works, so no t > 0 does: TTS is 0
  if (!s.tts_zero) {
    RENKEI_ASSIGN_OR_RETURN(int status, SolveLp(Kind::kTts, scenario, 0));
    if (status != 0 && status != 1) return failed(status);
    if (status == 0) tts = 1 / x_[static_cast<size_t>(s.tau)];
  }
  if (tts < kUnboundedDays * (1 - 1e-9)) r.tts_days = Clean(tts);
  r.exposed = r.tts_days.has_value() && *r.tts_days < r.ttr_days;
  // Not exposed: no loss, see the header.
  if (options_.skip_unexposed_ttr && tts >= scenario.days) return r;
  // Nothing to lose over no time.
  if (scenario.days == 0) return r;

  RENKEI_ASSIGN_OR_RETURN(int status, SolveLp(Kind::kTtr, scenario, scenario.days));
  ++ttr_solves_;
  if (status != 0) return failed(status);
  const model::Model& m = network_.model();
  std::vector<double> lost(m.products.size(), 0);
  for (Index d = 0; d < network_.demand_count(); ++d) {
    double l = Clean(x_[static_cast<size_t>(s.l_first) + d] * scenario.days);
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
