// What changed between two models, row by row (`renkei diff`): rows matched by
// their keys (model/row_text.h), cells compared as a bundle writes them.
#ifndef RENKEI_MODEL_DIFF_H_
#define RENKEI_MODEL_DIFF_H_

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/schema.h"

namespace renkei::model {

struct ChangedCell {
  std::string column;
  std::string before;
  std::string after;
};

struct ChangedRow {
  std::string key;
  std::vector<ChangedCell> cells;  // the columns that differ, in column order
  size_t before_row = 0;           // its index in `before`
  size_t after_row = 0;            // and in `after`
};

struct TableDiff {
  std::vector<std::string> added;    // keys, in `after`'s order
  std::vector<std::string> removed;  // keys, in `before`'s order
  std::vector<ChangedRow> changed;   // in `after`'s order
  std::vector<size_t> added_rows;    // the indices in `after` of `added`
  std::vector<size_t> removed_rows;  // the indices in `before` of `removed`

  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

using ModelDiff = std::array<TableDiff, kTableCount>;

// The rows of `after` not in `before`, those of `before` not in `after`, and
// those in both whose cells differ (columns only the store keeps included: a
// received footprint's document).
ModelDiff DiffModels(const Model& before, const Model& after);

}  // namespace renkei::model

#endif  // RENKEI_MODEL_DIFF_H_
