#include "footprint/passport.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "base/decimal.h"
#include "footprint/circularity.h"
#include "model/units.h"

namespace renkei::footprint {
namespace {

using Json = nlohmann::ordered_json;

Json Rating(const std::optional<double>& r) { return r ? Json(RoundDecimal(*r)) : Json(nullptr); }

// The energy one unit holds: its own unit when that is an energy unit, else
// the sum of its BOM components measured in energy units (a pack counted in
// pieces holds the energy of its cells).
std::optional<double> NameplateKwh(const model::Model& model, model::Index product) {
  const model::Unit unit = model.products[product].unit;
  if (model::UnitDimension(unit) == model::Dimension::kEnergy) {
    return *model::ConversionFactor(unit, model::Unit::kKilowattHour);
  }
  double kwh = 0;
  for (const model::BomLine& line : model.bom) {
    if (line.product != product || line.recycling) continue;
    const model::Unit u = model.products[line.component].unit;
    if (model::UnitDimension(u) != model::Dimension::kEnergy) continue;
    kwh += line.quantity * *model::ConversionFactor(u, model::Unit::kKilowattHour);
  }
  if (kwh > 0) return kwh;
  return std::nullopt;
}

// Builds the document, noting what is missing as it goes.
class Builder {
 public:
  Builder(const model::Model& model, model::Index product)
      : model_(model), product_(product), id_(model.products[product].id) {
    for (const model::Passport& p : model.passports) {
      if (p.product == product) passport_ = &p;
    }
  }

  Json CarbonFootprint(const ProductFootprint& fp, Json& basis) {
    const model::Passport* p = passport_;
    double stages[4] = {0, 0, 0, 0};
    for (const SplitEntry& e : fp.by_stage) {
      stages[e.key == "raw_material_extraction" ? 0 : 1] += e.kgco2e;
    }
    // Distribution and end of life come from the passport data.
    const bool known[4] = {true, true, p != nullptr && p->distribution_kgco2e_per_unit.has_value(),
                           p != nullptr && p->end_of_life_kgco2e_per_unit.has_value()};
    if (known[2]) {
      stages[2] = *p->distribution_kgco2e_per_unit;
    } else {
      Missing("$.carbonFootprint.carbonFootprintPerLifecycleStage[Distribution]",
              "passports.distribution_kgco2e_per_unit");
    }
    if (known[3]) {
      stages[3] = *p->end_of_life_kgco2e_per_unit;
    } else {
      Missing("$.carbonFootprint.carbonFootprintPerLifecycleStage[Recycling]",
              "passports.end_of_life_kgco2e_per_unit");
    }
    const bool stages_known = known[2] && known[3];
    const double absolute = stages[0] + stages[1] + stages[2] + stages[3];
    std::optional<double> lifetime;
    if (p != nullptr && p->lifetime_energy_kwh) {
      lifetime = *p->lifetime_energy_kwh;
    } else {
      Missing("$.carbonFootprint.batteryCarbonFootprint",
              "passports.lifetime_energy_kwh (the energy the battery delivers over its service "
              "life)");
    }

    Json out = Json::object();
    std::optional<double> per_kwh;
    if (lifetime) {
      // Rounded once, so that the class is derived from the value the passport shows.
      per_kwh = RoundDecimal(absolute / *lifetime);
      if (stages_known) out["batteryCarbonFootprint"] = *per_kwh;
      Json lifecycle = Json::array();
      const char* names[4] = {"RawMaterialExtraction", "MainProduction", "Distribution",
                              "Recycling"};
      for (int s = 0; s < 4; ++s) {
        if (!known[s]) continue;
        lifecycle.push_back({{"lifecycleStage", names[s]},
                             {"carbonFootprint", RoundDecimal(stages[s] / *lifetime)}});
      }
      out["carbonFootprintPerLifecycleStage"] = std::move(lifecycle);
    }
    std::optional<std::string> cls = PerformanceClass(stages_known ? per_kwh : std::nullopt, basis);
    if (cls) out["carbonFootprintPerformanceClass"] = *cls;
    if (p != nullptr && !p->carbon_footprint_study.empty()) {
      out["carbonFootprintStudy"] = p->carbon_footprint_study;
    } else {
      Missing("$.carbonFootprint.carbonFootprintStudy", "passports.carbon_footprint_study");
    }
    if (stages_known) out["absoluteCarbonFootprint"] = RoundDecimal(absolute);

    basis["cradleToGateKgco2ePerUnit"] = RoundDecimal(fp.pcf);
    basis["lifetimeEnergyKwh"] = lifetime ? Json(*lifetime) : Json(nullptr);
    const std::optional<double> nameplate = NameplateKwh(model_, product_);
    basis["nameplateEnergyKwh"] = nameplate ? Json(RoundDecimal(*nameplate)) : Json(nullptr);
    basis["primaryDataShare"] = RoundDecimal(fp.primary_data_share * 100);
    basis["dataQuality"] = {
        {"ter", Rating(fp.dqr.ter)}, {"ger", Rating(fp.dqr.ger)}, {"tir", Rating(fp.dqr.tir)}};
    return out;
  }

