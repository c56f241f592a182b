// The store's interface on both engines (store/store.h): an SQLite file and a
// PostgreSQL database on a throwaway cluster started here, with the same
// cases; then the CLI on a postgresql:// URL against the same on a file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "io/bundle.h"
#include "io/internal/row_text.h"
#include "model/builder.h"
#include "postgres_cluster.h"
#include "process.h"
#include "store/store.h"

namespace renkei::store {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Tiny() { return std::string(RENKEI_SOURCE_DIR) + "/tests/data/tiny"; }

testing::PostgresCluster* cluster = nullptr;

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string error;
    cluster_ = testing::PostgresCluster::Start(&error);
    ASSERT_NE(cluster_, nullptr) << "no PostgreSQL cluster: " << error;
    cluster = cluster_.get();
  }
  void TearDown() override {
    cluster = nullptr;
    cluster_.reset();
  }

 private:
  std::unique_ptr<testing::PostgresCluster> cluster_;
};

// Every row of every table as text, to compare models.
std::vector<std::string> Rows(const model::Model& m) {
  std::vector<std::string> out;
  std::vector<std::string> cells;
  for (const model::TableSchema& t : model::AllTables()) {
    const size_t n = io::internal::TableSize(m, t.table);
    for (size_t i = 0; i < n; ++i) {
      io::internal::RowText(m, t.table, i, cells);
      std::string line(t.name);
      for (const std::string& c : cells) line += "|" + c;
      out.push_back(line);
    }
  }
  return out;
}

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_NE(cluster, nullptr);
    static int n = 0;
    const std::string name = "t" + std::to_string(++n);
    if (GetParam() == "sqlite") {
      const fs::path dir = fs::path(::testing::TempDir()) / ("engines_" + name);
      fs::remove_all(dir);
      fs::create_directories(dir);
      where_ = (dir / "renkei.db").string();
    } else {
      where_ = cluster->NewDatabase(name);
      ASSERT_FALSE(where_.empty());
    }
  }
  std::string where_;
};

TEST_P(EngineTest, RoundTripsAppendsAndAudits) {
  auto created = Store::Create(where_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<Store> store = std::move(*created);
  EXPECT_EQ(Store::Create(where_).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store->LastChange(), 0);

  model::Model m = *store->LoadModel();
  ASSERT_TRUE(io::ReadBundle(Tiny(), m).ok());
  int64_t change = 0;
  ASSERT_TRUE(store->Append(m, {}, "tester", "import tiny", &change).ok());
  EXPECT_GT(change, 0);
  EXPECT_EQ(*store->LastChange(), change);

  auto loaded = store->LoadModel();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(Rows(*loaded), Rows(m));
  EXPECT_EQ(*store->CountRows(), model::CountRows(m));
  auto by_country = store->CountSitesBy("country");
  ASSERT_TRUE(by_country.ok());
  int64_t sites = 0;
  for (const auto& [country, count] : *by_country) sites += count;
  EXPECT_EQ(static_cast<size_t>(sites), m.sites.size());

  // A second append on top of what was loaded, then the audit chain of both.
  model::Model more = std::move(*loaded);
  model::ModelBuilder builder(more);
  struct Origin : model::RowOrigin {
    std::string Where(int) const override { return "x"; }
  } origin;
  std::vector<std::string_view> org = {"org:new", "New\ttab", "KR", "", "", "新社"};
  ASSERT_TRUE(builder.AddRow(model::Table::kOrganizations, org, origin).ok());
  std::vector<std::string_view> site(model::Schema(model::Table::kSites).columns.size());
  site[0] = "site:theirs";
  site[1] = "org:new";
  site.back() = "true";
  ASSERT_TRUE(builder.AddRow(model::Table::kSites, site, origin).ok());
  ASSERT_TRUE(store->Append(more, builder.rows_before(), "tester", "add").ok());

  std::unique_ptr<Store> reopened = *Store::Open(where_);
  auto again = reopened->LoadModel();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Rows(*again), Rows(more));
  EXPECT_EQ(again->organizations.back().name, "New\ttab");
  EXPECT_EQ(again->organizations.back().name_ja, "新社");
  EXPECT_TRUE(again->sites.back().external);
  EXPECT_TRUE(reopened->VerifyAudit().ok());
  EXPECT_EQ(*reopened->LastChange(), change + 1);
}

