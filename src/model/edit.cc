#include "model/edit.h"

#include <optional>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "model/fields.h"
#include "model/internal/key_set.h"
#include "model/owner.h"
#include "model/row_text.h"

namespace renkei::model {
namespace {

constexpr size_t kEntityTables = 3;

Table ReferredTable(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kOrganizationRef:
      return Table::kOrganizations;
    case ColumnKind::kSiteRef:
      return Table::kSites;
    default:
      return Table::kProducts;
  }
}

// Calls f(ref, referred table) for each reference field of `row` of `table`.
template <typename Row, typename F>
void ForEachRef(Row& row, Table table, F&& f) {
  const TableSchema& schema = Schema(table);
  size_t col = 0;
  ForEachField(row, [&](auto& v) {
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, Index>) {
      f(v, ReferredTable(schema.columns[col].kind));
    }
    ++col;
  });
}

std::vector<std::string> Cells(const Model& m, Table t, size_t row) {
  std::vector<std::string> cells;
  RowText(m, t, row, cells, /*stored=*/true);
  return cells;
}

// FNV-1a: the hash of a key's text (TextHash), or of a row's key as RowKey would
// write it (KeyHash), without building the text.
constexpr uint64_t kFnvOffset = 14695981039346656037ull;
uint64_t Fnv(uint64_t h, std::string_view bytes) {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}
uint64_t TextHash(std::string_view text) { return Fnv(kFnvOffset, text); }
uint64_t KeyHash(const Model& m, Table t, size_t row) {
  const TableSchema& schema = Schema(t);
  uint64_t h = kFnvOffset;
  size_t col = 0, k = 0;
  WithRows(m, t, [&](const auto& rows) {
    ForEachField(rows[row], [&](const auto& v) {
      if (k < schema.key.size() && schema.key[k] == static_cast<int>(col)) {
        if (k > 0) h = Fnv(h, ",");
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          h = Fnv(h, v);
        } else if constexpr (std::is_same_v<T, Index>) {
          if (v != kNoIndex) {
            const Table referred = ReferredTable(schema.columns[col].kind);
            h = Fnv(h, referred == Table::kOrganizations ? m.organizations[v].id
                       : referred == Table::kSites       ? m.sites[v].id
                                                         : m.products[v].id);
          }
        } else {
          h = Fnv(h, RowKey(m, t, row));  // no other kind is a key column (schema.cc)
        }
        ++k;
      }
      ++col;
    });
  });
  return h;
}

std::string Quoted(std::string_view key) { return "'" + std::string(key) + "'"; }

// What becomes of a stored row.
enum Fate : uint8_t { kKept, kSame, kChanged, kRemoved };

class Merger {
 public:
  Merger(const Model& before, Model read, const EditRequest& request)
      : before_(before), request_(request), old_(CountRows(before)) {
    edit_.after = std::move(read);
    for (size_t t = 0; t < kTableCount; ++t) fate_[t].assign(old_[t], kKept);
  }

  StatusOr<Edit> Run(const UpsertRead& upsert) {
    RENKEI_RETURN_IF_ERROR(Prepare(upsert.deletions));
    for (size_t t = 0; t < kEntityTables; ++t) {
      RENKEI_RETURN_IF_ERROR(MergeEntities(static_cast<Table>(t), upsert.restated[t]));
    }
    for (size_t t = kEntityTables; t < kTableCount; ++t) {
      RENKEI_RETURN_IF_ERROR(MergeTable(static_cast<Table>(t), upsert.given[t]));
    }
    Compact();
    RENKEI_RETURN_IF_ERROR(CheckTables());
    return std::move(edit_);
  }

 private:
  Status Prepare(const std::vector<Deletion>& deletions) {
    for (const Deletion& d : deletions) {
      asked_[static_cast<size_t>(d.table)].emplace(d.key, d.where);
    }
    if (request_.mode != EditMode::kReplace) return Status::Ok();
    replaced_.assign(before_.organizations.size(), false);
    for (const std::string& id : request_.organizations) {
      const Index o = before_.FindOrganization(id);
      if (o == kNoIndex) {
        return InvalidArgumentError("--organization: no stored organization " + Quoted(id));
      }
      replaced_[o] = true;
    }
    owners_.emplace(before_);
    return Status::Ok();
  }

  // True when stored row `row` of `t` belongs to an organization a replace names.
  bool Replaced(Table t, size_t row) const {
    if (!owners_) return false;
    const Index o = owners_->Of(t, row);
    return o != kNoIndex && replaced_[o];
  }

