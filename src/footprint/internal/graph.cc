#include "footprint/internal/graph.h"

#include <Eigen/OrderingMethods>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "base/decimal.h"

namespace renkei::footprint::internal {
namespace {

using model::Index;
using model::kNoIndex;

constexpr size_t kMaxNotes = 50;

uint64_t Key(Index a, Index b) { return (static_cast<uint64_t>(a) << 32) | b; }

Values Scaled(const Values& v, double factor) {
  Values out;
  for (int q = 0; q < kQuantities; ++q) out[q] = v[q] * factor;
  return out;
}

void AddTo(Values& into, const Values& v) {
  for (int q = 0; q < kQuantities; ++q) into[q] += v[q];
}

Values OwnValues(const model::Production& p) {
  const double own = p.emissions_kgco2e_per_unit.value_or(0);
  Values v{};
  v[0] = own;
  v[1] = own;  // own measurements are primary data
  const std::optional<double> ratings[3] = {p.dqr.ter, p.dqr.ger, p.dqr.tir};
  for (int d = 0; d < 3; ++d) {
    if (ratings[d] && p.emissions_kgco2e_per_unit) {
      v[2 + 2 * d] = own * *ratings[d];
      v[3 + 2 * d] = own;
    }
  }
  return v;
}

}  // namespace

Values FootprintValues(const model::Footprint& f) {
  Values v{};
  v[0] = f.pcf_kgco2e_per_unit;
  const double share = f.primary_data_share.value_or(f.pact_json.empty() ? 0.0 : 1.0);
  v[1] = f.pcf_kgco2e_per_unit * share;
  const std::optional<double> ratings[3] = {f.dqr.ter, f.dqr.ger, f.dqr.tir};
  for (int d = 0; d < 3; ++d) {
    if (ratings[d]) {
      v[2 + 2 * d] = f.pcf_kgco2e_per_unit * *ratings[d];
      v[3 + 2 * d] = f.pcf_kgco2e_per_unit;
    }
  }
  return v;
}

FootprintIndex::FootprintIndex(const model::Model& model)
    : model_(model), by_product_(model.products.size(), kNoIndex) {
  // Later rows win ties, so "latest period_end, then last row" needs >=.
  auto better = [&](Index candidate, Index current) {
    return current == kNoIndex ||
           model.footprints[candidate].period_end >= model.footprints[current].period_end;
  };
  std::unordered_map<uint64_t, Index> site_rows;
  for (Index r = 0; r < model.footprints.size(); ++r) {
    const model::Footprint& f = model.footprints[r];
    if (f.site == kNoIndex) {
      if (better(r, by_product_[f.product])) by_product_[f.product] = r;
    } else {
      auto [it, inserted] = site_rows.try_emplace(Key(f.site, f.product), r);
      if (!inserted && better(r, it->second)) it->second = r;
    }
  }
  by_site_.assign(site_rows.begin(), site_rows.end());
  std::sort(by_site_.begin(), by_site_.end());
}

Index FootprintIndex::Find(Index site, Index product) const {
  if (site != kNoIndex && !by_site_.empty()) {
    auto it = std::lower_bound(by_site_.begin(), by_site_.end(),
                               std::make_pair(Key(site, product), Index{0}));
    if (it != by_site_.end() && it->first == Key(site, product)) return it->second;
  }
  return by_product_[product];
}

Graph BuildGraph(const model::Model& model) {
  Graph g;
  const size_t n = model.production.size();
  g.nodes = n;
  auto note = [&](std::string text) {
    if (g.notes.size() < kMaxNotes) {
      g.notes.push_back(std::move(text));
    } else {
      ++g.notes_dropped;
    }
  };

  std::unordered_map<uint64_t, Index> node_of;
  node_of.reserve(n);
  for (Index j = 0; j < n; ++j) {
    node_of.emplace(Key(model.production[j].site, model.production[j].product), j);
  }
  auto find_node = [&](Index site, Index product) {
    auto it = node_of.find(Key(site, product));
    return it == node_of.end() ? kNoIndex : it->second;
  };

  // BOM lines by product (CSR).
  std::vector<uint32_t> bom_start(model.products.size() + 1, 0);
  for (const model::BomLine& line : model.bom) ++bom_start[line.product + 1];
  for (size_t p = 0; p < model.products.size(); ++p) bom_start[p + 1] += bom_start[p];
  std::vector<Index> bom(model.bom.size());
  {
    std::vector<uint32_t> fill(bom_start.begin(), bom_start.end() - 1);
    for (Index l = 0; l < model.bom.size(); ++l) bom[fill[model.bom[l].product]++] = l;
  }

  // Supply links by (customer site, product).
  std::vector<Index> links(model.supply.size());
  for (Index l = 0; l < links.size(); ++l) links[l] = l;
  auto link_key = [&](Index l) {
    return Key(model.supply[l].customer_site, model.supply[l].product);
  };
  std::sort(links.begin(), links.end(), [&](Index a, Index b) {
    return link_key(a) != link_key(b) ? link_key(a) < link_key(b) : a < b;
  });
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> links_of;
  for (uint32_t i = 0; i < links.size();) {
    uint32_t e = i;
    while (e < links.size() && link_key(links[e]) == link_key(links[i])) ++e;
    links_of.emplace(link_key(links[i]), std::make_pair(i, e));
    i = e;
  }

  const FootprintIndex footprints(model);
  g.edge_start.assign(n + 1, 0);
  g.leaf_start.assign(n + 1, 0);
  g.received.assign(n, kNoIndex);
  g.own.resize(n);
  std::vector<double> weights;
  for (Index j = 0; j < n; ++j) {
    const model::Production& node = model.production[j];
    const Index row = footprints.Find(node.site, node.product);
    if (row != kNoIndex) {
      g.received[j] = row;
      g.own[j] = FootprintValues(model.footprints[row]);
    } else {
      g.own[j] = OwnValues(node);
      const std::string& site_id = model.sites[node.site].id;
      for (uint32_t b = bom_start[node.product]; b < bom_start[node.product + 1]; ++b) {
        const model::BomLine& line = model.bom[bom[b]];
        const std::string& component_id = model.products[line.component].id;
        auto range = links_of.find(Key(node.site, line.component));
        if (range != links_of.end()) {
          const auto [begin, end] = range->second;
          // Shares: given ones as they are; missing ones split what remains.
          double given = 0;
          int missing = 0;
          for (uint32_t i = begin; i < end; ++i) {
            const auto& share = model.supply[links[i]].share;
            if (share) {
              given += *share;
            } else {
              ++missing;
            }
          }
          const double rest = missing ? std::max(0.0, 1 - given) / missing : 0;
          weights.clear();
          double total = 0;
          for (uint32_t i = begin; i < end; ++i) {
            weights.push_back(model.supply[links[i]].share.value_or(rest));
            total += weights.back();
          }
          if (total <= 0) {
            total = static_cast<double>(end - begin);
            std::fill(weights.begin(), weights.end(), 1.0);
          }
          if (std::fabs(total - 1) > 1e-9) {
            note("shares of " + component_id + " into " + site_id + " sum to " +
                 FormatDecimal(total) + "; normalised to 1");
          }
          for (uint32_t i = begin; i < end; ++i) {
            const double w = weights[i - begin] / total;
            const Index supplier_site = model.supply[links[i]].supplier_site;
            const Index supplier = find_node(supplier_site, line.component);
            if (supplier != kNoIndex) {
              g.edges.push_back({supplier, line.quantity * w});
              continue;
            }
            const Index fp = footprints.Find(supplier_site, line.component);
            if (fp != kNoIndex) {
              g.leaves.push_back({fp, supplier_site, line.quantity * w});
            } else {
              note("no production row and no footprint for " + component_id + " at supplier " +
                   model.sites[supplier_site].id + "; counted as 0");
            }
          }
        } else if (Index self = find_node(node.site, line.component); self != kNoIndex) {
          g.edges.push_back({self, line.quantity});
        } else if (Index fp = footprints.Find(kNoIndex, line.component); fp != kNoIndex) {
          g.leaves.push_back({fp, kNoIndex, line.quantity});
        } else {
          note("component " + component_id + " of " + model.products[node.product].id + " at " +
               site_id + " has no supplier and no footprint; counted as 0");
        }
      }
    }
    g.edge_start[j + 1] = static_cast<uint32_t>(g.edges.size());
    g.leaf_start[j + 1] = static_cast<uint32_t>(g.leaves.size());
  }

  // Kahn's order: suppliers before customers.
  std::vector<uint32_t> customers_start(n + 1, 0);
  for (const Edge& e : g.edges) ++customers_start[e.supplier + 1];
  for (size_t i = 0; i < n; ++i) customers_start[i + 1] += customers_start[i];
  std::vector<Index> customers(g.edges.size());
  {
    std::vector<uint32_t> fill(customers_start.begin(), customers_start.end() - 1);
    for (Index j = 0; j < n; ++j) {
      for (uint32_t e = g.edge_start[j]; e < g.edge_start[j + 1]; ++e) {
        customers[fill[g.edges[e].supplier]++] = j;
      }
    }
  }
  std::vector<uint32_t> pending(n);
  g.order.reserve(n);
  for (Index j = 0; j < n; ++j) {
    pending[j] = g.edge_start[j + 1] - g.edge_start[j];
    if (pending[j] == 0) g.order.push_back(j);
  }
  for (size_t head = 0; head < g.order.size(); ++head) {
    const Index i = g.order[head];
    for (uint32_t c = customers_start[i]; c < customers_start[i + 1]; ++c) {
      if (--pending[customers[c]] == 0) g.order.push_back(customers[c]);
    }
  }
  g.cyclic = g.order.size() < n;
  return g;
}

namespace {

using SparseMatrix = Eigen::SparseMatrix<double>;

// I - A, or its transpose.
SparseMatrix SystemMatrix(const Graph& g, bool transpose) {
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(g.nodes + g.edges.size());
  for (Index j = 0; j < g.nodes; ++j) {
    triplets.emplace_back(static_cast<int>(j), static_cast<int>(j), 1.0);
    for (uint32_t e = g.edge_start[j]; e < g.edge_start[j + 1]; ++e) {
      const int row = static_cast<int>(transpose ? g.edges[e].supplier : j);
      const int col = static_cast<int>(transpose ? j : g.edges[e].supplier);
      triplets.emplace_back(row, col, -g.edges[e].quantity);
    }
  }
  SparseMatrix m(static_cast<int>(g.nodes), static_cast<int>(g.nodes));
  m.setFromTriplets(triplets.begin(), triplets.end());
  m.makeCompressed();
  return m;
}

// Solves (I - A) X = B, or its transpose, checking that the loop converges: for
// A >= 0 the spectral radius is < 1 exactly when (I - A)^-1 >= 0, which the
// solution for a right-hand side of ones (> 0 everywhere) shows.
StatusOr<Eigen::MatrixXd> SolveSparse(const Graph& g, bool transpose, const Eigen::MatrixXd& b) {
  Eigen::SparseLU<SparseMatrix, Eigen::COLAMDOrdering<int>> lu;
  lu.compute(SystemMatrix(g, transpose));
  auto diverges = [] {
    return FailedPreconditionError(
        "a recycling loop does not converge: it returns at least as much as it takes "
        "(spectral radius of the BOM x share matrix >= 1)");
  };
  if (lu.info() != Eigen::Success) return diverges();
  Eigen::MatrixXd rhs(b.rows(), b.cols() + 1);
  rhs.leftCols(b.cols()) = b;
  rhs.col(b.cols()).setOnes();
  Eigen::MatrixXd x = lu.solve(rhs);
  if (lu.info() != Eigen::Success) return diverges();
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    if (!(x(i, b.cols()) > 0) || !std::isfinite(x(i, b.cols()))) return diverges();
  }
  return Eigen::MatrixXd(x.leftCols(b.cols()));
}

}  // namespace

