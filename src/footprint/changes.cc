#include "footprint/changes.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/numbers.h"
#include "footprint/roll_up.h"
#include "model/row_text.h"
#include "model/schema.h"

namespace renkei::footprint {
namespace {

using model::Index;
using model::Table;

uint64_t Pair(Index a, Index b) { return (static_cast<uint64_t>(a) << 32) | b; }

// Sorted ids of changed rows, at most kMaxCauses, and whether more were left out.
struct Causes {
  std::vector<uint32_t> ids;
  bool more = false;
};

// Adds `from` to `into`, keeping the kMaxCauses smallest ids; true when `into`
// changed.
bool Merge(Causes& into, const Causes& from) {
  std::vector<uint32_t> merged;
  merged.reserve(into.ids.size() + from.ids.size());
  std::set_union(into.ids.begin(), into.ids.end(), from.ids.begin(), from.ids.end(),
                 std::back_inserter(merged));
  bool more = into.more || from.more;
  if (merged.size() > kMaxCauses) {
    merged.resize(kMaxCauses);
    more = true;
  }
  if (merged == into.ids && more == into.more) return false;
  into.ids = std::move(merged);
  into.more = more;
  return true;
}

// The changed rows each product's footprint is computed from, in one version:
// each changed row is put at the production nodes whose walk up (changes.h)
// meets it, then carried down from every node to the nodes that walk up
// through it (each node once in topological order, recycling loops until
// nothing changes). Costs O(supply links x kMaxCauses), whatever the number of
// changed products.
class Blame {
 public:
  // `cause[t][row]`: the id of row `row` of table t among the changed rows, or -1.
  Blame(const model::Model& m, const std::array<std::vector<int64_t>, model::kTableCount>& cause)
      : m_(m), nodes_(m.production.size()), products_(m.products.size()) {
    node_at_.reserve(m.production.size());
    supplied_.reserve(m.supply.size());
    from_.reserve(m.supply.size());
    for (size_t r = 0; r < m.production.size(); ++r) {
      const model::Production& n = m.production[r];
      by_product_[n.product].push_back(r);
      node_at_.emplace(Pair(n.site, n.product), r);
    }
    for (size_t b = 0; b < m.bom.size(); ++b) users_[m.bom[b].component].push_back(b);
    for (size_t l = 0; l < m.supply.size(); ++l) {
      const model::SupplyLink& s = m.supply[l];
      supplied_.insert(Pair(s.customer_site, s.product));
      from_[Pair(s.supplier_site, s.product)].push_back(l);
    }
    Seed(cause);
    Propagate();
  }

  // The changed rows product `p`'s footprint is computed from.
  Causes Of(Index p) const {
    Causes out = products_[p];
    for (size_t r : Find(by_product_, p)) Merge(out, nodes_[r]);
    return out;
  }

 private:
  // The nodes at site `site` whose product has `component` in its BOM: those
  // whose walk up meets the component's rows there.
  template <typename F>
  void ForUsersAt(Index site, Index component, F&& f) const {
    for (size_t b : Find(users_, component)) {
      auto node = node_at_.find(Pair(site, m_.bom[b].product));
      if (node != node_at_.end()) f(node->second);
    }
  }

