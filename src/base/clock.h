// Wall-clock time as RFC 3339 text in UTC, the one form Renkei writes times in
// (audit log, API records, PACT documents).
#ifndef RENKEI_BASE_CLOCK_H_
#define RENKEI_BASE_CLOCK_H_

#include <chrono>
#include <string>

namespace renkei {

// "2026-12-07T02:30:00Z"; with `millis`, "2026-12-07T02:30:00.123Z".
std::string Rfc3339(std::chrono::system_clock::time_point time, bool millis = false);

// Rfc3339 of now.
std::string NowRfc3339(bool millis = false);

// The calendar year (UTC) of `time`.
int UtcYear(std::chrono::system_clock::time_point time);

}  // namespace renkei

#endif  // RENKEI_BASE_CLOCK_H_
