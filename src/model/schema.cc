#include "model/schema.h"

#include <array>

namespace renkei::model {
namespace {

using K = ColumnKind;
using R = Range;

constexpr Column kOrganizations[] = {
    {"id", K::kId, true},
    {"name", K::kText, true},
    {"country", K::kCountry, true},
    {"kind", K::kText, false},
    {"public_key", K::kPublicKey, false},
    {"name_ja", K::kText, false},
};
// name, country, lat and lon are required of every site but an external one
// (ModelBuilder checks), so a bundle may name another company's site by id and
// organization alone.
constexpr Column kSites[] = {
    {"id", K::kId, true},
    {"organization", K::kOrganizationRef, true},
    {"name", K::kText, false},
    {"country", K::kCountry, false},
    {"region", K::kText, false},
    {"lat", K::kNumber, false, R::kLatitude},
    {"lon", K::kNumber, false, R::kLongitude},
    {"cluster", K::kText, false},
    {"capacity_per_day", K::kNumber, false, R::kNonNegative},
    {"recovery_days", K::kNumber, false, R::kNonNegative},
    {"name_ja", K::kText, false},
    {"external", K::kBool, false},
};
constexpr Column kProducts[] = {
    {"id", K::kId, true},
    {"name", K::kText, true},
    {"category", K::kText, true},
    {"unit", K::kUnit, true},
    {"organization", K::kOrganizationRef, false},
    {"hs_code", K::kText, false},
    {"pact_product_ids", K::kIdList, false},
    {"name_ja", K::kText, false},
};
constexpr Column kBom[] = {
    {"product", K::kProductRef, true},
    {"component", K::kProductRef, true},
    {"quantity", K::kNumber, true, R::kPositive},
    {"recycling", K::kBool, false},
};
constexpr Column kProduction[] = {
    {"site", K::kSiteRef, true},
    {"product", K::kProductRef, true},
    {"capacity_per_day", K::kNumber, false, R::kNonNegative},
    {"inventory_units", K::kNumber, false, R::kNonNegative},
    {"emissions_kgco2e_per_unit", K::kNumber, false, R::kNonNegative},
    {"dqr_ter", K::kNumber, false, R::kQuality},
    {"dqr_ger", K::kNumber, false, R::kQuality},
    {"dqr_tir", K::kNumber, false, R::kQuality},
    {"recovery_days", K::kNumber, false, R::kNonNegative},
};
constexpr Column kSupply[] = {
    {"supplier_site", K::kSiteRef, true},
    {"customer_site", K::kSiteRef, true},
    {"product", K::kProductRef, true},
    {"share", K::kNumber, false, R::kShare},
    {"capacity_per_day", K::kNumber, false, R::kNonNegative},
    {"lead_time_days", K::kNumber, false, R::kNonNegative},
};
constexpr Column kDemand[] = {
    {"site", K::kSiteRef, true},
    {"product", K::kProductRef, true},
    {"demand_per_day", K::kNumber, true, R::kNonNegative},
    {"inventory_units", K::kNumber, false, R::kNonNegative},
    {"margin_per_unit", K::kNumber, false, R::kNonNegative},
};
constexpr Column kFootprints[] = {
    {"product", K::kProductRef, true},
    {"site", K::kSiteRef, false},
    {"pcf_kgco2e_per_unit", K::kNumber, true},
    {"fossil", K::kNumber, false},
    {"biogenic", K::kNumber, false},
    {"primary_data_share", K::kNumber, false, R::kShare},
    {"dqr_ter", K::kNumber, false, R::kQuality},
    {"dqr_ger", K::kNumber, false, R::kQuality},
    {"dqr_tir", K::kNumber, false, R::kQuality},
    {"period_start", K::kDate, false},
    {"period_end", K::kDate, false},
};
constexpr Column kFootprintsStored[] = {
    {"pact_json", K::kText, false},
    {"verified", K::kBool, false},
};
constexpr Column kMaterials[] = {
    {"product", K::kProductRef, true},
    {"substance", K::kId, true},
    {"mass_kg_per_unit", K::kNumber, true, R::kNonNegative},
    {"recycled_pre_consumer_share", K::kNumber, false, R::kShare},
    {"recycled_post_consumer_share", K::kNumber, false, R::kShare},
};

// The Battery Pass data of a battery product (footprint/passport.h): what the
// passport needs beyond the footprint and the recycled content the model gives.
constexpr Column kPassports[] = {
    {"product", K::kProductRef, true},
    {"performance_class", K::kText, false},
    {"carbon_footprint_study", K::kUri, false},
    {"lifetime_energy_kwh", K::kNumber, false, R::kPositive},
    {"distribution_kgco2e_per_unit", K::kNumber, false, R::kNonNegative},
    {"end_of_life_kgco2e_per_unit", K::kNumber, false},
    {"renewable_content_share", K::kNumber, false, R::kShare},
    {"safety_instructions", K::kUri, false},
    {"extinguishing_agents", K::kIdList, false},
    {"waste_prevention", K::kUri, false},
    {"separate_collection", K::kUri, false},
    {"information_on_collection", K::kUri, false},
};
// Carbon footprint performance classes of a product category: the upper bound
// of each class in kgCO2e per kWh of lifetime energy; the worst class may have
// none.
constexpr Column kFootprintClasses[] = {
    {"category", K::kText, true},
    {"class", K::kText, true},
    {"max_kgco2e_per_kwh", K::kNumber, false, R::kNonNegative},
};
constexpr Column kPassportDocuments[] = {
    {"product", K::kProductRef, true},
    {"document_type", K::kText, true},
    {"mime_type", K::kText, true},
    {"url", K::kUri, true},
};
constexpr Column kSpareParts[] = {
    {"product", K::kProductRef, true},  {"supplier", K::kText, true},
    {"street_address", K::kText, true}, {"postal_code", K::kText, true},
    {"country", K::kCountry, true},     {"email", K::kEmail, true},
    {"web_address", K::kUri, true},     {"part_name", K::kText, true},
    {"part_number", K::kText, true},
};

// Keys, as positions in the columns above.
constexpr int kIdKey[] = {0};
constexpr int kFirstTwoKey[] = {0, 1};  // (product, component), (site, product), ...
constexpr int kSupplyKey[] = {0, 1, 2};
constexpr int kFootprintKey[] = {0, 1, 9, 10};  // product, site, period_start, period_end
constexpr int kSparePartKey[] = {0, 1, 8};      // product, supplier, part_number
constexpr int kDocumentKey[] = {0, 3};          // product, url

const std::array<TableSchema, kTableCount> kTables = {{
    {Table::kOrganizations, "organizations", kOrganizations, kIdKey},
    {Table::kSites, "sites", kSites, kIdKey},
    {Table::kProducts, "products", kProducts, kIdKey},
    {Table::kBom, "bom", kBom, kFirstTwoKey},
    {Table::kProduction, "production", kProduction, kFirstTwoKey},
    {Table::kSupply, "supply", kSupply, kSupplyKey},
    {Table::kDemand, "demand", kDemand, kFirstTwoKey},
    {Table::kFootprints, "footprints", kFootprints, kFootprintKey, kFootprintsStored},
    {Table::kMaterials, "materials", kMaterials, kFirstTwoKey},
    {Table::kPassports, "passports", kPassports, kIdKey},
    {Table::kFootprintClasses, "footprint_classes", kFootprintClasses, kFirstTwoKey},
    {Table::kPassportDocuments, "passport_documents", kPassportDocuments, kDocumentKey},
    {Table::kSpareParts, "spare_parts", kSpareParts, kSparePartKey},
}};

}  // namespace

std::optional<int> TableSchema::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return std::nullopt;
}

