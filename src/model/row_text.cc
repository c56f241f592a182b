#include "model/row_text.h"

#include "base/numbers.h"
#include "model/builder.h"
#include "model/fields.h"

namespace renkei::model {

size_t TableSize(const Model& m, Table table) { return CountRows(m)[static_cast<size_t>(table)]; }

namespace {

// Appends the text of field `v` of a row, in a column of kind `kind`, as a
// bundle holds it.
template <typename T>
void AppendCell(const Model& m, ColumnKind kind, const T& v, std::string& c) {
  if constexpr (std::is_same_v<T, std::string>) {
    c += v;
  } else if constexpr (std::is_same_v<T, double>) {
    AppendNumber(c, v);
  } else if constexpr (std::is_same_v<T, std::optional<double>>) {
    if (v) AppendNumber(c, *v);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (v) c += "true";
  } else if constexpr (std::is_same_v<T, Unit>) {
    c += UnitSymbol(v);
  } else if constexpr (std::is_same_v<T, Index>) {
    if (v == kNoIndex) return;
    switch (kind) {
      case ColumnKind::kOrganizationRef:
        c += m.organizations[v].id;
        break;
      case ColumnKind::kSiteRef:
        c += m.sites[v].id;
        break;
      default:
        c += m.products[v].id;
        break;
    }
  } else {
    static_assert(std::is_same_v<T, std::vector<std::string>>);
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) c += ';';
      c += v[i];
    }
  }
}

}  // namespace

void RowText(const Model& m, Table table, size_t row, std::vector<std::string>& cells,
             bool stored) {
  const TableSchema& schema = Schema(table);
  cells.resize(schema.columns.size() + (stored ? schema.stored.size() : 0));
  size_t col = 0;
  WithRows(m, table, [&](const auto& rows) {
    ForEachField(rows[row], [&](const auto& v) {
      if (col < cells.size()) {
        cells[col].clear();
        // Stored columns hold no references: their kind does not matter.
        const ColumnKind kind =
            col < schema.columns.size() ? schema.columns[col].kind : ColumnKind::kText;
        AppendCell(m, kind, v, cells[col]);
      }
      ++col;
    });
  });
}

std::string RowKey(const Model& m, Table table, size_t row) {
  // Key columns come in column order (schema.cc): one pass over the fields.
  const TableSchema& schema = Schema(table);
  std::string key;
  size_t col = 0, k = 0;
  WithRows(m, table, [&](const auto& rows) {
    ForEachField(rows[row], [&](const auto& v) {
      if (k < schema.key.size() && schema.key[k] == static_cast<int>(col)) {
        if (k > 0) key += ',';
        AppendCell(m, schema.columns[col].kind, v, key);
        ++k;
      }
      ++col;
    });
  });
  return key;
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
