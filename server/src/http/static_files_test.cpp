#include "http/static_files.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

const EmbeddedFile kFiles[] = {
    {"/index.html", "text/html; charset=utf-8", "<!doctype html><p>app</p>"},
    {"/assets/index-4f3a9c1d.js", "text/javascript; charset=utf-8", "console.log(1)"},
    {"/favicon.svg", "image/svg+xml", "<svg/>"},
};

class StaticFilesTest : public ::testing::Test {
protected:
    Response Get(const std::string& path, const std::string& if_none_match = "") {
        raw_ = RawRequest{};
        raw_.method(boost::beast::http::verb::get);
        if (!if_none_match.empty()) {
            raw_.set(boost::beast::http::field::if_none_match, if_none_match);
        }
        Request request{raw_, path, {}, {}, std::nullopt, "r"};
        return files_.Serve(request);
    }

    StaticFiles files_{kFiles};
    RawRequest raw_;
};

TEST_F(StaticFilesTest, RootServesIndexWithCspAndNoCache) {
    Response response = Get("/");
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.body, "<!doctype html><p>app</p>");
    EXPECT_EQ(response.FindHeader("Content-Security-Policy"), kHtmlContentSecurityPolicy);
    EXPECT_EQ(response.FindHeader("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutable) {
    Response response = Get("/assets/index-4f3a9c1d.js");
    EXPECT_EQ(response.body, "console.log(1)");
    EXPECT_EQ(response.FindHeader("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(response.FindHeader("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_FALSE(response.FindHeader("Content-Security-Policy"));
}

TEST_F(StaticFilesTest, ClientRoutesFallBackToIndex) {
    EXPECT_EQ(Get("/projects/3/label").body, "<!doctype html><p>app</p>");
}

TEST_F(StaticFilesTest, MissingFilesAre404) {
    EXPECT_EQ(Get("/assets/missing-12345678.js").status, 404u);
}

TEST_F(StaticFilesTest, MatchingEtagGives304) {
    std::string etag = *Get("/favicon.svg").FindHeader("ETag");
    Response response = Get("/favicon.svg", "\"other\", " + etag);
    EXPECT_EQ(response.status, 304u);
    EXPECT_TRUE(response.body.empty());
    EXPECT_EQ(Get("/favicon.svg", "\"other\"").status, 200u);
}

TEST(IsHashedAssetTest, RecognisesViteNames) {
    EXPECT_TRUE(IsHashedAsset("/assets/index-4f3a9c1d.js"));
    EXPECT_TRUE(IsHashedAsset("/assets/vendor-B_x1-9aZ.css"));
    EXPECT_FALSE(IsHashedAsset("/index.html"));
    EXPECT_FALSE(IsHashedAsset("/assets/my-app.js"));
}

TEST(EmbeddedFilesTest, UiHasAnIndexPage) {
    bool found = false;
    for (const auto& file : EmbeddedUiFiles()) {
        found = found || file.path == "/index.html";
    }
    EXPECT_TRUE(found);
}

}  // namespace
}  // namespace tessera::http
