// What a PACT footprint list request or a footprint request event asks for: v3's
// filter criteria (query parameters or a RequestCreated event's data, v2's names read
// too) and the supported subset of v2's OData $filter; and whether a footprint
// matches. Pure functions on untrusted input: errors are 400s, never a crash
// (fuzz/pact_request_fuzz.cc).
#ifndef RENKEI_SERVER_PACT_CRITERIA_H_
#define RENKEI_SERVER_PACT_CRITERIA_H_

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pact/product_footprint.h"

namespace renkei::server {

// A PACT error response.
struct ApiError {
  int status;
  std::string code;
  std::string message;
};

inline ApiError BadRequest(std::string m) { return {400, "BadRequest", std::move(m)}; }

// The v3 filter criteria (also the data of a RequestCreated event).
struct Criteria {
  std::vector<std::string> product_id, company_id, geography, classification;
  std::string valid_on, valid_after, valid_before, status;
  // v2 $filter clauses: (property path, operator, value) and any() tests.
  std::vector<std::array<std::string, 3>> v2;
};

// An RFC 3339 date or date-time ("2025-01-01", "2025-01-01T00:00:00Z").
bool IsDateTime(const std::string& s);

// Whether `pf` meets every criterion of `c`.
bool Matches(const Criteria& c, const pact::ProductFootprint& pf);

// Reads the criteria from a JSON object (a RequestCreated event's data; v3's singular
// names and v2's plural ones, and v2's data.pf.productIds).
std::optional<ApiError> CriteriaFromJson(const nlohmann::ordered_json& data, Criteria& c);

// The dates of `c` are RFC 3339; a status other than Active or Deprecated is not an
// error (it matches nothing, as WBCSD's conformance tests expect of a filter).
std::optional<ApiError> CheckCriteria(const Criteria& c);

// Adds the clauses of a v2 $filter, joined by "and": "<path> <eq|ne|lt|le|gt|ge>
// '<value>'" or "<productIds|companyIds>/any(x: x eq '<value>')"; anything else is a 400
// with PACT v2's error code NotImplemented (its error table), naming the clause.
std::optional<ApiError> ParseV2Filter(const std::string& filter, Criteria& c);

}  // namespace renkei::server

#endif  // RENKEI_SERVER_PACT_CRITERIA_H_
