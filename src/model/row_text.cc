#include "model/row_text.h"

#include "base/numbers.h"
#include "model/builder.h"
#include "model/fields.h"

namespace renkei::model {

size_t TableSize(const Model& m, Table table) { return CountRows(m)[static_cast<size_t>(table)]; }

void RowText(const Model& m, Table table, size_t row, std::vector<std::string>& cells,
             bool stored) {
  const TableSchema& schema = Schema(table);
  cells.resize(schema.columns.size() + (stored ? schema.stored.size() : 0));
  size_t col = 0;
  auto cell = [&](const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if (col >= cells.size()) return;  // a column only the store keeps, not asked for
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
        switch (schema.columns[col].kind) {  // stored columns hold no references
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

std::string RowKey(const Model& m, Table table, size_t row) {
  std::vector<std::string> cells;
  RowText(m, table, row, cells);
  const std::vector<std::string_view> views(cells.begin(), cells.end());
  return KeyOfCells(table, views);
}

std::vector<std::string> KeyParts(std::string_view key) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t comma = key.find(',', start);
    parts.emplace_back(key.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return parts;
    start = comma + 1;
  }
}

std::string KeyOfCells(Table table, std::span<const std::string_view> cells) {
  std::string key;
  bool first = true;
  for (int column : Schema(table).key) {
    if (!first) key += ',';
    first = false;
    key += cells[static_cast<size_t>(column)];
  }
  return key;
}

std::string RowName(Table table, std::string_view key) {
  return std::string(Schema(table).name) + " " + std::string(key);
}

}  // namespace renkei::model
