#include "model/diff.h"

#include <string_view>
#include <unordered_map>

#include "model/row_text.h"

namespace renkei::model {

ModelDiff DiffModels(const Model& before, const Model& after) {
  ModelDiff diff;
  for (const TableSchema& t : AllTables()) {
    TableDiff& d = diff[static_cast<size_t>(t.table)];
    const size_t n_before = TableSize(before, t.table);
    const size_t n_after = TableSize(after, t.table);
    std::vector<std::string> keys(n_before);
    std::unordered_map<std::string_view, size_t> by_key;
    by_key.reserve(n_before);
    for (size_t i = 0; i < n_before; ++i) {
      keys[i] = RowKey(before, t.table, i);
      by_key.emplace(keys[i], i);
    }
    std::vector<bool> seen(n_before);
    std::vector<std::string> a, b;
    for (size_t j = 0; j < n_after; ++j) {
      std::string key = RowKey(after, t.table, j);
      auto it = by_key.find(key);
      if (it == by_key.end()) {
        d.added.push_back(std::move(key));
        d.added_rows.push_back(j);
        continue;
      }
      seen[it->second] = true;
      RowText(before, t.table, it->second, a, /*stored=*/true);
      RowText(after, t.table, j, b, /*stored=*/true);
      if (a == b) continue;
      ChangedRow row{std::move(key), {}, it->second, j};
      for (size_t c = 0; c < a.size(); ++c) {
        if (a[c] == b[c]) continue;
        const std::string_view column =
            c < t.columns.size() ? t.columns[c].name : t.stored[c - t.columns.size()].name;
        row.cells.push_back({std::string(column), a[c], b[c]});
      }
      d.changed.push_back(std::move(row));
    }
    for (size_t i = 0; i < n_before; ++i) {
      if (seen[i]) continue;
      d.removed.push_back(keys[i]);
      d.removed_rows.push_back(i);
    }
  }
  return diff;
}

}  // namespace renkei::model
