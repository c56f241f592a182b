#include "server/pact_criteria.h"

#include <string_view>

#include <algorithm>
#include <set>
#include <utility>

namespace renkei::server {
namespace {

using Json = nlohmann::ordered_json;

// A one-pass reader of short grammars: each call consumes what it matched.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  size_t position() const { return i_; }
  bool End() const { return i_ == s_.size(); }
  bool Literal(std::string_view t) {
    if (s_.substr(i_, t.size()) != t) return false;
    i_ += t.size();
    return true;
  }
  // Exactly `n` digits.
  bool Digits(size_t n) {
    for (size_t k = 0; k < n; ++k) {
      if (i_ + k >= s_.size() || !IsDigit(s_[i_ + k])) return false;
    }
    i_ += n;
    return true;
  }
  size_t DigitRun() { return Run(IsDigit); }
  size_t LetterRun() { return Run(IsLetter); }
  size_t WordRun() {
    return Run([](char ch) { return IsLetter(ch) || IsDigit(ch) || ch == '_'; });
  }
  // ECMAScript's \s in the C locale.
  size_t Spaces() {
    return Run([](char ch) {
      return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
    });
  }
  // '<anything but a quote>', the text between the quotes.
  std::optional<std::string> Quoted() {
    if (!Literal("'")) return std::nullopt;
    const size_t close = s_.find('\'', i_);
    if (close == std::string_view::npos) return std::nullopt;
    std::string value(s_.substr(i_, close - i_));
    i_ = close + 1;
    return value;
  }

