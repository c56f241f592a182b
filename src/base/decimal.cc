#include "base/decimal.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace renkei {

std::string FormatDecimal(double value, int significant) {
  if (!std::isfinite(value) || value == 0) return "0";
  if (significant < 1) significant = 1;
  if (significant > 17) significant = 17;
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*e", significant - 1, value);
  // buffer: [-]d.ddddde[+-]xx
  std::string text(buffer);
  const bool negative = text[0] == '-';
  if (negative) text.erase(0, 1);
  const size_t e = text.find('e');
  const int exponent = std::atoi(text.c_str() + e + 1);
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (text[i] != '.') digits += text[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (digits == "0") return "0";
  std::string out = negative ? "-" : "";
  if (exponent >= 0) {
    const size_t int_len = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= int_len) {
      out += digits + std::string(int_len - digits.size(), '0');
    } else {
      out += digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  } else {
    out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  }
  return out;
}

double RoundDecimal(double value, int significant) {
  return std::strtod(FormatDecimal(value, significant).c_str(), nullptr);
}

}  // namespace renkei
