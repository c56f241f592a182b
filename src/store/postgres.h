// The PostgreSQL engine of store::Store (store.h): a database named by a
// postgresql:// URL (libpq's connection URI: postgresql://USER@HOST:PORT/DB),
// holding the model's tables with the keys and versions of the SQLite store
// (README.md, "The store's tables"), the audit log, the change feed's changes
// and the settings. Several processes may use one database:
//
//   - A writer takes one transaction-scoped advisory lock before it numbers its
//     change, so changes (and the versions rows carry) are numbered in commit
//     order and the audit log's hash chain stays linear across processes.
//   - Rows are written with COPY, and read with COPY, streamed. A row that is
//     not an entity's carries `row_no`, numbered past every row of its table
//     written before (of any version), the order LoadModel gives.
//   - A commit of an edit (Store::Commit) COPYs the keys of the rows it
//     replaces or removes into a temporary table and closes them with one
//     UPDATE; as of reads (ReadModel(version)) COPY the rows valid then.
//   - A commit notifies the channel `renkei_changes` with its change number;
//     the change feed (changes.h) LISTENs on it.
//   - The node's own tables (store/node_records.h) are there too; triggers
//     record their changes in the feed, for writes by psql as well.
//
// A database is upgraded to this build's schema when opened (numbered
// migrations, as the SQLite store's).
#ifndef RENKEI_STORE_POSTGRES_H_
#define RENKEI_STORE_POSTGRES_H_

#include <memory>
#include <string>

#include "base/status.h"

namespace renkei::store {

class ChangeFeed;
class Store;

// Store::Create and Store::Open for a URL. Create needs an existing, empty
// database (AlreadyExists when it holds a store); Open fails with NotFound
// when the database holds none. Connection errors name the URL without its
// password.
StatusOr<std::unique_ptr<Store>> CreatePostgresStore(const std::string& url);
StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url);

// ChangeFeed::Open for a URL, on a connection of its own.
StatusOr<std::unique_ptr<ChangeFeed>> OpenPostgresChangeFeed(const std::string& url);

}  // namespace renkei::store

#endif  // RENKEI_STORE_POSTGRES_H_
