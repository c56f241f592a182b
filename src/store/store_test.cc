#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "io/bundle.h"
#include "io/synthetic.h"
#include "model/builder.h"
#include "store/audit.h"

namespace renkei::store {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string TinyBundle() { return std::string(RENKEI_SOURCE_DIR) + "/tests/data/tiny"; }

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("store_test_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "renkei.db").string();
  }
  // Imports the tiny bundle into a new store.
  std::unique_ptr<Store> CreateWithTiny() {
    auto store = Store::Create(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    model::Model m = *(*store)->LoadModel();
    model::RowCounts before = model::CountRows(m);
    EXPECT_TRUE(io::ReadBundle(TinyBundle(), m).ok());
    EXPECT_TRUE((*store)->Append(m, before, "tester", "import tiny").ok());
    return std::move(*store);
  }
  fs::path dir_;
  std::string path_;
};

TEST_F(StoreTest, CreatesAndRefusesToOverwrite) {
  ASSERT_TRUE(Store::Create(path_).ok());
  auto again = Store::Create(path_);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto opened = Store::Open(path_);
  ASSERT_TRUE(opened.ok());
  auto counts = (*opened)->CountRows();
  ASSERT_TRUE(counts.ok());
  for (size_t n : *counts) EXPECT_EQ(n, 0u);
}

TEST_F(StoreTest, OpenNamesWhatIsWrong) {
  EXPECT_EQ(Store::Open(path_).status().code(), StatusCode::kNotFound);
  { std::ofstream(path_) << "not a database at all, just text that is long enough to matter\n"; }
  EXPECT_EQ(Store::Open(path_).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(StoreTest, RefusesAStoreFromANewerVersion) {
  ASSERT_TRUE(Store::Create(path_).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=999", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = Store::Open(path_);
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("newer than this renkei"));
}

TEST_F(StoreTest, RoundTripsTheModel) {
  std::unique_ptr<Store> store = CreateWithTiny();
  model::Model expected = *io::ReadBundle(TinyBundle());
  model::Model loaded = *store->LoadModel();
  ASSERT_EQ(loaded.sites.size(), 2u);
  EXPECT_EQ(loaded.sites[1].name, "Cell plant \"Kansai\"");
  EXPECT_FALSE(loaded.sites[1].capacity_per_day.has_value());
  EXPECT_EQ(loaded.products[0].pact_product_ids, expected.products[0].pact_product_ids);
  EXPECT_EQ(loaded.products[1].unit, model::Unit::kKilowattHour);
  EXPECT_EQ(loaded.bom[0].quantity, 0.0007);
  EXPECT_EQ(loaded.production[0].dqr.tir, 1.5);
  EXPECT_EQ(loaded.supply[0].lead_time_days, 45);
  EXPECT_EQ(loaded.footprints[0].site, 0u);
  EXPECT_EQ(loaded.footprints[0].period_end, "2025-12-31");
  EXPECT_EQ(loaded.materials[0].recycled_post_consumer_share, 0.04);
  EXPECT_EQ(loaded.FindProduct("prod:cell"), 1u);
  EXPECT_EQ(model::CountRows(loaded), model::CountRows(expected));
}

TEST_F(StoreTest, AppendsOnTopOfStoredRowsAndAudits) {
  std::unique_ptr<Store> store = CreateWithTiny();
  model::Model m = *store->LoadModel();
  model::ModelBuilder builder(m);
  std::vector<std::string_view> org = {"org:new", "New", "KR", "", "", ""};
  struct Origin : model::RowOrigin {
    std::string Where(int) const override { return "x"; }
  } origin;
  ASSERT_TRUE(builder.AddRow(model::Table::kOrganizations, org, origin).ok());
  std::vector<std::string_view> site = {"site:new", "org:new", "N", "KR", "", "37.5",
                                        "127",      "",        "",  "",   "", ""};
  ASSERT_TRUE(builder.AddRow(model::Table::kSites, site, origin).ok());
  ASSERT_TRUE(store->Append(m, builder.rows_before(), "tester", "add korea").ok());
  model::Model loaded = *store->LoadModel();
  EXPECT_EQ(loaded.sites.size(), 3u);
  EXPECT_EQ(loaded.sites[2].organization, 2u);

  auto log = ReadAuditLog(internal::Handle(*store));
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1].action, "add korea");
  EXPECT_EQ((*log)[1].prev_hash, (*log)[0].hash);
  EXPECT_TRUE(store->VerifyAudit().ok());
}

// The content digest is SHA-256 over every value written, in a fixed layout;
// this is its value for the tiny bundle, so a change of layout shows here. (Without
// its passport tables the tiny bundle's digest is 2b94c013..., as before they came:
// tables without rows add nothing.)
TEST_F(StoreTest, ContentDigestOfTheTinyBundle) {
  std::unique_ptr<Store> store = CreateWithTiny();
  auto log = ReadAuditLog(internal::Handle(*store));
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].digest, "f7db7e8b76b67d4ebe36e2a18c38f9723a53721ad8ddd146bedafa9bb64c425d");
}