TEST_P(EngineTest, SettingsAreAuditedChanges) {
  std::unique_ptr<Store> store = *Store::Create(where_);
  EXPECT_EQ(*store->Setting("unsigned_footprints", "accept"), "accept");
  ASSERT_TRUE(store->SetSetting("unsigned_footprints", "reject", "tester").ok());
  ASSERT_TRUE(store->SetSetting("unsigned_footprints", "reject", "tester").ok());
  EXPECT_EQ(*store->Setting("unsigned_footprints", "accept"), "reject");
  EXPECT_GE(*store->LastChange(), 2);
  EXPECT_TRUE(store->VerifyAudit().ok());
}

TEST_P(EngineTest, OpenNamesAMissingStore) {
  auto opened = Store::Open(where_);
  EXPECT_EQ(opened.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(opened.status().message(), HasSubstr("renkei init"));
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& engine) { return engine.param; });

TEST(PostgresStoreTest, ConnectionErrorsNameTheUrlWithoutItsPassword) {
  auto opened = Store::Open("postgresql://postgres:s3cret@127.0.0.1:1/none");
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(opened.status().message(), HasSubstr("postgresql://postgres@127.0.0.1:1/none"));
  EXPECT_EQ(opened.status().message().find("s3cret"), std::string::npos);
}

// The CLI takes a URL wherever it takes a store file: init, import, stats and
// export give on PostgreSQL what they give on SQLite; a bad bundle changes
// nothing; the node's own tables say they need a store file.
TEST(PostgresCliTest, ImportStatsAndExportMatchSqlite) {
  ASSERT_NE(cluster, nullptr);
  const std::string url = cluster->NewDatabase("cli");
  const fs::path dir = fs::path(::testing::TempDir()) / "engines_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string file = (dir / "renkei.db").string();
  const std::string bin = RENKEI_BINARY;
  for (const std::string& where : {file, url}) {
    ASSERT_EQ(testing::Run(bin, {"init", where}).exit_code, 0) << where;
    testing::RunResult r = testing::Run(bin, {"import", where, Tiny()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = testing::Run(bin, {"export", where, (dir / ("out-" + std::to_string(where == url)))});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* table : {"organizations.csv", "sites.csv", "supply.csv", "footprints.csv"}) {
    EXPECT_EQ(testing::Slurp((dir / "out-0" / table).string()),
              testing::Slurp((dir / "out-1" / table).string()))
        << table;
  }
  // Everything after the first line, which names the store.
  auto stats = [&](const std::string& where) {
    const std::string out = testing::Run(bin, {"stats", where}).out;
    return out.substr(out.find('\n'));
  };
  EXPECT_EQ(stats(file), stats(url));
  EXPECT_EQ(testing::Run(bin, {"audit", "verify", url}).exit_code, 0);

  // A bad bundle: the error names the place, and the store holds what it held.
  fs::create_directories(dir / "bad");
  testing::Run("/bin/sh", {"-c", "printf 'id,name,country\\norg:x,X,XX\\n' > " +
                                     (dir / "bad" / "organizations.csv").string()});
  testing::RunResult bad = testing::Run(bin, {"import", url, (dir / "bad").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("organizations.csv:2:"));
  EXPECT_EQ(stats(file), stats(url));

  testing::RunResult client =
      testing::Run(bin, {"client", "add", url, "x", "--organization", "org:cell"});
  EXPECT_NE(client.exit_code, 0);
  EXPECT_THAT(client.err, HasSubstr("SQLite store only so far"));
}

}  // namespace
}  // namespace renkei::store

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new renkei::store::Environment);
  return RUN_ALL_TESTS();
}
