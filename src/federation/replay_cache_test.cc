#include "federation/replay_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace renkei::federation {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1'800'000'000'000;

TEST(ReplayCacheTest, AMessageIsTakenOnce) {
  ReplayCache cache(300'000);
  EXPECT_TRUE(cache.Admit("org:a", "n1", kNow, kNow).ok());
  Status again = cache.Admit("org:a", "n1", kNow, kNow + 10);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.message(), HasSubstr("message n1 from 'org:a' was received before"));
  // The same nonce from another sender is another message.
  EXPECT_TRUE(cache.Admit("org:b", "n1", kNow, kNow).ok());
}

TEST(ReplayCacheTest, MessagesOutsideTheWindowAreStale) {
  ReplayCache cache(300'000);
  Status old = cache.Admit("org:a", "n1", kNow - 301'000, kNow);
  EXPECT_EQ(old.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(old.message(),
              HasSubstr("sent 301 s before this node's clock (the window is 300 s)"));
  Status ahead = cache.Admit("org:a", "n2", kNow + 400'000, kNow);
  EXPECT_THAT(ahead.message(), HasSubstr("sent 400 s after"));
  EXPECT_TRUE(cache.Admit("org:a", "n3", kNow - 299'000, kNow).ok());
}

// An entry is forgotten only once a copy of it would be stale anyway.
TEST(ReplayCacheTest, EntriesAreForgottenWhenTheirCopiesWouldBeStale) {
  ReplayCache cache(1'000);
  ASSERT_TRUE(cache.Admit("org:a", "n1", kNow, kNow).ok());
  EXPECT_EQ(cache.Admit("org:a", "n1", kNow, kNow + 1'000).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Admit("org:a", "n1", kNow, kNow + 1'001).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(cache.Admit("org:a", "n2", kNow + 1'001, kNow + 1'001).ok());
  EXPECT_EQ(cache.size(), 1u);  // n1 forgotten
}

TEST(ReplayCacheTest, AFullCacheRefusesRatherThanForgets) {
  ReplayCache cache(1'000, 2);
  ASSERT_TRUE(cache.Admit("org:a", "n1", kNow, kNow).ok());
  ASSERT_TRUE(cache.Admit("org:a", "n2", kNow, kNow).ok());
  Status full = cache.Admit("org:a", "n3", kNow, kNow);
  EXPECT_EQ(full.code(), StatusCode::kUnavailable);
  EXPECT_EQ(cache.Admit("org:a", "n1", kNow, kNow).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(cache.Admit("org:a", "n3", kNow + 1'500, kNow + 1'500).ok());
}

TEST(ReplayCacheTest, ConcurrentCopiesAreTakenOnce) {
  ReplayCache cache;
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (cache.Admit("org:a", "n" + std::to_string(i), kNow, kNow).ok()) ++taken;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.load(), 500);
}

}  // namespace
}  // namespace renkei::federation
