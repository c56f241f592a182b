// The PACT request criteria (src/server/pact_criteria.h) on any bytes: as the JSON data
// of a RequestCreated event (the body of POST /2/events and /3/events) and as a v2
// $filter (a query parameter), each then matched against a fixed footprint.
//
// Invariants: the JSON is parsed with the node's nesting limit (base/json.h); every
// error is a 400 with a code and a message; a criterion read is matched without a
// crash; a filter that parses again from its own clauses gives the same clauses.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/json.h"
#include "fuzz/fuzz_check.h"
#include "server/pact_criteria.h"

namespace renkei::fuzz {
namespace {

const pact::ProductFootprint& Footprint() {
  static const pact::ProductFootprint pf = [] {
    pact::ProductFootprint f;
    f.id = "3f1c2a8e-5b7d-4e0a-9c61-2d8f4b6a7e10";
    f.product_ids = {"urn:renkei:product:nmc811", "urn:gtin:4901234567894"};
    f.company_ids = {"urn:company:renkei-demo:hokuriku-cathode"};
    f.status = "Active";
    f.created = "2025-03-01T09:00:00Z";
    f.product_category_cpc = "3429";
    f.pcf.geography_country = "JP";
    f.pcf.reference_period_start = "2024-01-01T00:00:00Z";
    f.pcf.reference_period_end = "2025-01-01T00:00:00Z";
    return f;
  }();
  return pf;
}

void CheckError(const std::optional<server::ApiError>& e) {
  if (!e) return;
  Check(e->status == 400 && !e->code.empty() && !e->message.empty(),
        "criteria errors are 400s with a code and a message", e->message);
}

void FuzzOne(std::string_view bytes) {
  StatusOr<nlohmann::ordered_json> data = ParseJson<nlohmann::ordered_json>(bytes, "body");
  if (data.ok()) {
    server::Criteria c;
    std::optional<server::ApiError> e = server::CriteriaFromJson(*data, c);
    CheckError(e);
    if (!e) {
      e = server::CheckCriteria(c);
      CheckError(e);
      if (!e) (void)server::Matches(c, Footprint());
    }
  }

  const std::string filter(bytes);
  server::Criteria c;
  std::optional<server::ApiError> e = server::ParseV2Filter(filter, c);
  CheckError(e);
  if (e) return;
  (void)server::Matches(c, Footprint());
  // The clauses read, written back as a filter, read the same.
  std::string again;
  for (const auto& [path, op, value] : c.v2) {
    if (!again.empty()) again += " and ";
    again +=
        op == "any" ? path + "/any(x: x eq '" + value + "')" : path + " " + op + " '" + value + "'";
  }
  server::Criteria d;
  Check(!server::ParseV2Filter(again, d) && d.v2 == c.v2,
        "a filter written from its clauses reads the same", again);
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