 private:
  static bool IsDigit(char ch) { return ch >= '0' && ch <= '9'; }
  static bool IsLetter(char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'); }
  template <typename Pred>
  size_t Run(Pred pred) {
    const size_t start = i_;
    while (i_ < s_.size() && pred(s_[i_])) ++i_;
    return i_ - start;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// "<productIds|companyIds>/any(x: x eq '<value>')" (the parentheses around the test
// optional, each): {path, "any", value}; nullopt for anything else.
std::optional<std::array<std::string, 3>> AnyClause(std::string_view part) {
  Cursor k(part);
  k.Spaces();
  std::string path;
  if (k.Literal("productIds")) {
    path = "productIds";
  } else if (k.Literal("companyIds")) {
    path = "companyIds";
  } else {
    return std::nullopt;
  }
  if (!k.Literal("/any(")) return std::nullopt;
  k.Spaces();
  size_t at = k.position();
  if (k.WordRun() == 0) return std::nullopt;
  const std::string_view bound = part.substr(at, k.position() - at);
  k.Spaces();
  if (!k.Literal(":")) return std::nullopt;
  k.Spaces();
  k.Literal("(");
  k.Spaces();
  at = k.position();
  if (k.WordRun() == 0) return std::nullopt;
  const std::string_view used = part.substr(at, k.position() - at);
  if (used != bound || k.Spaces() == 0 || !k.Literal("eq") || k.Spaces() == 0) {
    return std::nullopt;
  }
  std::optional<std::string> value = k.Quoted();
  if (!value) return std::nullopt;
  // One closing parenthesis, or two: the test's and the call's.
  k.Spaces();
  if (!k.Literal(")")) return std::nullopt;
  k.Spaces();
  if (k.Literal(")")) k.Spaces();
  if (!k.End()) return std::nullopt;
  return std::array<std::string, 3>{path, "any", *value};
}

bool AnyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  if (wanted.empty()) return true;
  for (const std::string& w : wanted) {
    if (std::find(have.begin(), have.end(), w) != have.end()) return true;
  }
  return false;
}

std::string ValidityStart(const pact::ProductFootprint& pf) {
  return pf.validity_period_start.empty() ? pf.pcf.reference_period_end : pf.validity_period_start;
}
std::string ValidityEnd(const pact::ProductFootprint& pf) {
  if (!pf.validity_period_end.empty()) return pf.validity_period_end;
  const std::string& e = pf.pcf.reference_period_end;
  if (e.size() < 4) return e;
  return std::to_string(std::stoi(e.substr(0, 4)) + 3) + e.substr(4);  // the spec's default
}

std::string V2Property(const pact::ProductFootprint& pf, const std::string& path) {
  if (path == "productCategoryCpc") return pf.product_category_cpc;
  if (path == "pcf/geographyCountry") return pf.pcf.geography_country;
  if (path == "pcf/geographyRegionOrSubregion") return pf.pcf.geography_region_or_subregion;
  if (path == "pcf/referencePeriodStart") return pf.pcf.reference_period_start;
  if (path == "pcf/referencePeriodEnd") return pf.pcf.reference_period_end;
  if (path == "created") return pf.created;
  if (path == "updated") return pf.updated;
  if (path == "status") return pf.status;
  if (path == "companyName") return pf.company_name;
  if (path == "productNameCompany") return pf.product_name_company;
  return {};
}

}  // namespace

// Dates and filters come from partners, up to the body limit: they are read in one
// pass, never by a matcher whose recursion grows with the input (std::regex's does).
bool IsDateTime(const std::string& s) {
  Cursor c(s);
  if (!(c.Digits(4) && c.Literal("-") && c.Digits(2) && c.Literal("-") && c.Digits(2))) {
    return false;
  }
  if (c.End()) return true;
  if (!(c.Literal("T") && c.Digits(2) && c.Literal(":") && c.Digits(2))) return false;
  if (c.Literal(":")) {
    if (!c.Digits(2)) return false;
    if (c.Literal(".") && c.DigitRun() == 0) return false;
  }
  if (c.End()) return true;
  if (c.Literal("Z")) return c.End();
  if (c.Literal("+") || c.Literal("-")) {
    return c.Digits(2) && c.Literal(":") && c.Digits(2) && c.End();
  }
  return false;
}

bool Matches(const Criteria& c, const pact::ProductFootprint& pf) {
  if (!AnyOf(c.product_id, pf.product_ids) || !AnyOf(c.company_id, pf.company_ids) ||
      !AnyOf(c.classification, pf.product_classifications)) {
    return false;
  }
  if (!c.geography.empty() &&
      !AnyOf(c.geography, {pf.pcf.geography_country, pf.pcf.geography_region_or_subregion,
                           pf.pcf.geography_country_subdivision})) {
    return false;
  }
  if (!c.status.empty() && pf.status != c.status) return false;
  if (!c.valid_on.empty() && !(ValidityStart(pf) <= c.valid_on && c.valid_on <= ValidityEnd(pf))) {
    return false;
  }
  if (!c.valid_after.empty() && !(c.valid_after < ValidityStart(pf))) return false;
  if (!c.valid_before.empty() && !(c.valid_before > ValidityEnd(pf))) return false;
  for (const auto& [path, op, value] : c.v2) {
    if (op == "any") {
      const auto& list = path == "productIds" ? pf.product_ids : pf.company_ids;
      if (std::find(list.begin(), list.end(), value) == list.end()) return false;
      continue;
    }
    const std::string v = V2Property(pf, path);
    const bool ok = op == "eq"   ? v == value
                    : op == "ne" ? v != value
                    : op == "lt" ? v < value
                    : op == "le" ? v <= value
                    : op == "gt" ? v > value
                                 : v >= value;
    if (!ok) return false;
  }
  return true;
}

// Reads the v3 criteria from a JSON object (PF Request Event data).
std::optional<ApiError> CriteriaFromJson(const Json& data, Criteria& c) {
  if (!data.is_object()) return BadRequest("data must be an object");
  auto list = [&](const char* name, std::vector<std::string>& out) -> std::optional<ApiError> {
    if (!data.contains(name)) return std::nullopt;
    const Json& v = data[name];
    if (v.is_string()) {
      out.push_back(v.get<std::string>());
    } else if (v.is_array() && !v.empty()) {
      for (const Json& e : v) {
        if (!e.is_string()) return BadRequest(std::string("data.") + name + ": expected strings");
        out.push_back(e.get<std::string>());
      }
    } else {
      return BadRequest(std::string("data.") + name + ": expected a non-empty array of strings");
    }
    return std::nullopt;
  };
  // v3 names the criteria in the singular; v2's plural names are read too.
  for (auto [name, out] : {std::pair{"productId", &c.product_id},
                           {"productIds", &c.product_id},
                           {"companyId", &c.company_id},
                           {"companyIds", &c.company_id},
                           {"geography", &c.geography},
                           {"classification", &c.classification}}) {
    if (auto e = list(name, *out)) return e;
  }
  // v2 requests name product ids in data.pf.productIds.
  if (data.contains("pf") && data["pf"].is_object() && data["pf"].contains("productIds") &&
      data["pf"]["productIds"].is_array()) {
    for (const Json& e : data["pf"]["productIds"]) {
      if (e.is_string()) c.product_id.push_back(e.get<std::string>());
    }
  }
  for (auto [name, out] : {std::pair{"validOn", &c.valid_on},
                           {"validAfter", &c.valid_after},
                           {"validBefore", &c.valid_before},
                           {"status", &c.status}}) {
    if (!data.contains(name)) continue;
    if (!data[name].is_string())
      return BadRequest(std::string("data.") + name + ": expected a string");
    *out = data[name].get<std::string>();
  }
  return std::nullopt;
}

std::optional<ApiError> CheckCriteria(const Criteria& c) {
  for (auto [name, v] : {std::pair{"validOn", &c.valid_on},
                         {"validAfter", &c.valid_after},
                         {"validBefore", &c.valid_before}}) {
    if (!v->empty() && !IsDateTime(*v)) {
      return BadRequest(std::string(name) + ": expected an RFC 3339 date or date-time, got '" + *v +
                        "'");
    }
  }
  // A status other than Active or Deprecated matches nothing: an empty list, not an
  // error (as WBCSD's conformance tests expect of a filter).
  return std::nullopt;
}

// Parses the supported subset of the v2 OData $filter: clauses joined by "and",
// each "<path> <eq|ne|lt|le|gt|ge> '<value>'" or "<productIds|companyIds>/any(x: x eq '<value>')".
std::optional<ApiError> ParseV2Filter(const std::string& filter, Criteria& c) {
  static const std::set<std::string_view> kPaths = {"productCategoryCpc",
                                                    "pcf/geographyCountry",
                                                    "pcf/geographyRegionOrSubregion",
                                                    "pcf/referencePeriodStart",
                                                    "pcf/referencePeriodEnd",
                                                    "created",
                                                    "updated",
                                                    "status",
                                                    "companyName",
                                                    "productNameCompany"};
  static const std::set<std::string_view> kOperators = {"eq", "ne", "lt", "le", "gt", "ge"};
  size_t start = 0;
  while (start <= filter.size()) {
    size_t end = filter.find(" and ", start);
    const std::string part = filter.substr(start, end == std::string::npos ? end : end - start);
    if (std::optional<std::array<std::string, 3>> any = AnyClause(part)) {
      c.v2.push_back(*any);
    } else {
      // <path> <operator> '<value>'
      Cursor k(part);
      k.Spaces();
      const size_t path_start = k.position();
      bool ok = k.LetterRun() > 0;
      if (ok && k.Literal("/")) ok = k.LetterRun() > 0;
      const std::string path = part.substr(path_start, k.position() - path_start);
      ok = ok && k.Spaces() > 0;
      const size_t op_start = k.position();
      ok = ok && k.LetterRun() == 2;
      const std::string op = part.substr(op_start, 2);
      std::optional<std::string> value;
      if (ok && k.Spaces() > 0) value = k.Quoted();
      k.Spaces();
      if (!value || !k.End() || !kPaths.count(path) || !kOperators.count(op)) {
        // PACT v2's error code for a request that "implies functionality that is not
        // implemented" (HTTP 400): a filter beyond the subset the spec lets hosts choose.
        return ApiError{400, "NotImplemented", "$filter: unsupported expression '" + part + "'"};
      }
      c.v2.push_back({path, op, *value});
    }
    if (end == std::string::npos) break;
    start = end + 5;
  }
  return std::nullopt;
}

}  // namespace renkei::server
