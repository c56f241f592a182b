// A model from rows written as text, for hand-made test models.
#ifndef RENKEI_TESTS_MODEL_ROWS_H_
#define RENKEI_TESTS_MODEL_ROWS_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/builder.h"
#include "model/schema.h"

namespace renkei::testing {

// A model from rows given as text (each table's columns in schema order, the
// trailing optional ones left out); every row must be valid.
inline model::Model ModelFromRows(
    const std::vector<std::pair<model::Table, std::vector<std::string>>>& rows) {
  struct Origin : model::RowOrigin {
    std::string Where(int) const override { return "test"; }
  } origin;
  model::Model m;
  model::ModelBuilder b(m);
  for (auto [table, fields] : rows) {
    fields.resize(model::Schema(table).columns.size());
    std::vector<std::string_view> views(fields.begin(), fields.end());
    Status st = b.AddRow(table, views, origin);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_TRUE(b.Finish().ok());
  return m;
}

}  // namespace renkei::testing

#endif  // RENKEI_TESTS_MODEL_ROWS_H_