// A large append goes through a rollback journal, then the store is back in
// WAL mode with every row in place.
TEST_F(StoreTest, BulkAppendRoundTripsAndReturnsToTheLog) {
  const std::string gen = (dir_ / "gen").string();
  io::SyntheticOptions options;
  options.sites = 3000;
  ASSERT_TRUE(io::WriteSyntheticBundle(options, gen).ok());
  model::Model expected = *io::ReadBundle(gen);
  uint64_t rows = 0;
  for (size_t n : model::CountRows(expected)) rows += n;
  ASSERT_GT(rows, 30000u);
  {
    std::unique_ptr<Store> store = *Store::Create(path_);
    model::Model m = *store->LoadModel();
    const model::RowCounts before = model::CountRows(m);
    ASSERT_TRUE(io::ReadBundle(gen, m).ok());
    ASSERT_TRUE(store->Append(m, before, "tester", "bulk").ok());
    sqlite3_stmt* mode = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(internal::Handle(*store), "PRAGMA journal_mode", -1, &mode, nullptr),
        SQLITE_OK);
    ASSERT_EQ(sqlite3_step(mode), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(mode, 0)), "wal");
    sqlite3_finalize(mode);
    EXPECT_FALSE(fs::exists(path_ + "-journal"));
  }
  std::unique_ptr<Store> store = *Store::Open(path_);
  model::Model loaded = *store->LoadModel();
  ASSERT_EQ(model::CountRows(loaded), model::CountRows(expected));
  for (size_t i = 0; i < expected.supply.size(); i += 997) {
    EXPECT_EQ(loaded.supply[i].supplier_site, expected.supply[i].supplier_site) << i;
    EXPECT_EQ(loaded.supply[i].product, expected.supply[i].product) << i;
    EXPECT_EQ(loaded.supply[i].share, expected.supply[i].share) << i;
  }
  EXPECT_EQ(loaded.sites.back().id, expected.sites.back().id);
  EXPECT_EQ(loaded.sites.back().lat, expected.sites.back().lat);
  EXPECT_TRUE(store->VerifyAudit().ok());
}

// Every row of every table of the store at `path` (the audit log without its
// times and hashes, which depend on the clock), and its schema, as text.
std::vector<std::string> Dump(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::vector<std::string> out;
  auto query = [&](const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        const auto* text = sqlite3_column_text(s, c);
        row += text == nullptr ? "NULL" : reinterpret_cast<const char*>(text);
        row += '|';
      }
      out.push_back(row);
    }
    sqlite3_finalize(s);
  };
  query("SELECT type, name, sql FROM sqlite_master ORDER BY name");
  for (const model::TableSchema& t : model::AllTables()) {
    query("SELECT rowid, * FROM " + std::string(t.name) + " ORDER BY rowid");
  }
  query("SELECT seq, actor, action, digest FROM audit_log ORDER BY seq");
  sqlite3_close(db);
  return out;
}

std::string JournalModeOf(sqlite3* db) {
  sqlite3_stmt* mode = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &mode, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(mode), SQLITE_ROW);
  std::string out = reinterpret_cast<const char*>(sqlite3_column_text(mode, 0));
  sqlite3_finalize(mode);
  return out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Appends `bundle` to the store at `path` through a SideFileAppend that is
// expected to be used, handing the rows over as the bundle is read.
Status SideFileImport(Store& store, const std::string& bundle, uint64_t expected_rows) {
  model::Model m = *store.LoadModel();
  const model::RowCounts before = model::CountRows(m);
  std::unique_ptr<StreamedAppend> side =
      store.BeginStreamedAppend(before, expected_rows, "tester", "bulk");
  if (side == nullptr) return FailedPreconditionError("no side file");
  RENKEI_RETURN_IF_ERROR(io::ReadBundle(
      bundle, m, [&](model::Table table, size_t rows) { side->Add(m, table, rows); }));
  return side->Commit();
}