  bool Removed(Table t, Index i) const {
    const auto n = static_cast<size_t>(t);
    return i != kNoIndex && i < old_[n] && fate_[n][i] == kRemoved;
  }

  // The first removed row that row `row` of `t` of the merged tables refers to,
  // as "sites site:b"; empty when none.
  template <typename Row>
  std::string RemovedReference(const Row& row, Table t) const {
    std::string what;
    ForEachRef(row, t, [&](Index v, Table referred) {
      if (what.empty() && Removed(referred, v)) {
        what = std::string(Schema(referred).name) + " " + RowKey(before_, referred, v);
      }
    });
    return what;
  }

  // A stored row of `t` that refers to `what`, which the edit removes: removed
  // too when cascading, else the edit is refused.
  Status Dangling(Table t, size_t row, const std::string& key, const std::string& what) {
    const std::string name = RowName(t, key);
    if (!request_.cascade) {
      return InvalidArgumentError(name + ": refers to " + what +
                                  ", which this change removes (--cascade removes " + name +
                                  " too)");
    }
    fate_[static_cast<size_t>(t)][row] = kRemoved;
    edit_.cascaded.push_back(name + " (refers to " + what + ")");
    return Status::Ok();
  }

  // A new row that refers to a removed one: always refused.
  static Status NewRowDangling(Table t, const std::string& key, const std::string& what) {
    return InvalidArgumentError(RowName(t, key) + ": refers to " + what +
                                ", which this change removes");
  }

  Status MergeEntities(Table t, const std::vector<Index>& restated) {
    const auto n = static_cast<size_t>(t);
    std::vector<uint8_t>& fate = fate_[n];
    TableEdit& te = edit_.tables[n];
    for (Index i : restated) {
      const std::string key = RowKey(before_, t, i);
      if (auto it = asked_[n].find(key); it != asked_[n].end()) {
        return InvalidArgumentError(it->second + ": " + RowName(t, key) +
                                    " is both given and deleted by this change");
      }
      fate[i] = Cells(before_, t, i) == Cells(edit_.after, t, i) ? kSame : kChanged;
    }
    for (const auto& [key, where] : asked_[n]) {
      const Index i = t == Table::kOrganizations ? before_.FindOrganization(key)
                      : t == Table::kSites       ? before_.FindSite(key)
                                                 : before_.FindProduct(key);
      if (i == kNoIndex) {
        return InvalidArgumentError(where + ": no stored " + RowName(t, Quoted(key)) +
                                    " to delete");
      }
      fate[i] = kRemoved;
    }
    // A replace removes the organizations' rows, not the organizations (delete
    // one to remove it).
    for (size_t i = 0; i < old_[n] && t != Table::kOrganizations; ++i) {
      if (fate[i] == kKept && Replaced(t, i)) fate[i] = kRemoved;
    }
    // Sites and products of removed organizations.
    Status status;
    WithRows(edit_.after, t, [&](const auto& rows) {
      for (size_t i = 0; i < rows.size() && status.ok(); ++i) {
        if (i < old_[n] && fate[i] == kRemoved) continue;
        const std::string what = RemovedReference(rows[i], t);
        if (what.empty()) continue;
        if (i >= old_[n] || fate[i] == kChanged) {
          status = NewRowDangling(t, RowKey(edit_.after, t, i), what);
        } else {
          status = Dangling(t, i, RowKey(before_, t, i), what);
        }
      }
      for (size_t i = 0; i < rows.size(); ++i) {
        if (i >= old_[n]) {
          te.written.push_back(i);
          ++te.added;
        } else if (fate[i] == kChanged) {
          te.written.push_back(i);
        }
      }
    });
    return status;
  }

  // For a stored supply link that stays: its supplier's production of the
  // product when this change removes it ("production site:a,prod:x"), else "".
  template <typename Row>
  std::string MissingProduction(const Row& row) const {
    if constexpr (std::is_same_v<Row, SupplyLink>) {
      if (!production_.Contains(row.supplier_site, row.product)) {
        return "production " + before_.sites[row.supplier_site].id + "," +
               before_.products[row.product].id;
      }
    }
    return "";
  }

  // A new supply link's supplier makes the product (the check ModelBuilder
  // leaves to the merge in upsert mode).
  template <typename Row>
  Status CheckSupplier(const Row& row, const std::string& key) const {
    if constexpr (std::is_same_v<Row, SupplyLink>) {
      if (!production_.Contains(row.supplier_site, row.product)) {
        return InvalidArgumentError(RowName(Table::kSupply, key) + ": site " +
                                    Quoted(edit_.after.sites[row.supplier_site].id) +
                                    " has no production of " +
                                    Quoted(edit_.after.products[row.product].id));
      }
    }
    return Status::Ok();
  }