  Json Circularity(const footprint::Circularity& circ, Json& basis) {
    const model::Passport* p = passport_;
    Json out = Json::object();

    Json documents = Json::array();
    for (const model::PassportDocument& d : model_.passport_documents) {
      if (d.product != product_) continue;
      documents.push_back(
          {{"documentType", d.document_type}, {"mimeType", d.mime_type}, {"documentURL", d.url}});
    }
    if (documents.empty()) {
      Missing("$.circularity.dismantlingAndRemovalInformation",
              "passport_documents rows of " + id_ + " (document_type, mime_type, url)");
    }
    out["dismantlingAndRemovalInformation"] = std::move(documents);

    // One source per supplier, its parts in row order.
    Json sources = Json::array();
    std::map<std::string, size_t> source_of;
    for (const model::SparePart& s : model_.spare_parts) {
      if (s.product != product_) continue;
      auto [it, added] = source_of.emplace(s.supplier, sources.size());
      if (added) {
        sources.push_back({{"nameOfSupplier", s.supplier},
                           {"addressOfSupplier",
                            {{"addressCountry", s.country},
                             {"postalCode", s.postal_code},
                             {"streetAddress", s.street_address}}},
                           {"emailAddressOfSupplier", s.email},
                           {"supplierWebAddress", s.web_address},
                           {"components", Json::array()}});
      }
      sources[it->second]["components"].push_back(
          {{"partName", s.part_name}, {"partNumber", s.part_number}});
    }
    if (sources.empty()) {
      Missing("$.circularity.sparePartSources",
              "spare_parts rows of " + id_ +
                  " (supplier, street_address, postal_code, country, email, web_address, "
                  "part_name, part_number)");
    }
    out["sparePartSources"] = std::move(sources);

    Json recycled = Json::array();
    Json others = Json::array();
    for (const SubstanceContent& s : circ.substances) {
      std::optional<std::string_view> name = RecycledMaterialName(s.substance);
      if (!name) {
        others.push_back(s.substance);
        continue;
      }
      recycled.push_back({{"preConsumerShare", RoundDecimal(s.pre_consumer_share * 100)},
                          {"recycledMaterial", *name},
                          {"postConsumerShare", RoundDecimal(s.post_consumer_share * 100)}});
    }
    if (recycled.empty()) {
      Missing("$.circularity.recycledContent",
              "materials rows (substance Co, Ni, Li or Pb) of " + id_ + " or of its components");
    }
    out["recycledContent"] = std::move(recycled);
    basis["substancesNotInRecycledMaterial"] = std::move(others);

    Json safety = Json::object();
    if (p != nullptr && !p->safety_instructions.empty()) {
      safety["safetyInstructions"] = p->safety_instructions;
    } else {
      Missing("$.circularity.safetyMeasures.safetyInstructions", "passports.safety_instructions");
    }
    if (p != nullptr && !p->extinguishing_agents.empty()) {
      safety["extinguishingAgent"] = p->extinguishing_agents;
    } else {
      Missing("$.circularity.safetyMeasures.extinguishingAgent", "passports.extinguishing_agents");
    }
    out["safetyMeasures"] = std::move(safety);

    Json end_of_life = Json::object();
    const std::pair<const char*, const std::string model::Passport::*> links[] = {
        {"wastePrevention", &model::Passport::waste_prevention},
        {"separateCollection", &model::Passport::separate_collection},
        {"informationOnCollection", &model::Passport::information_on_collection}};
    const char* columns[] = {"waste_prevention", "separate_collection",
                             "information_on_collection"};
    for (size_t i = 0; i < std::size(links); ++i) {
      if (p != nullptr && !(p->*links[i].second).empty()) {
        end_of_life[links[i].first] = p->*links[i].second;
      } else {
        Missing(std::string("$.circularity.endOfLifeInformation.") + links[i].first,
                std::string("passports.") + columns[i]);
      }
    }
    out["endOfLifeInformation"] = std::move(end_of_life);

    if (p != nullptr && p->renewable_content_share) {
      out["renewableContent"] = RoundDecimal(*p->renewable_content_share * 100);
    } else {
      Missing("$.circularity.renewableContent", "passports.renewable_content_share");
    }
    return out;
  }

