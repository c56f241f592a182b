#include "base/numbers.h"

#include <gtest/gtest.h>

namespace renkei {
namespace {

TEST(ParseNumberTest, AcceptsPlainDecimals) {
  EXPECT_EQ(ParseNumber("12"), 12.0);
  EXPECT_EQ(ParseNumber("-0.5"), -0.5);
  EXPECT_EQ(ParseNumber("+3"), 3.0);
  EXPECT_EQ(ParseNumber("1e6"), 1e6);
  EXPECT_EQ(ParseNumber(".25"), 0.25);
}

TEST(ParseNumberTest, RejectsEverythingElse) {
  for (const char* bad :
       {"", " 1", "1 ", "1,5", "abc", "nan", "inf", "1e999", "0x10", "1.2.3", "+", "-", "1e"}) {
    EXPECT_EQ(ParseNumber(bad), std::nullopt) << bad;
  }
}

TEST(ParseUnsignedTest, Works) {
  EXPECT_EQ(ParseUnsigned("42"), 42u);
  EXPECT_EQ(ParseUnsigned("-1"), std::nullopt);
  EXPECT_EQ(ParseUnsigned(""), std::nullopt);
}

TEST(ParseBoolTest, Works) {
  EXPECT_EQ(ParseBool("TRUE"), true);
  EXPECT_EQ(ParseBool("no"), false);
  EXPECT_EQ(ParseBool("0"), false);
  EXPECT_EQ(ParseBool("maybe"), std::nullopt);
}

TEST(FormatNumberTest, ShortestWithoutNoise) {
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(*ParseNumber("0.3")), "0.3");
  EXPECT_EQ(FormatNumber(1e6), "1000000");
  EXPECT_EQ(FormatNumber(-2.5), "-2.5");
  EXPECT_EQ(FormatNumber(0.0), "0");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(2.5e-9), "2.5e-09");
  EXPECT_EQ(FormatNumber(1e20), "1e+20");
}

TEST(FormatNumberTest, RoundTrips) {
  for (double v : {0.1, 1.0 / 3.0, 123456.789, 1e-7, 9.999e14, 35.6785, 139.6917}) {
    EXPECT_EQ(ParseNumber(FormatNumber(v)), v);
  }
}

}  // namespace
}  // namespace renkei
