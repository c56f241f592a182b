// Each table's row struct, member by member: the one place where a column of
// model/schema.h meets the field that holds it. The builder's parsing, the
// row text of error messages, the store's writes, digest and loads all walk a
// row through ForEachField, so a column is added here and in schema.cc and
// nowhere else.
//
//   ForEachField(site, [&](auto& field) { ... });
//
// calls the visitor once per column, in the order of Schema(table).columns and
// then Schema(table).stored, with a reference (const when the row is) to one
// of these field types:
//
//   std::string                 kId, kText, kCountry, kDate, kPublicKey, kUri, kEmail
//   double                      kNumber, required
//   std::optional<double>       kNumber, optional
//   bool                        kBool
//   Unit                        kUnit
//   Index                       kOrganizationRef, kSiteRef, kProductRef (kNoIndex: none)
//   std::vector<std::string>    kIdList
//
// WithRows(model, table, f) calls f with the vector of the table's rows;
// RowsOf<Site>(model) is model.sites.
#ifndef RENKEI_MODEL_FIELDS_H_
#define RENKEI_MODEL_FIELDS_H_

#include <concepts>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "model/model.h"
#include "model/schema.h"

namespace renkei::model {

template <typename Row, typename Plain>
concept RowOf = std::same_as<std::remove_const_t<Row>, Plain>;

template <RowOf<Organization> R, typename F>
void ForEachField(R& o, F&& f) {
  f(o.id);
  f(o.name);
  f(o.country);
  f(o.kind);
  f(o.public_key);
  f(o.name_ja);
}

template <RowOf<Site> R, typename F>
void ForEachField(R& s, F&& f) {
  f(s.id);
  f(s.organization);
  f(s.name);
  f(s.country);
  f(s.region);
  f(s.lat);
  f(s.lon);
  f(s.cluster);
  f(s.capacity_per_day);
  f(s.recovery_days);
  f(s.name_ja);
  f(s.external);
}

template <RowOf<Product> R, typename F>
void ForEachField(R& p, F&& f) {
  f(p.id);
  f(p.name);
  f(p.category);
  f(p.unit);
  f(p.organization);
  f(p.hs_code);
  f(p.pact_product_ids);
  f(p.name_ja);
}

template <RowOf<BomLine> R, typename F>
void ForEachField(R& b, F&& f) {
  f(b.product);
  f(b.component);
  f(b.quantity);
  f(b.recycling);
}

template <RowOf<Production> R, typename F>
void ForEachField(R& p, F&& f) {
  f(p.site);
  f(p.product);
  f(p.capacity_per_day);
  f(p.inventory_units);
  f(p.emissions_kgco2e_per_unit);
  f(p.dqr.ter);
  f(p.dqr.ger);
  f(p.dqr.tir);
  f(p.recovery_days);
}

template <RowOf<SupplyLink> R, typename F>
void ForEachField(R& s, F&& f) {
  f(s.supplier_site);
  f(s.customer_site);
  f(s.product);
  f(s.share);
  f(s.capacity_per_day);
  f(s.lead_time_days);
}

template <RowOf<Demand> R, typename F>
void ForEachField(R& d, F&& f) {
  f(d.site);
  f(d.product);
  f(d.demand_per_day);
  f(d.inventory_units);
  f(d.margin_per_unit);
}

template <RowOf<Footprint> R, typename F>
void ForEachField(R& fp, F&& f) {
  f(fp.product);
  f(fp.site);
  f(fp.pcf_kgco2e_per_unit);
  f(fp.fossil);
  f(fp.biogenic);
  f(fp.primary_data_share);
  f(fp.dqr.ter);
  f(fp.dqr.ger);
  f(fp.dqr.tir);
  f(fp.period_start);
  f(fp.period_end);
  f(fp.pact_json);  // stored
  f(fp.verified);   // stored
}

template <RowOf<Material> R, typename F>
void ForEachField(R& m, F&& f) {
  f(m.product);
  f(m.substance);
  f(m.mass_kg_per_unit);
  f(m.recycled_pre_consumer_share);
  f(m.recycled_post_consumer_share);
}

template <RowOf<Passport> R, typename F>
void ForEachField(R& p, F&& f) {
  f(p.product);
  f(p.performance_class);
  f(p.carbon_footprint_study);
  f(p.lifetime_energy_kwh);
  f(p.distribution_kgco2e_per_unit);
  f(p.end_of_life_kgco2e_per_unit);
  f(p.renewable_content_share);
  f(p.safety_instructions);
  f(p.extinguishing_agents);
  f(p.waste_prevention);
  f(p.separate_collection);
  f(p.information_on_collection);
}

template <RowOf<FootprintClass> R, typename F>
void ForEachField(R& c, F&& f) {
  f(c.category);
  f(c.name);
  f(c.max_kgco2e_per_kwh);
}

template <RowOf<PassportDocument> R, typename F>
void ForEachField(R& d, F&& f) {
  f(d.product);
  f(d.document_type);
  f(d.mime_type);
  f(d.url);
}

template <RowOf<SparePart> R, typename F>
void ForEachField(R& s, F&& f) {
  f(s.product);
  f(s.supplier);
  f(s.street_address);
  f(s.postal_code);
  f(s.country);
  f(s.email);
  f(s.web_address);
  f(s.part_name);
  f(s.part_number);
}

// Calls f(rows) with the vector of `table`'s rows in `model` (const when the
// model is) and returns what it returns.
template <typename M, typename F>
requires std::same_as<std::remove_const_t<M>, Model>
decltype(auto) WithRows(M& model, Table table, F&& f) {
  switch (table) {
    case Table::kOrganizations:
      return f(model.organizations);
    case Table::kSites:
      return f(model.sites);
    case Table::kProducts:
      return f(model.products);
    case Table::kBom:
      return f(model.bom);
    case Table::kProduction:
      return f(model.production);
    case Table::kSupply:
      return f(model.supply);
    case Table::kDemand:
      return f(model.demand);
    case Table::kFootprints:
      return f(model.footprints);
    case Table::kMaterials:
      return f(model.materials);
    case Table::kPassports:
      return f(model.passports);
    case Table::kFootprintClasses:
      return f(model.footprint_classes);
    case Table::kPassportDocuments:
      return f(model.passport_documents);
    case Table::kSpareParts:
      break;
  }
  return f(model.spare_parts);
}

// The vector of `Row`s in `model`: RowsOf<Site>(model) is model.sites.
template <typename Row, typename M>
requires std::same_as<std::remove_const_t<M>, Model>
auto& RowsOf(M& model) {
  if constexpr (std::same_as<Row, Organization>)
    return model.organizations;
  else if constexpr (std::same_as<Row, Site>)
    return model.sites;
  else if constexpr (std::same_as<Row, Product>)
    return model.products;
  else if constexpr (std::same_as<Row, BomLine>)
    return model.bom;
  else if constexpr (std::same_as<Row, Production>)
    return model.production;
  else if constexpr (std::same_as<Row, SupplyLink>)
    return model.supply;
  else if constexpr (std::same_as<Row, Demand>)
    return model.demand;
  else if constexpr (std::same_as<Row, Footprint>)
    return model.footprints;
  else if constexpr (std::same_as<Row, Material>)
    return model.materials;
  else if constexpr (std::same_as<Row, Passport>)
    return model.passports;
  else if constexpr (std::same_as<Row, FootprintClass>)
    return model.footprint_classes;
  else if constexpr (std::same_as<Row, PassportDocument>)
    return model.passport_documents;
  else {
    static_assert(std::same_as<Row, SparePart>, "not a row of the model");
    return model.spare_parts;
  }
}

// Copies into `to` the fields of `from` whose column (position in
// Schema(table).columns) is not set in `given`: an upsert's row keeps the
// stored values of the columns its bundle did not have.
template <typename Row>
void KeepAbsentColumns(Row& to, const Row& from, uint64_t given) {
  std::vector<void*> fields;
  ForEachField(to, [&](auto& f) { fields.push_back(&f); });
  size_t column = 0;
  ForEachField(from, [&](const auto& f) {
    if (column < 64 && (given & (uint64_t{1} << column)) == 0) {
      *static_cast<std::decay_t<decltype(f)>*>(fields[column]) = f;
    }
    ++column;
  });
}

}  // namespace renkei::model

#endif  // RENKEI_MODEL_FIELDS_H_