  Status MergeTable(Table t, const std::vector<uint64_t>& given) {
    const auto n = static_cast<size_t>(t);
    std::vector<uint8_t>& fate = fate_[n];
    TableEdit& te = edit_.tables[n];
    const size_t incoming = TableSize(edit_.after, t);
    std::vector<std::string> in_keys(incoming);
    for (size_t j = 0; j < incoming; ++j) in_keys[j] = RowKey(edit_.after, t, j);
    // The stored rows with the keys asked for: the few incoming and deleted keys
    // are hashed, and each stored row's key is hashed in one pass over the table
    // (no key text is built for the rows that do not match).
    std::unordered_map<std::string_view, size_t> by_key;  // incoming or asked key -> stored row
    if (incoming > 0 || !asked_[n].empty()) {
      std::unordered_multimap<uint64_t, std::string_view> wanted;
      for (const std::string& k : in_keys) wanted.emplace(TextHash(k), k);
      for (const auto& [k, where] : asked_[n]) wanted.emplace(TextHash(k), k);
      for (size_t i = 0; i < old_[n]; ++i) {
        auto [from, to] = wanted.equal_range(KeyHash(before_, t, i));
        if (from == to) continue;
        const std::string key = RowKey(before_, t, i);
        for (auto it = from; it != to; ++it) {
          if (it->second == key) by_key.emplace(it->second, i);
        }
      }
    }
    std::vector<char> write(incoming, 1);
    for (size_t j = 0; j < incoming; ++j) {
      auto it = by_key.find(in_keys[j]);
      if (it == by_key.end()) continue;
      const size_t i = it->second;
      if (auto asked = asked_[n].find(in_keys[j]); asked != asked_[n].end()) {
        return InvalidArgumentError(asked->second + ": " + RowName(t, in_keys[j]) +
                                    " is both given and deleted by this change");
      }
      if (j < given.size()) {
        WithRows(edit_.after, t, [&](auto& rows) {
          using Row = typename std::decay_t<decltype(rows)>::value_type;
          KeepAbsentColumns(rows[j], RowsOf<Row>(before_)[i], given[j]);
        });
      }
      if (Cells(before_, t, i) == Cells(edit_.after, t, j)) {
        fate[i] = kSame;
        write[j] = 0;
      } else {
        fate[i] = kChanged;
      }
    }
    for (const auto& [key, where] : asked_[n]) {
      auto it = by_key.find(key);
      if (it == by_key.end()) {
        return InvalidArgumentError(where + ": no stored " + RowName(t, Quoted(key)) +
                                    " to delete");
      }
      fate[it->second] = kRemoved;
    }
    for (size_t i = 0; i < old_[n]; ++i) {
      if (fate[i] == kKept && Replaced(t, i)) fate[i] = kRemoved;
    }
    return WithRows(edit_.after, t, [&](auto& rows) -> Status {
      using Row = typename std::decay_t<decltype(rows)>::value_type;
      const std::vector<Row>& stored = RowsOf<Row>(before_);
      // Stored rows that stay, and new rows, must not refer to removed rows.
      for (size_t i = 0; i < old_[n]; ++i) {
        if (fate[i] == kRemoved || fate[i] == kChanged) continue;
        std::string what = RemovedReference(stored[i], t);
        if (what.empty()) what = MissingProduction(stored[i]);
        if (!what.empty()) {
          RENKEI_RETURN_IF_ERROR(Dangling(t, i, RowKey(before_, t, i), what));
        }
      }
      for (size_t j = 0; j < incoming; ++j) {
        if (!write[j]) continue;
        const std::string what = RemovedReference(rows[j], t);
        if (!what.empty()) return NewRowDangling(t, in_keys[j], what);
        RENKEI_RETURN_IF_ERROR(CheckSupplier(rows[j], in_keys[j]));
      }
      // The merged table: the stored rows that stay, in their order, then the
      // new versions, in the bundle's order (the order the store keeps them in).
      std::vector<Row> merged;
      merged.reserve(old_[n] + incoming);
      for (size_t i = 0; i < old_[n]; ++i) {
        if (fate[i] == kKept || fate[i] == kSame) merged.push_back(stored[i]);
      }
      for (size_t j = 0; j < incoming; ++j) {
        if (!write[j]) continue;
        te.written.push_back(merged.size());
        merged.push_back(std::move(rows[j]));
      }
      rows = std::move(merged);
      if constexpr (std::is_same_v<Row, Production>) {
        for (const Production& p : rows) production_.Insert(p.site, p.product);
      }
      return Status::Ok();
    });
  }

