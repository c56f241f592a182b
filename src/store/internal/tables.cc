#include "store/internal/tables.h"

#include <optional>

namespace renkei::store::internal {
namespace {

class RowDigest {
 public:
  explicit RowDigest(ContentDigest& d) : d_(d) {}
  void Value(const std::string& v) { d_.Add(v); }
  void Value(double v) { Value(std::optional<double>(v)); }
  void Value(const std::optional<double>& v) {
    d_.Add(v ? *v : -0.0);
    d_.Add(static_cast<int64_t>(v.has_value()));
  }
  void Value(bool v) { d_.Add(int64_t{v}); }
  void Value(model::Unit v) { d_.Add(model::UnitSymbol(v)); }
  void Value(model::Index v) { d_.Add(static_cast<int64_t>(v)); }
  void Value(const std::vector<std::string>& v) { d_.Add(JoinIds(v)); }

 private:
  ContentDigest& d_;
};

}  // namespace

std::string_view StoredName(const model::Column& c) {
  return c.kind == model::ColumnKind::kId && c.name == "id" ? "ext_id" : c.name;
}

std::string FieldColumns(const model::TableSchema& t) {
  std::string out;
  for (auto columns : {t.columns, t.stored}) {
    for (const model::Column& c : columns) {
      if (!out.empty()) out += ", ";
      out += StoredName(c);
    }
  }
  return out;
}

int FieldCount(const model::TableSchema& t) {
  return static_cast<int>(t.columns.size() + t.stored.size());
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ';';
    out += id;
  }
  return out;
}

std::vector<std::string> SplitIds(std::string_view joined) {
  std::vector<std::string> out;
  for (size_t start = 0; start < joined.size();) {
    size_t end = joined.find(';', start);
    if (end == std::string_view::npos) end = joined.size();
    out.emplace_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void DigestTable(ContentDigest& digest, model::Table t, const model::Model& m, size_t from,
                 size_t to, const std::atomic<bool>& cancel) {
  RowDigest k(digest);
  model::WithRows(m, t, [&](const auto& rows) {
    for (size_t i = from; i < to; ++i) {
      if ((i & 0xFFFF) == 0 && cancel.load(std::memory_order_relaxed)) return;
      PutRow(k, rows[i]);
    }
  });
}

std::string DigestRows(const model::Model& m, const model::RowCounts& first,
                       const std::atomic<bool>& cancel) {
  ContentDigest digest;
  const model::RowCounts now = model::CountRows(m);
  for (const model::TableSchema& t : model::AllTables()) {
    const auto n = static_cast<size_t>(t.table);
    DigestTable(digest, t.table, m, first[n], now[n], cancel);
  }
  return digest.HexDigest();
}

}  // namespace renkei::store::internal
