// The store: everything a node persists (DESIGN.md layer 4), behind one
// interface with two engines:
//
//   - SQLite, the embedded default: one file. The schema is created and
//     upgraded by numbered migrations (PRAGMA user_version); the file is in WAL
//     mode; every import is one transaction, so a crash or a kill leaves the
//     store exactly as it was before or after it (a large append is written
//     through a rollback journal, just as safe).
//   - PostgreSQL, the server mode (store/postgres.h): a database named by a
//     postgresql:// URL, with the same tables, keys and versions (README.md,
//     "The store's tables"), written with COPY; several processes may share it.
//
// Store::Create and Store::Open take either a file path or a URL.
#ifndef RENKEI_STORE_STORE_H_
#define RENKEI_STORE_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/builder.h"
#include "model/edit.h"
#include "model/model.h"

struct sqlite3;

namespace renkei::store {

class Store;
class StreamedAppend;
namespace internal {
class Records;
class RowStream;
class SqliteStore;
// The statements of the node's tables on `store`'s engine (internal/records.h).
Records& RecordsOf(Store& store);
// The SQLite connection of `store`, for the store's own files only (no SQL
// leaves store/); nullptr when the store is not an SQLite file.
sqlite3* Handle(const Store& store);
// Creates an empty SQLite store at schema version `version` (<
// CurrentSchemaVersion()), as an older renkei made it: for tests of the migrations.
Status CreateAtSchemaVersion(const std::string& path, int version);
}  // namespace internal

// The SQLite schema version this build writes; a store with a higher version
// was written by a newer renkei and is refused.
int CurrentSchemaVersion();

// True when `where` names a PostgreSQL database (postgresql:// or postgres://).
bool IsDatabaseUrl(const std::string& where);

// `where` as messages show it: a URL without its password (in the user part or
// a password= parameter); a file path as it is.
std::string Printable(const std::string& where);

// The model as one version of the store holds it (DESIGN.md, "Versions").
struct StoredModel {
  model::Model model;
  int64_t version = 0;  // the change it is the model as of (0: before any)
  // The numbers the store gives the model's organizations, sites and products
  // (other tables refer to them by these): numbers[t][i] for row i; empty when
  // every row's number is its index + 1. Numbers are never reused.
  std::array<std::vector<int64_t>, 3> numbers;
  std::array<int64_t, 3> next_number{};  // for a new one of each (current reads only)

  // True when every entity's number is its index + 1 and a new one's follows
  // (no entity was ever removed): what Append assumes.
  bool Dense() const;
};

// One commit that changed the model: a version.
struct Version {
  int64_t number = 0;  // the change's number
  std::string time;    // RFC 3339, UTC
  std::string actor;   // who made it and what it did (empty for changes from
  std::string action;  // before versions were recorded)
};

// One version of a row (Store::RowHistory).
struct RowVersion {
  int64_t from = 0;                // the change that wrote it
  int64_t to = 0;                  // the change that replaced or removed it; 0 while current
  std::vector<std::string> cells;  // its columns as a bundle holds them
};

class Store {
 public:
  // Creates a new, empty store: an SQLite file at `where`, or the tables in the
  // empty PostgreSQL database `where` names. AlreadyExists when the file exists
  // or the database already holds a store.
  static StatusOr<std::unique_ptr<Store>> Create(const std::string& where);

  // Opens an existing store and applies pending migrations. NotFound when there
  // is no file (or no store in the database); FailedPrecondition when it is not
  // a Renkei store or is newer.
  static StatusOr<std::unique_ptr<Store>> Open(const std::string& where);

  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Reads the whole model (its current rows). Indices in the Model follow the
  // store's row order: entities by number, other rows in the order written (a
  // changed row's new version comes after the rows written before it).
  StatusOr<model::Model> LoadModel() const;

  // Reads the model as of change `version` (the rows valid after it was
  // committed), or the current one; in one read transaction (PostgreSQL: one
  // snapshot). As of a version, InvalidArgument for one before the first
  // version, after the last change, or older than the history kept
  // (ApplyRetention).
  virtual StatusOr<StoredModel> ReadModel(std::optional<int64_t> version = std::nullopt) const = 0;

  // The model as of `as_of` (VersionAt), or the current one when it is empty:
  // what `--as-of` and `?as_of=` read.
  StatusOr<model::Model> LoadModelAsOf(const std::string& as_of) const;

  // The version `as_of` names: a change number ("12") or a time (RFC 3339, or
  // a date meaning its end in UTC) naming the last model change committed at or
  // before it. InvalidArgument, naming `as_of`, for a time before the first
  // version or in the future, a number out of range, or anything else.
  StatusOr<int64_t> VersionAt(const std::string& as_of) const;

