#include "io/internal/row_text.h"

#include "base/numbers.h"
#include "model/builder.h"
#include "model/fields.h"

namespace renkei::io::internal {

using namespace model;  // NOLINT(google-build-using-namespace): a .cc file

size_t TableSize(const Model& m, Table table) { return CountRows(m)[static_cast<size_t>(table)]; }

void RowText(const Model& m, Table table, size_t row, std::vector<std::string>& cells) {
  const TableSchema& schema = Schema(table);
  cells.resize(schema.columns.size());
  size_t col = 0;
  auto cell = [&](const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if (col >= cells.size()) return;  // a column only the store keeps
    std::string& c = cells[col];
    c.clear();
    if constexpr (std::is_same_v<T, std::string>) {
      c = v;
    } else if constexpr (std::is_same_v<T, double>) {
      AppendNumber(c, v);
    } else if constexpr (std::is_same_v<T, std::optional<double>>) {
      if (v) AppendNumber(c, *v);
    } else if constexpr (std::is_same_v<T, bool>) {
      if (v) c = "true";
    } else if constexpr (std::is_same_v<T, Unit>) {
      c = UnitSymbol(v);
    } else if constexpr (std::is_same_v<T, Index>) {
      if (v != kNoIndex) {
        switch (schema.columns[col].kind) {
          case ColumnKind::kOrganizationRef:
            c = m.organizations[v].id;
            break;
          case ColumnKind::kSiteRef:
            c = m.sites[v].id;
            break;
          default:
            c = m.products[v].id;
            break;
        }
      }
    } else {
      static_assert(std::is_same_v<T, std::vector<std::string>>);
      for (const std::string& id : v) {
        if (!c.empty()) c += ';';
        c += id;
      }
    }
  };
  WithRows(m, table, [&](const auto& rows) {
    ForEachField(rows[row], [&](const auto& v) {
      cell(v);
      ++col;
    });
  });
}

}  // namespace renkei::io::internal
