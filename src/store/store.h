// The store: one SQLite file holding a node's model (DESIGN.md layer 4).
//
// The schema is created and upgraded by numbered migrations (PRAGMA
// user_version). The file is in WAL mode; every import is one transaction, so a
// crash or a kill leaves the store exactly as it was before or after the import
// (a large append is written through a rollback journal, just as safe).
// A PostgreSQL server mode is meant to be a second implementation of this
// interface.
#ifndef RENKEI_STORE_STORE_H_
#define RENKEI_STORE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/builder.h"
#include "model/model.h"

struct sqlite3;

namespace renkei::store {

// The schema version this build writes; a store with a higher version was
// written by a newer renkei and is refused.
int CurrentSchemaVersion();

class Store {
 public:
  // Creates a new, empty store at `path`. AlreadyExists when the file exists.
  static StatusOr<std::unique_ptr<Store>> Create(const std::string& path);

  // Opens an existing store and applies pending migrations. NotFound when there
  // is no file; FailedPrecondition when it is not a Renkei store or is newer.
  static StatusOr<std::unique_ptr<Store>> Open(const std::string& path);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Reads the whole model. Indices in the Model follow the store's row order,
  // so ids keep their indices across loads.
  StatusOr<model::Model> LoadModel() const;

  // Writes the rows of `model` at or after `first_new` (those appended by a
  // ModelBuilder on top of LoadModel()) in one transaction: all or nothing.
  // `actor` and `action` are recorded in the audit log with the SHA-256 digest
  // of the rows' content. An append of many rows switches the store to a
  // rollback journal while it writes (new pages are then written once, not
  // twice) and back to WAL after; when another connection holds the file it
  // stays in WAL. Uses a second thread for the digest.
  Status Append(const model::Model& model, const model::RowCounts& first_new,
                const std::string& actor, const std::string& action);

  // Recomputes the audit log's hash chain (store/audit.h); DataLoss naming the
  // first broken entry.
  Status VerifyAudit() const;

  // Row counts per table (indexed by model::Table), without loading the model.
  StatusOr<model::RowCounts> CountRows() const;

  // Sites per value of `column` ("country" or "cluster"; empty values as ""),
  // most sites first.
  StatusOr<std::vector<std::pair<std::string, int64_t>>> CountSitesBy(
      const std::string& column) const;

  const std::string& path() const { return path_; }

  // The SQLite handle, for subsystems that keep their own tables in the store
  // file (trust, server). Owned by the Store.
  sqlite3* handle() const { return db_; }

 private:
  Store(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  Status Migrate();

  std::string path_;
  sqlite3* db_;
};

}  // namespace renkei::store

#endif  // RENKEI_STORE_STORE_H_
