// The linear structure behind the roll-up: X = x0 + A X over production nodes.
#ifndef RENKEI_FOOTPRINT_INTERNAL_GRAPH_H_
#define RENKEI_FOOTPRINT_INTERNAL_GRAPH_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/model.h"

namespace renkei::footprint::internal {

// The eight linear quantities: pcf, primary, then (rating x emission, emission) for
// TeR, GeR, TiR.
inline constexpr int kQuantities = 8;
using Values = std::array<double, kQuantities>;

// The values a footprint row contributes per unit.
Values FootprintValues(const model::Footprint& footprint);

struct Edge {
  model::Index supplier;  // a node
  double quantity;        // units of the supplier's product per unit of the customer's
};

// A contribution with no node behind it: a footprint row used as a source.
struct Leaf {
  model::Index footprint;  // row of model.footprints
  model::Index site;       // the supplying site, or kNoIndex
  double quantity;
};

struct Graph {
  size_t nodes = 0;
  std::vector<uint32_t> edge_start;  // CSR by customer node: edges[edge_start[j] ..]
  std::vector<Edge> edges;
  std::vector<uint32_t> leaf_start;
  std::vector<Leaf> leaves;
  std::vector<model::Index> received;  // per node: replacing footprint row or kNoIndex
  std::vector<Values> own;             // per node: own (or received) values
  std::vector<std::string> notes;
  size_t notes_dropped = 0;
  std::vector<model::Index> order;  // suppliers before customers; all nodes iff acyclic
  bool cyclic = false;
};

Graph BuildGraph(const model::Model& model);

// Solves X = x0 + A X, x0 = own + leaves; X[node][quantity].
StatusOr<std::vector<Values>> Solve(const model::Model& model, const Graph& graph);

// Solves x = w + A^T x: units of every node needed per unit of the weighted targets.
StatusOr<std::vector<double>> Upstream(const Graph& graph, const std::vector<double>& weights);

// The best footprint row for (site, product): site-specific first, then
// product-wide, then the latest period_end; kNoIndex when none.
class FootprintIndex {
 public:
  explicit FootprintIndex(const model::Model& model);
  model::Index Find(model::Index site, model::Index product) const;

 private:
  const model::Model& model_;
  std::vector<model::Index> by_product_;                    // product-wide rows
  std::vector<std::pair<uint64_t, model::Index>> by_site_;  // sorted (site<<32|product)
};

}  // namespace renkei::footprint::internal

#endif  // RENKEI_FOOTPRINT_INTERNAL_GRAPH_H_
