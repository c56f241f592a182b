#include "risk/exposure.h"

#include <algorithm>

namespace renkei::risk {

using network::Index;

std::vector<double> GroupWeights(const network::Network& net, const network::InputGroup& g) {
  const model::Model& m = net.model();
  const std::span<const network::InEdge> edges = net.edges(g);
  std::vector<double> w(edges.size(), 0);
  double given = 0;
  size_t open = 0;  // edges without a share: own production and links without one
  for (size_t i = 0; i < edges.size(); ++i) {
    const Index link = edges[i].link;
    if (link != network::kNone && m.supply[link].share.has_value()) {
      w[i] = *m.supply[link].share;
      given += w[i];
    } else {
      ++open;
    }
  }
  const double left = std::max(0.0, 1 - given);
  if (open > 0) {
    for (size_t i = 0; i < edges.size(); ++i) {
      const Index link = edges[i].link;
      if (link == network::kNone || !m.supply[link].share.has_value()) {
        w[i] = left / static_cast<double>(open);
      }
    }
  }
  double total = 0;
  for (double x : w) total += x;
  for (double& x : w) x = total > 0 ? x / total : 1 / static_cast<double>(w.size());
  return w;
}

std::vector<double> AvailableFractions(const network::Network& net,
                                       std::span<const uint8_t> removed) {
  std::vector<double> a(net.vertex_count(), 1);
  for (Index v : net.topological_order()) {
    if (!removed.empty() && removed[v]) {
      a[v] = 0;
      continue;
    }
    double least = 1;
    for (const network::InputGroup& g : net.groups(v)) {
      const std::vector<double> w = GroupWeights(net, g);
      const std::span<const network::InEdge> edges = net.edges(g);
      double sum = 0;
      for (size_t i = 0; i < edges.size(); ++i) sum += w[i] * a[edges[i].from];
      least = std::min(least, sum);
    }
    a[v] = std::clamp(least, 0.0, 1.0);
  }
  return a;
}

}  // namespace renkei::risk
