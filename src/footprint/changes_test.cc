#include "footprint/changes.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/builder.h"
#include "model/diff.h"
#include "model/row_text.h"
#include "model/schema.h"

namespace renkei::footprint {
namespace {

using model::Index;
using model::Table;

class TestOrigin : public model::RowOrigin {
 public:
  std::string Where(int column) const override { return "test:" + std::to_string(column + 1); }
};

// Rows per table, as text; a model is built from them.
using Rows = std::map<Table, std::vector<std::vector<std::string>>>;

model::Model Build(const Rows& rows) {
  model::Model m;
  model::ModelBuilder builder(m);
  for (const auto& [table, list] : rows) {
    for (std::vector<std::string> row : list) {
      row.resize(model::Schema(table).columns.size());
      std::vector<std::string_view> cells(row.begin(), row.end());
      Status s = builder.AddRow(table, cells, TestOrigin());
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }
  Status s = builder.Finish();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return m;
}

// The rows a product's footprint is computed from, walked up one product at a
// time as changes.h defines them: the reference the propagation must match.
std::set<std::pair<Table, std::string>> WalkUp(const model::Model& m, Index product) {
  std::set<std::pair<Table, std::string>> rows;
  std::set<Index> products;
  std::set<size_t> nodes;
  std::vector<size_t> stack;
  auto row = [&](Table t, size_t i) { rows.emplace(t, model::RowKey(m, t, i)); };
  auto visit_product = [&](Index p) {
    if (!products.insert(p).second) return;
    for (size_t f = 0; f < m.footprints.size(); ++f) {
      if (m.footprints[f].product == p) row(Table::kFootprints, f);
    }
    for (size_t b = 0; b < m.bom.size(); ++b) {
      if (m.bom[b].product == p) row(Table::kBom, b);
    }
  };
  auto node_at = [&](Index site, Index p) -> std::optional<size_t> {
    for (size_t r = 0; r < m.production.size(); ++r) {
      if (m.production[r].site == site && m.production[r].product == p) return r;
    }
    return std::nullopt;
  };
  visit_product(product);
  for (size_t r = 0; r < m.production.size(); ++r) {
    if (m.production[r].product == product && nodes.insert(r).second) stack.push_back(r);
  }
  while (!stack.empty()) {
    const size_t r = stack.back();
    stack.pop_back();
    row(Table::kProduction, r);
    const model::Production& node = m.production[r];
    for (const model::BomLine& line : m.bom) {
      if (line.product != node.product) continue;
      visit_product(line.component);
      bool linked = false;
      for (size_t l = 0; l < m.supply.size(); ++l) {
        const model::SupplyLink& s = m.supply[l];
        if (s.customer_site != node.site || s.product != line.component) continue;
        linked = true;
        row(Table::kSupply, l);
        auto source = node_at(s.supplier_site, line.component);
        if (source && nodes.insert(*source).second) stack.push_back(*source);
      }
      auto own = linked ? std::nullopt : node_at(node.site, line.component);
      if (own && nodes.insert(*own).second) stack.push_back(*own);
    }
  }
  return rows;
}

// A layered network: four tiers of three products, each made at two or three
// sites; every product above the first is made of one or two products of the
// tier below, bought from one or two of their makers (or made on site).
Rows RandomNetwork(std::mt19937& rng) {
  Rows rows;
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  rows[Table::kOrganizations].push_back({"org:a", "A", "JP"});
  std::vector<std::vector<std::string>> makers(12);  // by product
  for (int p = 0; p < 12; ++p) {
    const std::string id = "p:" + std::to_string(p);
    rows[Table::kProducts].push_back({id, id, "part", "kg"});
    const size_t sites = 2 + pick(2);
    for (size_t i = 0; i < sites; ++i) {
      const std::string site = "s:" + std::to_string(p) + ":" + std::to_string(i);
      rows[Table::kSites].push_back({site, "org:a", site, "JP", "", "35", "139"});
      makers[p].push_back(site);
      rows[Table::kProduction].push_back({site, id, "", "", std::to_string(1 + pick(20))});
    }
  }
  for (int p = 3; p < 12; ++p) {
    const int tier = p / 3;
    std::set<int> components;
    for (size_t c = 0; c < 1 + pick(2); ++c)
      components.insert((tier - 1) * 3 + static_cast<int>(pick(3)));
    for (int k : components) {
      const std::string kid = "p:" + std::to_string(k);
      rows[Table::kBom].push_back({"p:" + std::to_string(p), kid, std::to_string(1 + pick(3))});
      for (const std::string& site : makers[p]) {
        std::set<size_t> suppliers;
        for (size_t s = 0; s < pick(3); ++s) suppliers.insert(pick(makers[k].size()));
        for (size_t s : suppliers) rows[Table::kSupply].push_back({makers[k][s], site, kid});
      }
    }
  }
  rows[Table::kFootprints].push_back({"p:0", "", "7"});
  return rows;
}

// Random changes of emissions, BOM quantities, supply links and received
// footprints.
Rows Changed(Rows rows, std::mt19937& rng) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  for (int i = 0; i < 3; ++i) {
    auto& production = rows[Table::kProduction];
    production[pick(production.size())][4] = std::to_string(30 + pick(20));
  }
  auto& bom = rows[Table::kBom];
  bom[pick(bom.size())][2] = "5";
  auto& supply = rows[Table::kSupply];
  if (supply.size() > 2) supply.erase(supply.begin() + static_cast<long>(pick(supply.size())));
  rows[Table::kFootprints][0][2] = "8";
  return rows;
}

// Every footprint change names exactly the changed rows a walk up from the
// product meets, in either version: removed rows in the old one, added and
// changed rows in the new one.
TEST(CompareFootprintsTest, NamesTheChangedRowsAWalkUpMeets) {
  size_t named = 0;
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    const Rows old_rows = RandomNetwork(rng);
    const model::Model before = Build(old_rows);
    const model::Model after = Build(Changed(old_rows, rng));
    const model::ModelDiff diff = model::DiffModels(before, after);
    auto changes = CompareFootprints(before, after, diff);
    ASSERT_TRUE(changes.ok()) << changes.status().ToString();
    ASSERT_FALSE(changes->empty()) << "seed " << seed;
    for (const FootprintChange& f : *changes) {
      std::set<std::pair<Table, std::string>> expected;
      for (const auto& [model, added] : {std::pair{&before, false}, std::pair{&after, true}}) {
        const Index p = model->FindProduct(f.product);
        if (p == model::kNoIndex) continue;
        for (const auto& [table, key] : WalkUp(*model, p)) {
          const model::TableDiff& d = diff[static_cast<size_t>(table)];
          bool in_diff = false;
          if (added) {
            in_diff = std::find(d.added.begin(), d.added.end(), key) != d.added.end();
            for (const model::ChangedRow& r : d.changed) in_diff = in_diff || r.key == key;
          } else {
            in_diff = std::find(d.removed.begin(), d.removed.end(), key) != d.removed.end();
          }
          if (in_diff) expected.emplace(table, key);
        }
      }
      std::vector<std::string> names;
      for (const auto& [table, key] : expected) names.push_back(model::RowName(table, key));
      ASSERT_TRUE(f.caused_by_complete);
      EXPECT_EQ(f.caused_by, names) << "seed " << seed << ", " << f.product;
      named += names.size();
    }
  }
  EXPECT_GT(named, 20u);
}

}  // namespace
}  // namespace renkei::footprint
