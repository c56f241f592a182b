// Bundle-level tests are in tests/bundle_io_test.cc; this file checks the
// row-text conversion that both writers share.
#include "model/row_text.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "io/bundle.h"

namespace renkei::io {
namespace {

TEST(RowTextTest, WritesShortestNumbersAndEmptyOptionals) {
  model::Model m;
  m.organizations.emplace_back().id = "org:a";
  model::Site s;
  s.id = "site:a";
  s.organization = 0;
  s.name = "A, plant";
  s.country = "JP";
  s.lat = 32.88;
  s.lon = 130.78;
  s.recovery_days = 0.1 + 0.2;
  m.sites.push_back(s);
  std::vector<std::string> cells;
  model::RowText(m, model::Table::kSites, 0, cells);
  EXPECT_EQ(cells, (std::vector<std::string>{"site:a", "org:a", "A, plant", "JP", "", "32.88",
                                             "130.78", "", "", "0.30000000000000004", "", ""}));
}

// A CSV file is parsed on a second thread in blocks of about 256 KB while the
// rows are checked: errors far into a large file keep their order and places,
// and a syntax error stops the read with only that error, as when reading
// record by record.
class LargeCsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("bundle_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "organizations.csv") << "id,name,country\norg:a,A,JP\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // 30,000 sites (about 1.4 MB); `change` rewrites some rows by number (1-based).
  void WriteSites(const std::function<std::string(int, std::string)>& change) {
    std::ofstream out(dir_ / "sites.csv");
    out << "id,organization,name,country,lat,lon\n";
    for (int i = 1; i <= 30000; ++i) {
      out << change(i, "site:" + std::to_string(i) + ",org:a,Plant " + std::to_string(i) +
                           ",JP,35.5,139.25") +
                 "\n";
    }
  }
  std::filesystem::path dir_;
};

TEST_F(LargeCsvTest, ReadsEveryRowOfManyBlocks) {
  WriteSites([](int, std::string row) { return row; });
  StatusOr<model::Model> m = ReadBundle(dir_.string());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->sites.size(), 30000u);
  EXPECT_EQ(m->sites[29999].id, "site:30000");
  EXPECT_EQ(m->sites[12345].name, "Plant 12346");
}

TEST_F(LargeCsvTest, RowErrorsFarIntoTheFileKeepTheirOrderAndPlaces) {
  WriteSites([](int i, std::string row) {
    if (i == 25000) return std::string("site:25000,org:a,P,JP,95,139.25");
    if (i == 28000) return std::string("site:28000,org:zz,P,JP,35.5,139.25");
    return row;
  });
  StatusOr<model::Model> m = ReadBundle(dir_.string());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(),
            "sites.csv:25001:23: lat: expected a latitude in [-90, 90], got '95'\n"
            "sites.csv:28001:12: organization: unknown organization 'org:zz'");
}

TEST_F(LargeCsvTest, SyntaxErrorFarIntoTheFileStopsTheRead) {
  WriteSites([](int i, std::string row) {
    if (i == 20000) return std::string("site:20000,org:a,P,JP,95,139.25");
    if (i == 29000) return std::string("site:29000,org:a,\"P\"x,JP,35.5,139.25");
    return row;
  });
  StatusOr<model::Model> m = ReadBundle(dir_.string());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(),
            "sites.csv:29001:21: expected ',' or the end of the line after a closing quote");
}

}  // namespace
}  // namespace renkei::io
