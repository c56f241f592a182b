#include "store/changes.h"

#include "store/internal/sqlite.h"
#include "store/postgres.h"
#include "store/store.h"

namespace renkei::store {
namespace {

using internal::Statement;

class SqliteChangeFeed final : public ChangeFeed {
 public:
  static StatusOr<std::unique_ptr<ChangeFeed>> Open(const std::string& path) {
    RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, internal::OpenConnection(path, SQLITE_OPEN_READONLY));
    std::unique_ptr<SqliteChangeFeed> feed(new SqliteChangeFeed(db));
    RENKEI_ASSIGN_OR_RETURN(feed->position_, internal::LastChange(db));
    return std::unique_ptr<ChangeFeed>(std::move(feed));
  }
  ~SqliteChangeFeed() override { sqlite3_close(db_); }

  StatusOr<std::vector<Change>> Poll() override {
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

 private:
  explicit SqliteChangeFeed(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  int64_t data_version_ = -1;
};

}  // namespace

StatusOr<std::unique_ptr<ChangeFeed>> ChangeFeed::Open(const std::string& where) {
  if (IsDatabaseUrl(where)) return OpenPostgresChangeFeed(where);
  return SqliteChangeFeed::Open(where);
}

}  // namespace renkei::store