  // Drops removed organizations, sites and products and renumbers the rest.
  void Compact() {
    bool any = false;
    std::array<std::vector<Index>, kEntityTables> index;  // merged -> compacted
    for (size_t n = 0; n < kEntityTables; ++n) {
      const size_t size = TableSize(edit_.after, static_cast<Table>(n));
      index[n].resize(size);
      std::vector<Index>& origin = edit_.origin[n];
      origin.clear();
      Index next = 0;
      for (size_t i = 0; i < size; ++i) {
        const bool gone = i < old_[n] && fate_[n][i] == kRemoved;
        any = any || gone;
        index[n][i] = gone ? kNoIndex : next++;
        if (!gone) origin.push_back(i < old_[n] ? static_cast<Index>(i) : kNoIndex);
      }
    }
    // Closed rows and counts, for every table.
    for (size_t n = 0; n < kTableCount; ++n) {
      TableEdit& te = edit_.tables[n];
      for (size_t i = 0; i < old_[n]; ++i) {
        if (fate_[n][i] == kChanged) {
          te.closed.push_back(i);
          ++te.changed;
        } else if (fate_[n][i] == kRemoved) {
          te.closed.push_back(i);
          ++te.removed;
        }
      }
      if (n >= kEntityTables) te.added = te.written.size() - te.changed;
    }
    if (!any) return;
    for (size_t n = 0; n < kEntityTables; ++n) {
      WithRows(edit_.after, static_cast<Table>(n), [&](auto& rows) {
        size_t out = 0;
        for (size_t i = 0; i < rows.size(); ++i) {
          if (index[n][i] == kNoIndex) continue;
          if (out != i) rows[out] = std::move(rows[i]);
          ++out;
        }
        rows.resize(out);
      });
      for (size_t& w : edit_.tables[n].written) w = index[n][w];
    }
    for (size_t n = 0; n < kTableCount; ++n) {
      WithRows(edit_.after, static_cast<Table>(n), [&](auto& rows) {
        for (auto& row : rows) {
          ForEachRef(row, static_cast<Table>(n), [&](Index& v, Table referred) {
            if (v != kNoIndex) v = index[static_cast<size_t>(referred)][v];
          });
        }
      });
    }
    edit_.after.IndexIds();
  }

  // The rules across rows that new rows may break.
  Status CheckTables() const {
    const Model& m = edit_.after;
    const auto& bom = edit_.tables[static_cast<size_t>(Table::kBom)].written;
    if (!bom.empty()) {
      RENKEI_RETURN_IF_ERROR(CheckBomCycles(m, bom.front(), [&](size_t line) {
        return RowName(Table::kBom, RowKey(m, Table::kBom, line));
      }));
    }
    for (size_t w : edit_.tables[static_cast<size_t>(Table::kFootprintClasses)].written) {
      for (const FootprintClass& other : m.footprint_classes) {
        const std::string problem = ClassOrderProblem(m.footprint_classes[w], other);
        if (!problem.empty()) {
          return InvalidArgumentError(
              RowName(Table::kFootprintClasses, RowKey(m, Table::kFootprintClasses, w)) + ": " +
              problem);
        }
      }
    }
    for (size_t w : edit_.tables[static_cast<size_t>(Table::kSpareParts)].written) {
      for (const SparePart& other : m.spare_parts) {
        const int col = SourceDifference(other, m.spare_parts[w]);
        if (col >= 0) {
          return InvalidArgumentError(
              RowName(Table::kSpareParts, RowKey(m, Table::kSpareParts, w)) + ": " +
              std::string(Schema(Table::kSpareParts).columns[static_cast<size_t>(col)].name) +
              ": differs from part " + other.part_number + " of supplier '" + other.supplier +
              "'; a source has one address, e-mail and web address");
        }
      }
    }
    return Status::Ok();
  }

  const Model& before_;
  const EditRequest& request_;
  const RowCounts old_;
  Edit edit_;
  std::array<std::vector<uint8_t>, kTableCount> fate_;
  std::array<std::unordered_map<std::string, std::string>, kTableCount> asked_;  // key -> where
  std::vector<bool> replaced_;  // organizations a replace names
  std::optional<Owners> owners_;
  internal::KeySet production_;  // (site, product) of the merged production rows
};

}  // namespace