// The side-file append writes what Append writes, leaves no side file, and the
// store is back in WAL mode and usable.
TEST_F(StoreTest, SideFileAppendWritesWhatAppendWrites) {
  const std::string gen = (dir_ / "gen").string();
  io::SyntheticOptions options;
  options.sites = 3000;
  ASSERT_TRUE(io::WriteSyntheticBundle(options, gen).ok());
  const std::string in_place = (dir_ / "in_place.db").string();
  {
    std::unique_ptr<Store> store = CreateWithTiny();
    Status s = SideFileImport(*store, gen, 40000);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(JournalModeOf(internal::Handle(*store)), "wal");
    EXPECT_TRUE(store->VerifyAudit().ok());
    EXPECT_EQ((*store->CountRows())[static_cast<size_t>(model::Table::kSites)], 3002u);
  }
  EXPECT_FALSE(fs::exists(path_ + ".import"));
  fs::rename(path_, in_place);
  {
    std::unique_ptr<Store> store = CreateWithTiny();
    model::Model m = *store->LoadModel();
    const model::RowCounts before = model::CountRows(m);
    ASSERT_TRUE(io::ReadBundle(gen, m).ok());
    ASSERT_TRUE(store->Append(m, before, "tester", "bulk").ok());
  }
  const std::vector<std::string> side = Dump(in_place);
  ASSERT_GT(side.size(), 30000u);
  EXPECT_TRUE(side == Dump(path_));

  // The new file is a working store in WAL mode.
  std::unique_ptr<Store> store = *Store::Open(in_place);
  EXPECT_EQ(JournalModeOf(internal::Handle(*store)), "wal");
  EXPECT_EQ(model::CountRows(*store->LoadModel()), *store->CountRows());
  EXPECT_TRUE(store->VerifyAudit().ok());
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(internal::Handle(*store), "PRAGMA integrity_check", -1, &check, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)), "ok");
  sqlite3_finalize(check);
}

// Dropped before Commit (a bad bundle), the append leaves the store file byte
// for byte as it was, no side file, and the store usable.
TEST_F(StoreTest, DroppedSideFileAppendLeavesTheStoreAsItWas) {
  const std::string gen = (dir_ / "gen").string();
  io::SyntheticOptions options;
  options.sites = 2000;
  ASSERT_TRUE(io::WriteSyntheticBundle(options, gen).ok());
  { std::ofstream(gen + "/demand.csv", std::ios::app) << "site:nowhere,x,1,,\n"; }
  CreateWithTiny().reset();
  const std::string before = Slurp(path_);
  {
    std::unique_ptr<Store> store = *Store::Open(path_);
    Status s = SideFileImport(*store, gen, 40000);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr("unknown site 'site:nowhere'"));
    EXPECT_FALSE(fs::exists(path_ + ".import"));
    // Another connection can use the store again.
    auto other = Store::Open(path_);
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    EXPECT_EQ((*(*other)->CountRows())[static_cast<size_t>(model::Table::kSites)], 2u);
  }
  EXPECT_TRUE(Slurp(path_) == before) << "the store file changed";
}

// A store another connection has open (a running node) is written in place;
// so is a store that already holds more than the append, or a small append.
TEST_F(StoreTest, SideFileIsOnlyForAnIdleStoreThatHoldsLittle) {
  std::unique_ptr<Store> store = CreateWithTiny();
  const model::RowCounts before = model::CountRows(*store->LoadModel());
  const std::string file = Slurp(path_);
  {
    std::unique_ptr<Store> node = *Store::Open(path_);
    ASSERT_TRUE(node->CountRows().ok());
    EXPECT_EQ(store->BeginStreamedAppend(before, 40000, "tester", "bulk"), nullptr);
    // Both connections still work.
    EXPECT_TRUE(node->CountRows().ok());
  }
  EXPECT_TRUE(store->CountRows().ok());
  EXPECT_EQ(store->BeginStreamedAppend(before, 100, "tester", "small"), nullptr);
  model::RowCounts many = before;
  many[static_cast<size_t>(model::Table::kSupply)] = 50000;
  EXPECT_EQ(store->BeginStreamedAppend(many, 40000, "tester", "bulk"), nullptr);
  EXPECT_FALSE(fs::exists(path_ + ".import"));
  EXPECT_TRUE(Slurp(path_) == file);
}

