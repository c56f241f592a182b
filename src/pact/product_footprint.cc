#include "pact/product_footprint.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/json.h"
#include "base/numbers.h"

namespace renkei::pact {
namespace {

using Json = nlohmann::ordered_json;

std::string Shown(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i : {8u, 13u, 18u, 23u}) {
    if (s[i] != '-') return false;
  }
  return IsHex(s.substr(0, 8)) && IsHex(s.substr(9, 4)) && IsHex(s.substr(14, 4)) &&
         IsHex(s.substr(19, 4)) && IsHex(s.substr(24));
}

bool IsUrn(std::string_view s) {
  if (s.size() < 5) return false;
  std::string head;
  for (char c : s.substr(0, 4))
    head += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return head == "urn:";
}

// RFC 3339 date-time: 2024-01-31T12:00:00(.123)?(Z|+09:00).
bool IsDateTime(std::string_view s) {
  auto digits = [&](size_t pos, size_t n) {
    return s.size() >= pos + n && IsDigits(s.substr(pos, n));
  };
  if (!(digits(0, 4) && s.size() > 19 && s[4] == '-' && digits(5, 2) && s[7] == '-' &&
        digits(8, 2) && (s[10] == 'T' || s[10] == 't') && digits(11, 2) && s[13] == ':' &&
        digits(14, 2) && s[16] == ':' && digits(17, 2))) {
    return false;
  }
  const int month = std::stoi(std::string(s.substr(5, 2)));
  const int day = std::stoi(std::string(s.substr(8, 2)));
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  if (std::stoi(std::string(s.substr(11, 2))) > 23 ||
      std::stoi(std::string(s.substr(14, 2))) > 59 ||
      std::stoi(std::string(s.substr(17, 2))) > 60) {
    return false;
  }
  size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return false;
  }
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && IsDigits(zone.substr(1, 2)) &&
         zone[3] == ':' && IsDigits(zone.substr(4, 2));
}

bool IsSpecVersion(std::string_view s) {
  // major.minor.patch, optionally followed by -YYYYMMDD.
  size_t dash = s.find('-');
  std::string_view core = s.substr(0, dash);
  if (dash != std::string_view::npos) {
    std::string_view date = s.substr(dash + 1);
    if (date.size() != 8 || !IsDigits(date)) return false;
  }
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = core.find('.', start);
    if (!IsDigits(core.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 3;
}

enum class DecimalKind { kAny, kPositive, kNonNegative, kNonPositive };

std::string_view DecimalKindText(DecimalKind kind) {
  switch (kind) {
    case DecimalKind::kAny:
      return "a decimal string";
    case DecimalKind::kPositive:
      return "a decimal string > 0";
    case DecimalKind::kNonNegative:
      return "a decimal string >= 0";
    case DecimalKind::kNonPositive:
      return "a decimal string <= 0";
  }
  return "a decimal string";
}

bool DecimalFits(std::string_view text, DecimalKind kind) {
  if (!IsPactDecimal(text)) return false;
  const bool negative = text.front() == '-';
  const bool zero = text.find_first_of("123456789") == std::string_view::npos;
  switch (kind) {
    case DecimalKind::kAny:
      return true;
    case DecimalKind::kPositive:
      return !negative && !zero;
    case DecimalKind::kNonNegative:
      return !negative || zero;
    case DecimalKind::kNonPositive:
      return negative || zero;
  }
  return false;
}

// Reads the properties of one JSON object, remembering which ones it consumed so
// that the rest can be kept verbatim.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return path_ + "." + std::string(key); }

  Status Fail(std::string_view key, std::string_view expected, const Json& got) const {
    return InvalidArgumentError(PathOf(key) + ": expected " + std::string(expected) + ", got " +
                                Shown(got));
  }

  // nullptr when absent; an error when absent and required.
  StatusOr<const Json*> Find(std::string_view key, bool required) {
    seen_.insert(std::string(key));
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (required) {
        return InvalidArgumentError(path_ + ": required property '" + std::string(key) +
                                    "' is missing");
      }
      return static_cast<const Json*>(nullptr);
    }
    return &*it;
  }

  Status String(std::string_view key, bool required, std::string& out, bool non_empty = false) {
    RENKEI_ASSIGN_OR_RETURN(const Json* v, Find(key, required));
    if (v == nullptr) return Status::Ok();
    if (!v->is_string()) return Fail(key, "a string", *v);
    out = v->get<std::string>();
    if (non_empty && out.empty()) return Fail(key, "a non-empty string", *v);
    return Status::Ok();
  }

  Status OptionalText(std::string_view key, bool required, std::optional<std::string>& out) {
    RENKEI_ASSIGN_OR_RETURN(const Json* v, Find(key, required));
    if (v == nullptr) return Status::Ok();
    if (!v->is_string()) return Fail(key, "a string", *v);
    out = v->get<std::string>();
    return Status::Ok();
  }

  Status Enum(std::string_view key, bool required, const std::vector<std::string_view>& allowed,
              std::string& out) {
    RENKEI_ASSIGN_OR_RETURN(const Json* v, Find(key, required));
    if (v == nullptr) return Status::Ok();
    if (!v->is_string() ||
        std::find(allowed.begin(), allowed.end(), v->get<std::string>()) == allowed.end()) {
      std::string expected = "one of ";
      for (size_t i = 0; i < allowed.size(); ++i) {
        expected += (i ? ", \"" : "\"") + std::string(allowed[i]) + "\"";
      }
      return Fail(key, expected, *v);
    }
    out = v->get<std::string>();
    return Status::Ok();
  }

  Status DateTime(std::string_view key, bool required, std::string& out) {
    RENKEI_ASSIGN_OR_RETURN(const Json* v, Find(key, required));
    if (v == nullptr) return Status::Ok();
    if (!v->is_string() || !IsDateTime(v->get<std::string>())) {
      return Fail(key, "an RFC 3339 date-time string", *v);
    }
    out = v->get<std::string>();
    return Status::Ok();
  }

  Status Decimal(std::string_view key, bool required, DecimalKind kind, std::string& out) {
    RENKEI_ASSIGN_OR_RETURN(const Json* v, Find(key, required));
    if (v == nullptr) return Status::Ok();
    if (!v->is_string() || !DecimalFits(v->get<std::string>(), kind)) {
      return Fail(key, DecimalKindText(kind), *v);
    }
    out = v->get<std::string>();
    return Status::Ok();
  }

  // A decimal in [lo, hi]: a JSON number (v2) or a decimal string (v3).
  Status Bounded(std::string_view key, bool required, bool as_string, double lo, double hi,
                 std::string& out) {
    RENKEI_ASSIGN_OR_RETURN(const Json* v, Find(key, required));
    if (v == nullptr) return Status::Ok();
    const std::string expected = std::string(as_string ? "a decimal string" : "a number") +
                                 " in [" + FormatNumber(lo) + ", " + FormatNumber(hi) + "]";
    std::optional<double> value;
    if (as_string && v->is_string() && IsPactDecimal(v->get<std::string>())) {
      value = ParseNumber(v->get<std::string>());
      out = v->get<std::string>();
    } else if (!as_string && v->is_number()) {
      value = v->get<double>();
      out = FormatNumber(*value);
    }
    if (!value || *value < lo || *value > hi) return Fail(key, expected, *v);
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool required, std::optional<bool>& out) {
    RENKEI_ASSIGN_OR_RETURN(const Json* v, Find(key, required));
    if (v == nullptr) return Status::Ok();
    if (!v->is_boolean()) return Fail(key, "a boolean", *v);
    out = v->get<bool>();
    return Status::Ok();
  }

  // A non-empty array of unique strings, each accepted by `item_ok`.
  template <typename Check>
  Status Set(std::string_view key, bool required, std::string_view item_text, Check item_ok,
             std::vector<std::string>& out) {
    RENKEI_ASSIGN_OR_RETURN(const Json* v, Find(key, required));
    if (v == nullptr) return Status::Ok();
    if (!v->is_array() || v->empty()) {
      return Fail(key, "a non-empty array of " + std::string(item_text), *v);
    }
    std::set<std::string> unique;
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      const Json& item = (*v)[i];
      const std::string where = std::string(key) + "[" + std::to_string(i) + "]";
      if (!item.is_string() || !item_ok(item.get<std::string>())) {
        return Fail(where, std::string(item_text), item);
      }
      if (!unique.insert(item.get<std::string>()).second) {
        return InvalidArgumentError(PathOf(where) + ": duplicate value " + Shown(item));
      }
      out.push_back(item.get<std::string>());
    }
    return Status::Ok();
  }

  // The properties not consumed, in their original order.
  Json Rest() const {
    Json rest = Json::object();
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (!seen_.count(it.key())) rest[it.key()] = it.value();
    }
    return rest;
  }

 private:
  const Json& object_;
  std::string path_;
  std::set<std::string, std::less<>> seen_;
};

const std::vector<std::string_view> kStatuses = {"Active", "Deprecated"};
const std::vector<std::string_view> kRegions = {"Africa",
                                                "Americas",
                                                "Asia",
                                                "Europe",
                                                "Oceania",
                                                "Australia and New Zealand",
                                                "Central Asia",
                                                "Eastern Asia",
                                                "Eastern Europe",
                                                "Latin America and the Caribbean",
                                                "Melanesia",
                                                "Micronesia",
                                                "Northern Africa",
                                                "Northern America",
                                                "Northern Europe",
                                                "Polynesia",
                                                "South-eastern Asia",
                                                "Southern Asia",
                                                "Southern Europe",
                                                "Sub-Saharan Africa",
                                                "Western Asia",
                                                "Western Europe"};
const std::vector<std::string_view> kCharacterizationFactors = {"AR5", "AR6"};
const std::vector<std::string_view> kStandardsUsedV2 = {"GHG Protocol Product standard",
                                                        "ISO Standard 14067", "ISO Standard 14044"};

bool IsAssessmentReport(const std::string& s) {
  return s.size() > 2 && s.compare(0, 2, "AR") == 0 && IsDigits(std::string_view(s).substr(2));
}

bool IsCountry(const std::string& s) {
  return s.size() == 2 && std::isupper(static_cast<unsigned char>(s[0])) &&
         std::isupper(static_cast<unsigned char>(s[1]));
}

