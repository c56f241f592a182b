#include "trust/sealed.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace renkei::trust {
namespace {

namespace fs = std::filesystem;

class SealedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("renkei-sealed-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(SealedTest, KeyFileIsMadeOncePrivateAndReadBack) {
  const std::string path = SealingKeyPath(Path("node.db"));
  EXPECT_EQ(path, Path("node.db.secrets.key"));
  EXPECT_EQ(LoadSealingKey(path).status().code(), StatusCode::kNotFound);
  StatusOr<SealingKey> made = LoadOrCreateSealingKey(path);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  StatusOr<SealingKey> again = LoadOrCreateSealingKey(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *made);
  EXPECT_EQ(*LoadSealingKey(path), *made);
  // No temporary file is left behind.
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(SealedTest, DamagedKeyFileIsDataLossNamingIt) {
  const std::string path = Path("bad.secrets.key");
  std::ofstream(path) << "not a key\n";
  Status s = LoadSealingKey(path).status();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_EQ(LoadOrCreateSealingKey(path).status().code(), StatusCode::kDataLoss);
}

TEST_F(SealedTest, SealsAndOpensOnlyWithItsKeyAndContext) {
  const SealingKey key = *LoadOrCreateSealingKey(Path("a.key"));
  const SealingKey other = *LoadOrCreateSealingKey(Path("b.key"));
  ASSERT_NE(key, other);
  const std::string secret = "seed-bytes-of-an-organization";
  StatusOr<std::string> sealed = Seal(key, secret, "organization_keys.seed/org:a");
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(IsSealed(*sealed));
  EXPECT_FALSE(IsSealed(secret));
  EXPECT_EQ(sealed->find(secret), std::string::npos);
  // A fresh nonce each time: the same secret seals differently.
  EXPECT_NE(*Seal(key, secret, "organization_keys.seed/org:a"), *sealed);
  EXPECT_EQ(*Unseal(key, *sealed, "organization_keys.seed/org:a"), secret);
  EXPECT_EQ(*Unseal(key, *Seal(key, "", "c"), "c"), "");

  EXPECT_EQ(Unseal(other, *sealed, "organization_keys.seed/org:a").status().code(),
            StatusCode::kDataLoss);
  // Moved to another row.
  EXPECT_EQ(Unseal(key, *sealed, "organization_keys.seed/org:b").status().code(),
            StatusCode::kDataLoss);
  // One character altered, cut short, not sealed at all.
  std::string altered = *sealed;
  altered[altered.size() - 5] = altered[altered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Unseal(key, altered, "organization_keys.seed/org:a").status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(Unseal(key, sealed->substr(0, 20), "organization_keys.seed/org:a").status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(Unseal(key, secret, "organization_keys.seed/org:a").status().code(),
            StatusCode::kDataLoss);
}

}  // namespace
}  // namespace renkei::trust
