#include "io/row_changes.h"

#include <string>

#include "model/schema.h"

namespace renkei::io {

nlohmann::ordered_json RowChangesJson(const model::ModelDiff& diff) {
  using Json = nlohmann::ordered_json;
  Json tables = Json::object();
  for (const model::TableSchema& t : model::AllTables()) {
    const model::TableDiff& d = diff[static_cast<size_t>(t.table)];
    if (d.empty()) continue;
    Json changed = Json::array();
    for (const model::ChangedRow& r : d.changed) {
      Json cells = Json::object();
      for (const model::ChangedCell& c : r.cells) {
        cells[c.column] = {{"before", c.before}, {"after", c.after}};
      }
      changed.push_back({{"key", r.key}, {"cells", cells}});
    }
    tables[std::string(t.name)] = {
        {"added", d.added}, {"changed", changed}, {"removed", d.removed}};
  }
  return tables;
}

}  // namespace renkei::io
