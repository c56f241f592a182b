#include "store/internal/sqlite.h"

#include "store/audit.h"

namespace renkei::store::internal {

Status SqliteError(sqlite3* db, std::string_view what) {
  const int code = sqlite3_extended_errcode(db);
  std::string message = std::string(what) + ": " + sqlite3_errmsg(db);
  switch (code & 0xFF) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(message + " (another process holds the store)");
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return FailedPreconditionError(message);
    default:
      return InternalError(message);
  }
}

Status Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    Status s = SqliteError(db, "sqlite");
    sqlite3_free(error);
    return s;
  }
  return Status::Ok();
}

StatusOr<Statement> Statement::Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db, "preparing '" + sql.substr(0, 60) + "'");
  }
  return Statement(db, stmt);
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Status Statement::Run() {
  const int rc = sqlite3_step(stmt_);
  Status status =
      (rc == SQLITE_DONE || rc == SQLITE_ROW) ? Status::Ok() : SqliteError(db_, "sqlite");
  sqlite3_reset(stmt_);
  return status;
}

StatusOr<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, "sqlite");
}

StatusOr<sqlite3*> OpenConnection(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status s = SqliteError(db, path);
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

namespace {

class SqliteRecords final : public Records {
 public:
  explicit SqliteRecords(sqlite3* const& db) : db_(db) {}

  StatusOr<std::vector<Row>> Query(const std::string& sql,
                                   const std::vector<Param>& params) override {
    RENKEI_ASSIGN_OR_RETURN(Statement q, Statement::Prepare(db_, sql));
    int i = 1;
    for (const Param& p : params) {
      if (const auto* text = std::get_if<std::string>(&p)) {
        q.BindCopy(i++, *text);
      } else {
        q.Bind(i++, std::get<int64_t>(p));
      }
    }
    std::vector<Row> rows;
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      Row& r = rows.emplace_back(static_cast<size_t>(q.Columns()));
      for (int c = 0; c < q.Columns(); ++c) r[static_cast<size_t>(c)] = q.Text(c);
    }
    return rows;
  }

  Status Transaction(const std::string& actor, const std::string& action,
                     const std::function<Status()>& body,
                     const TransactionOptions& options) override {
    std::string secure_delete = "0";
    if (options.erase_overwritten) {
      RENKEI_ASSIGN_OR_RETURN(std::vector<Row> was, Query("PRAGMA secure_delete", {}));
      if (!was.empty()) secure_delete = was[0][0];
      (void)Exec(db_, "PRAGMA secure_delete = 1");
    }
    // BEGIN IMMEDIATE takes SQLite's write lock first: writers are serialised.
    Status s = Exec(db_, "BEGIN IMMEDIATE");
    if (s.ok()) {
      s = body();
      if (s.ok()) s = AppendAuditEntry(db_, actor, action, Sha256Hex(action));
      if (s.ok()) s = Exec(db_, "COMMIT");
      if (!s.ok()) (void)Exec(db_, "ROLLBACK");
    }
    if (options.erase_overwritten) {
      (void)Exec(db_, "PRAGMA secure_delete = " + secure_delete);
      // The log is written back into the file and emptied (when no reader holds
      // it; else at the next checkpoint).
      if (s.ok()) (void)Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
    }
    return s;
  }

 private:
  sqlite3* const& db_;
};

}  // namespace

std::unique_ptr<Records> MakeSqliteRecords(sqlite3* const& db) {
  return std::make_unique<SqliteRecords>(db);
}

StatusOr<int64_t> RecordChange(sqlite3* db, const std::string& kind, const std::string& actor,
                               const std::string& action) {
  RENKEI_ASSIGN_OR_RETURN(
      Statement s,
      Statement::Prepare(db, "INSERT INTO changes(kind, actor, action) VALUES(?, ?, ?)"));
  s.BindText(1, kind);
  s.BindText(2, actor);
  s.BindText(3, action);
  RENKEI_RETURN_IF_ERROR(s.Run());
  return s.LastInsertRowId();
}

StatusOr<int64_t> LastChange(sqlite3* db) {
  RENKEI_ASSIGN_OR_RETURN(Statement s,
                          Statement::Prepare(db, "SELECT coalesce(max(seq), 0) FROM changes"));
  RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

}  // namespace renkei::store::internal
