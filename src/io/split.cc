#include "io/split.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>

#include "model/owner.h"
#include "model/row_text.h"
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

// Ascending and without repeats.
void SortUnique(std::vector<size_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool Contains(const std::vector<size_t>& sorted, size_t x) {
  return std::binary_search(sorted.begin(), sorted.end(), x);
}

// The production row of each (site, product), by both packed in 64 bits.
uint64_t Key(Index site, Index product) { return (uint64_t{site} << 32) | product; }

// What every part is cut from, worked out once: the rows each organization owns,
// the BOM lines and materials of each shared product, and the production rows.
struct Cut {
  explicit Cut(const model::Model& m) : owners(m), owned(m.organizations.size()) {
    for (const model::TableSchema& schema : model::AllTables()) {
      const size_t n = model::TableSize(m, schema.table);
      for (size_t i = 0; i < n; ++i) {
        const Index o = owners.Of(schema.table, i);
        if (o != kNoIndex) owned[o].push_back({schema.table, i});
      }
    }
    // Rows whose owner is their product's: those of a shared product go with it.
    shared.resize(m.products.size());
    auto add_shared = [&](Table table, const auto& rows) {
      for (size_t i = 0; i < rows.size(); ++i) {
        const Index p = rows[i].product;
        if (owners.OfProduct(p) == kNoIndex) shared[p].push_back({table, i});
      }
    };
    add_shared(Table::kBom, m.bom);
    add_shared(Table::kMaterials, m.materials);
    add_shared(Table::kPassports, m.passports);
    add_shared(Table::kPassportDocuments, m.passport_documents);
    add_shared(Table::kSpareParts, m.spare_parts);
    production.reserve(m.production.size());
    for (size_t i = 0; i < m.production.size(); ++i) {
      production.emplace(Key(m.production[i].site, m.production[i].product), i);
    }
  }
  struct Row {
    Table table;
    size_t row;
  };
  model::Owners owners;
  std::vector<std::vector<Row>> owned;   // by organization, in table and row order
  std::vector<std::vector<Row>> shared;  // by shared product: its BOM lines, materials, ...
  std::unordered_map<uint64_t, size_t> production;
};

// The rows of one part, per table ascending, and which of them go in as references:
// other companies' sites, and the production rows its supply links name.
struct Selection {
  std::array<std::vector<size_t>, model::kTableCount> rows;
  std::vector<size_t> external_sites, made_there;  // ascending
  std::vector<size_t>& operator[](Table t) { return rows[static_cast<size_t>(t)]; }
};

Selection Select(const model::Model& m, const Cut& index, Index org, Part& part) {
  Selection s;
  for (const Cut::Row& r : index.owned[org]) {
    s[r.table].push_back(r.row);
    ++part.owned[static_cast<size_t>(r.table)];
  }
  // Shared products O makes: their BOM lines, materials and passport data.
  for (size_t row : s[Table::kProduction]) {
    for (const Cut::Row& r : index.shared[m.production[row].product]) s[r.table].push_back(r.row);
  }
  for (Table t : {Table::kBom, Table::kMaterials, Table::kPassports, Table::kPassportDocuments,
                  Table::kSpareParts}) {
    SortUnique(s[t]);
  }
  // The performance classes are reference data every passport may need.
  if (!s[Table::kPassports].empty()) {
    for (size_t i = 0; i < m.footprint_classes.size(); ++i)
      s[Table::kFootprintClasses].push_back(i);
  }
  // What the selected rows refer to.
  std::vector<size_t>& products = s[Table::kProducts];
  auto site = [&](Index i) {
    if (m.sites[i].organization != org) s.external_sites.push_back(i);
  };
  for (size_t i : s[Table::kBom]) {
    products.push_back(m.bom[i].product);
    products.push_back(m.bom[i].component);
  }
  for (size_t i : s[Table::kProduction]) products.push_back(m.production[i].product);
  for (size_t i : s[Table::kSupply]) {
    const model::SupplyLink& l = m.supply[i];
    products.push_back(l.product);
    site(l.supplier_site);
    site(l.customer_site);
    auto made = index.production.find(Key(l.supplier_site, l.product));
    if (made != index.production.end() && m.sites[l.supplier_site].organization != org) {
      s.made_there.push_back(made->second);
    }
  }
  for (size_t i : s[Table::kDemand]) products.push_back(m.demand[i].product);
  for (size_t i : s[Table::kFootprints]) {
    products.push_back(m.footprints[i].product);
    if (m.footprints[i].site != kNoIndex) site(m.footprints[i].site);
  }
  for (size_t i : s[Table::kMaterials]) products.push_back(m.materials[i].product);
  for (size_t i : s[Table::kPassports]) products.push_back(m.passports[i].product);
  for (size_t i : s[Table::kPassportDocuments]) products.push_back(m.passport_documents[i].product);
  for (size_t i : s[Table::kSpareParts]) products.push_back(m.spare_parts[i].product);
  SortUnique(products);
  SortUnique(s.external_sites);
  SortUnique(s.made_there);
  for (size_t i : s.external_sites) s[Table::kSites].push_back(i);
  for (size_t i : s.made_there) s[Table::kProduction].push_back(i);
  SortUnique(s[Table::kSites]);
  SortUnique(s[Table::kProduction]);
  std::vector<size_t>& organizations = s[Table::kOrganizations];
  organizations.push_back(org);
  for (size_t i : s[Table::kSites]) organizations.push_back(m.sites[i].organization);
  for (size_t i : products) {
    if (m.products[i].organization != kNoIndex) organizations.push_back(m.products[i].organization);
  }
  SortUnique(organizations);
  return s;
}

Status BuildPart(const model::Model& m, Selection& s, Part& part) {
  model::ModelBuilder builder(part.model);
  std::vector<std::string> cells;
  std::vector<std::string_view> fields;
  const int external_column = *model::Schema(Table::kSites).ColumnIndex("external");
  for (const model::TableSchema& schema : model::AllTables()) {
    for (size_t i : s[schema.table]) {
      const bool reference = (schema.table == Table::kSites && Contains(s.external_sites, i)) ||
                             (schema.table == Table::kProduction && Contains(s.made_there, i));
      if (schema.table == Table::kFootprints && !m.footprints[i].pact_json.empty()) {
        continue;  // a received document: copied below, with its text
      }
      model::RowText(m, schema.table, i, cells);
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
  for (size_t i : s[Table::kFootprints]) {
    if (m.footprints[i].pact_json.empty()) continue;
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
  const Cut index(model);
  std::vector<Part> parts;
  for (Index o = 0; o < model.organizations.size(); ++o) {
    if (index.owned[o].empty()) continue;
    Part part;
    part.organization = model.organizations[o].id;
    Selection s = Select(model, index, o, part);
    RENKEI_RETURN_IF_ERROR(BuildPart(model, s, part));
    parts.push_back(std::move(part));
  }
  return parts;
}

}  // namespace renkei::io
