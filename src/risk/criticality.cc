#include "risk/criticality.h"

#include <algorithm>

namespace renkei::risk {
namespace {

using network::Index;

// Sorted sets of indices for the vertices, kept in one arena.
class SetArena {
 public:
  explicit SetArena(size_t vertices) : begin_(vertices, 0), size_(vertices, 0) {}

  std::span<const Index> Get(Index v) const {
    return {data_.data() + begin_[v], data_.data() + begin_[v] + size_[v]};
  }
  void Set(Index v, const std::vector<Index>& sorted) {
    begin_[v] = data_.size();
    size_[v] = static_cast<uint32_t>(sorted.size());
    data_.insert(data_.end(), sorted.begin(), sorted.end());
  }
  // Members of K(u) for the recursion: the stored set plus `self` (kNone: none).
  static bool Contains(std::span<const Index> set, Index self, Index x) {
    return x == self || std::binary_search(set.begin(), set.end(), x);
  }

  std::vector<uint64_t> begin_;
  std::vector<uint32_t> size_;
  std::vector<Index> data_;
};

// One pass of the recursion in the header. `self(v)` is the element v adds for
// itself (the node, its site, or kNone for demand vertices at site level).
template <typename Self>
void Propagate(const network::Network& net, const std::vector<uint8_t>& alive, Self self,
               bool store_self, SetArena& arena) {
  std::vector<Index> acc;
  std::vector<Index> candidates;
  for (Index w : net.topological_order()) {
    if (!alive[w]) continue;
    acc.clear();
    for (const network::InputGroup& g : net.groups(w)) {
      // The alive supplier with the smallest set bounds the intersection.
      Index best = network::kNone;
      for (const network::InEdge& e : net.edges(g)) {
        if (alive[e.from] && (best == network::kNone || arena.size_[e.from] < arena.size_[best])) {
          best = e.from;
        }
      }
      candidates.assign(arena.Get(best).begin(), arena.Get(best).end());
      if (self(best) != network::kNone) candidates.push_back(self(best));
      for (const network::InEdge& e : net.edges(g)) {
        const Index u = e.from;
        if (u == best || !alive[u] || candidates.empty()) continue;
        std::span<const Index> set = arena.Get(u);
        const Index su = self(u);
        std::erase_if(candidates, [&](Index x) { return !SetArena::Contains(set, su, x); });
      }
      acc.insert(acc.end(), candidates.begin(), candidates.end());
    }
    if (self(w) != network::kNone) acc.push_back(self(w));
    std::sort(acc.begin(), acc.end());
    acc.erase(std::unique(acc.begin(), acc.end()), acc.end());
    // Node sets are stored without w itself; Contains() re-adds it through self().
    if (!store_self && self(w) != network::kNone)
      acc.erase(std::lower_bound(acc.begin(), acc.end(), w));
    arena.Set(w, acc);
  }
}

}  // namespace

std::vector<uint8_t> AliveAfter(const network::Network& net, std::span<const uint8_t> removed) {
  std::vector<uint8_t> alive(net.vertex_count(), 0);
  for (Index w : net.topological_order()) {
    if (!removed.empty() && removed[w]) continue;
    bool ok = true;
    for (const network::InputGroup& g : net.groups(w)) {
      bool any = false;
      for (const network::InEdge& e : net.edges(g)) {
        if (alive[e.from]) {
          any = true;
          break;
        }
      }
      if (!any) {
        ok = false;
        break;
      }
    }
    alive[w] = ok ? 1 : 0;
  }
  return alive;
}

Criticality Criticality::Analyse(const network::Network& net, bool with_sites) {
  Criticality c;
  c.alive_ = AliveAfter(net, {});
  const Index nodes = net.node_count();

  SetArena node_sets(net.vertex_count());
  // Node sets hold only production nodes: a demand vertex is nobody's supplier.
  Propagate(
      net, c.alive_, [&](Index v) { return v < nodes ? v : network::kNone; },
      /*store_self=*/false, node_sets);
  c.node_begin_ = std::move(node_sets.begin_);
  c.node_size_ = std::move(node_sets.size_);
  c.nodes_ = std::move(node_sets.data_);

  c.stops_.assign(nodes, 0);
  for (Index d = 0; d < net.demand_count(); ++d) {
    Index t = net.DemandVertex(d);
    if (!c.alive_[t]) continue;
    for (Index v : c.NodeSpofs(t)) ++c.stops_[v];
  }

  if (with_sites) {
    SetArena site_sets(net.vertex_count());
    Propagate(
        net, c.alive_, [&](Index v) { return v < nodes ? net.site(v) : network::kNone; },
        /*store_self=*/true, site_sets);
    c.site_begin_ = std::move(site_sets.begin_);
    c.site_size_ = std::move(site_sets.size_);
    c.sites_ = std::move(site_sets.data_);
    c.site_stops_.assign(net.model().sites.size(), 0);
    for (Index d = 0; d < net.demand_count(); ++d) {
      Index t = net.DemandVertex(d);
      if (!c.alive_[t]) continue;
      for (Index s : c.SiteSpofs(t)) ++c.site_stops_[s];
    }
  }
  return c;
}

}  // namespace renkei::risk