// A side file left by a crash is replaced, not used.
TEST_F(StoreTest, SideFileAppendReplacesAStaleSideFile) {
  CreateWithTiny().reset();
  { std::ofstream(path_ + ".import") << "left by a crash"; }
  const std::string gen = (dir_ / "gen").string();
  io::SyntheticOptions options;
  options.sites = 500;
  ASSERT_TRUE(io::WriteSyntheticBundle(options, gen).ok());
  std::unique_ptr<Store> store = *Store::Open(path_);
  Status s = SideFileImport(*store, gen, 40000);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(fs::exists(path_ + ".import"));
  EXPECT_EQ((*store->CountRows())[static_cast<size_t>(model::Table::kSites)], 502u);
  EXPECT_TRUE(store->VerifyAudit().ok());
}

// Runs `sql` on the store file with its own connection; "" when it worked, else the error.
std::string RunSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string out = error == nullptr ? "" : error;
  sqlite3_free(error);
  sqlite3_close(db);
  return out;
}

// One integer that `sql` selects.
int64_t SelectInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  int64_t v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

// A store written before versions and keys (schema 4) is upgraded in place:
// its rows keep their entity numbers and load as before, as version 0, and
// the natural keys hold from then on.
TEST_F(StoreTest, MigratesASchema4StoreToVersionsAndKeys) {
  ASSERT_TRUE(internal::CreateAtSchemaVersion(path_, 4).ok());
  ASSERT_EQ(RunSql(path_, R"sql(
INSERT INTO organizations VALUES (1, 'org:a', 'A', 'JP', NULL, NULL), (2, 'org:b', 'B', 'KR', NULL, NULL);
INSERT INTO sites VALUES (1, 'site:a1', 1, 'A1', 'JP', NULL, 35.0, 139.0, NULL, NULL, NULL),
                         (2, 'site:b1', 2, 'B1', 'KR', NULL, 37.5, 127.0, NULL, NULL, 5);
INSERT INTO products VALUES (1, 'p:cell', 'Cell', 'component', 'piece', NULL, NULL, 'urn:x;urn:y');
INSERT INTO production VALUES (1, 1, 100, NULL, 2.5, NULL, NULL, NULL, NULL);
INSERT INTO supply VALUES (1, 2, 1, 1, NULL, 3);
INSERT INTO footprints VALUES (1, NULL, 4.2, NULL, NULL, NULL, NULL, NULL, NULL, '2025-01-01', '2025-12-31', NULL, 0);
)sql"),
            "");
  {
    auto store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto m = (*store)->LoadModel();
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_EQ(m->sites.size(), 2u);
    EXPECT_EQ(m->sites[1].id, "site:b1");
    EXPECT_EQ(m->sites[1].organization, 1u);
    EXPECT_EQ(m->sites[1].recovery_days, 5.0);
    EXPECT_FALSE(m->sites[1].external);
    EXPECT_EQ(m->products[0].pact_product_ids, (std::vector<std::string>{"urn:x", "urn:y"}));
    ASSERT_EQ(m->supply.size(), 1u);
    EXPECT_EQ(m->supply[0].customer_site, 1u);
    EXPECT_EQ(m->footprints[0].site, model::kNoIndex);
  }
  EXPECT_EQ(SelectInt(path_, "PRAGMA user_version"), CurrentSchemaVersion());
  EXPECT_EQ(SelectInt(path_, "SELECT max(valid_from) FROM sites"), 0);
  // The natural keys: a second current supply link, footprint or site id is refused.
  EXPECT_THAT(RunSql(path_,
                     "INSERT INTO supply(supplier_site, customer_site, product) "
                     "VALUES (1, 2, 1)"),
              HasSubstr("UNIQUE constraint failed"));
  EXPECT_THAT(RunSql(path_,
                     "INSERT INTO footprints(product, pcf_kgco2e_per_unit, period_start, "
                     "period_end) VALUES (1, 1, '2025-01-01', '2025-12-31')"),
              HasSubstr("UNIQUE constraint failed"));
  EXPECT_THAT(RunSql(path_,
                     "INSERT INTO sites(id, ext_id, organization, valid_from) "
                     "VALUES (3, 'site:a1', 1, 1)"),
              HasSubstr("UNIQUE constraint failed"));
}

