// Criticality: single points of failure under AND/OR semantics (DESIGN.md,
// "Analyses").
//
// Semantics. With no inventory, a vertex is alive when it is not removed and
// every one of its input groups (model: BOM components; demand: its product) has
// at least one alive supplier (AND over components, OR over supply links). Groups
// without edges are outside the snapshot and always satisfied (network.h), so a
// node without groups is alive unless removed. A production node v is a single
// point of failure (SPOF) of a vertex t when t is alive in the intact network and
// dead once v alone is removed; a site is a SPOF of t when removing all nodes of
// that site together kills t. Inventory is ignored on purpose: these are the
// structural dependencies; time_to_survive.h accounts for stock.
//
// Algorithm (near-linear, one pass in topological order; no removal and
// recompute). Write K(w) for the set of nodes whose single removal kills an alive
// vertex w, w itself included. For the alive suppliers S_g of each group g of w:
//   K(w) = {w} ∪ ⋃_g ⋂_{u ∈ S_g} K(u).
// Proof sketch: removing x kills w iff x = w or some group loses all its alive
// suppliers, i.e. x ∈ K(u) for every u ∈ S_g (induction along the DAG; dead
// suppliers stay dead, so they never matter). For an OR-only graph this is the
// dominator chain of w (⋂ = nearest common dominator); AND vertices merge the
// chains of their components with ∪, so K(w) is the union of dominator chains -
// a dominator DAG rather than a tree. The same recursion over sites (with
// {site(w)} in place of {w}, and nothing for a demand vertex's own site) gives the
// site SPOFs. Sets are kept sorted in one arena; an intersection walks the
// smallest K(u) of the group and binary-searches the others, stopping when it
// empties. Time O((V + E) · k · log k) where k is the largest SPOF set (the
// number of single points of failure behind one vertex, which is bounded by its
// depth times its BOM breadth and small in real networks), against O(V · (V + E))
// for removing each node in turn; memory O(V · k). On a large network the pass is
// bound by memory latency, not arithmetic: vertices adjacent in topological order
// lie far apart, so each visit's offsets, edges and suppliers' slots are fetched
// a few vertices ahead (one slot holds a vertex's set position, size and "dead").
//
// Thread-safety: the result is a value; const access from any number of threads.
#ifndef RENKEI_RISK_CRITICALITY_H_
#define RENKEI_RISK_CRITICALITY_H_

#include <cstdint>
#include <span>
#include <vector>

#include "network/network.h"

namespace renkei::risk {

class Criticality {
 public:
  // Runs the analysis over the whole network. With `with_sites` false the site
  // sets and site_stops() are left empty (about half the time).
  static Criticality Analyse(const network::Network& network, bool with_sites = true);

  // Whether v can make anything in the intact network with no inventory.
  bool alive(network::Index v) const { return alive_[v] != 0; }

  // Production nodes whose loss alone stops v, ascending, v excluded. Empty for
  // a dead v.
  std::span<const network::Index> NodeSpofs(network::Index v) const {
    return Members(nodes_, node_slots_[v]);
  }
  // Sites whose loss alone stops v, ascending; for a production node its own
  // site is included. Empty for a dead v or without sites.
  std::span<const network::Index> SiteSpofs(network::Index v) const {
    if (site_slots_.empty()) return {};
    return Members(sites_, site_slots_[v]);
  }

  // For each production node: how many alive demand vertices it stops alone.
  const std::vector<uint32_t>& stops() const { return stops_; }
  // For each site: how many alive demand vertices its loss stops alone.
  const std::vector<uint32_t>& site_stops() const { return site_stops_; }

  // Where a vertex's set lies in its arena (begin and size side by side: one load).
  struct Slot {
    uint64_t begin = 0;
    uint32_t size = 0;
  };

 private:
  static std::span<const network::Index> Members(const std::vector<network::Index>& arena, Slot s) {
    return {arena.data() + s.begin, arena.data() + s.begin + s.size};
  }

  std::vector<uint8_t> alive_;
  std::vector<Slot> node_slots_;
  std::vector<network::Index> nodes_;
  std::vector<Slot> site_slots_;
  std::vector<network::Index> sites_;
  std::vector<uint32_t> stops_;
  std::vector<uint32_t> site_stops_;
};

// Which vertices are alive (1) under AND/OR semantics with no inventory when the
// production nodes flagged in `removed` (vertex_count() entries) are down. O(V+E).
// The reference the analysis above is checked against, and the "stopped" set of
// a disruption event.
std::vector<uint8_t> AliveAfter(const network::Network& network, std::span<const uint8_t> removed);

}  // namespace renkei::risk

#endif  // RENKEI_RISK_CRITICALITY_H_
