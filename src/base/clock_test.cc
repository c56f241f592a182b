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

}  // namespace
}  // namespace renkei
