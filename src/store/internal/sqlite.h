// Thin RAII wrappers over the SQLite C API that turn its errors into Status.
#ifndef RENKEI_STORE_INTERNAL_SQLITE_H_
#define RENKEI_STORE_INTERNAL_SQLITE_H_

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/internal/records.h"

namespace renkei::store::internal {

// Runs one or more statements without results.
Status Exec(sqlite3* db, const std::string& sql);

// The last error of `db` as a Status, with `what` in front.
Status SqliteError(sqlite3* db, std::string_view what);

class Statement {
 public:
  static StatusOr<Statement> Prepare(sqlite3* db, const std::string& sql);
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Binding; index is 1-based as in SQLite.
  void Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void Bind(int index, double value) { sqlite3_bind_double(stmt_, index, value); }
  void Bind(int index, const std::optional<double>& value) {
    value ? (void)sqlite3_bind_double(stmt_, index, *value) : (void)sqlite3_bind_null(stmt_, index);
  }
  // Binds text (NULL when empty); the text must outlive the step.
  void BindText(int index, std::string_view text) {
    if (text.empty()) {
      sqlite3_bind_null(stmt_, index);
    } else {
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    }
  }

  // Binds text as it is (an empty string stays an empty string), copied: for
  // temporaries and NOT NULL columns that may hold "".
  void BindCopy(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }

  // Rows the last statement run on this connection changed, and the rowid it inserted.
  int Changes() const { return sqlite3_changes(db_); }
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

  // Runs a statement that returns no rows, then resets it for reuse.
  Status Run();
  // Steps once: true when a row is available.
  StatusOr<bool> Step();
  void Reset() { sqlite3_reset(stmt_); }

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  std::optional<double> OptionalDouble(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(stmt_, column);
  }
  std::string Text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int Columns() const { return sqlite3_column_count(stmt_); }

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Opens the SQLite file at `path` with `flags` (SQLITE_OPEN_*), waiting up to
// 5 s for another connection's lock; the error names the path.
StatusOr<sqlite3*> OpenConnection(const std::string& path, int flags);

// The node tables' statements (records.h) on the connection `db` refers to,
// read at every call (a side-file append replaces the store's connection).
std::unique_ptr<Records> MakeSqliteRecords(sqlite3* const& db);

// Appends a change of `kind` in `db`'s open transaction (store/changes.h);
// returns its number.
StatusOr<int64_t> RecordChange(sqlite3* db, const std::string& kind, const std::string& actor = "",
                               const std::string& action = "");

// The number of the last change in `db` (0 when there is none).
StatusOr<int64_t> LastChange(sqlite3* db);

}  // namespace renkei::store::internal

#endif  // RENKEI_STORE_INTERNAL_SQLITE_H_