  void Seed(const std::array<std::vector<int64_t>, model::kTableCount>& cause) {
    auto id = [&](Table t, size_t row) { return cause[static_cast<size_t>(t)][row]; };
    // The rows of a product met on a walk (its BOM lines and received
    // footprints): the product's own walk, and the walks of nodes using it.
    auto product_row = [&](Index p, uint32_t c) {
      products_[p].ids.push_back(c);
      for (size_t b : Find(users_, p)) {
        for (size_t r : Find(by_product_, m_.bom[b].product)) nodes_[r].ids.push_back(c);
      }
    };
    for (size_t r = 0; r < m_.production.size(); ++r) {
      if (const int64_t c = id(Table::kProduction, r); c >= 0) {
        nodes_[r].ids.push_back(static_cast<uint32_t>(c));
      }
    }
    for (size_t b = 0; b < m_.bom.size(); ++b) {
      if (const int64_t c = id(Table::kBom, b); c >= 0) {
        product_row(m_.bom[b].product, static_cast<uint32_t>(c));
      }
    }
    for (size_t f = 0; f < m_.footprints.size(); ++f) {
      if (const int64_t c = id(Table::kFootprints, f); c >= 0) {
        product_row(m_.footprints[f].product, static_cast<uint32_t>(c));
      }
    }
    for (size_t l = 0; l < m_.supply.size(); ++l) {
      const int64_t c = id(Table::kSupply, l);
      if (c < 0) continue;
      const model::SupplyLink& s = m_.supply[l];
      ForUsersAt(s.customer_site, s.product,
                 [&](size_t r) { nodes_[r].ids.push_back(static_cast<uint32_t>(c)); });
    }
    for (std::vector<Causes>* all : {&nodes_, &products_}) {
      for (Causes& c : *all) {
        std::sort(c.ids.begin(), c.ids.end());
        c.ids.erase(std::unique(c.ids.begin(), c.ids.end()), c.ids.end());
        if (c.ids.size() > kMaxCauses) {
          c.ids.resize(kMaxCauses);
          c.more = true;
        }
      }
    }
  }

  // Carries each node's causes down to the nodes whose walk up goes through
  // it: the users of its product at the sites it supplies, and at its own site
  // when nothing of its product is supplied there. The consumers are listed
  // once (CSR); nodes are carried in topological order, each once, and those
  // on recycling loops again until nothing changes.
  void Propagate() {
    const size_t n = nodes_.size();
    std::vector<uint32_t> first(n + 1, 0), consumers;
    for (size_t u = 0; u < n; ++u) {
      const model::Production& node = m_.production[u];
      auto add = [&](size_t r) { consumers.push_back(static_cast<uint32_t>(r)); };
      for (size_t l : Find(from_, Pair(node.site, node.product))) {
        ForUsersAt(m_.supply[l].customer_site, node.product, add);
      }
      if (supplied_.count(Pair(node.site, node.product)) == 0) {
        ForUsersAt(node.site, node.product, add);
      }
      first[u + 1] = static_cast<uint32_t>(consumers.size());
    }
    std::vector<uint32_t> waiting(n, 0);  // unprocessed nodes feeding each node
    for (uint32_t v : consumers) ++waiting[v];
    std::vector<size_t> ready;
    for (size_t u = 0; u < n; ++u) {
      if (waiting[u] == 0) ready.push_back(u);
    }
    std::vector<char> done(n, 0);
    auto carry_from = [&](size_t u, auto&& changed) {
      for (uint32_t i = first[u]; i < first[u + 1]; ++i) {
        if (!nodes_[u].ids.empty() && Merge(nodes_[consumers[i]], nodes_[u])) changed(consumers[i]);
      }
    };
    while (!ready.empty()) {
      const size_t u = ready.back();
      ready.pop_back();
      done[u] = 1;
      carry_from(u, [](size_t) {});
      for (uint32_t i = first[u]; i < first[u + 1]; ++i) {
        if (--waiting[consumers[i]] == 0) ready.push_back(consumers[i]);
      }
    }
    // Recycling loops: what is left is carried until nothing changes.
    std::vector<size_t> work;
    std::vector<char> queued(n, 0);
    for (size_t u = 0; u < n; ++u) {
      if (!done[u]) {
        work.push_back(u);
        queued[u] = 1;
      }
    }
    while (!work.empty()) {
      const size_t u = work.back();
      work.pop_back();
      queued[u] = 0;
      carry_from(u, [&](size_t r) {
        if (!queued[r]) {
          queued[r] = 1;
          work.push_back(r);
        }
      });
    }
  }

  template <typename Map>
  static const std::vector<size_t>& Find(const Map& map, typename Map::key_type key) {
    static const std::vector<size_t> kNone;
    auto it = map.find(key);
    return it == map.end() ? kNone : it->second;
  }

