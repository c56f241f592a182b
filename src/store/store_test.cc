#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "io/bundle.h"
#include "io/synthetic.h"
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
  std::vector<std::string_view> org = {"org:new", "New", "KR", "", ""};
  struct Origin : model::RowOrigin {
    std::string Where(int) const override { return "x"; }
  } origin;
  ASSERT_TRUE(builder.AddRow(model::Table::kOrganizations, org, origin).ok());
  std::vector<std::string_view> site = {"site:new", "org:new", "N", "KR", "",
                                        "37.5",     "127",     "",  "",   ""};
  ASSERT_TRUE(builder.AddRow(model::Table::kSites, site, origin).ok());
  ASSERT_TRUE(store->Append(m, builder.rows_before(), "tester", "add korea").ok());
  model::Model loaded = *store->LoadModel();
  EXPECT_EQ(loaded.sites.size(), 3u);
  EXPECT_EQ(loaded.sites[2].organization, 2u);

  auto log = ReadAuditLog(store->handle());
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1].action, "add korea");
  EXPECT_EQ((*log)[1].prev_hash, (*log)[0].hash);
  EXPECT_TRUE(store->VerifyAudit().ok());
}

// The content digest is SHA-256 over every value written, in a fixed layout;
// this is its value for the tiny bundle, so a change of layout shows here.
TEST_F(StoreTest, ContentDigestOfTheTinyBundle) {
  std::unique_ptr<Store> store = CreateWithTiny();
  auto log = ReadAuditLog(store->handle());
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].digest, "edbd9d3c70c9402de3c04534a10e535b247749b328a33272e691dec2f4613d5c");
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
    ASSERT_EQ(sqlite3_prepare_v2(store->handle(), "PRAGMA journal_mode", -1, &mode, nullptr),
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

TEST_F(StoreTest, AuditVerifyNamesTheFirstTamperedEntry) {
  std::unique_ptr<Store> store = CreateWithTiny();
  model::Model m = *store->LoadModel();
  ASSERT_TRUE(store->Append(m, model::CountRows(m), "tester", "empty change").ok());
  ASSERT_TRUE(store->Append(m, model::CountRows(m), "tester", "another").ok());
  ASSERT_EQ(sqlite3_exec(store->handle(), "UPDATE audit_log SET actor='mallory' WHERE seq=2",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  Status s = store->VerifyAudit();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(),
            "audit entry 2 (empty change by mallory): hash does not match its content");

  ASSERT_EQ(sqlite3_exec(store->handle(),
                         "UPDATE audit_log SET actor='tester' WHERE seq=2; "
                         "DELETE FROM audit_log WHERE seq=2",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_EQ(store->VerifyAudit().message(), "audit entry 2 is missing (the next entry is 3)");
}

}  // namespace
}  // namespace renkei::store