  // Makes `edit` (model/edit.h), worked out on `before` (ReadModel()), as one
  // change whose number the new rows carry: the rows it changes or removes get
  // it as their valid_to, its new and changed rows are inserted; the audit log
  // records `actor` and `action` with the digest of what changed. All or
  // nothing, under the writers' lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
  // advisory lock every writer takes), with the retention settings applied in
  // the same transaction (ApplyRetention). Nothing is written when the store changed since `before`
  // was read (Unavailable: work it out again).
  virtual Status Commit(const StoredModel& before, const model::Edit& edit,
                        const std::string& actor, const std::string& action,
                        int64_t* change = nullptr) = 0;

  // Drops the history no kept version can see under the store's retention
  // settings ("keep_versions": the last N versions; "keep_days": the versions of
  // the last D days, and the one in force before them; both: what either
  // keeps); Commit applies them too. Versions older than what is kept can no
  // longer be read (the oldest kept is recorded in `history_kept`).
  virtual Status ApplyRetention() = 0;

  // The versions (model changes), oldest first.
  virtual StatusOr<std::vector<Version>> Versions() const = 0;

  // Every version of the row of `table` with key `key` (model/row_text.h),
  // oldest first; empty when there never was one (within the history kept).
  // InvalidArgument for a key without the table's key columns.
  virtual StatusOr<std::vector<RowVersion>> RowHistory(model::Table table,
                                                       const std::string& key) const = 0;

  // Writes the rows of `model` at or after `first_new` (those appended by a
  // ModelBuilder on top of LoadModel()) in one transaction: all or nothing, as
  // one change whose number the rows carry as their first version. `actor` and
  // `action` are recorded in the audit log with the SHA-256 digest of the
  // rows' content. `change`, when given, gets the number of the change
  // (store/changes.h). SQLite: an append of many rows switches the store to a
  // rollback journal while it writes (new pages are then written once, not
  // twice) and back to WAL after; when another connection holds the file it
  // stays in WAL. Uses a second thread for the digest.
  virtual Status Append(const model::Model& model, const model::RowCounts& first_new,
                        const std::string& actor, const std::string& action,
                        int64_t* change = nullptr) = 0;

  // Starts a bulk append written while the bundle is still being read and
  // checked (see StreamedAppend), for a caller that expects to add about
  // `expected_rows` rows on top of `first_new`. Returns nullptr, with the store
  // as it was, when this store does not stream such an append; the caller then
  // uses Append.
  //
  // SQLite: an append built in a side file (SideFileAppend), for a caller that
  // owns this Store alone; not when fewer than 20,000 rows are expected, the
  // store already holds more rows than that, another connection has the store
  // open, or the side file cannot be made. Does not write to the store file
  // (except to fold a non-empty write-ahead log into it).
  // PostgreSQL: one transaction, holding the writers' lock until it commits or
  // is dropped (other writers wait), into which a thread COPYs the rows as they
  // come; not for fewer than 20,000 rows expected.
  virtual std::unique_ptr<StreamedAppend> BeginStreamedAppend(const model::RowCounts& first_new,
                                                              uint64_t expected_rows,
                                                              const std::string& actor,
                                                              const std::string& action) {
    (void)first_new, (void)expected_rows, (void)actor, (void)action;
    return nullptr;
  }

  // The store's settings: the value of `name` ("unsigned_footprints", ...), or
  // `fallback` when it was never set.
  virtual StatusOr<std::string> Setting(const std::string& name,
                                        const std::string& fallback) const = 0;

  // Sets `name` to `value` in one transaction, recorded in the audit log as
  // "set NAME VALUE" by `actor`.
  virtual Status SetSetting(const std::string& name, const std::string& value,
                            const std::string& actor) = 0;

  // The schema version of the store (each engine numbers its own).
  virtual int SchemaVersion() const = 0;

  // The number of the last change committed (store/changes.h); 0 when none.
  virtual StatusOr<int64_t> LastChange() const = 0;

  // Recomputes the audit log's hash chain (store/audit.h); DataLoss naming the
  // first broken entry.
  virtual Status VerifyAudit() const = 0;

  // Row counts per table (indexed by model::Table), without loading the model.
  virtual StatusOr<model::RowCounts> CountRows() const = 0;

  // Sites per value of `column` ("country" or "cluster"; empty values as ""),
  // most sites first.
  virtual StatusOr<std::vector<std::pair<std::string, int64_t>>> CountSitesBy(
      const std::string& column) const = 0;

