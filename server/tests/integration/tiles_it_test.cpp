// Tile pyramids over real HTTP: built ahead by the job the ingest queues for large images,
// answered at once ("building", 202) when asked for before that, and removed with the project.
#include <thread>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class TilesIt : public IntegrationTest {
protected:
    std::map<std::string, std::string> ItemBases(HttpClient& client, std::int64_t id) {
        std::map<std::string, std::string> out;
        json items = client.Get(ProjectPath(id, "/items")).Json()["items"];
        for (const json& item : items) {
            out[item["path"]] = ProjectPath(id, "/items/" + std::to_string(item["id"].get<int>()));
        }
        return out;
    }

    // Polls tiles/info until it stops answering 202; the bound only keeps a broken server
    // from hanging the test.
    HttpResponse InfoWhenSettled(HttpClient& client, const std::string& base) {
        HttpResponse info;
        for (int i = 0; i < 600; ++i) {
            info = client.Get(base + "/tiles/info");
            if (info.status != 202) {
                break;
            }
            std::this_thread::sleep_for(100ms);
        }
        return info;
    }
};

TEST_P(TilesIt, LargeImagesArePreparedAheadOthersWhileTheViewerWaits) {
    // Over the UI's tiling threshold (8000 px) on one side, cheap to write and build.
    WriteImage(images_ / "strip.png", 8200, 300);
    WriteImage(images_ / "photo.jpg", 1800, 1200);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    json project = CreateIngestedProject(admin, "Slides");
    std::int64_t id = project["id"];
    json jobs = project["jobs"];
    ASSERT_EQ(jobs.size(), 2u) << jobs.dump();
    EXPECT_EQ(jobs[0]["kind"], "tile_pyramids");
    EXPECT_EQ(jobs[0]["state"], "done") << jobs.dump();
    EXPECT_EQ(jobs[0]["progress_done"], 1) << jobs.dump();
    auto bases = ItemBases(admin, id);

    // Built by the job: ready on the first request.
    auto strip = admin.Get(bases["strip.png"] + "/tiles/info");
    ASSERT_EQ(strip.status, 200u) << strip.body;
    EXPECT_EQ(strip.Json(), (json{{"status", "ready"},
                                  {"progress", 1.0},
                                  {"width", 8200},
                                  {"height", 300},
                                  {"tile_size", 512},
                                  {"levels", 6}}));
    EXPECT_EQ(admin.Get(bases["strip.png"] + "/tiles/0/16/0").status, 200u);

    // Not large enough for the job: the first request answers at once with the pyramid's
    // shape-to-be and queues the build.
    auto first = admin.Get(bases["photo.jpg"] + "/tiles/info");
    ASSERT_EQ(first.status, 202u) << first.body;
    json building = first.Json();
    EXPECT_EQ(building["status"], "building");
    EXPECT_GE(building["progress"].get<double>(), 0.0);
    EXPECT_LT(building["progress"].get<double>(), 1.0);
    EXPECT_EQ(building["width"], 1800);
    EXPECT_EQ(building["height"], 1200);
    EXPECT_EQ(building["levels"], 3);
    EXPECT_EQ(first.Header("Retry-After"), "1");
    auto ready = InfoWhenSettled(admin, bases["photo.jpg"]);
    ASSERT_EQ(ready.status, 200u) << ready.body;
    EXPECT_EQ(ready.Json()["status"], "ready");
    auto tile = admin.Get(bases["photo.jpg"] + "/tiles/0/3/2");
    ASSERT_EQ(tile.status, 200u) << tile.body;
    EXPECT_EQ(tile.Header("Content-Type"), "image/jpeg");
    EXPECT_EQ(admin.Get(bases["photo.jpg"] + "/tiles/0/4/0").status, 404u);
}

TEST_P(TilesIt, DeletingAProjectRemovesItsCachedImages) {
    WriteImage(images_ / "strip.png", 8200, 300);
    WriteImage(images_ / "photo.jpg", 600, 400);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = CreateIngestedProject(admin, "Doomed")["id"];
    auto bases = ItemBases(admin, id);
    ASSERT_EQ(admin.Get(bases["photo.jpg"] + "/thumbnail").status, 200u);
    ASSERT_EQ(admin.Get(bases["photo.jpg"] + "/image").status, 200u);
    const std::string group = "p" + std::to_string(id);
    ASSERT_TRUE(std::filesystem::exists(data_ / "cache" / group));
    ASSERT_TRUE(std::filesystem::exists(data_ / "tiles" / group));

    auto deleted = admin.Send("DELETE", ProjectPath(id));
    ASSERT_TRUE(deleted.status == 200u || deleted.status == 204u) << deleted.body;
    bool gone = false;
    for (int i = 0; i < 300 && !gone; ++i) {
        gone = !std::filesystem::exists(data_ / "cache" / group) &&
               !std::filesystem::exists(data_ / "tiles" / group);
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(gone) << "the purge job did not remove " << group;
}

}  // namespace

TESSERA_INSTANTIATE_BACKENDS(TilesIt);

}  // namespace tessera::testing
