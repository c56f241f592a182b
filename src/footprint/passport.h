// The battery passport: the CarbonFootprint and Circularity aspects of the
// Battery Pass data model, version 1.2.0 (README.md, "Bundles": battery passport
// data; DESIGN.md, "Recycled content").
//
// What the model computes goes in as computed: the cradle-to-gate footprint
// (footprint/roll_up.h) split into raw material extraction and main
// production, and the recycled content (footprint/circularity.h). The rest
// comes from the bundle's passport tables (model/schema.h): the performance
// class (stated, or derived from the category's footprint_classes), links to
// the footprint study and to dismantling, safety and end-of-life documents,
// spare-part sources, lifetime energy, distribution and end-of-life
// emissions, renewable content.
//
// Units as the data model defines them: footprints per lifecycle stage and in
// total in kgCO2e per kWh of the energy the battery delivers over its service
// life (passports.lifetime_energy_kwh), the absolute footprint in kgCO2e per
// battery, recycled and renewable shares in percent (0-100). The four lifecycle
// stages add up to the battery footprint.
#ifndef RENKEI_FOOTPRINT_PASSPORT_H_
#define RENKEI_FOOTPRINT_PASSPORT_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "footprint/roll_up.h"
#include "model/model.h"

namespace renkei::footprint {

// The aspects (SAMM URNs) a passport follows.
inline constexpr std::string_view kCarbonFootprintAspect =
    "urn:samm:io.BatteryPass.CarbonFootprint:1.2.0#CarbonFootprintForBatteries";
inline constexpr std::string_view kCircularityAspect =
    "urn:samm:io.BatteryPass.Circularity:1.2.0#Circularity";

// A value the data model requires that the data does not give.
struct MissingValue {
  std::string field;    // where in the passport: "$.circularity.sparePartSources"
  std::string provide;  // what in a bundle gives it: "spare_parts rows of prod:x"
};

struct BatteryPassport {
  // {"product", "name", "dataModel": {"carbonFootprint", "circularity"} (the
  //  aspect URNs), "carbonFootprint": <CarbonFootprintForBatteries>,
  //  "circularity": <Circularity>, "basis": {what the numbers rest on: the
  //  cradle-to-gate footprint, lifetime and nameplate energy, primary data
  //  share and data quality, where the performance class came from, substances
  //  outside the data model's RecycledMaterial enumeration}}. The two aspects
  //  hold only the data model's properties. Values that are missing are left
  //  out (the document is then incomplete: `missing` says what would complete it).
  nlohmann::ordered_json document;
  std::vector<MissingValue> missing;
  bool complete() const { return missing.empty(); }
};

// NotFound for an unknown product id; errors of the footprint and recycled
// content computations.
StatusOr<BatteryPassport> MakeBatteryPassport(const model::Model& model,
                                              const NetworkFootprint& network,
                                              const std::string& product_id);

// The data model's RecycledMaterial for a substance of the materials table:
// "Co" or "cobalt" -> "Cobalt", and Nickel (Ni), Lithium (Li), Lead (Pb);
// nullopt for any other substance.
std::optional<std::string_view> RecycledMaterialName(std::string_view substance);

}  // namespace renkei::footprint

#endif  // RENKEI_FOOTPRINT_PASSPORT_H_
