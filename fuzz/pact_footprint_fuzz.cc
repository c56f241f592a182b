// The PACT ProductFootprint parser and validator (src/pact/product_footprint.h) and the
// received-footprint row (src/pact/footprint_row.h) on any bytes as a PACT file.
//
// Invariants: errors are InvalidArgument; a footprint that parses is written back
// (WriteProductFootprint) into text that parses to an equal footprint; FootprintRow
// accepts it or says why (a product it maps to, a unit it converts), never anything but
// InvalidArgument, and its row has the table's columns.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "model/builder.h"
#include "model/schema.h"
#include "pact/footprint_row.h"
#include "pact/product_footprint.h"

namespace renkei::fuzz {
namespace {

class FuzzOrigin : public model::RowOrigin {
 public:
  std::string Where(int column) const override { return "fuzz:" + std::to_string(column + 1); }
};

// Products the seeds' productIds map to, in every kind of unit the conversion knows.
const model::Model& Products() {
  static const model::Model model = [] {
    model::Model m;
    model::ModelBuilder builder(m);
    auto add = [&](model::Table table, std::vector<std::string_view> fields) {
      fields.resize(model::Schema(table).columns.size());
      Status s = builder.AddRow(table, fields, FuzzOrigin());
      Check(s.ok(), "the fixed products are valid", s.ToString());
    };
    add(model::Table::kProducts,
        {"p:nmc", "NMC811", "material", "kg", "", "", "urn:renkei:product:nmc811"});
    add(model::Table::kProducts,
        {"p:nmc-t", "NMC811 bulk", "material", "t", "", "", "urn:gtin:4901234567894"});
    add(model::Table::kProducts,
        {"p:cell", "Cell", "component", "piece", "", "", "urn:renkei:product:cell-100ah"});
    add(model::Table::kProducts,
        {"p:power", "Electricity", "energy", "MWh", "", "", "urn:renkei:product:grid"});
    add(model::Table::kProducts,
        {"p:water", "Water", "utility", "m3", "", "", "urn:renkei:product:water"});
    Check(builder.Finish().ok(), "the fixed products are valid");
    return m;
  }();
  return model;
}

void FuzzOne(std::string_view text) {
  StatusOr<pact::ProductFootprint> pf = pact::ParseProductFootprint(text);
  if (!pf.ok()) {
    Check(pf.status().code() == StatusCode::kInvalidArgument, "PACT errors are InvalidArgument",
          pf.status().ToString());
    return;
  }
  for (int indent : {-1, 2}) {
    const std::string written = pact::WriteProductFootprint(*pf, indent);
    StatusOr<pact::ProductFootprint> again = pact::ParseProductFootprint(written);
    Check(again.ok(), "a written footprint parses", again.status().ToString() + "\n" + written);
    Check(*again == *pf, "a written footprint parses to an equal one", written);
  }
  StatusOr<std::vector<std::string>> row = pact::FootprintRow(text, "fuzz.json", Products());
  if (!row.ok()) {
    Check(row.status().code() == StatusCode::kInvalidArgument,
          "footprint row errors are InvalidArgument", row.status().ToString());
    Check(row.status().message().rfind("fuzz.json: ", 0) == 0, "footprint row errors name the file",
          row.status().message());
    return;
  }
  Check(row->size() == model::Schema(model::Table::kFootprints).columns.size(),
        "a footprint row has the table's columns");
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
