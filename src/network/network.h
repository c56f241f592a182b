// Network: an immutable snapshot of a Model laid out for analysis (DESIGN.md layer 5).
//
// Vertices are dense uint32_t indices:
//   [0, node_count())               production nodes, in model.production order;
//   [node_count(), vertex_count())  demand (sink) nodes, in model.demand order.
//
// Inputs of a vertex are grouped by component. A production node (site s,
// product p) has one group per non-recycling BOM line (k, q) of p; the group's
// edges are the site's own production of k (the node (s, k), when s makes k) and
// every supply link (x -> s, k) whose supplier x makes k. A demand node (s, p)
// has one group for p with quantity 1: the node (s, p) alone when s makes p,
// otherwise the supply links of p into s. A group with no edge is left out:
// supply the snapshot does not show is outside the analysed network and is
// assumed available. A supply link whose supplier site has no production row for
// the product feeds nothing and is counted in unsourced_links().
//
// Every edge has an id (its position in the inbound array); the outbound CSR
// lists the same ids, so per-edge data (LP shipments) is indexed once.
// Memory: 8 bytes per edge inbound + 8 outbound + 24 per group (at most one per
// edge) + about 40 bytes per vertex.
//
// Since the non-recycling BOM is acyclic (model::ModelBuilder checks it) and
// edges follow BOM lines, the graph is a DAG; topological_order() lists
// suppliers before customers.
//
// Thread-safety: const after Build; any number of readers.
#ifndef RENKEI_NETWORK_NETWORK_H_
#define RENKEI_NETWORK_NETWORK_H_

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/model.h"

namespace renkei::network {

using Index = uint32_t;
inline constexpr Index kNone = std::numeric_limits<Index>::max();

struct InEdge {
  Index from;  // supplier vertex (always a production node)
  Index link;  // row of model.supply, or kNone for the site's own production
};

struct OutEdge {
  Index to;    // customer vertex
  Index edge;  // id of the edge (index into the inbound array)
};

// The supply of one BOM component of a vertex: edges [edge_begin, edge_end).
struct InputGroup {
  Index component;  // product index
  Index edge_begin;
  Index edge_end;
  double quantity;  // units of component per unit of the vertex's product
};

struct BomEntry {
  Index component;
  double quantity;
};

class Network {
 public:
  // Builds the snapshot in O(V + E log d) where d is the largest number of
  // products made at one site. `model` is borrowed and must outlive the
  // Network. FailedPrecondition when the supply graph has a cycle (only
  // possible for a model that skipped validation).
  static StatusOr<Network> Build(const model::Model& model);

  const model::Model& model() const { return *model_; }

  Index node_count() const { return node_count_; }
  Index demand_count() const { return static_cast<Index>(vertex_count_ - node_count_); }
  Index vertex_count() const { return vertex_count_; }
  Index edge_count() const { return static_cast<Index>(in_edges_.size()); }
  size_t unsourced_links() const { return unsourced_links_; }

  bool IsDemand(Index v) const { return v >= node_count_; }
  // The vertex of demand row `row`, and back.
  Index DemandVertex(Index row) const { return node_count_ + row; }
  Index DemandRow(Index v) const { return v - node_count_; }

  Index site(Index v) const { return site_[v]; }
  Index product(Index v) const { return product_[v]; }

