#include "base/decimal.h"

#include <gtest/gtest.h>

namespace renkei {
namespace {

TEST(DecimalTest, PrintsWithoutBinaryNoise) {
  EXPECT_EQ(FormatDecimal(3 * 0.1 + 3 * 0.1), "0.6");
  EXPECT_EQ(FormatDecimal(3 * 0.7 + 3 * 0.7), "4.2");
  EXPECT_EQ(FormatDecimal(0.1 + 0.2), "0.3");
  EXPECT_EQ(FormatDecimal(1.1 * 1.1), "1.21");
  EXPECT_EQ(RoundDecimal(3 * 0.1 + 3 * 0.1), 0.6);
}

TEST(DecimalTest, PlainNotationAndRounding) {
  EXPECT_EQ(FormatDecimal(0), "0");
  EXPECT_EQ(FormatDecimal(-0.0), "0");
  EXPECT_EQ(FormatDecimal(1e-7), "0.0000001");
  EXPECT_EQ(FormatDecimal(2.5e15), "2500000000000000");
  EXPECT_EQ(FormatDecimal(-12.5), "-12.5");
  EXPECT_EQ(FormatDecimal(100), "100");
  EXPECT_EQ(FormatDecimal(11.0 / 0.9), "12.2222222222");
  EXPECT_EQ(FormatDecimal(2.0 / 3.0, 3), "0.667");
  EXPECT_EQ(FormatDecimal(123456789012345.0), "123456789012000");
}

}  // namespace
}  // namespace renkei
