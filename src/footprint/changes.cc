#include "footprint/changes.h"

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
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
  explicit Upstream(const model::Model& m)
      : m_(m), node_seen_(m.production.size()), product_seen_(m.products.size()) {
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

  // Calls visit(table, row) for the rows product `product`'s footprint is
  // computed from (see changes.h), a row possibly more than once. Nodes and
  // products are marked with the walk's number, so a walk costs what it visits.
  template <typename Visit>
  void Walk(Index product, Visit&& visit) {
    ++walk_;
    stack_.clear();
    auto visit_product = [&](Index p) {
      if (product_seen_[p] == walk_) return;
      product_seen_[p] = walk_;
      for (size_t f : Find(received_, p)) visit(Table::kFootprints, f);
      for (size_t b : Find(bom_, p)) visit(Table::kBom, b);
    };
    auto visit_node = [&](size_t r) {
      if (node_seen_[r] == walk_) return;
      node_seen_[r] = walk_;
      stack_.push_back(r);
    };
    visit_product(product);
    for (size_t r : Find(by_product_, product)) visit_node(r);
    while (!stack_.empty()) {
      const size_t r = stack_.back();
      stack_.pop_back();
      visit(Table::kProduction, r);
      const model::Production& node = m_.production[r];
      for (size_t b : Find(bom_, node.product)) {
        const Index component = m_.bom[b].component;
        visit_product(component);
        const std::vector<size_t>& links = Find(into_, Pair(node.site, component));
        for (size_t l : links) {
          visit(Table::kSupply, l);
          auto source = node_at_.find(Pair(m_.supply[l].supplier_site, component));
          if (source != node_at_.end()) visit_node(source->second);
        }
        if (links.empty()) {
          auto own = node_at_.find(Pair(node.site, component));
          if (own != node_at_.end()) visit_node(own->second);
        }
      }
    }
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
  std::vector<uint32_t> node_seen_, product_seen_;  // the walk that last met each
  uint32_t walk_ = 0;
  std::vector<size_t> stack_;
};

// The keys of the diff's rows of one version, by table and row index (null
// for a row the diff does not name).
using DiffRows = std::array<std::vector<const std::string*>, model::kTableCount>;

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

  // The diff's rows by their index in each version.
  DiffRows old_rows, new_rows;
  for (const model::TableSchema& t : model::AllTables()) {
    const auto n = static_cast<size_t>(t.table);
    const model::TableDiff& d = diff[n];
    old_rows[n].resize(model::TableSize(before, t.table));
    new_rows[n].resize(model::TableSize(after, t.table));
    for (size_t i = 0; i < d.added.size(); ++i) new_rows[n][d.added_rows[i]] = &d.added[i];
    for (size_t i = 0; i < d.removed.size(); ++i) old_rows[n][d.removed_rows[i]] = &d.removed[i];
    for (const model::ChangedRow& r : d.changed) new_rows[n][r.after_row] = &r.key;
  }
  Upstream old_upstream(before), new_upstream(after);
  for (auto& [id, c] : changed) {
    std::set<std::pair<Table, std::string_view>> causes;
    auto blame = [&causes](const DiffRows& rows) {
      return [&causes, &rows](Table t, size_t row) {
        const std::string* key = rows[static_cast<size_t>(t)][row];
        if (key != nullptr) causes.emplace(t, *key);
      };
    };
    if (c.before != model::kNoIndex) old_upstream.Walk(c.before, blame(old_rows));
    if (c.after != model::kNoIndex) new_upstream.Walk(c.after, blame(new_rows));
    FootprintChange& f = out.emplace_back();
    f.product = id;
    f.before = c.old_value;
    f.after = c.new_value;
    for (const auto& [table, key] : causes) f.caused_by.push_back(model::RowName(table, key));
  }
  return out;
}

}  // namespace renkei::footprint