  std::span<const InputGroup> groups(Index v) const {
    return {groups_.data() + group_begin_[v], groups_.data() + group_begin_[v + 1]};
  }
  std::span<const InEdge> edges(const InputGroup& g) const {
    return {in_edges_.data() + g.edge_begin, in_edges_.data() + g.edge_end};
  }
  // Every inbound edge of `v`, over all its groups (a vertex's groups hold consecutive
  // edges): one lookup fewer than through groups() for a walk that ignores the BOM.
  std::span<const InEdge> in_edges(Index v) const {
    return {in_edges_.data() + in_begin_[v], in_edges_.data() + in_begin_[v + 1]};
  }
  const InEdge& in_edge(Index edge) const { return in_edges_[edge]; }
  // For a walk that visits `order` in sequence and reads each vertex's inbound edges
  // and its suppliers' entries of `state` (a topological pass, a BFS queue), called at
  // step i. On a large network each visit would otherwise wait on dependent loads from
  // far apart; this fetches the offsets, then the groups and edges, then the
  // suppliers' state of the vertices ahead, each stage once the one before has had
  // time to arrive.
  // A walk that reads no groups (a closure) passes `groups` false; one whose `state`
  // stays in cache anyway passes nullptr.
  template <typename T>
  void PrefetchUpstreamWalk(std::span<const Index> order, size_t i, const T* state,
                            bool groups = true) const {
    constexpr size_t kOffsets = 32, kInputs = 16, kSuppliers = 8;
    // GCC 12's mod/ref analysis takes a function that only prefetches for one without
    // effects and drops calls to it; an empty volatile asm says otherwise.
    asm volatile("");
    if (i + kOffsets < order.size()) {
      if (groups) __builtin_prefetch(group_begin_.data() + order[i + kOffsets]);
      __builtin_prefetch(in_begin_.data() + order[i + kOffsets]);
    }
    if (i + kInputs < order.size()) {
      if (groups) __builtin_prefetch(groups_.data() + group_begin_[order[i + kInputs]]);
      __builtin_prefetch(in_edges_.data() + in_begin_[order[i + kInputs]]);
    }
    if (state != nullptr && i + kSuppliers < order.size()) {
      const Index v = order[i + kSuppliers];
      __builtin_prefetch(state + v);
      for (const InEdge& e : in_edges(v)) __builtin_prefetch(state + e.from);
    }
  }
  std::span<const OutEdge> out(Index v) const {
    return {out_edges_.data() + out_begin_[v], out_edges_.data() + out_begin_[v + 1]};
  }

  // Non-recycling BOM lines of a product.
  std::span<const BomEntry> bom(Index product) const {
    return {bom_.data() + bom_begin_[product], bom_.data() + bom_begin_[product + 1]};
  }

  // Production nodes at a site (sorted by product) and of a product (ascending).
  std::span<const Index> nodes_at_site(Index site) const {
    return {site_nodes_.data() + site_begin_[site], site_nodes_.data() + site_begin_[site + 1]};
  }
  std::span<const Index> nodes_of_product(Index product) const {
    return {product_nodes_.data() + product_begin_[product],
            product_nodes_.data() + product_begin_[product + 1]};
  }

  // The production node (site, product), or kNone.
  Index FindNode(Index site, Index product) const;

  // Suppliers before customers; all vertices.
  std::span<const Index> topological_order() const { return topo_; }

  // "site:a/p:chip (node)", "site:a/p:chip (demand)".
  std::string Describe(Index v) const;

  // Approximate bytes held by the snapshot's arrays.
  size_t MemoryBytes() const;

 private:
  Network() = default;

  const model::Model* model_ = nullptr;
  Index node_count_ = 0;
  Index vertex_count_ = 0;
  size_t unsourced_links_ = 0;
  std::vector<Index> site_;
  std::vector<Index> product_;
  std::vector<Index> group_begin_;  // vertex_count + 1
  std::vector<Index> in_begin_;     // vertex_count + 1: first inbound edge of each vertex
  std::vector<InputGroup> groups_;
  std::vector<InEdge> in_edges_;
  std::vector<Index> out_begin_;  // vertex_count + 1
  std::vector<OutEdge> out_edges_;
  std::vector<Index> bom_begin_;  // products + 1
  std::vector<BomEntry> bom_;
  std::vector<Index> site_begin_;  // sites + 1
  std::vector<Index> site_nodes_;
  std::vector<Index> product_begin_;  // products + 1
  std::vector<Index> product_nodes_;
  std::vector<Index> topo_;
};

// What a command-line NODE argument named.
enum class SelectionKind { kNode, kSite, kProduct };

struct Selection {
  SelectionKind kind;
  // Production nodes and demand nodes named, ascending.
  std::vector<Index> vertices;
};

// Resolves a reference: a site id (all its production and demand nodes), a
// product id (all its production and demand nodes), or "SITE_ID/PRODUCT_ID" (the
// production node and the demand node of that pair, whichever exist). Ids are
// tried whole first, so ids containing '/' work. NotFound "unknown node 'x': not
// a site id, a product id or SITE/PRODUCT of a production or demand row" when
// nothing matches, also when the selection would be empty.
StatusOr<Selection> Resolve(const Network& network, std::string_view ref);

}  // namespace renkei::network

#endif  // RENKEI_NETWORK_NETWORK_H_
