// Received PACT footprints as rows of the `footprints` table.
#ifndef RENKEI_PACT_FOOTPRINT_ROW_H_
#define RENKEI_PACT_FOOTPRINT_ROW_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/model.h"
#include "pact/product_footprint.h"

namespace renkei::pact {

// How much of the footprint's declared unit one product unit is, and the values per
// one unit of the declared unit of measurement:
//   v2: values are per 1 declared unit; the product holds unitaryProductAmount of them;
//       productMassPerDeclaredUnit is the mass of 1 declared unit.
//   v3: values are per the whole declared unit, i.e. per declaredUnitAmount units of
//       declaredUnitOfMeasurement; productMassPerDeclaredUnit is the mass of that
//       whole declared unit.
// Returns the factor k such that (value per declared unit of the document) x k is the
// value per one `unit` of the product:
//   - same kind of unit (kg <-> t, kWh <-> MWh <-> MJ, l <-> m3): unit conversion;
//   - product counted in pieces: the amount of declared units in one product;
//   - product measured by mass, declared unit not a mass: through the product mass
//     per declared unit (must be > 0).
// InvalidArgument naming $.pcf.<declared unit property> when none applies.
StatusOr<double> PerProductUnitFactor(const ProductFootprint& footprint, model::Unit unit);

// Parses one PACT ProductFootprint file (v2 or v3) received from a supplier and returns
// the text cells of a row of the `footprints` table (model::Table::kFootprints,
// columns in schema order) plus which product it is for: the Renkei product whose
// `pact_product_ids` contains one of the footprint's productIds, or whose id equals
// one. Cells: product, site (empty: wherever made), pcf_kgco2e_per_unit (from
// pCfExcludingBiogenic / pcfExcludingBiogenicUptake, per unit of the product),
// fossil (fossilGhgEmissions, per unit), biogenic (empty), primary_data_share
// (primaryDataShare / 100, empty when absent), dqr_ter/ger/tir (v3 ratings above 3
// are capped at 3, the worst rating Renkei records), period_start/period_end (the
// reference period). Numbers are printed by FormatDecimal.
// Errors (InvalidArgument) read "<file>: <JSON path>: <what was expected>".
StatusOr<std::vector<std::string>> FootprintRow(std::string_view json, const std::string& file,
                                                const model::Model& model);

}  // namespace renkei::pact

#endif  // RENKEI_PACT_FOOTPRINT_ROW_H_
