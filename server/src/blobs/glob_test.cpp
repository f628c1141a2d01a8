#include "blobs/glob.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

bool M(const char* pattern, const char* path) {
    auto glob = Glob::Parse(pattern);
    EXPECT_TRUE(glob.ok()) << pattern;
    return glob->Matches(path);
}

TEST(GlobTest, SegmentWildcards) {
    EXPECT_TRUE(MatchSegment("*.png", "a.png"));
    EXPECT_TRUE(MatchSegment("img_??.jpg", "img_01.jpg"));
    EXPECT_FALSE(MatchSegment("img_??.jpg", "img_1.jpg"));
    EXPECT_TRUE(MatchSegment("*a*b*", "xxaYYbzz"));
    EXPECT_FALSE(MatchSegment("*.png", "a.PNG"));  // names are case-sensitive
    EXPECT_FALSE(MatchSegment("*.jpg", ".hidden.jpg"));
    EXPECT_TRUE(MatchSegment(".hidden.jpg", ".hidden.jpg"));
}

TEST(GlobTest, DoubleStarSpansAnyNumberOfSegments) {
    EXPECT_TRUE(M("**/*.*", "a.jpg"));
    EXPECT_TRUE(M("**/*.*", "x/y/z/a.jpg"));
    EXPECT_FALSE(M("**/*.*", "x/y/noext"));
    EXPECT_TRUE(M("photos/**", "photos/a.jpg"));
    EXPECT_TRUE(M("photos/**", "photos/2024/05/a.jpg"));
    EXPECT_FALSE(M("photos/**", "other/a.jpg"));
    EXPECT_TRUE(M("a/**/b/*.jpg", "a/b/x.jpg"));
    EXPECT_TRUE(M("a/**/b/*.jpg", "a/1/2/b/x.jpg"));
    EXPECT_FALSE(M("a/**/b/*.jpg", "a/1/2/c/x.jpg"));
    EXPECT_FALSE(M("**/*.jpg", ".cache/x.jpg"));
}

TEST(GlobTest, SingleStarStaysInOneSegment) {
    EXPECT_TRUE(M("*.png", "a.png"));
    EXPECT_FALSE(M("*.png", "sub/a.png"));
    EXPECT_TRUE(M("a/*/b/*.jpg", "a/x/b/y.jpg"));
    EXPECT_FALSE(M("a/*/b/*.jpg", "a/x/y/b/z.jpg"));
}

TEST(GlobTest, EmptyPatternMeansEverything) {
    EXPECT_TRUE(M("", "deep/down/a.jpg"));
}

TEST(GlobTest, RejectsEscapes) {
    EXPECT_FALSE(Glob::Parse("/abs/*.jpg").ok());
    EXPECT_FALSE(Glob::Parse("../*.jpg").ok());
    EXPECT_FALSE(Glob::Parse("a/../../b").ok());
    std::string deep;
    for (int i = 0; i < 70; ++i) {
        deep += "a/";
    }
    EXPECT_FALSE(Glob::Parse(deep + "*.jpg").ok());
}

TEST(GlobTest, PrunesFoldersThatCannotMatch) {
    auto glob = *Glob::Parse("photos/*.jpg");
    auto in_photos = glob.Step(glob.Start(), "photos");
    EXPECT_TRUE(glob.CanContinue(in_photos));
    EXPECT_EQ(glob.Step(glob.Start(), "videos"), 0u);
    EXPECT_FALSE(glob.CanContinue(glob.Step(in_photos, "a.jpg")));
}

}  // namespace
}  // namespace tessera
