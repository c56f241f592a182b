// The requirements of the Battery Pass data model's CarbonFootprint and
// Circularity aspects, version 1.2.0, written down as checks: required
// properties, JSON types, enumerations, ranges, formats and nesting, as the
// published aspect models (SAMM) and their generated schemas state them.
//
// Where the published files disagree with themselves, the check follows the
// evident intent and says so: the e-mail pattern of EmailAddressOfSupplierTrait
// is published as "^[w.-]+@[w.-]+.[A-Za-z]{2,}$", its backslashes lost (as
// written it admits only the letter w before the '@'); the check reads it as
// ^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$. The RecycledMaterial enumeration lists each
// material twice; the set is Cobalt, Nickel, Lithium, Lead.
//
//   std::vector<std::string> errors = battery_pass::CheckCarbonFootprint(doc);
//
// Each error names the JSON path: "$.recycledContent[0].recycledMaterial: 'Co'
// is not one of Cobalt, Nickel, Lithium, Lead".
#ifndef RENKEI_TESTS_BATTERY_PASS_H_
#define RENKEI_TESTS_BATTERY_PASS_H_

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

namespace renkei::battery_pass {

class Checker {
 public:
  template <typename Json>
  const Json* Required(const Json& object, const std::string& path, const char* name) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(name);
    if (it == object.end()) {
      Error(path + ": required property '" + name + "' is missing");
      return nullptr;
    }
    return &*it;
  }
  template <typename Json>
  const Json* Object(const Json& object, const std::string& path, const char* name) {
    const Json* v = Required(object, path, name);
    if (v != nullptr && !v->is_object()) {
      Error(path + "." + name + ": expected an object");
      return nullptr;
    }
    return v;
  }
  template <typename Json>
  const Json* Array(const Json& object, const std::string& path, const char* name) {
    const Json* v = Required(object, path, name);
    if (v != nullptr && !v->is_array()) {
      Error(path + "." + name + ": expected an array");
      return nullptr;
    }
    return v;
  }
  template <typename Json>
  void String(const Json& object, const std::string& path, const char* name) {
    const Json* v = Required(object, path, name);
    if (v != nullptr && !v->is_string()) Error(path + "." + name + ": expected a string");
  }
  template <typename Json>
  void Number(const Json& object, const std::string& path, const char* name, double min = -1e308,
              double max = 1e308) {
    const Json* v = Required(object, path, name);
    if (v == nullptr) return;
    if (!v->is_number()) return Error(path + "." + name + ": expected a number");
    const double x = v->template get<double>();
    if (x < min || x > max) {
      Error(path + "." + name + ": " + v->dump() + " is outside [" + Text(min) + ", " + Text(max) +
            "]");
    }
  }
  // format "uri": an absolute URI (RFC 3986), a scheme then ':'.
  template <typename Json>
  void Uri(const Json& object, const std::string& path, const char* name) {
    const Json* v = Required(object, path, name);
    if (v == nullptr) return;
    if (!v->is_string() || !IsAbsoluteUri(v->template get<std::string>())) {
      Error(path + "." + name + ": " + v->dump() + " is not an absolute URI");
    }
  }
  template <typename Json>
  void Enum(const Json& object, const std::string& path, const char* name,
            const std::set<std::string>& values) {
    const Json* v = Required(object, path, name);
    if (v == nullptr) return;
    if (!v->is_string() || !values.count(v->template get<std::string>())) {
      std::string list;
      for (const std::string& s : values) list += (list.empty() ? "" : ", ") + s;
      Error(path + "." + name + ": " + v->dump() + " is not one of " + list);
    }
  }
  // EmailAddressOfSupplierTrait's pattern, ^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$.
  template <typename Json>
  void Email(const Json& object, const std::string& path, const char* name) {
    const Json* v = Required(object, path, name);
    if (v == nullptr) return;
    if (!v->is_string() || !IsEmail(v->template get<std::string>())) {
      Error(path + "." + name + ": " + v->dump() + " does not match the pattern");
    }
  }

  static bool Word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
  // ^[A-Za-z][A-Za-z0-9+.-]*:\S+$
  static bool IsAbsoluteUri(const std::string& t) {
    const size_t colon = t.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == t.size()) return false;
    if (!std::isalpha(static_cast<unsigned char>(t[0]))) return false;
    for (size_t i = 0; i < colon; ++i) {
      if (!std::isalnum(static_cast<unsigned char>(t[i])) && t[i] != '+' && t[i] != '.' &&
          t[i] != '-') {
        return false;
      }
    }
    for (size_t i = colon + 1; i < t.size(); ++i) {
      if (std::isspace(static_cast<unsigned char>(t[i]))) return false;
    }
    return true;
  }
  // [\w.-]+ '@' [\w.-]+ '.' letters{2,}: the top-level domain follows the last dot.
  static bool IsEmail(const std::string& t) {
    const size_t at = t.find('@');
    const size_t dot = t.rfind('.');
    if (at == std::string::npos || at == 0 || dot == std::string::npos || dot < at + 2 ||
        t.size() - dot - 1 < 2) {
      return false;
    }
    for (size_t i = 0; i < t.size(); ++i) {
      if (i == at) continue;
      const bool ok = i > dot ? std::isalpha(static_cast<unsigned char>(t[i])) != 0
                              : Word(t[i]) || t[i] == '.' || t[i] == '-';
      if (!ok) return false;
    }
    return true;
  }

  void Error(std::string e) { errors.push_back(std::move(e)); }
  static std::string Text(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%g", v);
    return buffer;
  }

  std::vector<std::string> errors;
};

