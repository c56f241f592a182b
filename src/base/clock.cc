#include "base/clock.h"

#include <cstdio>
#include <ctime>
#include <limits>

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

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view t,
                                                                  bool* date_only) {
  using namespace std::chrono;  // NOLINT(google-build-using-namespace): a function body
  size_t at = 0;
  auto digits = [&](size_t n, int& out) {
    if (t.size() < at + n) return false;
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    at += n;
    return true;
  };
  auto literal = [&](char c) {
    if (at >= t.size() || t[at] != c) return false;
    ++at;
    return true;
  };
  int y = 0, mo = 0, d = 0;
  if (!digits(4, y) || !literal('-') || !digits(2, mo) || !literal('-') || !digits(2, d)) {
    return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  // Seconds first (no overflow for any 4-digit year), then the clock's
  // resolution, saturating outside its range (about 1678 to 2261).
  sys_seconds time = sys_days(date);
  auto clock_time = [](sys_seconds s, nanoseconds frac) {
    constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 1000000000 - 1;
    const int64_t n = s.time_since_epoch().count();
    if (n > kLimit) return system_clock::time_point::max();
    if (n < -kLimit) return system_clock::time_point::min();
    return system_clock::time_point(duration_cast<system_clock::duration>(s.time_since_epoch()) +
                                    duration_cast<system_clock::duration>(frac));
  };
  if (date_only != nullptr) *date_only = at == t.size();
  if (at == t.size()) return clock_time(time, nanoseconds(0));
  int h = 0, mi = 0, sec = 0;
  if (!(literal('T') || literal('t')) || !digits(2, h) || !literal(':') || !digits(2, mi) ||
      !literal(':') || !digits(2, sec) || h > 23 || mi > 59 || sec > 60) {
    return std::nullopt;
  }
  time += hours(h) + minutes(mi) + seconds(sec);
  nanoseconds fraction(0);
  if (literal('.')) {
    int64_t frac = 0, scale = 1;
    size_t n = 0;
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
      if (n++ < 9) {
        frac = frac * 10 + (t[at] - '0');
        scale *= 10;
      }
      ++at;
    }
    if (n == 0) return std::nullopt;
    fraction = nanoseconds(frac * (1000000000 / scale));
  }
  if (literal('Z') || literal('z')) {
    return at == t.size() ? std::optional(clock_time(time, fraction)) : std::nullopt;
  }
  const bool plus = literal('+');
  if (!plus && !literal('-')) return std::nullopt;
  int oh = 0, om = 0;
  if (!digits(2, oh) || !literal(':') || !digits(2, om) || at != t.size() || oh > 23 || om > 59) {
    return std::nullopt;
  }
  const minutes offset = hours(oh) + minutes(om);
  return clock_time(plus ? time - offset : time + offset, fraction);
}

int UtcYear(std::chrono::system_clock::time_point time) { return Utc(time).tm_year + 1900; }

}  // namespace renkei