std::optional<EditMode> ParseEditMode(std::string_view text) {
  if (text == "append") return EditMode::kAppend;
  if (text == "upsert") return EditMode::kUpsert;
  if (text == "replace") return EditMode::kReplace;
  return std::nullopt;
}

std::string_view EditModeName(EditMode mode) {
  switch (mode) {
    case EditMode::kAppend:
      return "append";
    case EditMode::kUpsert:
      return "upsert";
    case EditMode::kReplace:
      return "replace";
  }
  return "append";
}

bool Edit::Empty() const {
  for (const TableEdit& t : tables) {
    if (!t.closed.empty() || !t.written.empty()) return false;
  }
  return true;
}

std::string Edit::Summary() const {
  size_t added = 0, changed = 0, removed = 0;
  for (const TableEdit& t : tables) {
    added += t.added;
    changed += t.changed;
    removed += t.removed;
  }
  return std::to_string(added) + " added, " + std::to_string(changed) + " changed, " +
         std::to_string(removed) + " removed";
}

Model EntitiesOf(const Model& before) {
  Model m;
  m.organizations = before.organizations;
  m.sites = before.sites;
  m.products = before.products;
  m.organization_ids = before.organization_ids;
  m.site_ids = before.site_ids;
  m.product_ids = before.product_ids;
  return m;
}

StatusOr<Edit> MergeEdit(const Model& before, Model read, const UpsertRead& upsert,
                         const EditRequest& request) {
  return Merger(before, std::move(read), request).Run(upsert);
}

Status CheckOwnedBy(const Model& before, const Edit& edit, const std::string& organization) {
  const Owners owners_before(before), owners_after(edit.after);
  auto check = [&](const Model& m, const Owners& owners, Table t, size_t row) -> Status {
    const Index o = owners.Of(t, row);
    if (o != kNoIndex && m.organizations[o].id == organization) return Status::Ok();
    const std::string name = RowName(t, RowKey(m, t, row));
    if (o == kNoIndex) {
      return PermissionDeniedError(name +
                                   " belongs to no organization (reference data): only "
                                   "the node's admin clients change it");
    }
    return PermissionDeniedError(name + " belongs to " + m.organizations[o].id + ", not to " +
                                 organization);
  };
  for (const TableSchema& t : AllTables()) {
    const TableEdit& e = edit.tables[static_cast<size_t>(t.table)];
    for (size_t row : e.closed) RENKEI_RETURN_IF_ERROR(check(before, owners_before, t.table, row));
    for (size_t row : e.written) {
      RENKEI_RETURN_IF_ERROR(check(edit.after, owners_after, t.table, row));
    }
  }
  return Status::Ok();
}

StatusOr<Deletion> ParseDeletion(std::string_view table, std::string_view key) {
  const std::optional<Table> t = TableByName(table);
  if (!t) {
    std::string known;
    for (const TableSchema& s : AllTables())
      known += (known.empty() ? "" : ", ") + std::string(s.name);
    return InvalidArgumentError("TABLE: unknown table " + Quoted(table) + "; the tables are " +
                                known);
  }
  const TableSchema& schema = Schema(*t);
  const std::vector<std::string> parts = KeyParts(key);
  std::string columns;
  for (int c : schema.key) {
    columns +=
        (columns.empty() ? "" : ",") + std::string(schema.columns[static_cast<size_t>(c)].name);
  }
  bool ok = parts.size() == schema.key.size();
  for (size_t i = 0; ok && i < parts.size(); ++i) {
    ok = !parts[i].empty() || !schema.columns[static_cast<size_t>(schema.key[i])].required;
  }
  if (!ok) {
    return InvalidArgumentError("KEY " + Quoted(key) + ": a key of " + std::string(schema.name) +
                                " is " + columns + " (" + std::to_string(schema.key.size()) +
                                " values separated by ',')");
  }
  return Deletion{*t, std::string(key), "delete " + std::string(schema.name)};
}

Edit AppendEdit(Model after, const RowCounts& first_new) {
  Edit e;
  e.after = std::move(after);
  const RowCounts now = CountRows(e.after);
  for (size_t n = 0; n < kTableCount; ++n) {
    for (size_t i = first_new[n]; i < now[n]; ++i) e.tables[n].written.push_back(i);
    e.tables[n].added = now[n] - first_new[n];
    if (n < kEntityTables) {
      for (size_t i = 0; i < now[n]; ++i) {
        e.origin[n].push_back(i < first_new[n] ? static_cast<Index>(i) : kNoIndex);
      }
    }
  }
  return e;
}

}  // namespace renkei::model
