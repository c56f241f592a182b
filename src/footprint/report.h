// Footprint results as documents: the JSON of `renkei footprint` and `renkei
// circularity`, and PACT ProductFootprints of the node's own products (the
// battery passport is footprint/passport.h).
//
// Every computed number is rounded to kReportedDigits significant digits, so
// JSON numbers and decimal strings carry no binary noise.
#ifndef RENKEI_FOOTPRINT_REPORT_H_
#define RENKEI_FOOTPRINT_REPORT_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "footprint/changes.h"
#include "footprint/circularity.h"
#include "footprint/roll_up.h"
#include "model/model.h"
#include "pact/product_footprint.h"

namespace renkei::footprint {

// {"product", "unit", "pcf_kgco2e_per_unit" (decimal string), "primary_data_share",
//  "dqr": {"ter", "ger", "tir"} (null when unrated), "received", and when `split` is
//  given "by_<tier|country|supplier|stage>": [{"key", "kgco2e" (decimal string),
//  "share"}], "notes"}.
nlohmann::ordered_json FootprintJson(const model::Model& model, const ProductFootprint& footprint,
                                     std::optional<SplitBy> split);

// {"product", "substances": [{"substance", "mass_kg_per_unit", "pre_consumer_share",
//  "post_consumer_share", "recycled_share", "eu_minimum_2031", "meets_2031",
//  "eu_minimum_2036", "meets_2036"}]}.
nlohmann::ordered_json CircularityJson(const model::Model& model, const Circularity& circularity);

// What CompareFootprints found: [{"product", "before", "after" (kgCO2e per unit,
// null where the product is made nowhere), "caused_by": [row names, at most
// kMaxCauses], "caused_by_complete": false when there were more}].
nlohmann::ordered_json FootprintChangesJson(const std::vector<FootprintChange>& changes);

struct PactExportOptions {
  std::string created;                 // RFC 3339; the creation time of the documents
  std::string reference_period_start;  // RFC 3339
  std::string reference_period_end;
};

// One PACT ProductFootprint of `version` for every product made in the model whose
// footprint is computed (not taken whole from a received footprint). The id is a
// UUID derived from the product id and version, so re-exports keep it. Declared
// units: kg/g/t as kilogram, Wh/kWh/MWh as kilowatt hour, MJ/GJ as megajoule, l/m3,
// m2, tkm; pieces as "piece" in v3 and skipped in v2 (which has no such unit; each
// skip is added to `notes`). pcfExcluding/IncludingBiogenic and fossilGhgEmissions
// carry the computed total (Renkei does not separate biogenic emissions); dqi is
// written in v3 only (v2 needs completeness and reliability ratings Renkei lacks).
// Each document is validated by parsing it back. Errors of RollUp and of validation.
StatusOr<std::vector<pact::ProductFootprint>> ExportPact(const model::Model& model,
                                                         const NetworkFootprint& network,
                                                         pact::SpecVersion version,
                                                         const PactExportOptions& options,
                                                         std::vector<std::string>& notes);

}  // namespace renkei::footprint

#endif  // RENKEI_FOOTPRINT_REPORT_H_
