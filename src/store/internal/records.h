// The statements of the node's own tables (store/node_records.h), run by either
// engine: one SQL text for both, written in the dialect SQLite and PostgreSQL
// share (INSERT ... ON CONFLICT, RETURNING), with parameters written `?`.
#ifndef RENKEI_STORE_INTERNAL_RECORDS_H_
#define RENKEI_STORE_INTERNAL_RECORDS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "base/status.h"

namespace renkei::store {
class Store;
}  // namespace renkei::store

namespace renkei::store::internal {

// A parameter's value: text (bound as it is, "" included) or an integer.
using Param = std::variant<std::string, int64_t>;
// A result row, every column as text; NULL reads as "".
using Row = std::vector<std::string>;

// What a write transaction also does.
struct TransactionOptions {
  // The values the transaction overwrites must not stay readable in the store's
  // free space or log (SQLite: secure_delete, then the write-ahead log is folded
  // into the file and emptied). PostgreSQL keeps old row versions until their
  // space is reused; it has no equivalent, and its stores never held clear
  // secrets (sealing is older than the engine).
  bool erase_overwritten = false;
};

class Records {
 public:
  virtual ~Records() = default;

  // Runs one statement, on its own or inside the open Transaction; its rows.
  virtual StatusOr<std::vector<Row>> Query(const std::string& sql,
                                           const std::vector<Param>& params = {}) = 0;

  // Runs `body` (which calls Query) in one write transaction that ends with an
  // audit entry recording `actor` and `action`; rolled back when `body` or the
  // commit fails. Writers are serialised, across processes, before `body` runs,
  // so the changes the tables' triggers record are numbered in commit order.
  virtual Status Transaction(const std::string& actor, const std::string& action,
                             const std::function<Status()>& body,
                             const TransactionOptions& options = {}) = 0;
};

// The statements of `store`'s engine.
Records& RecordsOf(Store& store);

}  // namespace renkei::store::internal

#endif  // RENKEI_STORE_INTERNAL_RECORDS_H_
