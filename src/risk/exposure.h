// Share exposed: how much of a vertex's output a disruption takes away when no
// stock is drawn on, the fraction federation's incident investigations report and
// compare against (DESIGN.md, "Federation and confidentiality").
//
// The available fraction a(v) of each vertex, with the production nodes flagged
// in `removed` down:
//   a(v) = 0 for a removed node;
//   a(v) = 1 for a vertex without input groups (groups without edges are outside
//          the snapshot and assumed available, network.h);
//   a(v) = min over v's input groups g of Σ_{e ∈ g} w_e · a(supplier(e)) otherwise
//          (AND over components, OR over suppliers, each supplier weighted).
// The weights of a group sum to 1: a supply link with a share takes its share (of
// the customer's need, model.h); the site's own production of the component and
// the links without a share split what is left, 1 − Σ given shares (nothing when
// the given shares reach 1), equally; when nothing is left for anyone (shares of
// 0), the edges split 1 equally. The share exposed of v is 1 − a(v).
//
// It is the AND/OR closure (criticality.h) made quantitative: with every weight
// positive, a(v) = 0 exactly for the vertices AliveAfter() finds dead, and the
// recursion reads only a vertex's own groups and its suppliers' a(), so a node
// of a federation can answer a() for its own vertices from its suppliers'
// answers and get the number a single store holding everything gets.
//
// Thread-safety: a pure function of its arguments.
#ifndef RENKEI_RISK_EXPOSURE_H_
#define RENKEI_RISK_EXPOSURE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "network/network.h"

namespace renkei::risk {

// a(v) for every vertex (vertex_count() entries), in one pass in topological
// order: O(V + E). `removed` has vertex_count() entries (only production nodes
// may be flagged), or is empty for nothing down.
std::vector<double> AvailableFractions(const network::Network& network,
                                       std::span<const uint8_t> removed);

// The weights of the edges of group `g` of a vertex, as above, in edge order.
std::vector<double> GroupWeights(const network::Network& network, const network::InputGroup& g);

}  // namespace renkei::risk

#endif  // RENKEI_RISK_EXPOSURE_H_
