#include "store/changes.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "io/bundle.h"
#include "store/store.h"

namespace renkei::store {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Kinds(const StatusOr<std::vector<Change>>& changes) {
  EXPECT_TRUE(changes.ok()) << changes.status().ToString();
  std::vector<std::string> out;
  if (changes.ok()) {
    for (const Change& c : *changes) out.push_back(c.kind);
  }
  return out;
}

// Runs `sql` on a connection of its own, as another process would.
void Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(ChangeFeedTest, EveryWriterIsSeenInCommitOrder) {
  const fs::path dir = fs::path(::testing::TempDir()) / "changes_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "renkei.db").string();
  auto store = Store::Create(path);
  ASSERT_TRUE(store.ok());
  auto feed = ChangeFeed::Open(path);
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ((*feed)->position(), 0);
  EXPECT_TRUE(Kinds((*feed)->Poll()).empty());

  // An import is one "model" change, written with it.
  model::Model m = *(*store)->LoadModel();
  const model::RowCounts before = model::CountRows(m);
  ASSERT_TRUE(io::ReadBundle(std::string(RENKEI_SOURCE_DIR) + "/tests/data/tiny", m).ok());
  ASSERT_TRUE((*store)->Append(m, before, "tester", "import").ok());
  EXPECT_EQ(Kinds((*feed)->Poll()), std::vector<std::string>{"model"});
  EXPECT_EQ(*(*store)->LastChange(), (*feed)->position());

  // The node's tables, written by anyone (here a plain SQL connection), by trigger.
  Exec(path,
       "INSERT INTO grants VALUES('org:a', 'prod:cell', 'now');"
       "UPDATE clients SET revoked = 'now';"  // no client: no change
       "INSERT INTO clients VALUES('c1', 'n', 'org:a', 'h', 0, 'now', NULL);"
       "UPDATE clients SET revoked = 'now' WHERE id = 'c1';"
       "INSERT INTO organization_keys VALUES('org:a', 'k', 's', 'now');"
       "DELETE FROM grants;");
  EXPECT_EQ(Kinds((*feed)->Poll()),
            (std::vector<std::string>{"grants", "clients", "clients", "keys", "grants"}));
  EXPECT_TRUE(Kinds((*feed)->Poll()).empty());
  // Events are not changes of what the node serves.
  Exec(path, "INSERT INTO events VALUES(NULL, 'e', 'in', 't', 'org:a', 'now', 's', '{}')");
  EXPECT_TRUE(Kinds((*feed)->Poll()).empty());
  // A transaction rolled back records nothing.
  Exec(path, "BEGIN; INSERT INTO grants VALUES('org:b', 'x', 'now'); ROLLBACK");
  EXPECT_TRUE(Kinds((*feed)->Poll()).empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace renkei::store