const TableSchema& Schema(Table table) { return kTables[static_cast<size_t>(table)]; }

std::span<const TableSchema> AllTables() { return kTables; }

std::optional<Table> TableByName(std::string_view name) {
  for (const TableSchema& t : kTables) {
    if (t.name == name) return t.table;
  }
  return std::nullopt;
}

std::string_view RangeDescription(Range range) {
  switch (range) {
    case Range::kAny:
      return "a number";
    case Range::kNonNegative:
      return "a number >= 0";
    case Range::kPositive:
      return "a number > 0";
    case Range::kShare:
      return "a number in [0, 1]";
    case Range::kLatitude:
      return "a latitude in [-90, 90]";
    case Range::kLongitude:
      return "a longitude in [-180, 180]";
    case Range::kQuality:
      return "a data quality rating in [1, 3]";
  }
  return "a number";
}

bool InRange(double v, Range range) {
  switch (range) {
    case Range::kAny:
      return true;
    case Range::kNonNegative:
      return v >= 0;
    case Range::kPositive:
      return v > 0;
    case Range::kShare:
      return v >= 0 && v <= 1;
    case Range::kLatitude:
      return v >= -90 && v <= 90;
    case Range::kLongitude:
      return v >= -180 && v <= 180;
    case Range::kQuality:
      return v >= 1 && v <= 3;
  }
  return false;
}

}  // namespace renkei::model
