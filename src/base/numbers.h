// Parsing and printing of the numbers in bundles and reports.
#ifndef RENKEI_BASE_NUMBERS_H_
#define RENKEI_BASE_NUMBERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace renkei {

// Parses a finite decimal number ("12", "-0.5", "1e6", "+3"); the whole text must
// be the number (no spaces). Returns nullopt otherwise, also for nan and inf.
std::optional<double> ParseNumber(std::string_view text);

// Parses a non-negative integer that fits in uint64_t.
std::optional<uint64_t> ParseUnsigned(std::string_view text);

// Parses true/false/1/0/yes/no (any case).
std::optional<bool> ParseBool(std::string_view text);

// The shortest text that reads back as exactly `value`, in plain notation for
// magnitudes in [1e-6, 1e15) and scientific notation otherwise: 0.1 -> "0.1",
// 1e6 -> "1000000", 2.5e-9 -> "2.5e-09". Never prints binary noise such as
// 0.30000000000000004 for a value that was parsed from "0.3".
std::string FormatNumber(double value);

// Appends FormatNumber(value) to `out` without a temporary string.
void AppendNumber(std::string& out, double value);

// Whether two results of an analysis are the same number: equal up to a
// relative 1e-9 (of the larger magnitude, or of 1 near zero), so that one
// computed in another order does not count as a change.
bool NearlyEqual(double a, double b);

}  // namespace renkei

#endif  // RENKEI_BASE_NUMBERS_H_
