#include "footprint/changes.h"

#include <cstdint>
#include <map>
#include <set>
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

// The rows each product's footprint is computed from, in one model.
class Upstream {
 public:
  explicit Upstream(const model::Model& m) : m_(m) {
    for (size_t r = 0; r < m.production.size(); ++r) {
      const model::Production& n = m.production[r];
      by_product_[n.product].push_back(r);
      node_at_.emplace(Pair(n.site, n.product), r);
    }
    for (size_t b = 0; b < m.bom.size(); ++b) bom_[m.bom[b].product].push_back(b);
    for (size_t l = 0; l < m.supply.size(); ++l) {
      const model::SupplyLink& s = m.supply[l];
      into_[Pair(s.customer_site, s.product)].push_back(l);
    }
    for (size_t f = 0; f < m.footprints.size(); ++f) {
      received_[m.footprints[f].product].push_back(f);
    }
  }

  using Rows = std::map<Table, std::unordered_set<size_t>>;

  // The rows product `product`'s footprint is computed from (see changes.h).
  Rows Of(Index product) const {
    Rows rows;
    std::unordered_set<Index> products;
    std::unordered_set<size_t> nodes;
    std::vector<size_t> stack;
    auto visit_product = [&](Index p) {
      if (!products.insert(p).second) return;
      for (size_t f : Find(received_, p)) rows[Table::kFootprints].insert(f);
      for (size_t b : Find(bom_, p)) rows[Table::kBom].insert(b);
    };
    auto visit_node = [&](size_t r) {
      if (nodes.insert(r).second) stack.push_back(r);
    };
    visit_product(product);
    for (size_t r : Find(by_product_, product)) visit_node(r);
    while (!stack.empty()) {
      const size_t r = stack.back();
      stack.pop_back();
      rows[Table::kProduction].insert(r);
      const model::Production& node = m_.production[r];
      for (size_t b : Find(bom_, node.product)) {
        const Index component = m_.bom[b].component;
        visit_product(component);
        const std::vector<size_t>& links = Find(into_, Pair(node.site, component));
        for (size_t l : links) {
          rows[Table::kSupply].insert(l);
          auto source = node_at_.find(Pair(m_.supply[l].supplier_site, component));
          if (source != node_at_.end()) visit_node(source->second);
        }
        if (links.empty()) {
          auto own = node_at_.find(Pair(node.site, component));
          if (own != node_at_.end()) visit_node(own->second);
        }
      }
    }
    return rows;
  }

 private:
  template <typename Map>
  static const std::vector<size_t>& Find(const Map& map, typename Map::key_type key) {
    static const std::vector<size_t> kNone;
    auto it = map.find(key);
    return it == map.end() ? kNone : it->second;
  }

  const model::Model& m_;
  std::unordered_map<Index, std::vector<size_t>> by_product_, bom_, received_;
  std::unordered_map<uint64_t, std::vector<size_t>> into_;
  std::unordered_map<uint64_t, size_t> node_at_;
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

// The rows of the diff in `upstream`: `rows[t]` maps a row index of the
// version walked to its key, for the diff's rows of table t in that version.
void Blame(const Upstream::Rows& upstream,
           const std::map<Table, std::unordered_map<size_t, const std::string*>>& rows,
           std::set<std::pair<Table, std::string>>& out) {
  for (const auto& [table, changed] : rows) {
    auto walked = upstream.find(table);
    if (walked == upstream.end()) continue;
    for (const auto& [row, key] : changed) {
      if (walked->second.count(row) != 0) out.emplace(table, *key);
    }
  }
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

  // The diff's rows by their index in each version.
  std::map<Table, std::unordered_map<size_t, const std::string*>> old_rows, new_rows;
  for (const model::TableSchema& t : model::AllTables()) {
    const model::TableDiff& d = diff[static_cast<size_t>(t.table)];
    for (size_t i = 0; i < d.added.size(); ++i) new_rows[t.table][d.added_rows[i]] = &d.added[i];
    for (size_t i = 0; i < d.removed.size(); ++i) {
      old_rows[t.table][d.removed_rows[i]] = &d.removed[i];
    }
    for (const model::ChangedRow& r : d.changed) new_rows[t.table][r.after_row] = &r.key;
  }
  const Upstream old_upstream(before), new_upstream(after);
  for (auto& [id, c] : changed) {
    std::set<std::pair<Table, std::string>> causes;
    if (c.before != model::kNoIndex) Blame(old_upstream.Of(c.before), old_rows, causes);
    if (c.after != model::kNoIndex) Blame(new_upstream.Of(c.after), new_rows, causes);
    FootprintChange& f = out.emplace_back();
    f.product = id;
    f.before = c.old_value;
    f.after = c.new_value;
    for (const auto& [table, key] : causes) f.caused_by.push_back(model::RowName(table, key));
  }
  return out;
}

}  // namespace renkei::footprint
