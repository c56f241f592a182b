#include "store/internal/sqlite.h"

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

}  // namespace renkei::store::internal
