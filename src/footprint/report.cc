#include "footprint/report.h"

#include <cstdio>

#include "base/decimal.h"
#include "model/units.h"

namespace renkei::footprint {
namespace {

using Json = nlohmann::ordered_json;

Json Rating(const std::optional<double>& r) { return r ? Json(RoundDecimal(*r)) : Json(nullptr); }

Json Split(const std::vector<SplitEntry>& entries, double total) {
  Json out = Json::array();
  for (const SplitEntry& e : entries) {
    out.push_back({{"key", e.key},
                   {"kgco2e", FormatDecimal(e.kgco2e)},
                   {"share", total != 0 ? RoundDecimal(e.kgco2e / total) : 0.0}});
  }
  return out;
}

// FNV-1a, for ids that stay the same across exports.
uint64_t Fnv(const std::string& text, uint64_t seed) {
  uint64_t h = 1469598103934665603ULL ^ seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string StableUuid(const std::string& text) {
  const uint64_t hi = Fnv(text, 0), lo = Fnv(text, 0x9e3779b97f4a7c15ULL);
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xfff),
                static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buffer;
}

struct Declared {
  std::string unit;  // PACT declared unit
  double amount;     // declared units in one product unit
  bool mass;
};

std::optional<Declared> DeclaredUnitOf(model::Unit unit, pact::SpecVersion version) {
  using model::Dimension;
  const double f = model::UnitFactor(unit);
  switch (model::UnitDimension(unit)) {
    case Dimension::kMass:
      return Declared{"kilogram", f, true};
    case Dimension::kEnergy:
      if (unit == model::Unit::kMegajoule || unit == model::Unit::kGigajoule) {
        return Declared{"megajoule", *model::ConversionFactor(unit, model::Unit::kMegajoule),
                        false};
      }
      return Declared{"kilowatt hour", f, false};
    case Dimension::kVolume:
      return Declared{"liter", f, false};
    case Dimension::kArea:
      return Declared{"square meter", f, false};
    case Dimension::kTransport:
      return Declared{"ton kilometer", f, false};
    case Dimension::kCount:
      if (version == pact::SpecVersion::kV2) return std::nullopt;
      return Declared{"piece", 1, false};
  }
  return std::nullopt;
}

}  // namespace

Json FootprintJson(const model::Model& model, const ProductFootprint& fp,
                   std::optional<SplitBy> split) {
  const model::Product& product = model.products[fp.product];
  Json out = Json::object();
  out["product"] = product.id;
  out["unit"] = std::string(model::UnitSymbol(product.unit));
  out["pcf_kgco2e_per_unit"] = FormatDecimal(fp.pcf);
  out["primary_data_share"] = RoundDecimal(fp.primary_data_share);
  out["dqr"] = {
      {"ter", Rating(fp.dqr.ter)}, {"ger", Rating(fp.dqr.ger)}, {"tir", Rating(fp.dqr.tir)}};
  out["received"] = fp.received;
  out["verified"] = fp.verified;
  if (split) {
    switch (*split) {
      case SplitBy::kTier:
        out["by_tier"] = Split(fp.by_tier, fp.pcf);
        break;
      case SplitBy::kCountry:
        out["by_country"] = Split(fp.by_country, fp.pcf);
        break;
      case SplitBy::kSupplier:
        out["by_supplier"] = Split(fp.by_supplier, fp.pcf);
        break;
      case SplitBy::kStage:
        out["by_stage"] = Split(fp.by_stage, fp.pcf);
        break;
    }
  }
  out["notes"] = fp.notes;
  return out;
}

Json CircularityJson(const model::Model& model, const Circularity& c) {
  Json substances = Json::array();
  for (const SubstanceContent& s : c.substances) {
    Json item = {{"substance", s.substance},
                 {"mass_kg_per_unit", FormatDecimal(s.mass_kg_per_unit)},
                 {"pre_consumer_share", RoundDecimal(s.pre_consumer_share)},
                 {"post_consumer_share", RoundDecimal(s.post_consumer_share)},
                 {"recycled_share", RoundDecimal(s.recycled_share())}};
    if (s.target_2031) {
      item["eu_minimum_2031"] = *s.target_2031;
      item["meets_2031"] = s.meets_2031;
      item["eu_minimum_2036"] = *s.target_2036;
      item["meets_2036"] = s.meets_2036;
    }
    substances.push_back(std::move(item));
  }
  return {{"product", model.products[c.product].id}, {"substances", std::move(substances)}};
}

StatusOr<std::vector<pact::ProductFootprint>> ExportPact(const model::Model& model,
                                                         const NetworkFootprint& network,
                                                         pact::SpecVersion version,
                                                         const PactExportOptions& options,
                                                         std::vector<std::string>& notes) {
  const bool v2 = version == pact::SpecVersion::kV2;
  std::vector<bool> made(model.products.size(), false);
  for (const model::Production& p : model.production) made[p.product] = true;
  std::vector<pact::ProductFootprint> out;
  const std::vector<ProductFootprint> footprints = MadeProductFootprints(model, network);
  for (model::Index p = 0; p < model.products.size(); ++p) {
    if (!made[p]) continue;
    const model::Product& product = model.products[p];
    const ProductFootprint& fp = footprints[p];
    if (fp.received) continue;
    const std::optional<Declared> declared = DeclaredUnitOf(product.unit, version);
    if (!declared) {
      notes.push_back(product.id + ": PACT v2 has no declared unit for pieces; not exported");
      continue;
    }
    pact::ProductFootprint doc;
    doc.version = version;
    doc.spec_version = v2 ? "2.3.0" : "3.0.0";
    doc.id = StableUuid(product.id + (v2 ? "#v2" : "#v3"));
    if (v2) doc.version_number = 1;
    doc.created = options.created;
    doc.status = "Active";
    model::Index org = product.organization;
    if (org == model::kNoIndex) {
      for (const model::Production& node : model.production) {
        if (node.product == p) {
          org = model.sites[node.site].organization;
          break;
        }
      }
    }
    doc.company_name = org != model::kNoIndex ? model.organizations[org].name : "unknown";
    doc.company_ids = {"urn:renkei:" +
                       (org != model::kNoIndex ? model.organizations[org].id : "unknown")};
    doc.product_description = product.name + " (" + product.category + ")";
    doc.product_ids = product.pact_product_ids;
    if (doc.product_ids.empty()) doc.product_ids = {"urn:renkei:" + product.id};
    if (v2) doc.product_category_cpc = product.hs_code.empty() ? product.category : product.hs_code;
    doc.product_name_company = product.name;
    doc.comment =
        "Cradle-to-gate footprint computed from the bill of materials, own emissions "
        "and supplier footprints.";

    // Values per declared unit: v2 per 1 unit of measurement, v3 per the whole product.
    const double per_declared = v2 ? fp.pcf / declared->amount : fp.pcf;
    const std::string value = FormatDecimal(per_declared);
    pact::CarbonFootprint& c = doc.pcf;
    c.declared_unit = declared->unit;
    c.declared_unit_amount = FormatDecimal(declared->amount);
    c.product_mass_per_declared_unit =
        declared->mass ? (v2 ? "1" : FormatDecimal(declared->amount)) : "0";
    c.pcf_excluding_biogenic = value;
    c.pcf_including_biogenic = value;
    c.fossil_ghg_emissions = value;
    c.fossil_carbon_content = "0";
    c.reference_period_start = options.reference_period_start;
    c.reference_period_end = options.reference_period_end;
    c.ipcc_characterization_factors = {"AR6"};
    c.exempted_emissions_percent = "0";
    c.primary_data_share = FormatDecimal(fp.primary_data_share * 100);
    if (v2) {
      c.biogenic_carbon_content = "0";
      c.characterization_factors = "AR6";
      c.cross_sectoral_standards_used = {"GHG Protocol Product standard"};
      c.cross_sectoral_standards = {"GHGP-Product", "PACT-2.0"};
      c.boundary_processes_description = "Cradle-to-gate";
      c.exempted_emissions_description = "";
      c.packaging_emissions_included = false;
    } else {
      c.cross_sectoral_standards = {"GHGP-Product", "PACT-3.0"};
      c.boundary_processes_description = "Cradle-to-gate";
      if (fp.dqr.ter && fp.dqr.ger && fp.dqr.tir) {
        c.dqi.emplace();
        c.dqi->technological_dqr = FormatDecimal(*fp.dqr.ter);
        c.dqi->geographical_dqr = FormatDecimal(*fp.dqr.ger);
        c.dqi->temporal_dqr = FormatDecimal(*fp.dqr.tir);
      }
    }
    auto valid = pact::ParseProductFootprint(pact::WriteProductFootprint(doc));
    if (!valid.ok()) return valid.status().WithPrefix("PACT export of " + product.id);
    out.push_back(std::move(*valid));
  }
  return out;
}

Json FootprintChangesJson(const std::vector<FootprintChange>& changes) {
  auto value = [](const std::optional<double>& v) { return v ? Json(RoundDecimal(*v)) : Json(); };
  Json out = Json::array();
  for (const FootprintChange& c : changes) {
    out.push_back({{"product", c.product},
                   {"before", value(c.before)},
                   {"after", value(c.after)},
                   {"caused_by", c.caused_by},
                   {"caused_by_complete", c.caused_by_complete}});
  }
  return out;
}

}  // namespace renkei::footprint
