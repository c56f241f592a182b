#include "store/internal/tables.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <optional>

#include "base/clock.h"
#include "model/row_text.h"

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

std::string DigestEdit(const model::Model& before, const model::Edit& edit) {
  ContentDigest digest;
  const std::atomic<bool> cancel{false};
  // Rows that stop being current, those that refer to others first.
  for (size_t n = model::kTableCount; n-- > 0;) {
    const model::TableSchema& t = model::AllTables()[n];
    for (size_t row : edit.tables[n].closed) {
      digest.Add(std::string_view("closed"));
      digest.Add(t.name);
      digest.Add(model::RowKey(before, t.table, row));
    }
  }
  // New rows and new versions of changed ones.
  for (const model::TableSchema& t : model::AllTables()) {
    for (size_t row : edit.tables[static_cast<size_t>(t.table)].written) {
      DigestTable(digest, t.table, edit.after, row, row + 1, cancel);
    }
  }
  return digest.HexDigest();
}

std::optional<int64_t> OldestKept(const std::vector<std::pair<int64_t, std::string>>& versions,
                                  int64_t keep_versions, int64_t keep_days) {
  if (keep_versions <= 0 && keep_days <= 0) return std::nullopt;
  int64_t oldest = INT64_MAX;
  if (keep_versions > 0) {
    oldest = versions.size() > static_cast<size_t>(keep_versions)
                 ? versions[versions.size() - static_cast<size_t>(keep_versions)].first
                 : 0;
  }
  if (keep_days > 0) {
    const std::string horizon =
        Rfc3339(std::chrono::system_clock::now() - std::chrono::hours(24) * keep_days, true);
    int64_t at_horizon = 0;  // the version in force then
    for (const auto& [seq, time] : versions) {
      if (time <= horizon) at_horizon = seq;
    }
    oldest = std::min(oldest, at_horizon);
  }
  return oldest;
}

Status CheckEditBase(const StoredModel& before, const std::string& store) {
  for (int64_t next : before.next_number) {
    if (next > 0) continue;
    return FailedPreconditionError(store +
                                   ": an edit is worked out on the current model, not on one "
                                   "read as of a version");
  }
  return Status::Ok();
}

std::array<std::vector<int64_t>, 3> EntityNumbers(const StoredModel& before,
                                                  const model::Edit& edit) {
  std::array<std::vector<int64_t>, 3> numbers;
  for (size_t t = 0; t < numbers.size(); ++t) {
    int64_t next = before.next_number[t];
    for (model::Index origin : edit.origin[t]) {
      numbers[t].push_back(origin == model::kNoIndex ? next++ : NumberOf(before, t, origin));
    }
  }
  return numbers;
}

RowHistoryQuery RowHistorySql(const model::TableSchema& t, const std::vector<std::string>& parts,
                              const std::function<std::string(size_t)>& placeholder) {
  auto entity_table = [](const model::Column& c) {
    return std::string(model::Schema(static_cast<model::Table>(EntityTableOf(c.kind))).name);
  };
  RowHistoryQuery q;
  q.sql = "SELECT x.valid_from, coalesce(x.valid_to, 0)";
  for (const model::Column& c : t.columns) {
    const std::string name(StoredName(c));
    q.sql += IsReference(c) ? ", (SELECT r.ext_id FROM " + entity_table(c) + " r WHERE r.id = x." +
                                  name + " LIMIT 1)"
                            : ", x." + name;
  }
  q.sql += " FROM " + std::string(t.name) + " x WHERE ";
  for (size_t k = 0; k < t.key.size(); ++k) {
    const model::Column& c = t.columns[static_cast<size_t>(t.key[k])];
    const std::string name(StoredName(c));
    if (k > 0) q.sql += " AND ";
    if (IsReference(c) && parts[k].empty()) {
      q.sql += "x." + name + " IS NULL";
      continue;
    }
    q.params.push_back(parts[k]);
    const std::string p = placeholder(q.params.size());
    q.sql += IsReference(c) ? "x." + name + " IN (SELECT id FROM " + entity_table(c) +
                                  " WHERE ext_id = " + p + ")"
                            : "coalesce(x." + name + ", '') = " + p;
  }
  return q;
}

}  // namespace renkei::store::internal
