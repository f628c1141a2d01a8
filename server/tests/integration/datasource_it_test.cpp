// The wizard's datasource helpers over HTTP: the folder browser stays inside the allowed roots
// and the dry run counts images without creating a project; both are for owners only.
#include <cctype>
#include <cstdio>
#include <fstream>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Query values as a browser's URLSearchParams would send them.
std::string QueryValue(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof(hex), "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

class DatasourceIt : public IntegrationTest {
protected:
    std::string FoldersPath(const std::string& path) {
        return "/api/v1/datasources/folders?path=" + QueryValue(path);
    }
};

TEST_P(DatasourceIt, FolderBrowserListsRootsAndSubFoldersOnlyInsideThem) {
    const fs::path canonical_images = fs::canonical(images_);
    fs::create_directories(images_ / "cats" / "small");
    fs::create_directories(images_ / "dogs");
    fs::create_directories(temp_.path() / "outside");
    fs::create_symlink(temp_.path() / "outside", images_ / "escape");
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();

    auto roots = admin.Get("/api/v1/datasources/folders");
    ASSERT_EQ(roots.status, 200u) << roots.body;
    EXPECT_EQ(roots.Json()["roots"], json::array({canonical_images.string()}));
    EXPECT_EQ(roots.Json()["folders"], json::array());

    auto top = admin.Get(FoldersPath(images_.string()));
    ASSERT_EQ(top.status, 200u) << top.body;
    EXPECT_EQ(top.Json()["path"], canonical_images.string());
    EXPECT_TRUE(top.Json()["parent"].is_null());
    // The link that leaves the root is not offered.
    EXPECT_EQ(top.Json()["folders"],
              json::parse(R"([{"name": "cats", "path": ")" + (canonical_images / "cats").string() +
                          R"("}, {"name": "dogs", "path": ")" +
                          (canonical_images / "dogs").string() + R"("}])"));
    EXPECT_EQ(top.Json()["truncated"], false);

    auto cats = admin.Get(FoldersPath((images_ / "cats").string()));
    ASSERT_EQ(cats.status, 200u) << cats.body;
    EXPECT_EQ(cats.Json()["parent"], canonical_images.string());
    EXPECT_EQ(cats.Json()["folders"][0]["name"], "small");

    for (const fs::path& outside :
         {temp_.path() / "outside", images_ / "escape", images_ / "cats" / ".." / ".."}) {
        auto refused = admin.Get(FoldersPath(outside.string()));
        EXPECT_EQ(refused.status, 403u) << outside << ": " << refused.body;
        EXPECT_EQ(refused.Json()["error"]["code"], "permission_denied");
    }
    auto relative = admin.Get(FoldersPath("images"));
    EXPECT_EQ(relative.status, 400u) << relative.body;
    EXPECT_EQ(relative.Json()["error"]["field"], "datasource.path");
    auto control = admin.Get(FoldersPath(images_.string() + "/cats\x01"));
    EXPECT_EQ(control.status, 400u) << control.body;
    EXPECT_NE(control.Json()["error"]["message"].get<std::string>().find("control character"),
              std::string::npos);

    CreateUser(admin, "lara", "lara-password", "labeler");
    HttpClient lara = LoginAs("lara", "lara-password");
    EXPECT_EQ(lara.Get("/api/v1/datasources/folders").status, 403u);
    EXPECT_EQ(lara.Get(FoldersPath(images_.string())).status, 403u);
}

TEST_P(DatasourceIt, PreviewCountsMatchingImagesWithoutCreatingAnything) {
    WriteImages(3);
    fs::create_directories(images_ / "png");
    std::ofstream(images_ / "png" / "a.png") << "not read";
    std::ofstream(images_ / "readme.txt") << "not an image";
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();

    auto all = admin.SendJson("POST", "/api/v1/datasources/preview",
                              {{"path", images_.string()}, {"pattern", "**/*.*"}});
    ASSERT_EQ(all.status, 200u) << all.body;
    EXPECT_EQ(all.Json()["count"], 4);
    EXPECT_EQ(all.Json()["capped"], false);
    EXPECT_EQ(all.Json()["examples"],
              json::array({"img0.jpg", "img1.jpg", "img2.jpg", "png/a.png"}));
    EXPECT_EQ(all.Json()["path"], fs::canonical(images_).string());
    auto pngs = admin.SendJson("POST", "/api/v1/datasources/preview",
                               {{"path", images_.string()}, {"pattern", "png/**"}});
    EXPECT_EQ(pngs.Json()["count"], 1) << pngs.body;

    auto outside = admin.SendJson("POST", "/api/v1/datasources/preview",
                                  {{"path", temp_.path().string()}, {"pattern", ""}});
    EXPECT_EQ(outside.status, 403u) << outside.body;
    auto missing = admin.SendJson("POST", "/api/v1/datasources/preview",
                                  {{"path", (images_ / "nope").string()}});
    EXPECT_EQ(missing.status, 400u) << missing.body;
    EXPECT_EQ(missing.Json()["error"]["field"], "datasource.path");
    auto climbing = admin.SendJson("POST", "/api/v1/datasources/preview",
                                   {{"path", images_.string()}, {"pattern", "../*"}});
    EXPECT_EQ(climbing.status, 400u) << climbing.body;
    EXPECT_EQ(climbing.Json()["error"]["field"], "datasource.pattern");
    EXPECT_EQ(admin.SendJson("POST", "/api/v1/datasources/preview", json::object()).status, 400u);

    CreateUser(admin, "lara", "lara-password", "labeler");
    HttpClient lara = LoginAs("lara", "lara-password");
    auto refused =
        lara.SendJson("POST", "/api/v1/datasources/preview", {{"path", images_.string()}});
    EXPECT_EQ(refused.status, 403u) << refused.body;
    // A dry run: no project was made.
    EXPECT_EQ(admin.Get("/api/v1/projects").Json()["projects"], json::array());
}

TESSERA_INSTANTIATE_BACKENDS(DatasourceIt);

}  // namespace
}  // namespace tessera::testing
