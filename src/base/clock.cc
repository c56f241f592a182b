#include "base/clock.h"

#include <cstdio>
#include <ctime>

namespace renkei {
namespace {

std::tm Utc(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

}  // namespace

std::string Rfc3339(std::chrono::system_clock::time_point time, bool millis) {
  const std::tm tm = Utc(time);
  char buffer[64];
  int n = std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (millis) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() %
        1000;
    n += std::snprintf(buffer + n, sizeof(buffer) - static_cast<size_t>(n), ".%03d",
                       static_cast<int>(ms < 0 ? ms + 1000 : ms));
  }
  std::snprintf(buffer + n, sizeof(buffer) - static_cast<size_t>(n), "Z");
  return buffer;
}

std::string NowRfc3339(bool millis) { return Rfc3339(std::chrono::system_clock::now(), millis); }

int UtcYear(std::chrono::system_clock::time_point time) { return Utc(time).tm_year + 1900; }

}  // namespace renkei
