// An upsert (model/edit.h: a JSON bundle read in upsert mode on top of a stored
// model's entities, then merged) on any bytes as the bundle, with and without
// --cascade; the first byte chooses upsert or a replace of org:mine.
//
// Invariants: errors are InvalidArgument; a merge that succeeds gives a model
// that keeps every rule of the bundle format (written as a JSON bundle, it reads
// back), whose tables have the stored rows less those removed plus those added.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/files.h"
#include "fuzz/fuzz_check.h"
#include "io/bundle.h"
#include "model/edit.h"
#include "model/row_text.h"

namespace renkei::fuzz {
namespace {

// The stored model the bundles are merged into.
const model::Model& Stored() {
  static const model::Model stored = [] {
    model::Model m;
    const Status s = io::ReadJsonBundleText(R"({
      "organizations": [{"id": "org:mine", "name": "Mine", "country": "AU"},
                        {"id": "org:cell", "name": "Cell", "country": "JP"}],
      "sites": [{"id": "site:mine", "organization": "org:mine", "name": "M", "country": "AU",
                 "lat": -22, "lon": 118, "capacity_per_day": 100},
                {"id": "site:cell", "organization": "org:cell", "name": "C", "country": "JP",
                 "lat": 34, "lon": 135}],
      "products": [{"id": "prod:li", "name": "Li", "category": "material", "unit": "kg"},
                   {"id": "prod:cell", "name": "Cell", "category": "cell", "unit": "piece"}],
      "bom": [{"product": "prod:cell", "component": "prod:li", "quantity": 0.5}],
      "production": [{"site": "site:mine", "product": "prod:li", "capacity_per_day": 40},
                     {"site": "site:cell", "product": "prod:cell", "inventory_units": 5}],
      "supply": [{"supplier_site": "site:mine", "customer_site": "site:cell",
                  "product": "prod:li", "share": 1}],
      "demand": [{"site": "site:cell", "product": "prod:cell", "demand_per_day": 8}],
      "materials": [{"product": "prod:cell", "substance": "Li", "mass_kg_per_unit": 0.1}]
    })",
                                            "stored.json", m);
    Check(s.ok(), "the stored model reads", s.ToString());
    return m;
  }();
  return stored;
}

void FuzzOne(std::string_view bytes) {
  if (bytes.empty()) return;
  const model::Model& stored = Stored();
  model::EditRequest request;
  request.mode = (bytes[0] & 1) ? model::EditMode::kReplace : model::EditMode::kUpsert;
  if (request.mode == model::EditMode::kReplace) request.organizations = {"org:mine"};
  request.cascade = (bytes[0] & 2) != 0;
  bytes.remove_prefix(1);

  model::Model read = model::EntitiesOf(stored);
  io::Upsert upsert;
  Status status = io::ReadJsonBundleText(std::string(bytes), "bundle.json", read, {}, &upsert);
  if (status.ok()) {
    StatusOr<model::Edit> edit = model::MergeEdit(stored, std::move(read), upsert, request);
    status = edit.status();
    if (edit.ok()) {
      static const std::string written = ScratchPath("merged.json");
      Check(io::WriteBundle(edit->after, written, io::BundleFormat::kJson).ok(),
            "a merged model is written");
      StatusOr<model::Model> again = io::ReadBundle(written);
      Check(again.ok(), "a merged model keeps the bundle's rules", again.status().ToString());
      for (const model::TableSchema& t : model::AllTables()) {
        const model::TableEdit& e = edit->tables[static_cast<size_t>(t.table)];
        Check(model::TableSize(edit->after, t.table) ==
                  model::TableSize(stored, t.table) - e.removed + e.added,
              "a merged table has the stored rows less those removed plus those added");
      }
      return;
    }
  }
  Check(status.code() == StatusCode::kInvalidArgument, "upsert errors are InvalidArgument",
        status.ToString());
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
