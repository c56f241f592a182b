#include "server/pact_criteria.h"

#include <gtest/gtest.h>

#include <string>

namespace renkei::server {
namespace {

TEST(PactCriteriaTest, DatesAreRfc3339) {
  for (const char* ok : {"2025-01-01", "2025-01-01T10:00", "2025-01-01T10:00:00Z",
                         "2025-01-01T10:00:00.123+09:00", "2025-01-01T10:00-05:00"}) {
    EXPECT_TRUE(IsDateTime(ok)) << ok;
  }
  for (const char* bad : {"", "2025-1-01", "2025-01-01T", "2025-01-01T10", "2025-01-01T10:00:00.",
                          "2025-01-01T10:00:00Zx", "2025-01-01 10:00", "2025-01-01T10:00+0900"}) {
    EXPECT_FALSE(IsDateTime(bad)) << bad;
  }
}

TEST(PactCriteriaTest, V2FiltersOfTheSupportedForms) {
  Criteria c;
  EXPECT_FALSE(
      ParseV2Filter("productIds/any(x: x eq 'urn:gtin:1') and pcf/geographyCountry eq 'JP' and "
                    "companyIds/any(id:(id eq 'urn:c'))",
                    c));
  ASSERT_EQ(c.v2.size(), 3u);
  EXPECT_EQ(c.v2[0], (std::array<std::string, 3>{"productIds", "any", "urn:gtin:1"}));
  EXPECT_EQ(c.v2[1], (std::array<std::string, 3>{"pcf/geographyCountry", "eq", "JP"}));
  EXPECT_EQ(c.v2[2], (std::array<std::string, 3>{"companyIds", "any", "urn:c"}));
  for (const char* bad : {"productIds/any(x: y eq 'a')", "status eqs 'Active'", "status eq Active",
                          "nosuch eq 'a'", "status eq 'a' or created gt 'b'", "pcf/ eq 'a'"}) {
    Criteria d;
    auto e = ParseV2Filter(bad, d);
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->code, "NotImplemented");
    EXPECT_EQ(e->message, std::string("$filter: unsupported expression '") + bad + "'");
  }
}

// Partners choose these strings, up to the body limit: reading them must not recurse
// with their length (a regex matcher did, and a long date ended the process).
TEST(PactCriteriaTest, LongInputsAreReadInOnePass) {
  const std::string digits(2'000'000, '1');
  EXPECT_TRUE(IsDateTime("2024-01-01T00:00:00." + digits + "Z"));
  EXPECT_FALSE(IsDateTime("2024-01-01T00:00:00." + digits + "x"));
  Criteria c;
  EXPECT_FALSE(ParseV2Filter("status eq '" + digits + "'", c));
  ASSERT_EQ(c.v2.size(), 1u);
  EXPECT_EQ(c.v2[0][2].size(), digits.size());
  Criteria d;
  EXPECT_TRUE(ParseV2Filter("productIds/any(x: x eq '" + digits + "'", d));
}

}  // namespace
}  // namespace renkei::server