  const model::Model& m_;
  std::unordered_map<Index, std::vector<size_t>> by_product_, users_;
  std::unordered_map<uint64_t, std::vector<size_t>> from_;  // (supplier, product) -> links
  std::unordered_set<uint64_t> supplied_;                   // (customer, product) of every link
  std::unordered_map<uint64_t, size_t> node_at_;
  std::vector<Causes> nodes_, products_;
};

// Footprint per product id, of the products made somewhere.
StatusOr<std::map<std::string, std::pair<Index, double>>> Footprints(const model::Model& m) {
  RENKEI_ASSIGN_OR_RETURN(const NetworkFootprint n, RollUp(m));
  std::map<std::string, std::pair<Index, double>> out;
  for (const ProductFootprint& p : MadeProductFootprints(m, n)) {
    if (p.product != model::kNoIndex) out[m.products[p.product].id] = {p.product, p.pcf};
  }
  return out;
}

}  // namespace

StatusOr<std::vector<FootprintChange>> CompareFootprints(const model::Model& before,
                                                         const model::Model& after,
                                                         const model::ModelDiff& diff) {
  RENKEI_ASSIGN_OR_RETURN(const auto old_values, Footprints(before));
  RENKEI_ASSIGN_OR_RETURN(const auto new_values, Footprints(after));
  struct Changed {
    Index before = model::kNoIndex, after = model::kNoIndex;
    std::optional<double> old_value, new_value;
  };
  std::map<std::string, Changed> changed;
  for (const auto& [id, value] : new_values) {
    auto it = old_values.find(id);
    if (it != old_values.end() && NearlyEqual(it->second.second, value.second)) continue;
    Changed& c = changed[id];
    c.after = value.first;
    c.new_value = value.second;
    if (it != old_values.end()) {
      c.before = it->second.first;
      c.old_value = it->second.second;
    }
  }
  for (const auto& [id, value] : old_values) {
    if (new_values.count(id) != 0) continue;
    Changed& c = changed[id];
    c.before = value.first;
    c.old_value = value.second;
  }
  std::vector<FootprintChange> out;
  if (changed.empty()) return out;

  // The changed rows of both versions, numbered in (table, key) order, so the
  // smallest numbers are the rows listed first.
  std::vector<std::pair<Table, std::string_view>> rows;
  for (const model::TableSchema& t : model::AllTables()) {
    const model::TableDiff& d = diff[static_cast<size_t>(t.table)];
    for (const std::string& key : d.added) rows.emplace_back(t.table, key);
    for (const std::string& key : d.removed) rows.emplace_back(t.table, key);
    for (const model::ChangedRow& r : d.changed) rows.emplace_back(t.table, r.key);
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  auto number = [&](Table t, std::string_view key) {
    return static_cast<int64_t>(std::lower_bound(rows.begin(), rows.end(), std::make_pair(t, key)) -
                                rows.begin());
  };
  // A removed row is met in the old version; an added or changed one in the new.
  std::array<std::vector<int64_t>, model::kTableCount> old_rows, new_rows;
  for (const model::TableSchema& t : model::AllTables()) {
    const auto n = static_cast<size_t>(t.table);
    const model::TableDiff& d = diff[n];
    old_rows[n].assign(model::TableSize(before, t.table), -1);
    new_rows[n].assign(model::TableSize(after, t.table), -1);
    for (size_t i = 0; i < d.added.size(); ++i) {
      new_rows[n][d.added_rows[i]] = number(t.table, d.added[i]);
    }
    for (size_t i = 0; i < d.removed.size(); ++i) {
      old_rows[n][d.removed_rows[i]] = number(t.table, d.removed[i]);
    }
    for (const model::ChangedRow& r : d.changed) new_rows[n][r.after_row] = number(t.table, r.key);
  }
  const Blame old_blame(before, old_rows), new_blame(after, new_rows);
  for (auto& [id, c] : changed) {
    Causes causes;
    if (c.before != model::kNoIndex) Merge(causes, old_blame.Of(c.before));
    if (c.after != model::kNoIndex) Merge(causes, new_blame.Of(c.after));
    FootprintChange& f = out.emplace_back();
    f.product = id;
    f.before = c.old_value;
    f.after = c.new_value;
    for (uint32_t i : causes.ids)
      f.caused_by.push_back(model::RowName(rows[i].first, rows[i].second));
    f.caused_by_complete = !causes.more;
  }
  return out;
}

}  // namespace renkei::footprint
