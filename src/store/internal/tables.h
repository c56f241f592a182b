// What both engines share about the model's tables (README.md, "The store's
// tables"): stored column names, entity numbers, id lists, and the content
// digest the audit log records.
#ifndef RENKEI_STORE_INTERNAL_TABLES_H_
#define RENKEI_STORE_INTERNAL_TABLES_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/builder.h"
#include "model/edit.h"
#include "model/fields.h"
#include "model/schema.h"
#include "store/audit.h"
#include "store/store.h"

namespace renkei::store::internal {

// Organizations, sites and products are entities: a row holds one version of
// entity `id`, the number other tables refer to (the model index + 1).
inline bool IsEntity(model::Table t) { return t <= model::Table::kProducts; }
inline int64_t EntityId(model::Index index) { return static_cast<int64_t>(index) + 1; }

// The entity table a reference column names: organizations, sites and products
// are 0, 1, 2 (their model::Table).
inline size_t EntityTableOf(model::ColumnKind kind) {
  switch (kind) {
    case model::ColumnKind::kOrganizationRef:
      return 0;
    case model::ColumnKind::kSiteRef:
      return 1;
    default:
      return 2;
  }
}

// Whether column `c` refers to an organization, a site or a product.
inline bool IsReference(const model::Column& c) {
  return c.kind == model::ColumnKind::kOrganizationRef || c.kind == model::ColumnKind::kSiteRef ||
         c.kind == model::ColumnKind::kProductRef;
}

// The query of Store::RowHistory, without its ORDER BY: every version of the
// row of `t` whose key has the parts `parts` (model::KeyParts), as valid_from,
// valid_to (0 while current), then the table's columns, references as the ids
// they name. Its placeholders are written by `placeholder(n)` (n from 1: "?"
// or "$n") and take the values `params`, in order.
struct RowHistoryQuery {
  std::string sql;
  std::vector<std::string> params;
};
RowHistoryQuery RowHistorySql(const model::TableSchema& t, const std::vector<std::string>& parts,
                              const std::function<std::string(size_t)>& placeholder);

// The store's name of a column: an entity's string id is `ext_id`.
std::string_view StoredName(const model::Column& c);

// "ext_id, organization, ..., verified": the columns of `t` that hold the
// fields of model/fields.h, in their order.
std::string FieldColumns(const model::TableSchema& t);
int FieldCount(const model::TableSchema& t);

// PACT product ids as stored: joined by ';'.
std::string JoinIds(const std::vector<std::string>& ids);
std::vector<std::string> SplitIds(std::string_view joined);

// Calls k.Value(field) for each field of `row` in column order.
template <typename Sink, typename Row>
void PutRow(Sink& k, const Row& row) {
  model::ForEachField(row, [&](const auto& v) { k.Value(v); });
}

// Feeds rows [from, to) of table `t` of `m` to `digest`: exactly the values
// written, in the order written (not the entity numbers or versions, which say
// where a row is, not what it says). Stops early once `cancel` is set.
void DigestTable(ContentDigest& digest, model::Table t, const model::Model& m, size_t from,
                 size_t to, const std::atomic<bool>& cancel);

// The SHA-256 of the new rows of every table, as the audit log records it.
// Stops early (the result is then meaningless) once `cancel` is set.
std::string DigestRows(const model::Model& m, const model::RowCounts& first,
                       const std::atomic<bool>& cancel);

// The SHA-256 of what `edit` (worked out on `before`) changes, as the audit log
// records a commit (Store::Commit): the keys of the rows it closes, tables in
// reverse order, then the rows it writes, tables in order, as DigestTable.
std::string DigestEdit(const model::Model& before, const model::Edit& edit);

// The oldest version the retention settings keep (Store::ApplyRetention): of
// the model changes `versions` (number and RFC 3339 time, oldest first), the
// last `keep_versions` ones and, with `keep_days`, those of the last that many
// days and the one in force before them; both: the older of the two. 0 keeps
// them all; nullopt when neither setting is on (0).
std::optional<int64_t> OldestKept(const std::vector<std::pair<int64_t, std::string>>& versions,
                                  int64_t keep_versions, int64_t keep_days);

// The number `before` gives row `i` of entity table `t` (StoredModel::numbers).
inline int64_t NumberOf(const StoredModel& before, size_t t, model::Index i) {
  return before.numbers[t].empty() ? EntityId(i) : before.numbers[t][i];
}

// FailedPrecondition unless `before` is the current model as ReadModel() reads
// it (a read as of a version knows no numbers for new entities): what every
// Store::Commit checks first.
Status CheckEditBase(const StoredModel& before, const std::string& store);

// The numbers of the entities of `edit.after` (organizations, sites,
// products): a kept entity keeps its number, a new one gets one never used
// before (from before.next_number).
std::array<std::vector<int64_t>, 3> EntityNumbers(const StoredModel& before,
                                                  const model::Edit& edit);

}  // namespace renkei::store::internal

#endif  // RENKEI_STORE_INTERNAL_TABLES_H_