StatusOr<std::vector<Values>> Solve(const model::Model& model, const Graph& g) {
  std::vector<Values> x0(g.own);
  for (Index j = 0; j < g.nodes; ++j) {
    for (uint32_t l = g.leaf_start[j]; l < g.leaf_start[j + 1]; ++l) {
      const Leaf& leaf = g.leaves[l];
      AddTo(x0[j], Scaled(FootprintValues(model.footprints[leaf.footprint]), leaf.quantity));
    }
  }
  if (!g.cyclic) {
    std::vector<Values>& x = x0;
    for (Index j : g.order) {
      for (uint32_t e = g.edge_start[j]; e < g.edge_start[j + 1]; ++e) {
        AddTo(x[j], Scaled(x[g.edges[e].supplier], g.edges[e].quantity));
      }
    }
    return x0;
  }
  Eigen::MatrixXd b(static_cast<Eigen::Index>(g.nodes), kQuantities);
  for (Index j = 0; j < g.nodes; ++j) {
    for (int q = 0; q < kQuantities; ++q) b(j, q) = x0[j][q];
  }
  RENKEI_ASSIGN_OR_RETURN(Eigen::MatrixXd x, SolveSparse(g, /*transpose=*/false, b));
  std::vector<Values> out(g.nodes);
  for (Index j = 0; j < g.nodes; ++j) {
    for (int q = 0; q < kQuantities; ++q) out[j][q] = x(j, q);
  }
  return out;
}

StatusOr<std::vector<double>> Upstream(const Graph& g, const std::vector<double>& weights) {
  if (!g.cyclic) {
    std::vector<double> x(weights);
    for (auto it = g.order.rbegin(); it != g.order.rend(); ++it) {
      const Index j = *it;
      if (x[j] == 0) continue;
      for (uint32_t e = g.edge_start[j]; e < g.edge_start[j + 1]; ++e) {
        x[g.edges[e].supplier] += g.edges[e].quantity * x[j];
      }
    }
    return x;
  }
  Eigen::MatrixXd b(static_cast<Eigen::Index>(g.nodes), 1);
  for (Index j = 0; j < g.nodes; ++j) b(j, 0) = weights[j];
  RENKEI_ASSIGN_OR_RETURN(Eigen::MatrixXd x, SolveSparse(g, /*transpose=*/true, b));
  std::vector<double> out(g.nodes);
  for (Index j = 0; j < g.nodes; ++j) out[j] = x(j, 0);
  return out;
}

}  // namespace renkei::footprint::internal
