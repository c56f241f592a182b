#include "pact/footprint_row.h"

#include <algorithm>

#include "base/decimal.h"
#include "base/numbers.h"
#include "model/schema.h"
#include "model/units.h"

namespace renkei::pact {
namespace {

double Number(const std::string& text) { return ParseNumber(text).value_or(0); }

std::string Rating(const std::string& text) {
  if (text.empty()) return "";
  return FormatDecimal(std::min(Number(text), 3.0));
}

}  // namespace

StatusOr<double> PerProductUnitFactor(const ProductFootprint& pf, model::Unit unit) {
  const bool v2 = pf.version == SpecVersion::kV2;
  const CarbonFootprint& c = pf.pcf;
  const double amount = Number(c.declared_unit_amount);
  // Per one unit of the declared unit of measurement = value x per_measure.
  const double per_measure = v2 ? 1.0 : 1.0 / amount;
  // 0 when the document gives no mass (a plain double: GCC 12 warns falsely on an
  // optional here at -O3).
  const double mass_per_measure = c.product_mass_per_declared_unit.empty()
                                      ? 0.0
                                      : Number(c.product_mass_per_declared_unit) * per_measure;
  const std::optional<model::Unit> declared = model::ParseUnit(c.declared_unit);
  if (declared && model::UnitDimension(*declared) == model::UnitDimension(unit)) {
    return per_measure * *model::ConversionFactor(unit, *declared);
  }
  if (model::UnitDimension(unit) == model::Dimension::kCount) {
    return per_measure * amount;
  }
  if (model::UnitDimension(unit) == model::Dimension::kMass && mass_per_measure > 0) {
    return per_measure / mass_per_measure * model::UnitFactor(unit);
  }
  return InvalidArgumentError(
      std::string(v2 ? "$.pcf.declaredUnit" : "$.pcf.declaredUnitOfMeasurement") +
      ": cannot convert '" + c.declared_unit + "' to the product's unit '" +
      std::string(model::UnitSymbol(unit)) +
      "' (a product mass per declared unit > 0 is needed for a product measured by mass)");
}

StatusOr<std::vector<std::string>> FootprintRow(std::string_view json, const std::string& file,
                                                const model::Model& model) {
  auto parsed = ParseProductFootprint(json, file);
  if (!parsed.ok()) return parsed.status();
  const ProductFootprint& pf = *parsed;

  model::Index product = model::kNoIndex;
  for (const std::string& id : pf.product_ids) {
    model::Index found = model.FindProduct(id);
    if (found == model::kNoIndex) {
      for (model::Index p = 0; p < model.products.size(); ++p) {
        const auto& ids = model.products[p].pact_product_ids;
        if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
          found = p;
          break;
        }
      }
    }
    if (found == model::kNoIndex) continue;
    if (product != model::kNoIndex && product != found) {
      return InvalidArgumentError(file + ": $.productIds: the ids name two products, '" +
                                  model.products[product].id + "' and '" +
                                  model.products[found].id + "'");
    }
    product = found;
  }
  if (product == model::kNoIndex) {
    std::string ids;
    for (const std::string& id : pf.product_ids) ids += (ids.empty() ? "" : ", ") + id;
    return InvalidArgumentError(file + ": $.productIds: no product has any of these ids (" + ids +
                                "); list them in the product's pact_product_ids");
  }
  auto factor = PerProductUnitFactor(pf, model.products[product].unit);
  if (!factor.ok()) return factor.status().WithPrefix(file);

  const CarbonFootprint& c = pf.pcf;
  std::vector<std::string> row(model::Schema(model::Table::kFootprints).columns.size());
  row[0] = model.products[product].id;
  row[2] = FormatDecimal(Number(c.pcf_excluding_biogenic) * *factor);
  row[3] = FormatDecimal(Number(c.fossil_ghg_emissions) * *factor);
  if (!c.primary_data_share.empty()) {
    row[5] = FormatDecimal(Number(c.primary_data_share) / 100);
  }
  if (c.dqi) {
    row[6] = Rating(c.dqi->technological_dqr);
    row[7] = Rating(c.dqi->geographical_dqr);
    row[8] = Rating(c.dqi->temporal_dqr);
  }
  row[9] = c.reference_period_start;
  row[10] = c.reference_period_end;
  return row;
}

}  // namespace renkei::pact
