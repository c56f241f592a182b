// PACT ProductFootprint documents (PACT Technical Specifications v2.3 and v3.0):
// parse with validation, and write.
//
// Decimal values are kept as the text received ("0.384"), so reading, writing and
// reading again gives an equal ProductFootprint and no value picks up binary noise.
// v2 carries a few values as JSON numbers (exemptedEmissionsPercent,
// primaryDataShare, dqi); they are kept as their shortest decimal text and written
// back as numbers.
//
// What is validated: every required property of the version, the JSON type of every
// known property, decimal strings (sign and > 0 / >= 0 / <= 0 where the spec says
// so), the declared units the version allows, date-times (RFC 3339), UUIDs, URNs,
// enumerations, non-empty sets without duplicates, and the ranges of dqi ratings
// (v2 [1, 3], v3 [1, 5]), percentages ([0, 100]; v2 exemptedEmissionsPercent [0, 5]).
// Properties this file does not model (extensions, assurance/verification, sector
// rules, secondary emission factor sources, the detailed v3 biogenic and CCS values,
// ...) are kept verbatim in `other` and written back unchanged.
//
// Errors are InvalidArgument and name the JSON path and what was expected:
//   "$.pcf.declaredUnitAmount: expected a decimal string > 0, got \"0\""
//   "$.pcf.dqi: required property 'temporalDQR' is missing"
#ifndef RENKEI_PACT_PRODUCT_FOOTPRINT_H_
#define RENKEI_PACT_PRODUCT_FOOTPRINT_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace renkei::pact {

enum class SpecVersion { kV2, kV3 };

// Data quality indicators. Ratings are decimal text; the three representativeness
// ratings are required in both versions, the others only in v2.
struct DataQualityIndicators {
  std::string technological_dqr;
  std::string geographical_dqr;
  std::string temporal_dqr;
  std::string coverage_percent;  // v2 only
  std::string completeness_dqr;  // v2 only
  std::string reliability_dqr;   // v2 only
  nlohmann::ordered_json other = nlohmann::ordered_json::object();

  friend bool operator==(const DataQualityIndicators&, const DataQualityIndicators&) = default;
};

// The `pcf` object. Field names follow v3; the v2 name is given where it differs.
// Empty strings stand for absent optional decimals.
struct CarbonFootprint {
  std::string declared_unit;                   // v2 declaredUnit, v3 declaredUnitOfMeasurement
  std::string declared_unit_amount;            // v2 unitaryProductAmount, v3 declaredUnitAmount
  std::string product_mass_per_declared_unit;  // kg; optional in v2
  std::string pcf_excluding_biogenic;          // v2 pCfExcludingBiogenic
  std::string pcf_including_biogenic;          // v2 pCfIncludingBiogenic (optional in v2)
  std::string fossil_ghg_emissions;
  std::string fossil_carbon_content;
  std::string biogenic_carbon_content;  // required in v2 only
  std::string reference_period_start;
  std::string reference_period_end;
  std::string geography_region_or_subregion;
  std::string geography_country;
  std::string geography_country_subdivision;
  std::string characterization_factors;  // v2 only: "AR5" or "AR6"
  // v2 ipccCharacterizationFactorsSources, v3 ipccCharacterizationFactors
  std::vector<std::string> ipcc_characterization_factors;
  std::vector<std::string> cross_sectoral_standards_used;     // v2 only
  std::vector<std::string> cross_sectoral_standards;          // required in v3
  std::optional<std::string> boundary_processes_description;  // required in v2
  std::string exempted_emissions_percent;
  std::optional<std::string> exempted_emissions_description;  // required in v2
  std::optional<bool> packaging_emissions_included;           // required in v2
  std::string primary_data_share;                             // percent
  std::optional<DataQualityIndicators> dqi;
  nlohmann::ordered_json other = nlohmann::ordered_json::object();

  friend bool operator==(const CarbonFootprint&, const CarbonFootprint&) = default;
};

struct ProductFootprint {
  SpecVersion version = SpecVersion::kV3;  // from the major number of spec_version
  std::string id;                          // UUID
  std::string spec_version;                // "2.3.0", "3.0.0"
  std::optional<int64_t> version_number;   // property `version`: required in v2
  std::vector<std::string> preceding_pf_ids;
  std::string created;
  std::string updated;
  std::string status;  // "Active" or "Deprecated"
  std::optional<std::string> status_comment;
  std::string validity_period_start;
  std::string validity_period_end;
  std::string company_name;
  std::vector<std::string> company_ids;  // URNs
  std::string product_description;
  std::vector<std::string> product_ids;  // URNs
  std::string product_category_cpc;      // required in v2
  std::vector<std::string> product_classifications;
  std::string product_name_company;
  std::optional<std::string> comment;  // required in v2
  CarbonFootprint pcf;
  nlohmann::ordered_json other = nlohmann::ordered_json::object();

  friend bool operator==(const ProductFootprint&, const ProductFootprint&) = default;
};

// The declared units each version allows ("kilogram", "kilowatt hour", ...); v3 adds
// "piece", "hour" and "megabit second".
const std::vector<std::string_view>& AllowedDeclaredUnits(SpecVersion version);

// Parses and validates one ProductFootprint. `json` may also be a GetFootprint
// response ({"data": {...}}), in which case paths start at "$.data". Errors are
// InvalidArgumentError prefixed with `where` (a file name) when given:
// "x.json:3:14: invalid JSON: ..." (base/json.h: ParseJson, its nesting limit
// included) or "x.json: $.pcf.pCfExcludingBiogenic: ...".
StatusOr<ProductFootprint> ParseProductFootprint(std::string_view json,
                                                 std::string_view where = {});

// Validates an already parsed JSON value; `path` names it in errors ("$").
StatusOr<ProductFootprint> ProductFootprintFromJson(const nlohmann::ordered_json& value,
                                                    const std::string& path = "$");

// The JSON object of `footprint` in the property names of its version.
nlohmann::ordered_json ProductFootprintToJson(const ProductFootprint& footprint);

// ProductFootprintToJson as text, pretty-printed with `indent` spaces (-1: compact).
std::string WriteProductFootprint(const ProductFootprint& footprint, int indent = 2);

// Checks a decimal string as the PACT specs define it: optional sign, digits,
// optional fraction ("12", "-0.5", "+3.25"; not "1e3", ".5" or "1.").
bool IsPactDecimal(std::string_view text);

}  // namespace renkei::pact

#endif  // RENKEI_PACT_PRODUCT_FOOTPRINT_H_
