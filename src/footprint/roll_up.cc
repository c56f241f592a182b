#include "footprint/roll_up.h"

#include <algorithm>
#include <deque>
#include <map>

#include "footprint/internal/graph.h"

namespace renkei::footprint {
namespace {

using internal::kQuantities;
using internal::Values;
using model::Index;
using model::kNoIndex;

Quality QualityOf(const Values& v) {
  Quality q;
  std::optional<double>* out[3] = {&q.ter, &q.ger, &q.tir};
  for (int d = 0; d < 3; ++d) {
    if (v[3 + 2 * d] > 0) *out[d] = v[2 + 2 * d] / v[3 + 2 * d];
  }
  return q;
}

// A footprint row a value may rest on without being marked unverified.
bool Trusted(const model::Footprint& f) { return f.pact_json.empty() || f.verified; }

std::vector<SplitEntry> Sorted(const std::map<std::string, double>& sums) {
  std::vector<SplitEntry> out;
  for (const auto& [key, value] : sums) out.push_back({key, value});
  std::stable_sort(out.begin(), out.end(),
                   [](const SplitEntry& a, const SplitEntry& b) { return a.kgco2e > b.kgco2e; });
  return out;
}

std::vector<std::string> NotesOf(const internal::Graph& g) {
  std::vector<std::string> notes = g.notes;
  if (g.notes_dropped > 0) notes.push_back("... and " + std::to_string(g.notes_dropped) + " more");
  return notes;
}

// The maker-weighted values of a product made at `makers` (not empty) into `out`: the
// footprint, primary share, ratings and whether all of it was received. Each maker's
// weight (its share of the capacity, or equal shares) goes to weights[maker].
void Headline(const model::Model& model, const NetworkFootprint& network,
              const std::vector<Index>& makers, bool all_capacities, std::vector<double>& weights,
              ProductFootprint& out) {
  double weight_total = 0;
  for (Index j : makers) {
    weights[j] = all_capacities ? *model.production[j].capacity_per_day : 1.0;
    weight_total += weights[j];
  }
  Values sum{};
  bool received = true;
  for (Index j : makers) {
    weights[j] /= weight_total;
    sum[0] += weights[j] * network.pcf[j];
    sum[1] += weights[j] * network.primary[j];
    received = received && network.received[j] != kNoIndex;
  }
  // Ratings: weight each maker's rating by its emission, as within the network.
  double rated[3] = {0, 0, 0}, emission[3] = {0, 0, 0};
  for (Index j : makers) {
    const std::optional<double> r[3] = {network.dqr[j].ter, network.dqr[j].ger, network.dqr[j].tir};
    for (int d = 0; d < 3; ++d) {
      if (r[d]) {
        rated[d] += weights[j] * network.pcf[j] * *r[d];
        emission[d] += weights[j] * network.pcf[j];
      }
    }
  }
  std::optional<double>* q[3] = {&out.dqr.ter, &out.dqr.ger, &out.dqr.tir};
  for (int d = 0; d < 3; ++d) {
    if (emission[d] > 0) *q[d] = rated[d] / emission[d];
  }
  out.pcf = sum[0];
  out.primary_data_share = sum[0] != 0 ? sum[1] / sum[0] : 0;
  out.received = received;
}

}  // namespace

StatusOr<NetworkFootprint> RollUp(const model::Model& model) {
  const internal::Graph graph = internal::BuildGraph(model);
  RENKEI_ASSIGN_OR_RETURN(std::vector<Values> x, internal::Solve(model, graph));
  NetworkFootprint out;
  out.pcf.resize(graph.nodes);
  out.primary.resize(graph.nodes);
  out.dqr.resize(graph.nodes);
  for (Index j = 0; j < graph.nodes; ++j) {
    out.pcf[j] = x[j][0];
    out.primary[j] = x[j][1];
    out.dqr[j] = QualityOf(x[j]);
  }
  out.received = graph.received;
  out.cyclic = graph.cyclic;
  out.notes = NotesOf(graph);
  return out;
}

StatusOr<ProductFootprint> FootprintOfProduct(const model::Model& model,
                                              const NetworkFootprint& network,
                                              const std::string& product_id) {
  const Index product = model.FindProduct(product_id);
  if (product == kNoIndex) return NotFoundError("unknown product '" + product_id + "'");
  ProductFootprint out;
  out.product = product;

  std::vector<Index> makers;
  bool all_capacities = true;
  for (Index j = 0; j < model.production.size(); ++j) {
    if (model.production[j].product != product) continue;
    makers.push_back(j);
    all_capacities = all_capacities && model.production[j].capacity_per_day.value_or(0) > 0;
  }
  const internal::Graph graph = internal::BuildGraph(model);
  out.notes = NotesOf(graph);
  std::vector<bool> has_bom(model.products.size(), false);
  for (const model::BomLine& line : model.bom) has_bom[line.product] = true;
  auto stage_of = [&](Index p) {
    return has_bom[p] ? "main_production" : "raw_material_extraction";
  };

  if (makers.empty()) {
    const Index row = internal::FootprintIndex(model).Find(kNoIndex, product);
    if (row == kNoIndex) {
      return NotFoundError("product '" + product_id + "' is made at no site and has no footprint");
    }
    const Values v = internal::FootprintValues(model.footprints[row]);
    out.pcf = v[0];
    out.primary_data_share = v[0] != 0 ? v[1] / v[0] : 0;
    out.dqr = QualityOf(v);
    out.received = true;
    out.verified = Trusted(model.footprints[row]);
    out.by_tier = {{"0", v[0]}};
    out.by_country = {{"unknown", v[0]}};
    out.by_supplier = {{"unknown", v[0]}};
    out.by_stage = {{stage_of(product), v[0]}};
    return out;
  }

  std::vector<double> weights(graph.nodes, 0);
  Headline(model, network, makers, all_capacities, weights, out);

  // Splits: units of every node needed per unit of the product, times its own value.
  RENKEI_ASSIGN_OR_RETURN(std::vector<double> x, internal::Upstream(graph, weights));
  std::vector<int> tier(graph.nodes, -1);
  std::deque<Index> queue;
  for (Index j : makers) {
    tier[j] = 0;
    queue.push_back(j);
  }
  while (!queue.empty()) {
    const Index j = queue.front();
    queue.pop_front();
    for (uint32_t e = graph.edge_start[j]; e < graph.edge_start[j + 1]; ++e) {
      const Index s = graph.edges[e].supplier;
      if (tier[s] < 0) {
        tier[s] = tier[j] + 1;
        queue.push_back(s);
      }
    }
  }
  std::map<std::string, double> by_tier, by_country, by_supplier, by_stage;
  auto add = [&](int t, Index site, Index p, double value) {
    if (value == 0) return;
    by_tier[std::to_string(t)] += value;
    by_country[site == kNoIndex || model.sites[site].country.empty() ? "unknown"
                                                                     : model.sites[site].country] +=
        value;
    const Index org = site == kNoIndex ? kNoIndex : model.sites[site].organization;
    by_supplier[org == kNoIndex ? "unknown" : model.organizations[org].id] += value;
    by_stage[stage_of(p)] += value;
  };
  for (Index j = 0; j < graph.nodes; ++j) {
    if (x[j] == 0 || tier[j] < 0) continue;
    const model::Production& node = model.production[j];
    add(tier[j], node.site, node.product, x[j] * graph.own[j][0]);
    if (graph.received[j] != kNoIndex && !Trusted(model.footprints[graph.received[j]])) {
      out.verified = false;
    }
    for (uint32_t l = graph.leaf_start[j]; l < graph.leaf_start[j + 1]; ++l) {
      const internal::Leaf& leaf = graph.leaves[l];
      const model::Footprint& f = model.footprints[leaf.footprint];
      if (!Trusted(f)) out.verified = false;
      add(tier[j] + 1, leaf.site, f.product, x[j] * leaf.quantity * f.pcf_kgco2e_per_unit);
    }
  }
  out.by_tier = Sorted(by_tier);
  std::sort(out.by_tier.begin(), out.by_tier.end(), [](const SplitEntry& a, const SplitEntry& b) {
    return std::stoi(a.key) < std::stoi(b.key);
  });
  out.by_country = Sorted(by_country);
  out.by_supplier = Sorted(by_supplier);
  out.by_stage = Sorted(by_stage);
  return out;
}

std::vector<ProductFootprint> MadeProductFootprints(const model::Model& model,
                                                    const NetworkFootprint& network) {
  std::vector<std::vector<Index>> makers(model.products.size());
  std::vector<bool> all_capacities(model.products.size(), true);
  for (Index j = 0; j < model.production.size(); ++j) {
    const Index p = model.production[j].product;
    makers[p].push_back(j);
    all_capacities[p] = all_capacities[p] && model.production[j].capacity_per_day.value_or(0) > 0;
  }
  std::vector<ProductFootprint> out(model.products.size());
  std::vector<double> weights(model.production.size(), 0);
  for (Index p = 0; p < model.products.size(); ++p) {
    if (makers[p].empty()) continue;
    out[p].product = p;
    Headline(model, network, makers[p], all_capacities[p], weights, out[p]);
  }
  return out;
}

}  // namespace renkei::footprint
