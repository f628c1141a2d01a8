#include "blobs/download_cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "support/temp_dir.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// A file of `bytes` bytes written `age_s` seconds before a fixed instant (mtimes are set, not
// waited for).
void Write(const fs::path& path, std::size_t bytes, int age_s) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << std::string(bytes, 'x');
    const auto base = fs::file_time_type::clock::now() - std::chrono::hours(1);
    fs::last_write_time(path, base - std::chrono::seconds(age_s));
}

TEST(DownloadCacheTest, CountsCopiesButNotSidecars) {
    TempDir dir;
    Write(dir.path() / "ab" / "one.jpg", 100, 0);
    Write(dir.path() / "ab" / "one.etag", 7, 0);
    Write(dir.path() / "cd" / "two.png", 50, 0);
    EXPECT_EQ(CachedBytes(dir.path(), ".etag"), 150u);
    EXPECT_EQ(CachedBytes(dir.path()), 157u);
    EXPECT_EQ(CachedBytes(dir.path() / "absent"), 0u);
}

TEST(DownloadCacheTest, EvictsTheOldestUntilNineTenthsOfTheLimitRemain) {
    TempDir dir;
    Write(dir.path() / "a" / "oldest.jpg", 100, 40);
    Write(dir.path() / "a" / "oldest.etag", 10, 50);  // a sidecar is never a candidate
    Write(dir.path() / "b" / "kept-although-old.jpg", 100, 30);
    Write(dir.path() / "b" / "x.jpg.part-1234", 100, 35);  // a download in progress
    Write(dir.path() / "c" / "older.jpg", 100, 20);
    Write(dir.path() / "c" / "newer.jpg", 100, 10);
    Write(dir.path() / "c" / "newest.jpg", 100, 0);
    // 600 bytes of copies against a limit of 400: down to 360, oldest first.
    const std::uint64_t left = EvictLeastRecentlyUsed(
        dir.path(), 400, dir.path() / "b" / "kept-although-old.jpg", ".etag");
    EXPECT_EQ(left, 300u);
    EXPECT_FALSE(fs::exists(dir.path() / "a" / "oldest.jpg"));
    EXPECT_FALSE(fs::exists(dir.path() / "c" / "older.jpg"));
    EXPECT_FALSE(fs::exists(dir.path() / "c" / "newer.jpg"));
    EXPECT_TRUE(fs::exists(dir.path() / "c" / "newest.jpg"));
    EXPECT_TRUE(fs::exists(dir.path() / "b" / "kept-although-old.jpg"));
    EXPECT_TRUE(fs::exists(dir.path() / "b" / "x.jpg.part-1234"));
    EXPECT_TRUE(fs::exists(dir.path() / "a" / "oldest.etag"));
    // Under the limit nothing goes.
    EXPECT_EQ(EvictLeastRecentlyUsed(dir.path(), 10000, {}, ".etag"), 300u);
    EXPECT_TRUE(fs::exists(dir.path() / "c" / "newest.jpg"));
}

}  // namespace
}  // namespace tessera