  // The file's path, or the database's URL as given.
  const std::string& path() const { return path_; }

  // The file holding the key the store's secrets are sealed with (trust/sealed.h)
  // and the node's access tokens signed with: the one set_secrets_key named, else,
  // for an SQLite store, "<file>.secrets.key" beside it. FailedPrecondition for a
  // store at a URL without one (a URL has no "beside").
  StatusOr<std::string> SecretsKeyPath() const;
  void set_secrets_key(std::string path) { secrets_key_ = std::move(path); }

 protected:
  explicit Store(std::string path) : path_(std::move(path)) {}

 private:
  friend internal::Records& internal::RecordsOf(Store& store);
  // The statements of the node's tables on this engine (store/internal/records.h).
  virtual internal::Records& records() = 0;

  std::string path_;
  std::string secrets_key_;
};

// A bulk append written while its rows are still being read and checked: the
// rows already valid as far as rows go are handed over table by table and written
// by a thread of the engine's (internal/row_stream.h); checks over the whole
// bundle may still fail, and then the append is dropped. All or nothing, as
// Store::Append: rows, their order, indexes and the audit entry (with the rows'
// digest) are those Append writes. Not thread-safe: call from one thread; the
// Store must outlive the append and is not used meanwhile.
class StreamedAppend {
 public:
  virtual ~StreamedAppend() = default;  // drops the rows unless committed
  StreamedAppend(const StreamedAppend&) = delete;
  StreamedAppend& operator=(const StreamedAppend&) = delete;

  // Rows of `table` of `model` before `rows` (the table's size) are valid as far
  // as rows go and may be written. Tables in model::Table order, each from
  // first_new on. Copies the rows not given yet; waits when the writer is far
  // behind.
  virtual void Add(const model::Model& model, model::Table table, size_t rows) = 0;

  // Replaces the action recorded in the audit log (for what was learnt while
  // reading, e.g. keys trusted); call before Commit.
  void set_action(std::string action) { action_ = std::move(action); }

  // Waits for the writer, appends the audit entry and commits. On error nothing
  // was committed (but see SideFileAppend). `change`, when given, gets the
  // number of the change it recorded.
  virtual Status Commit(int64_t* change = nullptr) = 0;

 protected:
  StreamedAppend(std::string actor, std::string action)
      : actor_(std::move(actor)), action_(std::move(action)) {}

  std::string actor_;
  std::string action_;
};

// SQLite's streamed append, for a store that holds little (a freshly
// initialised one), with each page written once. The new database is built in a
// side file, "<store>.import": a copy of the store (a stale copy left by a crash
// is deleted first) into which the writer thread writes the rows, without a
// journal, and the audit entry. Commit syncs the side file and renames it over
// the store, then reopens the Store (in WAL mode) on the new file: the
// connection (internal::Handle) changes.
//
// From BeginStreamedAppend to Commit or destruction this Store's connection
// holds the store's exclusive lock (exclusive locking mode; taken only when no
// other connection has the store open, so a running node is never displaced):
// other connections wait or fail with Unavailable. Before the rename the old
// file leaves WAL mode, so no -wal/-shm file is left to pair with the new file.
// A process that opened the store before the rename and got the lock after it
// holds the replaced file; Store::Open notices and opens the new one.
//
// Destroying the append without a successful Commit (a validation error, a
// write error) deletes the side file and leaves the store file as it was; a
// crash or a kill leaves the old store or the new one, whole (and maybe a stale
// side file). A failed Commit leaves the store as it was unless the new store
// then failed to open, which the message says.
class SideFileAppend final : public StreamedAppend {
 public:
  ~SideFileAppend() override;  // drops the side file unless committed

  void Add(const model::Model& model, model::Table table, size_t rows) override;
  Status Commit(int64_t* change = nullptr) override;

 private:
  friend class internal::SqliteStore;
  SideFileAppend(internal::SqliteStore& store, const model::RowCounts& first_new, std::string actor,
                 std::string action);
  bool Begin();

  internal::SqliteStore& store_;
  std::string side_path_;
  model::RowCounts first_new_;
  std::unique_ptr<internal::RowStream> stream_;  // while the writer runs
  sqlite3* side_db_ = nullptr;
  bool locked_ = false;        // the store's exclusive lock is held
  bool side_created_ = false;  // the side file exists and is ours to delete
  int64_t change_ = 0;         // the change the append records
};

}  // namespace renkei::store

#endif  // RENKEI_STORE_STORE_H_
