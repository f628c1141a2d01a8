#include "blobs/local_source.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "blobs/test_images.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class LocalSourceTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::canonical(dir_.path()) / "root";
        for (const char* f :
             {"b.jpg", "a.PNG", "notes.txt", "noext", ".hidden.jpg", "c.JPEG", "photos/2024/x.jpg",
              "photos/2024/y.tiff", "photos/z.bmp", "photos/readme.md", "a/q/b/1.jpg",
              "a/q/b/2.png", "a/q/c/3.jpg", "a/r/b/4.jpg", ".cache/t.jpg", "scans/s.dcm",
              "scans/s.DICOM", "B.jpg"}) {
            Touch(root_ / f);
        }
    }
    static void Touch(const fs::path& p) {
        fs::create_directories(p.parent_path());
        testing::WriteText(p, "x");
    }
    std::vector<std::string> List(const std::string& pattern, WalkStats* stats = nullptr) {
        std::vector<std::string> out;
        auto r = WalkLocalSource(root_, pattern, [&](const LocalFile& f) {
            EXPECT_EQ(f.absolute_path, root_ / f.relative_path);
            out.push_back(f.relative_path);
            return true;
        });
        EXPECT_TRUE(r.ok()) << r.error().message;
        if (stats != nullptr && r.ok()) {
            *stats = *r;
        }
        return out;
    }

    TempDir dir_;
    fs::path root_;
};

using Paths = std::vector<std::string>;

TEST_F(LocalSourceTest, EverythingInSortedOrderWithAcceptedExtensions) {
    EXPECT_EQ(List("**/*.*"),
              (Paths{"B.jpg", "a/q/b/1.jpg", "a/q/b/2.png", "a/q/c/3.jpg", "a/r/b/4.jpg", "a.PNG",
                     "b.jpg", "c.JPEG", "photos/2024/x.jpg", "photos/2024/y.tiff", "photos/z.bmp",
                     "scans/s.DICOM", "scans/s.dcm"}));
}

TEST_F(LocalSourceTest, PatternsSelectSubsets) {
    EXPECT_EQ(List("photos/**"),
              (Paths{"photos/2024/x.jpg", "photos/2024/y.tiff", "photos/z.bmp"}));
    EXPECT_EQ(List("*.png"), Paths{});  // names are case-sensitive: a.PNG is not *.png
    EXPECT_EQ(List("*.PNG"), (Paths{"a.PNG"}));
    EXPECT_EQ(List("a/*/b/*.jpg"), (Paths{"a/q/b/1.jpg", "a/r/b/4.jpg"}));
    EXPECT_EQ(List("**/b/*"), (Paths{"a/q/b/1.jpg", "a/q/b/2.png", "a/r/b/4.jpg"}));
    EXPECT_EQ(List(".cache/*.jpg"), (Paths{".cache/t.jpg"}));
}

TEST_F(LocalSourceTest, CallbackCanStop) {
    std::vector<std::string> seen;
    auto r = WalkLocalSource(root_, "**/*.*", [&](const LocalFile& f) {
        seen.push_back(f.relative_path);
        return seen.size() < 3;
    });
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->stopped);
    // Depth first: folder "a" sorts before the file "a.PNG".
    EXPECT_EQ(seen, (Paths{"B.jpg", "a/q/b/1.jpg", "a/q/b/2.png"}));
}

TEST_F(LocalSourceTest, AnEntryBudgetStopsTheWalkWhateverMatches) {
    std::vector<std::string> seen;
    auto all = WalkLocalSource(root_, "**/*.*", [&](const LocalFile&) { return true; });
    ASSERT_TRUE(all.ok());
    EXPECT_FALSE(all->entry_budget_spent);
    ASSERT_GT(all->entries, 4);
    // A pattern that matches nothing still stops after the budget.
    auto none = WalkLocalSource(
        root_, "**/*.gif",
        [&](const LocalFile& f) {
            seen.push_back(f.relative_path);
            return true;
        },
        4);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->entry_budget_spent);
    EXPECT_EQ(none->entries, 4);
    EXPECT_TRUE(seen.empty());
    // A budget the tree fits in changes nothing.
    auto fits = WalkLocalSource(
        root_, "**/*.*", [&](const LocalFile&) { return true; }, all->entries);
    ASSERT_TRUE(fits.ok());
    EXPECT_FALSE(fits->entry_budget_spent);
    EXPECT_EQ(fits->files, all->files);
}

TEST_F(LocalSourceTest, SymlinksLeavingRootAreRefused) {
    fs::path outside = fs::canonical(dir_.path()) / "outside";
    Touch(outside / "secret.jpg");
    fs::create_symlink(outside / "secret.jpg", root_ / "leak.jpg");
    fs::create_symlink(outside, root_ / "leakdir");
    fs::create_symlink(root_ / "nowhere.jpg", root_ / "broken.jpg");
    fs::create_symlink(root_ / "b.jpg", root_ / "inside.jpg");
    fs::create_symlink(root_ / "photos", root_ / "photolink");
    fs::create_symlink("../../b.jpg", root_ / "a" / "q" / "rel.jpg");
    WalkStats stats;
    auto files = List("**/*.*", &stats);
    EXPECT_EQ(std::count(files.begin(), files.end(), "inside.jpg"), 1);
    EXPECT_EQ(std::count(files.begin(), files.end(), "a/q/rel.jpg"), 1);
    for (const auto& f : files) {
        EXPECT_EQ(f.find("leak"), std::string::npos) << f;
        EXPECT_EQ(f.find("broken"), std::string::npos) << f;
        EXPECT_EQ(f.find("photolink"), std::string::npos) << f;
    }
    EXPECT_EQ(stats.refused_links, 3);  // leak.jpg, leakdir, broken.jpg
    EXPECT_EQ(stats.skipped_dir_links, 1);
    EXPECT_EQ(stats.files, static_cast<std::int64_t>(files.size()));
}