// io.BatteryPass.CarbonFootprint 1.2.0, aspect CarbonFootprintForBatteries.
// Units: batteryCarbonFootprint and each stage's carbonFootprint in kgCO2e per
// kWh (of lifetime energy), absoluteCarbonFootprint in kg; the battery footprint
// is the aggregation of the stages.
template <typename Json>
std::vector<std::string> CheckCarbonFootprint(const Json& doc) {
  Checker c;
  const std::string root = "$";
  if (!doc.is_object()) return {"$: expected an object"};
  c.Number(doc, root, "batteryCarbonFootprint");
  if (const Json* stages = c.Array(doc, root, "carbonFootprintPerLifecycleStage")) {
    for (size_t i = 0; i < stages->size(); ++i) {
      const Json& s = (*stages)[i];
      const std::string p = root + ".carbonFootprintPerLifecycleStage[" + std::to_string(i) + "]";
      if (!s.is_object()) {
        c.Error(p + ": expected an object");
        continue;
      }
      c.Enum(s, p, "lifecycleStage",
             {"RawMaterialExtraction", "MainProduction", "Distribution", "Recycling"});
      c.Number(s, p, "carbonFootprint");
    }
  }
  c.String(doc, root, "carbonFootprintPerformanceClass");
  c.Uri(doc, root, "carbonFootprintStudy");
  if (doc.contains("absoluteCarbonFootprint")) c.Number(doc, root, "absoluteCarbonFootprint");
  return c.errors;
}

// io.BatteryPass.Circularity 1.2.0, aspect Circularity. Shares and renewable
// content in percent.
template <typename Json>
std::vector<std::string> CheckCircularity(const Json& doc) {
  Checker c;
  const std::string root = "$";
  if (!doc.is_object()) return {"$: expected an object"};
  if (const Json* docs = c.Array(doc, root, "dismantlingAndRemovalInformation")) {
    for (size_t i = 0; i < docs->size(); ++i) {
      const Json& d = (*docs)[i];
      const std::string p = root + ".dismantlingAndRemovalInformation[" + std::to_string(i) + "]";
      c.Enum(d, p, "documentType",
             {"BillOfMaterial", "Model3D", "DismantlingManual", "RemovalManual", "OtherManual",
              "Drawing"});
      c.String(d, p, "mimeType");
      c.Uri(d, p, "documentURL");
    }
  }
  if (const Json* sources = c.Array(doc, root, "sparePartSources")) {
    for (size_t i = 0; i < sources->size(); ++i) {
      const Json& s = (*sources)[i];
      const std::string p = root + ".sparePartSources[" + std::to_string(i) + "]";
      c.String(s, p, "nameOfSupplier");
      if (const Json* a = c.Object(s, p, "addressOfSupplier")) {
        for (const char* field : {"addressCountry", "postalCode", "streetAddress"}) {
          c.String(*a, p + ".addressOfSupplier", field);
        }
      }
      c.Email(s, p, "emailAddressOfSupplier");
      c.Uri(s, p, "supplierWebAddress");
      if (const Json* parts = c.Array(s, p, "components")) {
        for (size_t k = 0; k < parts->size(); ++k) {
          const std::string q = p + ".components[" + std::to_string(k) + "]";
          c.String((*parts)[k], q, "partName");
          c.String((*parts)[k], q, "partNumber");
        }
      }
    }
  }
  if (const Json* content = c.Array(doc, root, "recycledContent")) {
    for (size_t i = 0; i < content->size(); ++i) {
      const Json& r = (*content)[i];
      const std::string p = root + ".recycledContent[" + std::to_string(i) + "]";
      c.Number(r, p, "preConsumerShare", 0, 100);
      c.Enum(r, p, "recycledMaterial", {"Cobalt", "Nickel", "Lithium", "Lead"});
      c.Number(r, p, "postConsumerShare", 0, 100);
    }
  }
  if (const Json* safety = c.Object(doc, root, "safetyMeasures")) {
    const std::string p = root + ".safetyMeasures";
    c.Uri(*safety, p, "safetyInstructions");
    if (const Json* agents = c.Array(*safety, p, "extinguishingAgent")) {
      for (const Json& a : *agents) {
        if (!a.is_string()) c.Error(p + ".extinguishingAgent: expected strings");
      }
    }
  }
  if (const Json* eol = c.Object(doc, root, "endOfLifeInformation")) {
    for (const char* field : {"wastePrevention", "separateCollection", "informationOnCollection"}) {
      c.Uri(*eol, root + ".endOfLifeInformation", field);
    }
  }
  c.Number(doc, root, "renewableContent", 0, 100);
  return c.errors;
}

}  // namespace renkei::battery_pass

#endif  // RENKEI_TESTS_BATTERY_PASS_H_
