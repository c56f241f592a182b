// Decimal text of computed values, without binary noise.
#ifndef RENKEI_BASE_DECIMAL_H_
#define RENKEI_BASE_DECIMAL_H_

#include <string>

namespace renkei {

// Significant digits every computed footprint value is reported with.
inline constexpr int kReportedDigits = 12;

// `value` rounded to `significant` significant digits (half away from zero on the
// binary value) and printed in plain decimal notation with trailing zeros trimmed:
// 3 * 0.1 + 3 * 0.1 -> "0.6", 3 * 0.7 + 3 * 0.7 -> "4.2", 1e-7 -> "0.0000001",
// 2.5e15 -> "2500000000000000". -0 and values that round to 0 print "0"; NaN and
// infinities print "0" (callers never produce them). The result is a valid PACT
// decimal string. Guarantee: for a value computed in double from decimal inputs
// with a relative rounding error below 5e-13 (sums and products of a few thousand
// terms), the text equals the exact decimal result rounded to 12 digits.
std::string FormatDecimal(double value, int significant = kReportedDigits);

// FormatDecimal, read back as a double: the value a JSON number should carry so
// that it prints without noise.
double RoundDecimal(double value, int significant = kReportedDigits);

}  // namespace renkei

#endif  // RENKEI_BASE_DECIMAL_H_
