// Wall-clock time as RFC 3339 text in UTC, the one form Renkei writes times in
// (audit log, API records, PACT documents).
#ifndef RENKEI_BASE_CLOCK_H_
#define RENKEI_BASE_CLOCK_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace renkei {

// "2026-12-07T02:30:00Z"; with `millis`, "2026-12-07T02:30:00.123Z".
std::string Rfc3339(std::chrono::system_clock::time_point time, bool millis = false);

// Rfc3339 of now.
std::string NowRfc3339(bool millis = false);

// Parses an RFC 3339 date-time ("2026-12-07T02:30:00Z", "...00.5+09:00") or a
// date alone ("2026-12-07", meaning its start in UTC); nullopt for anything
// else, including impossible dates and times. `date_only`, when given, tells
// which it was.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text,
                                                                  bool* date_only = nullptr);

// The calendar year (UTC) of `time`.
int UtcYear(std::chrono::system_clock::time_point time);

}  // namespace renkei

#endif  // RENKEI_BASE_CLOCK_H_
