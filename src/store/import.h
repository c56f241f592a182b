// The one import path, for every way a bundle comes in (`renkei import`, POST
// /api/v1/bundles): the store's model is loaded, the bundle read and checked on top of
// it (io/bundle.h), the received footprints in it checked against the keys registered
// before this import (trust::CheckReceivedDocument, under the store's policy for
// unsigned ones), and the new rows appended in one transaction, all or nothing.
//
// A large bundle may be written while it is read (Store::BeginStreamedAppend: into a
// side file when an SQLite store holds little and the caller holds it alone; in one
// transaction under the writers' lock on PostgreSQL); otherwise everything is read and
// checked before the store is touched (Store::Append). Either way a bad bundle leaves
// the store exactly as it was.
//
// An upsert or a replace reads the bundle on top of the store's organizations,
// sites and products, merges it with the stored rows (model::MergeEdit) and
// commits what changed as one version (Store::Commit); a bundle that changes
// nothing commits nothing.
#ifndef RENKEI_STORE_IMPORT_H_
#define RENKEI_STORE_IMPORT_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/edit.h"
#include "model/model.h"
#include "store/store.h"

namespace renkei::store {

// Where the bundle is.
struct ImportSource {
  std::string path;                 // a folder of CSV files or a .json file, or
  std::optional<std::string> json;  // the text of a JSON bundle (a request body),
  std::string name = "body";        // called this in errors
};

struct ImportOptions {
  std::string actor;   // recorded in the audit log
  std::string action;  // recorded in the audit log; "import PATH" when empty
  // Received footprints may also be checked against public keys that come with the
  // bundle itself (organizations.csv); the audit log's action then names them.
  bool trust_new_keys = false;
  // The rows may be written while the bundle is read (Store::BeginStreamedAppend):
  // the caller holds the store alone (an SQLite store's side file needs that).
  bool streamed = false;
  // How the bundle's rows meet the stored ones (model/edit.h): appended (the
  // default; a stored key is a duplicate), upserted, or replacing the named
  // organizations' rows.
  model::EditRequest edit{model::EditMode::kAppend, {}, false};
  // Called with the edit an upsert or a replace would commit (before it is): an
  // error refuses the import (a client changing rows it does not own).
  std::function<Status(const model::Model& before, const model::Edit& edit)> check_edit;
};

struct ImportResult {
  model::Model model;  // the store's whole model after the import
  model::RowCounts before{}, after{};
  // Per table: rows added, changed and removed (an append only adds).
  std::array<model::TableEdit, model::kTableCount> tables;
  std::vector<std::string> cascaded;  // rows removed as referring to removed ones
  int64_t change =
      0;  // the change the import committed (store/changes.h); 0 when it changed nothing
  std::vector<std::string> trusted_keys;  // signers trusted on the bundle's word
};

StatusOr<ImportResult> ImportBundle(Store& store, const ImportSource& source,
                                    const ImportOptions& options);

struct DeleteResult {
  model::Model model;  // the store's whole model after the deletion
  std::array<model::TableEdit, model::kTableCount> tables;
  std::vector<std::string> cascaded;  // rows removed as referring to removed ones
  int64_t change = 0;
};

// Removes `rows` (model::ParseDeletion) as one version (`renkei delete`,
// DELETE /api/v1/rows): InvalidArgument, with nothing written, for a row not
// stored or one others refer to (unless `cascade`, which removes those too).
StatusOr<DeleteResult> DeleteRows(
    Store& store, const std::vector<model::Deletion>& rows, bool cascade, const std::string& actor,
    const std::function<Status(const model::Model& before, const model::Edit& edit)>& check_edit =
        {});

}  // namespace renkei::store

#endif  // RENKEI_STORE_IMPORT_H_