// Rows carry the change that wrote them as their first version; only current
// rows (valid_to NULL) load, so a replaced version and its successor (as the
// living-data updates write them) load as the successor alone.
TEST_F(StoreTest, RowsCarryTheirVersionAndOnlyCurrentRowsLoad) {
  int64_t change = 0;
  {
    auto store = Store::Create(path_);
    ASSERT_TRUE(store.ok());
    model::Model m;
    ASSERT_TRUE(io::ReadBundle(TinyBundle(), m).ok());
    ASSERT_TRUE((*store)->Append(m, {}, "tester", "import tiny", &change).ok());
  }
  ASSERT_GT(change, 0);
  for (const char* table : {"organizations", "sites", "products", "supply", "production"}) {
    EXPECT_EQ(SelectInt(path_, std::string("SELECT count(*) FROM ") + table +
                                   " WHERE valid_from != " + std::to_string(change) +
                                   " OR valid_to IS NOT NULL"),
              0)
        << table;
  }
  const int64_t sites = SelectInt(path_, "SELECT count(*) FROM sites");
  ASSERT_EQ(RunSql(path_,
                   "UPDATE sites SET valid_to = 99 WHERE id = 1; "
                   "INSERT INTO sites(id, ext_id, organization, name, country, lat, lon, "
                   "name_ja, valid_from) SELECT id, ext_id, organization, 'Renamed', "
                   "country, lat, lon, '改名', 99 FROM sites WHERE id = 1"),
            "");
  auto store = Store::Open(path_);
  ASSERT_TRUE(store.ok());
  auto m = (*store)->LoadModel();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->sites.size(), static_cast<size_t>(sites));
  EXPECT_EQ(m->sites[0].name, "Renamed");
  EXPECT_EQ(m->sites[0].name_ja, "改名");
  EXPECT_EQ((*(*store)->CountRows())[static_cast<size_t>(model::Table::kSites)],
            static_cast<size_t>(sites));
}

// Japanese names and external sites are stored and load as they were.
TEST_F(StoreTest, KeepsJapaneseNamesAndExternalSites) {
  auto store = Store::Create(path_);
  ASSERT_TRUE(store.ok());
  model::Model m;
  model::ModelBuilder builder(m);
  struct Origin : model::RowOrigin {
    std::string Where(int) const override { return "x"; }
  } origin;
  std::vector<std::string_view> org = {"org:a", "A", "JP", "", "", "エー社"};
  ASSERT_TRUE(builder.AddRow(model::Table::kOrganizations, org, origin).ok());
  std::vector<std::string_view> site(model::Schema(model::Table::kSites).columns.size());
  site[0] = "site:theirs";
  site[1] = "org:a";
  site.back() = "true";
  ASSERT_TRUE(builder.AddRow(model::Table::kSites, site, origin).ok());
  ASSERT_TRUE((*store)->Append(m, {}, "tester", "add").ok());
  auto loaded = (*store)->LoadModel();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->organizations[0].name_ja, "エー社");
  EXPECT_TRUE(loaded->sites[0].external);
  EXPECT_EQ(loaded->sites[0].name, "");
}

TEST_F(StoreTest, AuditVerifyNamesTheFirstTamperedEntry) {
  std::unique_ptr<Store> store = CreateWithTiny();
  model::Model m = *store->LoadModel();
  ASSERT_TRUE(store->Append(m, model::CountRows(m), "tester", "empty change").ok());
  ASSERT_TRUE(store->Append(m, model::CountRows(m), "tester", "another").ok());
  ASSERT_EQ(
      sqlite3_exec(internal::Handle(*store), "UPDATE audit_log SET actor='mallory' WHERE seq=2",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  Status s = store->VerifyAudit();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(),
            "audit entry 2 (empty change by mallory): hash does not match its content");

  ASSERT_EQ(sqlite3_exec(internal::Handle(*store),
                         "UPDATE audit_log SET actor='tester' WHERE seq=2; "
                         "DELETE FROM audit_log WHERE seq=2",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_EQ(store->VerifyAudit().message(), "audit entry 2 is missing (the next entry is 3)");
}

}  // namespace
}  // namespace renkei::store
