#include "io/internal/row_text.h"

#include "base/numbers.h"
#include "model/builder.h"

namespace renkei::io::internal {
namespace {

using namespace model;  // NOLINT(google-build-using-namespace): a .cc file

void Set(std::string& cell, double v) {
  cell.clear();
  AppendNumber(cell, v);
}
void Set(std::string& cell, const std::optional<double>& v) {
  cell.clear();
  if (v) AppendNumber(cell, *v);
}
void Set(std::string& cell, const std::string& v) { cell.assign(v); }

}  // namespace

size_t TableSize(const Model& m, Table table) { return CountRows(m)[static_cast<size_t>(table)]; }

void RowText(const Model& m, Table table, size_t row, std::vector<std::string>& c) {
  c.resize(Schema(table).columns.size());
  auto org_id = [&](Index i) { return i == kNoIndex ? std::string() : m.organizations[i].id; };
  auto site_id = [&](Index i) { return i == kNoIndex ? std::string() : m.sites[i].id; };
  auto product_id = [&](Index i) { return i == kNoIndex ? std::string() : m.products[i].id; };
  switch (table) {
    case Table::kOrganizations: {
      const Organization& o = m.organizations[row];
      Set(c[0], o.id);
      Set(c[1], o.name);
      Set(c[2], o.country);
      Set(c[3], o.kind);
      Set(c[4], o.public_key);
      break;
    }
    case Table::kSites: {
      const Site& s = m.sites[row];
      Set(c[0], s.id);
      Set(c[1], org_id(s.organization));
      Set(c[2], s.name);
      Set(c[3], s.country);
      Set(c[4], s.region);
      Set(c[5], s.lat);
      Set(c[6], s.lon);
      Set(c[7], s.cluster);
      Set(c[8], s.capacity_per_day);
      Set(c[9], s.recovery_days);
      break;
    }
    case Table::kProducts: {
      const Product& p = m.products[row];
      Set(c[0], p.id);
      Set(c[1], p.name);
      Set(c[2], p.category);
      c[3].assign(UnitSymbol(p.unit));
      Set(c[4], org_id(p.organization));
      Set(c[5], p.hs_code);
      c[6].clear();
      for (const std::string& id : p.pact_product_ids) {
        if (!c[6].empty()) c[6] += ';';
        c[6] += id;
      }
      break;
    }
    case Table::kBom: {
      const BomLine& b = m.bom[row];
      Set(c[0], product_id(b.product));
      Set(c[1], product_id(b.component));
      Set(c[2], b.quantity);
      c[3] = b.recycling ? "true" : "";
      break;
    }
    case Table::kProduction: {
      const Production& p = m.production[row];
      Set(c[0], site_id(p.site));
      Set(c[1], product_id(p.product));
      Set(c[2], p.capacity_per_day);
      Set(c[3], p.inventory_units);
      Set(c[4], p.emissions_kgco2e_per_unit);
      Set(c[5], p.dqr.ter);
      Set(c[6], p.dqr.ger);
      Set(c[7], p.dqr.tir);
      Set(c[8], p.recovery_days);
      break;
    }
    case Table::kSupply: {
      const SupplyLink& s = m.supply[row];
      Set(c[0], site_id(s.supplier_site));
      Set(c[1], site_id(s.customer_site));
      Set(c[2], product_id(s.product));
      Set(c[3], s.share);
      Set(c[4], s.capacity_per_day);
      Set(c[5], s.lead_time_days);
      break;
    }
    case Table::kDemand: {
      const Demand& d = m.demand[row];
      Set(c[0], site_id(d.site));
      Set(c[1], product_id(d.product));
      Set(c[2], d.demand_per_day);
      Set(c[3], d.inventory_units);
      Set(c[4], d.margin_per_unit);
      break;
    }
    case Table::kFootprints: {
      const Footprint& f = m.footprints[row];
      Set(c[0], product_id(f.product));
      Set(c[1], site_id(f.site));
      Set(c[2], f.pcf_kgco2e_per_unit);
      Set(c[3], f.fossil);
      Set(c[4], f.biogenic);
      Set(c[5], f.primary_data_share);
      Set(c[6], f.dqr.ter);
      Set(c[7], f.dqr.ger);
      Set(c[8], f.dqr.tir);
      Set(c[9], f.period_start);
      Set(c[10], f.period_end);
      break;
    }
    case Table::kMaterials: {
      const Material& mat = m.materials[row];
      Set(c[0], product_id(mat.product));
      Set(c[1], mat.substance);
      Set(c[2], mat.mass_kg_per_unit);
      Set(c[3], mat.recycled_pre_consumer_share);
      Set(c[4], mat.recycled_post_consumer_share);
      break;
    }
  }
}

}  // namespace renkei::io::internal
