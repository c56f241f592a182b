#include "io/split.h"

#include <string_view>
#include <unordered_map>

#include "io/internal/row_text.h"
#include "model/owner.h"
#include "model/schema.h"

namespace renkei::io {
namespace {

using model::Index;
using model::kNoIndex;
using model::Table;

class SplitOrigin : public model::RowOrigin {
 public:
  SplitOrigin(const std::string& organization, Table table, size_t row)
      : organization_(organization), table_(table), row_(row) {}
  std::string Where(int column) const override {
    const model::TableSchema& s = model::Schema(table_);
    std::string where = "the part of " + organization_ + ": " + std::string(s.name) + " row " +
                        std::to_string(row_ + 1);
    if (column >= 0) where += ", column " + std::string(s.columns[column].name);
    return where;
  }

 private:
  const std::string& organization_;
  Table table_;
  size_t row_;
};

// Which rows of each table go into one part, and which sites go as references.
struct Selection {
  std::vector<uint8_t> organizations, sites, external, products, bom, production, supply, demand,
      footprints, materials;
  std::vector<uint8_t> made_there;  // production rows named by a supply link, as references
  explicit Selection(const model::Model& m)
      : organizations(m.organizations.size()),
        sites(m.sites.size()),
        external(m.sites.size()),
        products(m.products.size()),
        bom(m.bom.size()),
        production(m.production.size()),
        supply(m.supply.size()),
        demand(m.demand.size()),
        footprints(m.footprints.size()),
        materials(m.materials.size()),
        made_there(m.production.size()) {}
  std::vector<uint8_t>& rows(Table t) {
    switch (t) {
      case Table::kOrganizations:
        return organizations;
      case Table::kSites:
        return sites;
      case Table::kProducts:
        return products;
      case Table::kBom:
        return bom;
      case Table::kProduction:
        return production;
      case Table::kSupply:
        return supply;
      case Table::kDemand:
        return demand;
      case Table::kFootprints:
        return footprints;
      case Table::kMaterials:
        return materials;
    }
    return organizations;
  }
};

// The production row of each (site, product), by both packed in 64 bits.
using ProductionRows = std::unordered_map<uint64_t, size_t>;
uint64_t Key(Index site, Index product) { return (uint64_t{site} << 32) | product; }

Selection Select(const model::Model& m, const model::Owners& owners,
                 const ProductionRows& production, Index org, Part& part) {
  Selection s(m);
  for (const model::TableSchema& schema : model::AllTables()) {
    std::vector<uint8_t>& rows = s.rows(schema.table);
    for (size_t i = 0; i < rows.size(); ++i) {
      if (owners.Of(schema.table, i) == org) {
        rows[i] = 1;
        ++part.owned[static_cast<size_t>(schema.table)];
      }
    }
  }
  // Shared products O makes: their BOM lines and materials.
  std::vector<uint8_t> makes(m.products.size());
  for (const model::Production& p : m.production) {
    if (m.sites[p.site].organization == org) makes[p.product] = 1;
  }
  for (size_t i = 0; i < m.bom.size(); ++i) {
    if (owners.OfProduct(m.bom[i].product) == kNoIndex && makes[m.bom[i].product]) s.bom[i] = 1;
  }
  for (size_t i = 0; i < m.materials.size(); ++i) {
    const Index p = m.materials[i].product;
    if (owners.OfProduct(p) == kNoIndex && makes[p]) s.materials[i] = 1;
  }
  // What the selected rows refer to.
  auto product = [&](Index p) { s.products[p] = 1; };
  auto site = [&](Index i) {
    if (!s.sites[i]) s.external[i] = 1;
  };
  for (size_t i = 0; i < m.bom.size(); ++i) {
    if (!s.bom[i]) continue;
    product(m.bom[i].product);
    product(m.bom[i].component);
  }
  for (size_t i = 0; i < m.production.size(); ++i) {
    if (s.production[i]) product(m.production[i].product);
  }
  for (size_t i = 0; i < m.supply.size(); ++i) {
    if (!s.supply[i]) continue;
    product(m.supply[i].product);
    site(m.supply[i].supplier_site);
    site(m.supply[i].customer_site);
    auto made = production.find(Key(m.supply[i].supplier_site, m.supply[i].product));
    if (made != production.end() && !s.production[made->second]) s.made_there[made->second] = 1;
  }
  for (size_t i = 0; i < m.demand.size(); ++i) {
    if (s.demand[i]) product(m.demand[i].product);
  }
  for (size_t i = 0; i < m.footprints.size(); ++i) {
    if (!s.footprints[i]) continue;
    product(m.footprints[i].product);
    if (m.footprints[i].site != kNoIndex) site(m.footprints[i].site);
  }
  for (size_t i = 0; i < m.materials.size(); ++i) {
    if (s.materials[i]) product(m.materials[i].product);
  }
  for (size_t i = 0; i < m.sites.size(); ++i) {
    if (s.sites[i] || s.external[i]) s.organizations[m.sites[i].organization] = 1;
  }
  for (size_t i = 0; i < m.products.size(); ++i) {
    if (s.products[i] && m.products[i].organization != kNoIndex) {
      s.organizations[m.products[i].organization] = 1;
    }
  }
  s.organizations[org] = 1;
  return s;
}

Status BuildPart(const model::Model& m, Selection& s, Part& part) {
  model::ModelBuilder builder(part.model);
  std::vector<std::string> cells;
  std::vector<std::string_view> fields;
  const int external_column = *model::Schema(Table::kSites).ColumnIndex("external");
  for (const model::TableSchema& schema : model::AllTables()) {
    std::vector<uint8_t>& rows = s.rows(schema.table);
    for (size_t i = 0; i < rows.size(); ++i) {
      const bool reference = (schema.table == Table::kSites && s.external[i]) ||
                             (schema.table == Table::kProduction && s.made_there[i]);
      if (!rows[i] && !reference) continue;
      if (schema.table == Table::kFootprints && !m.footprints[i].pact_json.empty()) {
        continue;  // a received document: copied below, with its text
      }
      internal::RowText(m, schema.table, i, cells);
      if (reference && schema.table == Table::kSites) {
        // Another company's site, named by id and organization only.
        if (!m.sites[i].external) {
          for (size_t c = 2; c < cells.size(); ++c) cells[c].clear();
          cells[static_cast<size_t>(external_column)] = "true";
        }
        ++part.external_sites;
      } else if (reference) {
        // That the supplier's site makes what it supplies, which the supply link
        // says already: no capacity, inventory, emissions or recovery.
        for (size_t c = 2; c < cells.size(); ++c) cells[c].clear();
      }
      fields.assign(cells.begin(), cells.end());
      if (Status st =
              builder.AddRow(schema.table, fields, SplitOrigin(part.organization, schema.table, i));
          !st.ok()) {
        return InternalError("splitting: " + st.message());
      }
    }
  }
  for (size_t i = 0; i < m.footprints.size(); ++i) {
    if (!s.footprints[i] || m.footprints[i].pact_json.empty()) continue;
    model::Footprint f = m.footprints[i];
    f.product = part.model.FindProduct(m.products[f.product].id);
    if (f.site != kNoIndex) f.site = part.model.FindSite(m.sites[f.site].id);
    part.model.footprints.push_back(std::move(f));
  }
  if (Status st = builder.Finish(); !st.ok()) {
    return InternalError("splitting, the part of " + part.organization + ": " + st.message());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<Part>> SplitByOrganization(const model::Model& model) {
  const model::Owners owners(model);
  std::vector<uint8_t> owns(model.organizations.size());
  for (const model::TableSchema& schema : model::AllTables()) {
    const size_t n = internal::TableSize(model, schema.table);
    for (size_t i = 0; i < n; ++i) {
      const Index o = owners.Of(schema.table, i);
      if (o != kNoIndex) owns[o] = 1;
    }
  }
  ProductionRows production;
  production.reserve(model.production.size());
  for (size_t i = 0; i < model.production.size(); ++i) {
    production.emplace(Key(model.production[i].site, model.production[i].product), i);
  }
  std::vector<Part> parts;
  for (Index o = 0; o < model.organizations.size(); ++o) {
    if (!owns[o]) continue;
    Part part;
    part.organization = model.organizations[o].id;
    Selection s = Select(model, owners, production, o, part);
    RENKEI_RETURN_IF_ERROR(BuildPart(model, s, part));
    parts.push_back(std::move(part));
  }
  return parts;
}

}  // namespace renkei::io
