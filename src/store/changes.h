// The store's change feed: every commit that changes what a node serves appends a
// numbered change, whichever process made it (DESIGN.md, "Versions").
//
// Kinds: "model" (an import; Store::Append and SideFileAppend record it in their
// transaction), "clients", "grants", "keys" and "partners" (recorded by triggers on
// those tables, so every writer is seen, the sqlite3 shell included). Numbers grow in
// commit order: SQLite serialises writers, and the change is written in the commit's
// transaction. A node watches the feed (ChangeFeed) to apply revocations, grants and
// new data made by other processes without a restart.
#ifndef RENKEI_STORE_CHANGES_H_
#define RENKEI_STORE_CHANGES_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace renkei::store {

struct Change {
  int64_t seq = 0;
  std::string kind;  // "model", "clients", "grants", "keys", "partners"
};

// Appends a change of `kind` in `db`'s open transaction; returns its number.
StatusOr<int64_t> RecordChange(sqlite3* db, const std::string& kind);

// The number of the last change in `db` (0 when there is none).
StatusOr<int64_t> LastChange(sqlite3* db);

// A reader of one store's feed on a connection of its own (read-only). Poll is cheap
// when nothing was committed: one look at the file's change counter (SQLite's
// PRAGMA data_version), no query. Not thread-safe: one thread polls.
class ChangeFeed {
 public:
  // Opens the feed of the store at `path`, positioned after its last change.
  static StatusOr<std::unique_ptr<ChangeFeed>> Open(const std::string& path);
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // The changes committed since the last Poll (since Open, the first time), in commit
  // order; empty when there are none.
  StatusOr<std::vector<Change>> Poll();
  // The number of the last change returned (or found at Open).
  int64_t position() const { return position_; }

 private:
  explicit ChangeFeed(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  int64_t position_ = 0;
  int64_t data_version_ = -1;
};

}  // namespace renkei::store

#endif  // RENKEI_STORE_CHANGES_H_
