#include "network/network.h"

#include <algorithm>
#include <utility>

#include "base/memory.h"

namespace renkei::network {
namespace {

// Counting sort of `count` items into buckets: returns begin offsets (buckets + 1)
// and fills `order` with item indices grouped by key(item), stable.
template <typename Key>
std::vector<Index> Bucket(size_t buckets, size_t count, Key key, std::vector<Index>& order) {
  std::vector<Index> begin(buckets + 1, 0);
  for (size_t i = 0; i < count; ++i) ++begin[key(i) + 1];
  for (size_t b = 0; b < buckets; ++b) begin[b + 1] += begin[b];
  order.assign(count, 0);
  std::vector<Index> next(begin.begin(), begin.end() - 1);
  for (size_t i = 0; i < count; ++i) order[next[key(i)]++] = static_cast<Index>(i);
  return begin;
}

}  // namespace

StatusOr<Network> Network::Build(const model::Model& m) {
  Network n;
  n.model_ = &m;
  const size_t sites = m.sites.size();
  const size_t products = m.products.size();
  n.node_count_ = static_cast<Index>(m.production.size());
  n.vertex_count_ = static_cast<Index>(m.production.size() + m.demand.size());
  const Index vc = n.vertex_count_;

  // The arrays read at random by the analyses live on huge pages (base/memory.h).
  ReserveHugePages(n.site_, vc);
  ReserveHugePages(n.product_, vc);
  ReserveHugePages(n.group_begin_, vc + 1);
  ReserveHugePages(n.in_begin_, vc + 1);
  ReserveHugePages(n.out_begin_, vc + 1);
  ReserveHugePages(n.topo_, vc);
  n.site_.resize(vc);
  n.product_.resize(vc);
  for (Index v = 0; v < n.node_count_; ++v) {
    n.site_[v] = m.production[v].site;
    n.product_[v] = m.production[v].product;
  }
  for (size_t d = 0; d < m.demand.size(); ++d) {
    n.site_[n.node_count_ + d] = m.demand[d].site;
    n.product_[n.node_count_ + d] = m.demand[d].product;
  }

  // Non-recycling BOM per product.
  {
    std::vector<Index> order;
    n.bom_begin_ = Bucket(
        products, m.bom.size(), [&](size_t i) { return m.bom[i].product; }, order);
    n.bom_.reserve(m.bom.size());
    std::vector<Index> kept(products + 1, 0);
    for (size_t p = 0; p < products; ++p) {
      for (Index i = n.bom_begin_[p]; i < n.bom_begin_[p + 1]; ++i) {
        const model::BomLine& line = m.bom[order[i]];
        if (!line.recycling) n.bom_.push_back({line.component, line.quantity});
      }
      kept[p + 1] = static_cast<Index>(n.bom_.size());
    }
    n.bom_begin_ = std::move(kept);
  }

  // Production nodes by site (sorted by product) and by product.
  n.site_begin_ = Bucket(
      sites, n.node_count_, [&](size_t i) { return m.production[i].site; }, n.site_nodes_);
  for (size_t s = 0; s < sites; ++s) {
    std::sort(n.site_nodes_.begin() + n.site_begin_[s],
              n.site_nodes_.begin() + n.site_begin_[s + 1],
              [&](Index a, Index b) { return n.product_[a] < n.product_[b]; });
  }
  n.product_begin_ = Bucket(
      products, n.node_count_, [&](size_t i) { return m.production[i].product; }, n.product_nodes_);

  // Supply links by customer site, sorted by product within a site.
  std::vector<Index> links;
  std::vector<Index> link_begin = Bucket(
      sites, m.supply.size(), [&](size_t i) { return m.supply[i].customer_site; }, links);
  for (size_t s = 0; s < sites; ++s) {
    std::sort(links.begin() + link_begin[s], links.begin() + link_begin[s + 1],
              [&](Index a, Index b) {
                return std::pair(m.supply[a].product, a) < std::pair(m.supply[b].product, b);
              });
  }
  // The supplier node of each link, or kNone.
  std::vector<Index> link_supplier(m.supply.size());
  for (size_t l = 0; l < m.supply.size(); ++l) {
    link_supplier[l] = n.FindNode(m.supply[l].supplier_site, m.supply[l].product);
    if (link_supplier[l] == kNone) ++n.unsourced_links_;
  }

  auto add_group = [&](Index site, Index component, double quantity, bool own_only) {
    InputGroup g{component, static_cast<Index>(n.in_edges_.size()), 0, quantity};
    Index own = n.FindNode(site, component);
    if (own != kNone) n.in_edges_.push_back({own, kNone});
    if (own == kNone || !own_only) {
      auto first = links.begin() + link_begin[site];
      auto last = links.begin() + link_begin[site + 1];
      auto it = std::lower_bound(first, last, component,
                                 [&](Index l, Index k) { return m.supply[l].product < k; });
      for (; it != last && m.supply[*it].product == component; ++it) {
        if (link_supplier[*it] != kNone) n.in_edges_.push_back({link_supplier[*it], *it});
      }
    }
    g.edge_end = static_cast<Index>(n.in_edges_.size());
    if (g.edge_end > g.edge_begin) n.groups_.push_back(g);
  };
  n.group_begin_.assign(vc + 1, 0);
  n.in_begin_.assign(vc + 1, 0);
  for (Index v = 0; v < vc; ++v) {
    n.group_begin_[v] = static_cast<Index>(n.groups_.size());
    n.in_begin_[v] = static_cast<Index>(n.in_edges_.size());
    if (v < n.node_count_) {
      for (const BomEntry& b : n.bom(n.product_[v])) {
        add_group(n.site_[v], b.component, b.quantity, /*own_only=*/false);
      }
    } else {
      add_group(n.site_[v], n.product_[v], 1.0, /*own_only=*/true);
    }
  }
  n.group_begin_[vc] = static_cast<Index>(n.groups_.size());
  n.in_begin_[vc] = static_cast<Index>(n.in_edges_.size());
  MoveToHugePages(n.groups_);
  MoveToHugePages(n.in_edges_);
  ReserveHugePages(n.out_edges_, n.in_edges_.size());

  // Outbound CSR by supplier.
  n.out_begin_.assign(vc + 1, 0);
  for (const InEdge& e : n.in_edges_) ++n.out_begin_[e.from + 1];
  for (Index v = 0; v < vc; ++v) n.out_begin_[v + 1] += n.out_begin_[v];
  n.out_edges_.resize(n.in_edges_.size());
  {
    std::vector<Index> next(n.out_begin_.begin(), n.out_begin_.end() - 1);
    for (Index v = 0; v < vc; ++v) {
      for (Index e = n.in_begin_[v]; e < n.in_begin_[v + 1]; ++e) {
        n.out_edges_[next[n.in_edges_[e].from]++] = {v, e};
      }
    }
  }

  // Kahn's algorithm over edge multiplicities.
  {
    std::vector<Index> pending(vc, 0);
    for (Index v = 0; v < vc; ++v) pending[v] = n.in_begin_[v + 1] - n.in_begin_[v];
    for (Index v = 0; v < vc; ++v) {
      if (pending[v] == 0) n.topo_.push_back(v);
    }
    for (size_t i = 0; i < n.topo_.size(); ++i) {
      for (const OutEdge& o : n.out(n.topo_[i])) {
        if (--pending[o.to] == 0) n.topo_.push_back(o.to);
      }
    }
    if (n.topo_.size() != vc) {
      return FailedPreconditionError(
          "the supply network has a cycle outside recycling BOM lines (" +
          std::to_string(vc - n.topo_.size()) + " nodes on or behind it)");
    }
  }
  return n;
}

Index Network::FindNode(Index site, Index product) const {
  if (site >= site_begin_.size() - 1) return kNone;
  auto first = site_nodes_.begin() + site_begin_[site];
  auto last = site_nodes_.begin() + site_begin_[site + 1];
  auto it =
      std::lower_bound(first, last, product, [&](Index v, Index p) { return product_[v] < p; });
  return it != last && product_[*it] == product ? *it : kNone;
}

std::string Network::Describe(Index v) const {
  return model_->sites[site_[v]].id + "/" + model_->products[product_[v]].id +
         (IsDemand(v) ? " (demand)" : " (node)");
}

size_t Network::MemoryBytes() const {
  auto bytes = [](const auto& vec) { return vec.capacity() * sizeof(vec[0]); };
  return bytes(site_) + bytes(product_) + bytes(group_begin_) + bytes(in_begin_) + bytes(groups_) +
         bytes(in_edges_) + bytes(out_begin_) + bytes(out_edges_) + bytes(bom_begin_) +
         bytes(bom_) + bytes(site_begin_) + bytes(site_nodes_) + bytes(product_begin_) +
         bytes(product_nodes_) + bytes(topo_);
}

StatusOr<Selection> Resolve(const Network& network, std::string_view ref) {
  const model::Model& m = network.model();
  Selection sel{SelectionKind::kNode, {}};
  auto add_demand = [&](auto pred) {
    for (Index d = 0; d < network.demand_count(); ++d) {
      Index v = network.DemandVertex(d);
      if (pred(v)) sel.vertices.push_back(v);
    }
  };
  if (Index s = m.FindSite(ref); s != model::kNoIndex) {
    sel.kind = SelectionKind::kSite;
    for (Index v : network.nodes_at_site(s)) sel.vertices.push_back(v);
    add_demand([&](Index v) { return network.site(v) == s; });
  } else if (Index p = m.FindProduct(ref); p != model::kNoIndex) {
    sel.kind = SelectionKind::kProduct;
    for (Index v : network.nodes_of_product(p)) sel.vertices.push_back(v);
    add_demand([&](Index v) { return network.product(v) == p; });
  } else {
    for (size_t slash = ref.find('/'); slash != std::string_view::npos;
         slash = ref.find('/', slash + 1)) {
      Index site = m.FindSite(ref.substr(0, slash));
      Index product = m.FindProduct(ref.substr(slash + 1));
      if (site == model::kNoIndex || product == model::kNoIndex) continue;
      if (Index v = network.FindNode(site, product); v != kNone) sel.vertices.push_back(v);
      add_demand([&](Index v) { return network.site(v) == site && network.product(v) == product; });
      if (!sel.vertices.empty()) break;
    }
  }
  std::sort(sel.vertices.begin(), sel.vertices.end());
  if (sel.vertices.empty()) {
    return NotFoundError("unknown node '" + std::string(ref) +
                         "': not a site id, a product id or SITE/PRODUCT of a production or "
                         "demand row");
  }
  return sel;
}

}  // namespace renkei::network
