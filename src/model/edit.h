// Edits: what an upsert, a replace or a delete does to the current rows of a
// store (DESIGN.md, "Versions"), worked out on the model and checked before
// anything is written.
//
// A bundle for an upsert or a replace is read (ModelBuilder with
// BuildOptions::upsert) on top of EntitiesOf(before): the store's
// organizations, sites and products, which the bundle may restate in place,
// and otherwise empty tables, which then hold the bundle's rows alone. MergeEdit
// matches those rows with the stored ones by their keys (model/row_text.h):
//
//   upsert    a row whose key is stored replaces that row (a new version when
//             anything in it differs); other rows are added
//   replace   as upsert, and then every stored row of the named organizations
//             (model/owner.h) the bundle did not give is removed: the bundle is
//             their whole current truth (the organizations' own rows stay:
//             `renkei delete` removes an organization)
//   deleted   rows a bundle marks deleted, or `renkei delete` names, are removed
//
// The merged model must keep every rule of the bundle format: a row referring
// to a removed one (a supply link to a removed site, one from a site whose
// production of the product was removed, ...) is refused naming both rows,
// unless the request cascades, which removes it too and says so. The checks are
// those a row's change can break, made on the merged model: references to
// removed rows, a supplier's production of what it supplies, BOM cycles when
// BOM lines changed, and the passport tables' rules across rows.
#ifndef RENKEI_MODEL_EDIT_H_
#define RENKEI_MODEL_EDIT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/builder.h"
#include "model/model.h"
#include "model/schema.h"

namespace renkei::model {

enum class EditMode { kAppend, kUpsert, kReplace };

// "append", "upsert", "replace"; nullopt for anything else.
std::optional<EditMode> ParseEditMode(std::string_view text);
std::string_view EditModeName(EditMode mode);

struct EditRequest {
  EditMode mode = EditMode::kUpsert;
  // replace: the organizations (ids) whose rows the bundle is the whole truth of.
  std::vector<std::string> organizations;
  // Rows referring to removed rows are removed too, instead of refusing the edit.
  bool cascade = false;
};

// What an edit does to one table.
struct TableEdit {
  std::vector<size_t> closed;   // rows of `before` changed or removed, ascending
  std::vector<size_t> written;  // rows of `after` added or changed (new versions), ascending
  size_t added = 0;
  size_t changed = 0;
  size_t removed = 0;
};

struct Edit {
  Model after;  // the whole model once the edit is made
  std::array<TableEdit, kTableCount> tables;
  // For organizations, sites and products: the row of `before` each row of
  // `after` is (its entity), kNoIndex for a new one.
  std::array<std::vector<Index>, 3> origin;
  // Rows removed because they referred to removed rows (EditRequest::cascade):
  // "supply site:a,site:b,prod:x (refers to sites site:b)".
  std::vector<std::string> cascaded;

  // True when the edit changes nothing.
  bool Empty() const;
  // "2 added, 1 changed, 3 removed".
  std::string Summary() const;
};

// What a bundle read by a ModelBuilder in upsert mode says beyond its rows.
struct UpsertRead {
  std::array<std::vector<Index>, 3> restated;            // ModelBuilder::restated()
  std::vector<Deletion> deletions;                       // ModelBuilder::deletions()
  std::array<std::vector<uint64_t>, kTableCount> given;  // ModelBuilder::given()
};

// A model holding `before`'s organizations, sites and products (and their id
// indexes) and no other rows: what an upsert's bundle is read on top of.
Model EntitiesOf(const Model& before);

// Merges `read` (EntitiesOf(before) with a bundle read on top by a builder in
// upsert mode, which told `upsert`) into `before`. A row restating a stored one
// keeps the stored values of the columns it did not give. InvalidArgument
// naming the row (and the place asked, for a deletion) when a rule would break
// or a deletion names no stored row.
StatusOr<Edit> MergeEdit(const Model& before, Model read, const UpsertRead& upsert,
                         const EditRequest& request);

// PermissionDenied, naming the first such row, unless every row `edit` closes
// (owned as in `before`) and writes (owned as in `edit.after`) belongs to the
// organization with id `organization` (model/owner.h): what a client that is
// not an admin may change. Rows of no one (shared products, footprint classes)
// are the node operator's.
Status CheckOwnedBy(const Model& before, const Edit& edit, const std::string& organization);

// The deletion of row `key` of table `table` (`renkei delete DB TABLE KEY`):
// InvalidArgument for an unknown table or a key without the table's key
// columns (whether a row has it is MergeEdit's check).
StatusOr<Deletion> ParseDeletion(std::string_view table, std::string_view key);

// An append as an edit: `after` is the model with new rows from `first_new` on.
Edit AppendEdit(Model after, const RowCounts& first_new);

}  // namespace renkei::model

#endif  // RENKEI_MODEL_EDIT_H_
