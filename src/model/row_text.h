// The text of model rows as a bundle holds them, and the natural key of each
// table's rows (DESIGN.md, "Versions"): what an upsert matches, a delete names
// and a diff reports.
#ifndef RENKEI_MODEL_ROW_TEXT_H_
#define RENKEI_MODEL_ROW_TEXT_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/model.h"
#include "model/schema.h"

namespace renkei::model {

// Fills `cells` (resized to the table's column count) with row `row` of `table`;
// absent values are empty strings, numbers are in their shortest exact form.
// With `stored`, the columns only the store keeps follow (Schema(table).stored).
void RowText(const Model& model, Table table, size_t row, std::vector<std::string>& cells,
             bool stored = false);

// Number of rows of `table` in `model`.
size_t TableSize(const Model& model, Table table);

// The key of row `row` of `table`: its key columns' text (model/schema.h,
// TableSchema::key) joined by ',' in key order, as `renkei delete` takes it:
// "site:a,site:b,prod:x" for a supply link. An absent value is empty text.
std::string RowKey(const Model& model, Table table, size_t row);

// The parts of a key as RowKey writes it: its key columns' text, split at ','.
std::vector<std::string> KeyParts(std::string_view key);

// The same key from the text cells of a row (all of the table's columns).
std::string KeyOfCells(Table table, std::span<const std::string_view> cells);

// "supply site:a,site:b,prod:x": a row as messages name it.
std::string RowName(Table table, std::string_view key);

}  // namespace renkei::model

#endif  // RENKEI_MODEL_ROW_TEXT_H_
