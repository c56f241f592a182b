#include "base/clock.h"

#include <gtest/gtest.h>

namespace renkei {
namespace {

TEST(ClockTest, WritesRfc3339InUtc) {
  const auto t = std::chrono::system_clock::from_time_t(1796614200) + std::chrono::milliseconds(7);
  EXPECT_EQ(Rfc3339(t), "2026-12-07T03:30:00Z");
  EXPECT_EQ(Rfc3339(t, true), "2026-12-07T03:30:00.007Z");
  EXPECT_EQ(UtcYear(t), 2026);
  EXPECT_EQ(Rfc3339(std::chrono::system_clock::from_time_t(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(NowRfc3339().size(), 20u);
  EXPECT_EQ(NowRfc3339(true).size(), 24u);
}

TEST(ClockTest, ParsesRfc3339AndDates) {
  bool date_only = false;
  auto t = ParseRfc3339("2026-12-07T02:30:00Z", &date_only);
  ASSERT_TRUE(t);
  EXPECT_FALSE(date_only);
  EXPECT_EQ(Rfc3339(*t), "2026-12-07T02:30:00Z");
  t = ParseRfc3339("2026-12-07T11:30:00.250+09:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(Rfc3339(*t, true), "2026-12-07T02:30:00.250Z");
  t = ParseRfc3339("2026-12-07", &date_only);
  ASSERT_TRUE(t);
  EXPECT_TRUE(date_only);
  EXPECT_EQ(Rfc3339(*t), "2026-12-07T00:00:00Z");
  for (const char* bad : {"2026-02-30", "2026-12-07T25:00:00Z", "2026-12-07T02:30:00", "yesterday",
                          "2026-12-07T02:30:00Zx", "2026-12-7", ""}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace renkei
