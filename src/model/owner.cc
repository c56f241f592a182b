#include "model/owner.h"

namespace renkei::model {
namespace {

constexpr Index kSeveral = kNoIndex - 1;  // made by more than one organization

}  // namespace

Owners::Owners(const Model& model) : model_(model), product_owner_(model.products.size()) {
  std::vector<Index> maker(model.products.size(), kNoIndex);
  for (const Production& p : model.production) {
    const Index org = model.sites[p.site].organization;
    Index& m = maker[p.product];
    m = m == kNoIndex || m == org ? org : kSeveral;
  }
  for (size_t i = 0; i < model.products.size(); ++i) {
    const Index own = model.products[i].organization;
    product_owner_[i] = own != kNoIndex ? own : maker[i] == kSeveral ? kNoIndex : maker[i];
  }
}

Index Owners::Of(Table table, size_t row) const {
  const Model& m = model_;
  auto site_org = [&](Index site) { return m.sites[site].organization; };
  switch (table) {
    case Table::kOrganizations:
      return static_cast<Index>(row);
    case Table::kSites:
      return m.sites[row].organization;
    case Table::kProducts:
      return product_owner_[row];
    case Table::kBom:
      return product_owner_[m.bom[row].product];
    case Table::kProduction:
      return site_org(m.production[row].site);
    case Table::kSupply:
      return site_org(m.supply[row].customer_site);
    case Table::kDemand:
      return site_org(m.demand[row].site);
    case Table::kFootprints: {
      const Footprint& f = m.footprints[row];
      return f.site != kNoIndex ? site_org(f.site) : product_owner_[f.product];
    }
    case Table::kMaterials:
      return product_owner_[m.materials[row].product];
    case Table::kPassports:
      return product_owner_[m.passports[row].product];
    case Table::kFootprintClasses:
      return kNoIndex;  // shared reference data
    case Table::kPassportDocuments:
      return product_owner_[m.passport_documents[row].product];
    case Table::kSpareParts:
      return product_owner_[m.spare_parts[row].product];
  }
  return kNoIndex;
}

}  // namespace renkei::model
