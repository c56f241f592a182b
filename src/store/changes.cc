#include "store/changes.h"

#include "store/internal/sqlite.h"

namespace renkei::store {

using internal::Statement;

StatusOr<int64_t> RecordChange(sqlite3* db, const std::string& kind) {
  RENKEI_ASSIGN_OR_RETURN(Statement s,
                          Statement::Prepare(db, "INSERT INTO changes(kind) VALUES(?)"));
  s.BindText(1, kind);
  RENKEI_RETURN_IF_ERROR(s.Run());
  return s.LastInsertRowId();
}

StatusOr<int64_t> LastChange(sqlite3* db) {
  RENKEI_ASSIGN_OR_RETURN(Statement s,
                          Statement::Prepare(db, "SELECT coalesce(max(seq), 0) FROM changes"));
  RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

StatusOr<std::unique_ptr<ChangeFeed>> ChangeFeed::Open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    Status s = internal::SqliteError(db, path);
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<ChangeFeed> feed(new ChangeFeed(db));
  RENKEI_ASSIGN_OR_RETURN(feed->position_, LastChange(db));
  return feed;
}

ChangeFeed::~ChangeFeed() { sqlite3_close(db_); }

StatusOr<std::vector<Change>> ChangeFeed::Poll() {
  RENKEI_ASSIGN_OR_RETURN(Statement version, Statement::Prepare(db_, "PRAGMA data_version"));
  RENKEI_ASSIGN_OR_RETURN(bool row, version.Step());
  const int64_t now = row ? version.Int(0) : 0;
  std::vector<Change> out;
  if (now == data_version_) return out;
  RENKEI_ASSIGN_OR_RETURN(
      Statement s,
      Statement::Prepare(db_, "SELECT seq, kind FROM changes WHERE seq > ? ORDER BY seq"));
  s.Bind(1, position_);
  for (;;) {
    RENKEI_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    out.push_back({s.Int(0), s.Text(1)});
  }
  if (!out.empty()) position_ = out.back().seq;
  data_version_ = now;
  return out;
}

}  // namespace renkei::store