// Gives `folder` an mtime of its own: a change made within the clock tick of an earlier stamp
// would otherwise leave the folder's times as they were (the racy case the refresh job guards
// against with racy_after_ns).
void Restamp(const fs::path& folder) {
    static std::int64_t next_s = 1'000'000'000;
    const timespec times[2] = {{next_s, 0}, {next_s, 0}};
    ++next_s;
    ASSERT_EQ(::utimensat(AT_FDCWD, folder.c_str(), times, 0), 0) << folder;
}

TEST_F(LocalSourceTest, AnIncrementalWalkReadsOnlyChangedFolders) {
    FolderScan first;
    first.racy_after_ns = std::numeric_limits<std::int64_t>::max();
    std::vector<std::string> all;
    ASSERT_TRUE(WalkLocalSource(
                    root_, "**/*.*",
                    [&](const LocalFile& f) {
                        all.push_back(f.relative_path);
                        return true;
                    },
                    0, &first)
                    .ok());
    EXPECT_EQ(all, List("**/*.*"));  // with no stamps, everything is read
    EXPECT_TRUE(first.unchanged.empty());
    std::vector<std::string> folders;
    for (const FolderStamp& stamp : first.current) {
        folders.push_back(stamp.path);
        EXPECT_NE(stamp.mtime_ns, FolderStamp::kReadAgain) << stamp.path;
    }
    std::sort(folders.begin(), folders.end());
    // "**" does not enter hidden folders (.cache): the walk never reaches them.
    EXPECT_EQ(folders, (Paths{"", "a", "a/q", "a/q/b", "a/q/c", "a/r", "a/r/b", "photos",
                              "photos/2024", "scans"}));

    // A file added deep down: only its folder is read; unchanged parents still lead to it.
    Touch(root_ / "a/q/b/5.jpg");
    Restamp(root_ / "a/q/b");
    FolderScan second;
    second.previous = first.current;
    second.racy_after_ns = std::numeric_limits<std::int64_t>::max();
    std::vector<std::string> listed;
    ASSERT_TRUE(WalkLocalSource(
                    root_, "**/*.*",
                    [&](const LocalFile& f) {
                        listed.push_back(f.relative_path);
                        return true;
                    },
                    0, &second)
                    .ok());
    EXPECT_EQ(listed, (Paths{"a/q/b/1.jpg", "a/q/b/2.png", "a/q/b/5.jpg"}));
    EXPECT_EQ(second.unchanged.size(), 9u);
    EXPECT_EQ(second.unchanged.count("a/q/b"), 0u);
    EXPECT_EQ(second.current.size(), 10u);

    // A folder that changed moments ago (at or after racy_after_ns) is read again next time.
    FolderScan third;
    third.previous = first.current;
    third.racy_after_ns = 0;
    ASSERT_TRUE(WalkLocalSource(
                    root_, "**/*.*", [](const LocalFile&) { return true; }, 0, &third)
                    .ok());
    auto b = std::find_if(third.current.begin(), third.current.end(),
                          [](const FolderStamp& f) { return f.path == "a/q/b"; });
    ASSERT_NE(b, third.current.end());
    EXPECT_EQ(b->mtime_ns, FolderStamp::kReadAgain);
}

TEST_F(LocalSourceTest, AFolderHoldingLinksIsAlwaysReadAgain) {
    fs::create_symlink(root_ / "b.jpg", root_ / "photos" / "link.jpg");
    FolderScan scan;
    scan.racy_after_ns = std::numeric_limits<std::int64_t>::max();
    ASSERT_TRUE(WalkLocalSource(
                    root_, "**/*.*", [](const LocalFile&) { return true; }, 0, &scan)
                    .ok());
    for (const FolderStamp& stamp : scan.current) {
        EXPECT_EQ(stamp.mtime_ns == FolderStamp::kReadAgain, stamp.path == "photos") << stamp.path;
    }
}

TEST_F(LocalSourceTest, ExtensionFilterIgnoresCase) {
    EXPECT_TRUE(HasAcceptedExtension("x.JpG"));
    EXPECT_TRUE(HasAcceptedExtension("x.jfif"));
    EXPECT_TRUE(HasAcceptedExtension("x.Tif"));
    EXPECT_TRUE(HasAcceptedExtension("x.dicom"));
    EXPECT_FALSE(HasAcceptedExtension("x.gif"));
    EXPECT_FALSE(HasAcceptedExtension("jpg"));
    EXPECT_FALSE(HasAcceptedExtension(".jpg"));
    EXPECT_FALSE(HasAcceptedExtension("x.jpg.txt"));
}

TEST_F(LocalSourceTest, BadRootOrPattern) {
    auto missing = WalkLocalSource(root_ / "nope", "**/*.*", [](const LocalFile&) { return true; });
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    auto bad = WalkLocalSource(root_, "../*.jpg", [](const LocalFile&) { return true; });
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera
