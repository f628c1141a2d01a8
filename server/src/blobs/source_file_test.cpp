#include "blobs/source_file.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

#include "blobs/test_images.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class SourceFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        base_ = fs::canonical(dir_.path());
        root_ = base_ / "root";
        fs::create_directories(root_ / "sub");
        testing::WriteText(root_ / "inside.png", "inside bytes");
        testing::WriteText(root_ / "sub" / "deep.png", "deep bytes");
        testing::WriteText(base_ / "outside.png", "outside bytes");
        fs::create_directories(base_ / "elsewhere");
        testing::WriteText(base_ / "elsewhere" / "deep.png", "elsewhere bytes");
    }
    Result<SourceFile> Open(const std::string& relative) {
        return SourceFile::Open(SourceRef{root_, root_ / relative});
    }

    TempDir dir_;
    fs::path base_, root_;
};

TEST_F(SourceFileTest, OpensARegularFileInsideTheRoot) {
    auto file = Open("sub/deep.png");
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->size(), 10);
    EXPECT_EQ(file->ReadPrefix(4), "deep");
    EXPECT_EQ(*file->ReadAll(), "deep bytes");
}

TEST_F(SourceFileTest, FollowsALinkThatStaysInsideTheRoot) {
    fs::create_symlink(root_ / "sub" / "deep.png", root_ / "alias.png");
    auto file = Open("alias.png");
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(*file->ReadAll(), "deep bytes");
}

TEST_F(SourceFileTest, RefusesAFileSwappedForALinkLeavingTheRoot) {
    fs::remove(root_ / "inside.png");
    fs::create_symlink(base_ / "outside.png", root_ / "inside.png");
    auto file = Open("inside.png");
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(file.error().message.find(base_.string()), std::string::npos) << file.error().message;
}

TEST_F(SourceFileTest, RefusesAFolderSwappedForALinkLeavingTheRoot) {
    fs::remove_all(root_ / "sub");
    fs::create_directory_symlink(base_ / "elsewhere", root_ / "sub");
    auto file = Open("sub/deep.png");
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(SourceFileTest, RefusesPathsThatStepOutLexically) {
    EXPECT_EQ(Open("../outside.png").error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(SourceFile::Open(SourceRef{root_, base_ / "outside.png"}).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(SourceFile::Open(SourceRef{"", root_ / "inside.png"}).error().code,
              ErrorCode::kPermissionDenied);
}

TEST_F(SourceFileTest, MissingFilesFoldersAndFifosAreNotFound) {
    EXPECT_EQ(Open("missing.png").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(Open("sub").error().code, ErrorCode::kNotFound);
    ASSERT_EQ(::mkfifo((root_ / "pipe.png").c_str(), 0600), 0);
    // Opened without blocking, then refused as not a regular file.
    EXPECT_EQ(Open("pipe.png").error().code, ErrorCode::kNotFound);
}

TEST_F(SourceFileTest, IsBeneathComparesWholeComponents) {
    EXPECT_TRUE(IsBeneath("/data/set/a.png", "/data/set"));
    EXPECT_TRUE(IsBeneath("/data/set/a.png", "/data/set/"));
    EXPECT_TRUE(IsBeneath("/data/set/x/../a.png", "/data/set"));
    EXPECT_FALSE(IsBeneath("/data/settle/a.png", "/data/set"));
    EXPECT_FALSE(IsBeneath("/data/set/../b.png", "/data/set"));
}

}  // namespace
}  // namespace tessera
