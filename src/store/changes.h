// The store's change feed: every commit that changes what a node serves appends a
// numbered change, whichever process made it (DESIGN.md, "Versions").
//
// Kinds: "model" (an import; Store::Append and a StreamedAppend record it in their
// transaction), "settings", "clients", "grants", "keys" and "partners" (recorded by
// triggers on those tables, so every writer is seen, the sqlite3 shell and psql
// included). Numbers grow in commit order on both engines: SQLite serialises
// writers, and a PostgreSQL writer takes the store's writer lock before the change
// is numbered (store/postgres.h). A node watches the feed (ChangeFeed) to apply
// revocations, grants and new data made by other processes without a restart.
#ifndef RENKEI_STORE_CHANGES_H_
#define RENKEI_STORE_CHANGES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace renkei::store {

struct Change {
  int64_t seq = 0;
  std::string kind;  // "model", "settings", "clients", "grants", "keys", "partners"
};

// A reader of one store's feed on a connection of its own. Poll is cheap when
// nothing was committed: no query runs. SQLite: one look at the file's change
// counter (PRAGMA data_version). PostgreSQL: the connection LISTENs on the
// channel every commit notifies, and Poll reads what arrived; after a lost
// connection it reconnects and reads the changes it missed. Not thread-safe:
// one thread polls.
class ChangeFeed {
 public:
  // Opens the feed of the store at `where` (a file or a postgresql:// URL),
  // positioned after its last change.
  static StatusOr<std::unique_ptr<ChangeFeed>> Open(const std::string& where);
  virtual ~ChangeFeed() = default;
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // The changes committed since the last Poll (since Open, the first time), in commit
  // order; empty when there are none.
  virtual StatusOr<std::vector<Change>> Poll() = 0;
  // The number of the last change returned (or found at Open).
  int64_t position() const { return position_; }

 protected:
  ChangeFeed() = default;
  int64_t position_ = 0;
};

}  // namespace renkei::store

#endif  // RENKEI_STORE_CHANGES_H_
