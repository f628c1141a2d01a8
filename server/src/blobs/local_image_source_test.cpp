#include "blobs/local_image_source.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <vector>

#include "blobs/test_images.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class LocalImageSourceTest : public ::testing::Test {
protected:
    void SetUp() override {
        base_ = fs::canonical(dir_.path());
        root_ = base_ / "root";
        testing::WriteText(root_ / "b.jpg", "bee bytes");
        testing::WriteText(root_ / "a" / "x.png", "x");
        testing::WriteText(root_ / "a" / "notes.txt", "ignored");
        testing::WriteText(base_ / "outside.jpg", "secret");
    }

    std::vector<SourceEntry> ListAll(LocalImageSource& source, SourceListing* listing = nullptr) {
        std::vector<SourceEntry> out;
        auto r = source.List([&](const SourceEntry& e) {
            out.push_back(e);
            return true;
        });
        EXPECT_TRUE(r.ok()) << r.error().message;
        if (listing != nullptr && r.ok()) {
            *listing = *r;
        }
        return out;
    }

    static std::string VersionOf(const fs::path& path) {
        struct stat st {};
        EXPECT_EQ(::stat(path.c_str(), &st), 0);
        return std::to_string(static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ULL +
                              static_cast<std::uint64_t>(st.st_mtim.tv_nsec)) +
               "-" + std::to_string(st.st_size);
    }

    TempDir dir_;
    fs::path base_, root_;
};

TEST_F(LocalImageSourceTest, ListsMatchingFilesInOrderWithSizeAndVersion) {
    LocalImageSource source(root_, "**/*.*");
    SourceListing listing;
    auto entries = ListAll(source, &listing);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].relative_path, "a/x.png");
    EXPECT_EQ(entries[0].size_bytes, 1);
    EXPECT_EQ(entries[1].relative_path, "b.jpg");
    EXPECT_EQ(entries[1].size_bytes, 9);
    EXPECT_EQ(entries[1].version, VersionOf(root_ / "b.jpg"));
    EXPECT_EQ(listing.files, 2);
    EXPECT_EQ(listing.entries, 4);  // a, a/notes.txt, a/x.png, b.jpg
    EXPECT_EQ(listing.skipped, 0);
    EXPECT_FALSE(listing.stopped);
    EXPECT_FALSE(listing.budget_spent);
}

TEST_F(LocalImageSourceTest, VersionChangesWithTheContent) {
    LocalImageSource source(root_, "*.jpg");
    std::string before = ListAll(source).at(0).version;
    struct timespec times[2] = {{0, UTIME_OMIT}, {1700000000, 123456789}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (root_ / "b.jpg").c_str(), times, 0), 0);
    std::string touched = ListAll(source).at(0).version;
    EXPECT_EQ(touched, "1700000000123456789-9");
    EXPECT_NE(touched, before);
    testing::WriteText(root_ / "b.jpg", "longer bytes");
    EXPECT_NE(ListAll(source).at(0).version, touched);
}

TEST_F(LocalImageSourceTest, PatternStopAndBudgetPassThrough) {
    LocalImageSource only_png(root_, "a/*.png");
    EXPECT_EQ(ListAll(only_png).size(), 1u);

    LocalImageSource source(root_, "**/*.*");
    int seen = 0;
    auto stopped = source.List([&](const SourceEntry&) { return ++seen < 1; });
    ASSERT_TRUE(stopped.ok());
    EXPECT_TRUE(stopped->stopped);
    EXPECT_EQ(seen, 1);

    auto budget = source.List([](const SourceEntry&) { return true; }, 2);
    ASSERT_TRUE(budget.ok());
    EXPECT_TRUE(budget->budget_spent);
    EXPECT_EQ(budget->entries, 2);
}

TEST_F(LocalImageSourceTest, LinksLeavingRootAreSkippedAndCounted) {
    fs::create_symlink(base_ / "outside.jpg", root_ / "leak.jpg");
    fs::create_symlink(root_ / "b.jpg", root_ / "c.jpg");
    LocalImageSource source(root_, "**/*.*");
    SourceListing listing;
    auto entries = ListAll(source, &listing);
    std::vector<std::string> paths;
    paths.reserve(entries.size());
    for (const auto& e : entries) {
        paths.push_back(e.relative_path);
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"a/x.png", "b.jpg", "c.jpg"}));
    EXPECT_EQ(entries[2].size_bytes, 9);  // the target's
    EXPECT_EQ(listing.skipped, 1);
}

TEST_F(LocalImageSourceTest, ErrorsForAMissingRootOrBadPattern) {
    LocalImageSource missing(root_ / "gone", "**/*.*");
    auto r = missing.List([](const SourceEntry&) { return true; });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
    LocalImageSource bad(root_, "../*.jpg");
    EXPECT_EQ(bad.List([](const SourceEntry&) { return true; }).error().code,
              ErrorCode::kInvalidArgument);
}

TEST_F(LocalImageSourceTest, ReadsPrefixesAndOpensFiles) {
    LocalImageSource source(root_, "**/*.*");
    EXPECT_EQ(*source.ReadPrefix("b.jpg", 3), "bee");
    EXPECT_EQ(*source.ReadPrefix("b.jpg", 1 << 16), "bee bytes");
    auto file = source.Open("a/x.png");
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(*file->ReadAll(), "x");
    EXPECT_EQ(source.ReadPrefix("nope.jpg", 3).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(source.Open("a").error().code, ErrorCode::kNotFound);  // a folder
}

TEST_F(LocalImageSourceTest, RefusesPathsLeavingTheRoot) {
    LocalImageSource source(root_, "**/*.*");
    for (const char* path : {"../outside.jpg", "a/../../outside.jpg"}) {
        auto r = source.ReadPrefix(path, 16);
        ASSERT_FALSE(r.ok()) << path;
        EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied) << path;
    }
    std::string absolute = (base_ / "outside.jpg").string();
    EXPECT_EQ(source.Open(absolute).error().code, ErrorCode::kPermissionDenied);
    // A file swapped for a link leaving root after the listing.
    fs::remove(root_ / "b.jpg");
    fs::create_symlink(base_ / "outside.jpg", root_ / "b.jpg");
    EXPECT_EQ(source.ReadPrefix("b.jpg", 16).error().code, ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace tessera
