// Bundle-level tests are in tests/bundle_io_test.cc; this file checks the
// row-text conversion that both writers share.
#include "io/internal/row_text.h"

#include <gtest/gtest.h>

#include "io/bundle.h"

namespace renkei::io {
namespace {

TEST(RowTextTest, WritesShortestNumbersAndEmptyOptionals) {
  model::Model m;
  m.organizations.push_back({"org:a", "A", "JP", "", ""});
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
  internal::RowText(m, model::Table::kSites, 0, cells);
  EXPECT_EQ(cells, (std::vector<std::string>{"site:a", "org:a", "A, plant", "JP", "", "32.88",
                                             "130.78", "", "", "0.30000000000000004"}));
}

}  // namespace
}  // namespace renkei::io