bool IsSubdivision(const std::string& s) {
  if (s.size() < 4 || s.size() > 6 || s[2] != '-' || !IsCountry(s.substr(0, 2))) return false;
  return std::all_of(s.begin() + 3, s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

Status ReadDqi(const Json& value, const std::string& path, SpecVersion version,
               DataQualityIndicators& out) {
  if (!value.is_object()) {
    return InvalidArgumentError(path + ": expected an object, got " + Shown(value));
  }
  ObjectReader r(value, path);
  const bool v3 = version == SpecVersion::kV3;
  const double worst = v3 ? 5 : 3;
  if (!v3)
    RENKEI_RETURN_IF_ERROR(r.Bounded("coveragePercent", true, false, 0, 100, out.coverage_percent));
  RENKEI_RETURN_IF_ERROR(r.Bounded("technologicalDQR", true, v3, 1, worst, out.technological_dqr));
  RENKEI_RETURN_IF_ERROR(r.Bounded("temporalDQR", true, v3, 1, worst, out.temporal_dqr));
  RENKEI_RETURN_IF_ERROR(r.Bounded("geographicalDQR", true, v3, 1, worst, out.geographical_dqr));
  if (!v3) {
    RENKEI_RETURN_IF_ERROR(r.Bounded("completenessDQR", true, false, 1, 3, out.completeness_dqr));
    RENKEI_RETURN_IF_ERROR(r.Bounded("reliabilityDQR", true, false, 1, 3, out.reliability_dqr));
  }
  out.other = r.Rest();
  return Status::Ok();
}

Status ReadCarbonFootprint(const Json& value, const std::string& path, SpecVersion version,
                           CarbonFootprint& out) {
  if (!value.is_object()) {
    return InvalidArgumentError(path + ": expected an object, got " + Shown(value));
  }
  ObjectReader r(value, path);
  const bool v2 = version == SpecVersion::kV2;
  const bool v3 = !v2;
  auto any = [](const std::string&) { return true; };
  RENKEI_RETURN_IF_ERROR(r.Enum(v2 ? "declaredUnit" : "declaredUnitOfMeasurement", true,
                                AllowedDeclaredUnits(version), out.declared_unit));
  RENKEI_RETURN_IF_ERROR(r.Decimal(v2 ? "unitaryProductAmount" : "declaredUnitAmount", true,
                                   DecimalKind::kPositive, out.declared_unit_amount));
  RENKEI_RETURN_IF_ERROR(r.Decimal("productMassPerDeclaredUnit", v3, DecimalKind::kNonNegative,
                                   out.product_mass_per_declared_unit));
  RENKEI_RETURN_IF_ERROR(r.DateTime("referencePeriodStart", true, out.reference_period_start));
  RENKEI_RETURN_IF_ERROR(r.DateTime("referencePeriodEnd", true, out.reference_period_end));
  RENKEI_RETURN_IF_ERROR(
      r.Enum("geographyRegionOrSubregion", false, kRegions, out.geography_region_or_subregion));
  RENKEI_ASSIGN_OR_RETURN(const Json* country, r.Find("geographyCountry", false));
  if (country != nullptr) {
    if (!country->is_string() || !IsCountry(country->get<std::string>())) {
      return r.Fail("geographyCountry", "an ISO 3166-1 alpha-2 code such as \"JP\"", *country);
    }
    out.geography_country = country->get<std::string>();
  }
  RENKEI_ASSIGN_OR_RETURN(const Json* subdivision, r.Find("geographyCountrySubdivision", false));
  if (subdivision != nullptr) {
    if (!subdivision->is_string() || !IsSubdivision(subdivision->get<std::string>())) {
      return r.Fail("geographyCountrySubdivision", "an ISO 3166-2 code such as \"JP-43\"",
                    *subdivision);
    }
    out.geography_country_subdivision = subdivision->get<std::string>();
  }
  RENKEI_RETURN_IF_ERROR(r.Decimal(v2 ? "pCfExcludingBiogenic" : "pcfExcludingBiogenicUptake", true,
                                   v2 ? DecimalKind::kNonNegative : DecimalKind::kAny,
                                   out.pcf_excluding_biogenic));
  RENKEI_RETURN_IF_ERROR(r.Decimal(v2 ? "pCfIncludingBiogenic" : "pcfIncludingBiogenicUptake", v3,
                                   DecimalKind::kAny, out.pcf_including_biogenic));
  RENKEI_RETURN_IF_ERROR(
      r.Decimal("fossilGhgEmissions", true, DecimalKind::kNonNegative, out.fossil_ghg_emissions));
  RENKEI_RETURN_IF_ERROR(
      r.Decimal("fossilCarbonContent", true, DecimalKind::kNonNegative, out.fossil_carbon_content));
  RENKEI_RETURN_IF_ERROR(r.Decimal("biogenicCarbonContent", v2, DecimalKind::kNonNegative,
                                   out.biogenic_carbon_content));
  if (v2) {
    RENKEI_RETURN_IF_ERROR(r.Enum("characterizationFactors", true, kCharacterizationFactors,
                                  out.characterization_factors));
    RENKEI_RETURN_IF_ERROR(r.Set(
        "crossSectoralStandardsUsed", true, "one of the v2 standards",
        [](const std::string& s) {
          return std::find(kStandardsUsedV2.begin(), kStandardsUsedV2.end(), s) !=
                 kStandardsUsedV2.end();
        },
        out.cross_sectoral_standards_used));
  }
  RENKEI_RETURN_IF_ERROR(
      r.Set(v2 ? "ipccCharacterizationFactorsSources" : "ipccCharacterizationFactors", true,
            "\"AR<number>\" strings", IsAssessmentReport, out.ipcc_characterization_factors));
  // A host system must accept standards added by later revisions: any string.
  RENKEI_RETURN_IF_ERROR(
      r.Set("crossSectoralStandards", v3, "strings", any, out.cross_sectoral_standards));
  RENKEI_RETURN_IF_ERROR(
      r.OptionalText("boundaryProcessesDescription", v2, out.boundary_processes_description));
  if (v2) {
    RENKEI_RETURN_IF_ERROR(
        r.Bounded("exemptedEmissionsPercent", true, false, 0, 5, out.exempted_emissions_percent));
  } else {
    RENKEI_RETURN_IF_ERROR(r.Decimal("exemptedEmissionsPercent", true, DecimalKind::kNonNegative,
                                     out.exempted_emissions_percent));
  }
  RENKEI_RETURN_IF_ERROR(
      r.OptionalText("exemptedEmissionsDescription", v2, out.exempted_emissions_description));
  RENKEI_RETURN_IF_ERROR(
      r.Bool("packagingEmissionsIncluded", v2, out.packaging_emissions_included));
  RENKEI_RETURN_IF_ERROR(r.Bounded("primaryDataShare", false, v3, 0, 100, out.primary_data_share));
  RENKEI_ASSIGN_OR_RETURN(const Json* dqi, r.Find("dqi", false));
  if (dqi != nullptr) {
    out.dqi.emplace();
    RENKEI_RETURN_IF_ERROR(ReadDqi(*dqi, r.PathOf("dqi"), version, *out.dqi));
  }
  out.other = r.Rest();
  return Status::Ok();
}

void PutDecimal(Json& j, const char* key, const std::string& text, bool as_number) {
  if (text.empty()) return;
  if (as_number && text.find('.') == std::string::npos) {
    j[key] = static_cast<int64_t>(ParseNumber(text).value_or(0));
  } else if (as_number) {
    j[key] = ParseNumber(text).value_or(0);
  } else {
    j[key] = text;
  }
}

void PutSet(Json& j, const char* key, const std::vector<std::string>& values) {
  if (!values.empty()) j[key] = values;
}

void PutText(Json& j, const char* key, const std::string& text) {
  if (!text.empty()) j[key] = text;
}

void Merge(Json& j, const Json& other) {
  for (auto it = other.begin(); it != other.end(); ++it) j[it.key()] = it.value();
}

}  // namespace

bool IsPactDecimal(std::string_view text) {
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return IsDigits(text);
  return IsDigits(text.substr(0, dot)) && IsDigits(text.substr(dot + 1));
}

const std::vector<std::string_view>& AllowedDeclaredUnits(SpecVersion version) {
  static const std::vector<std::string_view> kV2 = {"liter",         "kilogram",  "cubic meter",
                                                    "kilowatt hour", "megajoule", "ton kilometer",
                                                    "square meter"};
  static const std::vector<std::string_view> kV3 = {
      "liter",         "kilogram",     "cubic meter", "kilowatt hour", "megajoule",
      "ton kilometer", "square meter", "piece",       "hour",          "megabit second"};
  return version == SpecVersion::kV2 ? kV2 : kV3;
}

StatusOr<ProductFootprint> ProductFootprintFromJson(const Json& value, const std::string& path) {
  if (!value.is_object()) {
    return InvalidArgumentError(path + ": expected a ProductFootprint object, got " + Shown(value));
  }
  ObjectReader r(value, path);
  ProductFootprint pf;
  RENKEI_ASSIGN_OR_RETURN(const Json* spec, r.Find("specVersion", true));
  if (!spec->is_string() || !IsSpecVersion(spec->get<std::string>()) ||
      (spec->get<std::string>()[0] != '2' && spec->get<std::string>()[0] != '3') ||
      std::isdigit(static_cast<unsigned char>(spec->get<std::string>()[1]))) {
    return r.Fail("specVersion", "a version \"2.x.y\" or \"3.x.y\"", *spec);
  }
  pf.spec_version = spec->get<std::string>();
  pf.version = pf.spec_version[0] == '2' ? SpecVersion::kV2 : SpecVersion::kV3;
  const bool v2 = pf.version == SpecVersion::kV2;

  RENKEI_ASSIGN_OR_RETURN(const Json* id, r.Find("id", true));
  if (!id->is_string() || !IsUuid(id->get<std::string>()))
    return r.Fail("id", "a UUID string", *id);
  pf.id = id->get<std::string>();
  RENKEI_RETURN_IF_ERROR(r.Set(
      "precedingPfIds", false, "UUID strings", [](const std::string& s) { return IsUuid(s); },
      pf.preceding_pf_ids));
  RENKEI_ASSIGN_OR_RETURN(const Json* number, r.Find("version", v2));
  if (number != nullptr) {
    if (!number->is_number_integer() || number->get<int64_t>() < 0 ||
        number->get<int64_t>() > 2147483647) {
      return r.Fail("version", "an integer in [0, 2147483647]", *number);
    }
    pf.version_number = number->get<int64_t>();
  }
  RENKEI_RETURN_IF_ERROR(r.DateTime("created", true, pf.created));
  RENKEI_RETURN_IF_ERROR(r.DateTime("updated", false, pf.updated));
  RENKEI_RETURN_IF_ERROR(r.Enum("status", true, kStatuses, pf.status));
  RENKEI_RETURN_IF_ERROR(r.OptionalText("statusComment", false, pf.status_comment));
  RENKEI_RETURN_IF_ERROR(r.DateTime("validityPeriodStart", false, pf.validity_period_start));
  RENKEI_RETURN_IF_ERROR(r.DateTime("validityPeriodEnd", false, pf.validity_period_end));
  RENKEI_RETURN_IF_ERROR(r.String("companyName", true, pf.company_name, /*non_empty=*/true));
  auto urn = [](const std::string& s) { return IsUrn(s); };
  RENKEI_RETURN_IF_ERROR(r.Set("companyIds", true, "URN strings", urn, pf.company_ids));
  RENKEI_RETURN_IF_ERROR(r.String("productDescription", true, pf.product_description));
  RENKEI_RETURN_IF_ERROR(r.Set("productIds", true, "URN strings", urn, pf.product_ids));
  RENKEI_RETURN_IF_ERROR(
      r.String("productCategoryCpc", v2, pf.product_category_cpc, /*non_empty=*/true));
  RENKEI_RETURN_IF_ERROR(
      r.Set("productClassifications", false, "URN strings", urn, pf.product_classifications));
  RENKEI_RETURN_IF_ERROR(
      r.String("productNameCompany", true, pf.product_name_company, /*non_empty=*/true));
  RENKEI_RETURN_IF_ERROR(r.OptionalText("comment", v2, pf.comment));
  RENKEI_ASSIGN_OR_RETURN(const Json* pcf, r.Find("pcf", true));
  RENKEI_RETURN_IF_ERROR(ReadCarbonFootprint(*pcf, r.PathOf("pcf"), pf.version, pf.pcf));
  pf.other = r.Rest();
  return pf;
}

StatusOr<ProductFootprint> ParseProductFootprint(std::string_view json, std::string_view where) {
  RENKEI_ASSIGN_OR_RETURN(Json value, ParseJson<Json>(json, where));
  const bool wrapped = value.is_object() && value.size() == 1 && value.contains("data");
  StatusOr<ProductFootprint> pf = wrapped ? ProductFootprintFromJson(value["data"], "$.data")
                                          : ProductFootprintFromJson(value, "$");
  if (!pf.ok() && !where.empty()) return pf.status().WithPrefix(std::string(where));
  return pf;
}

Json ProductFootprintToJson(const ProductFootprint& pf) {
  const bool v2 = pf.version == SpecVersion::kV2;
  Json j = Json::object();
  j["id"] = pf.id;
  j["specVersion"] = pf.spec_version;
  PutSet(j, "precedingPfIds", pf.preceding_pf_ids);
  if (pf.version_number) j["version"] = *pf.version_number;
  j["created"] = pf.created;
  PutText(j, "updated", pf.updated);
  j["status"] = pf.status;
  if (pf.status_comment) j["statusComment"] = *pf.status_comment;
  PutText(j, "validityPeriodStart", pf.validity_period_start);
  PutText(j, "validityPeriodEnd", pf.validity_period_end);
  j["companyName"] = pf.company_name;
  j["companyIds"] = pf.company_ids;
  j["productDescription"] = pf.product_description;
  j["productIds"] = pf.product_ids;
  PutText(j, "productCategoryCpc", pf.product_category_cpc);
  PutSet(j, "productClassifications", pf.product_classifications);
  j["productNameCompany"] = pf.product_name_company;
  if (pf.comment) j["comment"] = *pf.comment;

  const CarbonFootprint& c = pf.pcf;
  Json p = Json::object();
  p[v2 ? "declaredUnit" : "declaredUnitOfMeasurement"] = c.declared_unit;
  p[v2 ? "unitaryProductAmount" : "declaredUnitAmount"] = c.declared_unit_amount;
  PutDecimal(p, "productMassPerDeclaredUnit", c.product_mass_per_declared_unit, false);
  p["referencePeriodStart"] = c.reference_period_start;
  p["referencePeriodEnd"] = c.reference_period_end;
  PutText(p, "geographyRegionOrSubregion", c.geography_region_or_subregion);
  PutText(p, "geographyCountry", c.geography_country);
  PutText(p, "geographyCountrySubdivision", c.geography_country_subdivision);
  p[v2 ? "pCfExcludingBiogenic" : "pcfExcludingBiogenicUptake"] = c.pcf_excluding_biogenic;
  PutDecimal(p, v2 ? "pCfIncludingBiogenic" : "pcfIncludingBiogenicUptake",
             c.pcf_including_biogenic, false);
  p["fossilGhgEmissions"] = c.fossil_ghg_emissions;
  p["fossilCarbonContent"] = c.fossil_carbon_content;
  PutDecimal(p, "biogenicCarbonContent", c.biogenic_carbon_content, false);
  PutText(p, "characterizationFactors", c.characterization_factors);
  PutSet(p, "crossSectoralStandardsUsed", c.cross_sectoral_standards_used);
  p[v2 ? "ipccCharacterizationFactorsSources" : "ipccCharacterizationFactors"] =
      c.ipcc_characterization_factors;
  PutSet(p, "crossSectoralStandards", c.cross_sectoral_standards);
  if (c.boundary_processes_description) {
    p["boundaryProcessesDescription"] = *c.boundary_processes_description;
  }
  PutDecimal(p, "exemptedEmissionsPercent", c.exempted_emissions_percent, v2);
  if (c.exempted_emissions_description) {
    p["exemptedEmissionsDescription"] = *c.exempted_emissions_description;
  }
  if (c.packaging_emissions_included) {
    p["packagingEmissionsIncluded"] = *c.packaging_emissions_included;
  }
  PutDecimal(p, "primaryDataShare", c.primary_data_share, v2);
  if (c.dqi) {
    Json d = Json::object();
    PutDecimal(d, "coveragePercent", c.dqi->coverage_percent, true);
    PutDecimal(d, "technologicalDQR", c.dqi->technological_dqr, v2);
    PutDecimal(d, "temporalDQR", c.dqi->temporal_dqr, v2);
    PutDecimal(d, "geographicalDQR", c.dqi->geographical_dqr, v2);
    PutDecimal(d, "completenessDQR", c.dqi->completeness_dqr, true);
    PutDecimal(d, "reliabilityDQR", c.dqi->reliability_dqr, true);
    Merge(d, c.dqi->other);
    p["dqi"] = std::move(d);
  }
  Merge(p, c.other);
  j["pcf"] = std::move(p);
  Merge(j, pf.other);
  return j;
}

std::string WriteProductFootprint(const ProductFootprint& footprint, int indent) {
  return ProductFootprintToJson(footprint).dump(indent);
}

}  // namespace renkei::pact