  std::vector<MissingValue> TakeMissing() { return std::move(missing_); }

 private:
  void Missing(std::string field, std::string provide) {
    missing_.push_back({std::move(field), std::move(provide)});
  }

  // The stated class, or the best class of the product's category whose bound
  // the footprint per kWh does not exceed.
  std::optional<std::string> PerformanceClass(std::optional<double> per_kwh, Json& basis) {
    const std::string& category = model_.products[product_].category;
    std::vector<const model::FootprintClass*> classes;
    for (const model::FootprintClass& c : model_.footprint_classes) {
      if (c.category == category) classes.push_back(&c);
    }
    std::sort(classes.begin(), classes.end(),
              [](const auto* a, const auto* b) { return a->name < b->name; });
    std::optional<std::string> derived;
    Json bound = nullptr;
    if (per_kwh) {
      for (const model::FootprintClass* c : classes) {
        if (!c->max_kgco2e_per_kwh || *per_kwh <= *c->max_kgco2e_per_kwh) {
          derived = c->name;
          if (c->max_kgco2e_per_kwh) bound = *c->max_kgco2e_per_kwh;
          break;
        }
      }
    }
    Json info = Json::object();
    std::optional<std::string> out;
    if (passport_ != nullptr && !passport_->performance_class.empty()) {
      out = passport_->performance_class;
      info["source"] = "stated";
      if (derived && *derived != *out) info["derivedFromClasses"] = *derived;
    } else if (derived) {
      out = derived;
      info["source"] = "derived";
      info["category"] = category;
      info["maxKgco2ePerKwh"] = bound;
    } else {
      Missing("$.carbonFootprint.carbonFootprintPerformanceClass",
              "passports.performance_class, or footprint_classes rows of category '" + category +
                  "' (with the footprint's lifecycle stages and lifetime energy)");
    }
    if (out) basis["performanceClass"] = std::move(info);
    return out;
  }

  const model::Model& model_;
  const model::Index product_;
  const std::string& id_;
  const model::Passport* passport_ = nullptr;
  std::vector<MissingValue> missing_;
};

}  // namespace

std::optional<std::string_view> RecycledMaterialName(std::string_view substance) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"Co", "Cobalt"}, {"Ni", "Nickel"}, {"Li", "Lithium"}, {"Pb", "Lead"}};
  for (const auto& [symbol, name] : kNames) {
    if (substance == symbol) return name;
    if (substance.size() == name.size() &&
        std::equal(substance.begin(), substance.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return name;
    }
  }
  return std::nullopt;
}

StatusOr<BatteryPassport> MakeBatteryPassport(const model::Model& model,
                                              const NetworkFootprint& network,
                                              const std::string& product_id) {
  RENKEI_ASSIGN_OR_RETURN(ProductFootprint fp, FootprintOfProduct(model, network, product_id));
  RENKEI_ASSIGN_OR_RETURN(Circularity circ, RecycledContent(model, product_id));
  const model::Product& product = model.products[fp.product];
  Builder builder(model, fp.product);
  Json basis = Json::object();
  Json carbon = builder.CarbonFootprint(fp, basis);
  Json circularity = builder.Circularity(circ, basis);
  BatteryPassport out;
  out.document["product"] = product.id;
  out.document["name"] = product.name;
  out.document["dataModel"] = {{"carbonFootprint", kCarbonFootprintAspect},
                               {"circularity", kCircularityAspect}};
  out.document["carbonFootprint"] = std::move(carbon);
  out.document["circularity"] = std::move(circularity);
  out.document["basis"] = std::move(basis);
  out.missing = builder.TakeMissing();
  return out;
}

}  // namespace renkei::footprint
