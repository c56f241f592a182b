#include "risk/criticality.h"

#include <algorithm>

#include "base/memory.h"

namespace renkei::risk {
namespace {

using network::Index;

// Calls visit(w) for every vertex in topological order, with what the visit reads
// (its groups, edges and the suppliers' `state`) fetched a few vertices ahead: on a
// large network neighbours in that order lie far apart in memory.
template <typename State, typename Visit>
void WalkTopological(const network::Network& net, const State* state, Visit visit) {
  const std::span<const Index> order = net.topological_order();
  for (size_t i = 0; i < order.size(); ++i) {
    net.PrefetchUpstreamWalk(order, i, state);
    visit(order[i]);
  }
}

// Sorted sets of indices for the vertices, kept in one arena. A dead vertex's slot
// says so (one load per supplier answers "alive?" and "how large?").
class SetArena {
 public:
  using Slot = Criticality::Slot;
  static constexpr uint32_t kDead = 0xFFFFFFFF;

  // Every vertex starts dead; Propagate() gives the alive ones their sets.
  // On huge pages, as the network's arrays: the walk reads a slot per supplier.
  explicit SetArena(size_t vertices) {
    ReserveHugePages(slots_, vertices);
    slots_.assign(vertices, Slot{0, kDead});
    ReserveHugePages(data_, vertices);
  }

  const Slot* slots() const { return slots_.data(); }
  bool alive(Index v) const { return slots_[v].size != kDead; }
  uint32_t size(Index v) const { return slots_[v].size; }
  std::span<const Index> Get(Index v) const {
    return {data_.data() + slots_[v].begin, data_.data() + slots_[v].begin + slots_[v].size};
  }
  void Set(Index v, const std::vector<Index>& sorted) {
    slots_[v] = {data_.size(), static_cast<uint32_t>(sorted.size())};
    data_.insert(data_.end(), sorted.begin(), sorted.end());
  }
  // Members of K(u) for the recursion: the stored set plus `self` (kNone: none).
  static bool Contains(std::span<const Index> set, Index self, Index x) {
    return x == self || std::binary_search(set.begin(), set.end(), x);
  }
  // The result: dead vertices get empty sets.
  void Finish(std::vector<Slot>& slots, std::vector<Index>& data) {
    for (Slot& s : slots_) {
      if (s.size == kDead) s = {0, 0};
    }
    slots = std::move(slots_);
    data = std::move(data_);
  }

 private:
  std::vector<Slot> slots_;
  std::vector<Index> data_;
};

// One pass of the recursion in the header, which also finds the alive vertices
// (those left dead in `arena`): suppliers come first in topological order, and a
// vertex is dead when one of its groups has no alive supplier. `self(v)` is the
// element v adds for itself (the node, its site, or kNone for demand vertices at
// site level).
template <typename Self>
void Propagate(const network::Network& net, Self self, bool store_self, SetArena& arena) {
  std::vector<Index> acc;
  std::vector<Index> candidates;
  WalkTopological(net, arena.slots(), [&](Index w) {
    acc.clear();
    for (const network::InputGroup& g : net.groups(w)) {
      // The alive supplier with the smallest set bounds the intersection (a dead
      // one's slot reads as the largest).
      Index best = network::kNone;
      uint32_t best_size = SetArena::kDead;
      for (const network::InEdge& e : net.edges(g)) {
        if (arena.size(e.from) < best_size) {
          best = e.from;
          best_size = arena.size(e.from);
        }
      }
      if (best == network::kNone) return;  // no alive supplier: w stays dead
      candidates.assign(arena.Get(best).begin(), arena.Get(best).end());
      if (self(best) != network::kNone) candidates.push_back(self(best));
      for (const network::InEdge& e : net.edges(g)) {
        const Index u = e.from;
        if (candidates.empty()) break;
        if (u == best || !arena.alive(u)) continue;
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
  });
}

}  // namespace

std::vector<uint8_t> AliveAfter(const network::Network& net, std::span<const uint8_t> removed) {
  std::vector<uint8_t> alive(net.vertex_count(), 0);
  WalkTopological(net, alive.data(), [&](Index w) {
    if (!removed.empty() && removed[w]) return;
    for (const network::InputGroup& g : net.groups(w)) {
      bool any = false;
      for (const network::InEdge& e : net.edges(g)) {
        if (alive[e.from]) {
          any = true;
          break;
        }
      }
      if (!any) return;
    }
    alive[w] = 1;
  });
  return alive;
}

Criticality Criticality::Analyse(const network::Network& net, bool with_sites) {
  Criticality c;
  const Index nodes = net.node_count();

  SetArena node_sets(net.vertex_count());
  // Node sets hold only production nodes: a demand vertex is nobody's supplier.
  Propagate(
      net, [&](Index v) { return v < nodes ? v : network::kNone; }, /*store_self=*/false,
      node_sets);
  c.alive_.resize(net.vertex_count());
  for (Index v = 0; v < net.vertex_count(); ++v) c.alive_[v] = node_sets.alive(v) ? 1 : 0;
  node_sets.Finish(c.node_slots_, c.nodes_);

  c.stops_.assign(nodes, 0);
  for (Index d = 0; d < net.demand_count(); ++d) {
    Index t = net.DemandVertex(d);
    if (!c.alive_[t]) continue;
    for (Index v : c.NodeSpofs(t)) ++c.stops_[v];
  }

  if (with_sites) {
    SetArena site_sets(net.vertex_count());
    Propagate(
        net, [&](Index v) { return v < nodes ? net.site(v) : network::kNone; },
        /*store_self=*/true, site_sets);
    site_sets.Finish(c.site_slots_, c.sites_);
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
