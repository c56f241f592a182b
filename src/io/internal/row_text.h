// The text cells of one model row, in schema column order, as a bundle holds them.
#ifndef RENKEI_IO_INTERNAL_ROW_TEXT_H_
#define RENKEI_IO_INTERNAL_ROW_TEXT_H_

#include <string>
#include <vector>

#include "model/model.h"
#include "model/schema.h"

namespace renkei::io::internal {

// Fills `cells` (resized to the table's column count) with row `row` of `table`;
// absent values are empty strings, numbers are in their shortest exact form.
void RowText(const model::Model& model, model::Table table, size_t row,
             std::vector<std::string>& cells);

// Number of rows of `table` in `model`.
size_t TableSize(const model::Model& model, model::Table table);

}  // namespace renkei::io::internal

#endif  // RENKEI_IO_INTERNAL_ROW_TEXT_H_
